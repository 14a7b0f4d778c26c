#!/usr/bin/env bats
# Lesson 26 (Listener and Client): a server and a client child with the same
# authkey exchange messages; a client with the wrong key is refused on both
# sides with AuthenticationError.
load ../lib/helpers

@test "26-listener-client $MP_TAG" {
    # Exact.  The port is chosen by the system (port 0), so the lesson prints
    # only the host of last_accepted.  The order is fixed: the server prints
    # (and flushes) before it sends, the client prints only what it has
    # received, and the server prints the refusal after joining the refused
    # client.
    check_lesson 26-listener-client
}

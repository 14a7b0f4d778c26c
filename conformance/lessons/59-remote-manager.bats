#!/usr/bin/env bats
# Lesson 59 (the docs' remote manager): a server program serves a queue
# at a TCP address with an authkey; a client program puts 'hello', a
# second gets it; then the server is asked to shut down.
load ../lib/helpers

@test "59-remote-manager $MP_TAG" {
    # Exact: the program runs each client to its end before the next, and
    # the port (a free one) is never printed.  The start method plays no
    # part (the three are programs, not children), so the three runs check
    # the same thing.  stderr (empty) and the status are exact.
    check_lesson 59-remote-manager
}

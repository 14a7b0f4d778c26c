#!/usr/bin/env bats
# Lesson 07 (join with a timeout): join(1) returns while the daemon (2 s)
# still sleeps; is_alive() is True; the main program ends and the daemon is
# terminated.
load ../lib/helpers

@test "07-join-timeout $MP_TAG" {
    # Exact.  stdout is a file and the targets do not flush, so a child's
    # lines reach it only when the child exits normally: the non-daemon's
    # pair is written at once, the main program's line at its own exit,
    # after joining the non-daemon, and the daemon's "Starting: daemon" is
    # lost with its buffer when it is terminated.  That it is still alive
    # after join(1) rests on timing with a 1 s margin.
    check_lesson 07-join-timeout
}

#!/usr/bin/env bats
# Cases of multiprocessing.forkserver (and popen_forkserver): behaviour of
# the fork server that no lesson shows.  Each case's header
# (conformance/cases/forkserver/SLUG/case.py) says what it pins.
load ../lib/helpers

@test "forkserver/server-dies $MP_TAG" {
    # Exact, against the golden of the start method (only under forkserver
    # is the child's parent the server).  One child, joined before the
    # exitcode is printed.
    check_case forkserver/server-dies
}

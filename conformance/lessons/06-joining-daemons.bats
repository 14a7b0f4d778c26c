#!/usr/bin/env bats
# Lesson 06 (joining daemons): the main program joins the daemon, so it lives
# to print "Exiting".
load ../lib/helpers

@test "06-joining-daemons $MP_TAG" {
    # Exact: stdout is a file and the targets do not flush, so each child's
    # two lines are written together when it exits.  The non-daemon exits at
    # about 1 s, the daemon at about 2 s: the order is fixed by timing with a
    # 1 s margin, so its pair comes second even though it started first.
    check_lesson 06-joining-daemons
}

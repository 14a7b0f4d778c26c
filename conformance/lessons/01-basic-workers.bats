#!/usr/bin/env bats
# Lesson 01 (basic workers): five children each print "Worker".
load ../lib/helpers

@test "01-basic-workers $MP_TAG" {
    # Sorted stdout: the five children run at once and each writes its line
    # when it flushes at exit, in whatever order the scheduler ends them.
    # (The lines are identical, so sorting changes nothing here; it is
    # declared because the order is racy.)  stderr and status are exact.
    check_lesson 01-basic-workers --sorted-stdout
}

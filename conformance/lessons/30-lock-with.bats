#!/usr/bin/env bats
# Lesson 30 (a Lock with and without `with`): two children append one line
# each to one file under a shared Lock; the parent prints the file.
load ../lib/helpers

@test "30-lock-with $MP_TAG" {
    # Sorted stdout: the two workers run at once and whichever takes the
    # lock first writes first, so the file's two lines come in either
    # order.  Sorted, both must be there, once each and whole.  stderr
    # (empty) and the status are exact.
    check_lesson 30-lock-with --sorted-stdout
}

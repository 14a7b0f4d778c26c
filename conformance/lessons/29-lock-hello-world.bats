#!/usr/bin/env bats
# Lesson 29 (the docs' Lock example): ten children share one Lock and each
# prints "hello world N" while it holds it.
load ../lib/helpers

@test "29-lock-hello-world $MP_TAG" {
    # Sorted stdout: the ten children run at once, and the lock makes them
    # print one at a time, not in any order; each line reaches stdout when
    # its child flushes at exit, in whatever order the scheduler ends them.
    # Sorted, the ten lines must still be exactly "hello world 0" to
    # "hello world 9", once each and whole.  stderr (empty) and the status
    # are exact.
    check_lesson 29-lock-hello-world --sorted-stdout
}

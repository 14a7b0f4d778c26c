#!/usr/bin/env bats
# Lesson 33 (Condition stages): two stage_2 processes wait on a Condition
# until s1 has done its stage and called notify_all().
load ../lib/helpers

@test "33-condition-stages $MP_TAG" {
    # Sorted stdout: each process's lines reach stdout when it exits, and
    # s1 and the two woken stage_2 processes end at about the same time,
    # in any order.  Sorted, every line must be there once: both stage_2
    # processes running means notify_all() woke both (a missed notify
    # would hang, and fail by the timeout).  stderr (empty) and the status
    # are exact.
    check_lesson 33-condition-stages --sorted-stdout
}

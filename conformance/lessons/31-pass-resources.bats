#!/usr/bin/env bats
# Lesson 31 (explicitly pass resources): ten children get the Lock in args
# and print while they hold it; the parent then takes it without waiting.
load ../lib/helpers

@test "31-pass-resources $MP_TAG" {
    # Sorted stdout: the ten children run at once and each line reaches
    # stdout when its child flushes at exit, in whatever order they end.
    # Sorting keeps what matters exact: one line from each of Process-1 to
    # Process-10, and the parent's line, True (it comes last in every run,
    # as the parent prints after joining them, but sorting moves it).
    # stderr (empty) and the status are exact.
    check_lesson 31-pass-resources --sorted-stdout
}

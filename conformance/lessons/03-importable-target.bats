#!/usr/bin/env bats
# Lesson 03 (importable target): Lesson 01 with the target in another file.
load ../lib/helpers

@test "03-importable-target $MP_TAG" {
    # Sorted stdout: as in Lesson 01, five children print at once and the
    # scheduler decides the order (the lines are identical anyway).
    check_lesson 03-importable-target --sorted-stdout
}

#!/usr/bin/env bats
# Lesson 12 (subclassing Process): five Worker processes print their names.
load ../lib/helpers

@test "12-subclassing-process $MP_TAG" {
    # Sorted stdout: the five Workers run at once, so "In Worker-1" to
    # "In Worker-5" come out in whatever order they finish (the twin
    # varies).  Sorting still checks the class name and the numbering.
    check_lesson 12-subclassing-process --sorted-stdout
}

#!/usr/bin/env bats
# Lesson 02 (worker arguments): each child prints the number it was given.
load ../lib/helpers

@test "02-worker-arguments $MP_TAG" {
    # Sorted stdout: the five children run at once, so "Worker: 0" to
    # "Worker: 4" come out in whatever order they happen to finish (the
    # twin itself varies from run to run).  Sorting still checks that each
    # child printed exactly its own argument, once.
    check_lesson 02-worker-arguments --sorted-stdout
}

#!/usr/bin/env bats
# Lesson 39 (the docs' first Pool example): Pool(5).map(f, [1, 2, 3]).
load ../lib/helpers

@test "39-pool-intro $MP_TAG" {
    # Exact: map returns its results in the order of the input, whichever
    # worker computed which, so "[1, 4, 9]" is the one line on stdout.
    # stderr (empty) and the status are exact.
    check_lesson 39-pool-intro
}

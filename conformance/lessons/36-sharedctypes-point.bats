#!/usr/bin/env bats
# Lesson 36 (the docs' sharedctypes example): a child squares an int, a
# double and an array of Point structures and upper-cases a string, all
# in shared memory; the parent prints them.
load ../lib/helpers

@test "36-sharedctypes-point $MP_TAG" {
    # Exact, one golden for every MP_START_METHOD: only the parent prints,
    # after join.
    check_lesson 36-sharedctypes-point
}

#!/usr/bin/env bats
# Lesson 13 (hello bob): one child prints "hello bob" and is joined.
load ../lib/helpers

@test "13-hello-bob $MP_TAG" {
    # Exact: one child, one line.
    check_lesson 13-hello-bob
}

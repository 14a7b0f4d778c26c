#!/usr/bin/env bats
# Lesson 11 (get_logger): Lesson 10 with the logger at INFO.
load ../lib/helpers

@test "11-get-logger $MP_TAG" {
    # Exact, stderr too, for Lesson 10's reason: the main program logs only
    # after it has joined the child.
    check_lesson 11-get-logger
}

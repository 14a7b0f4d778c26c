#!/usr/bin/env bats
# Lesson 20 (the docs' Queue example): a child puts [42, None, 'hello'] on a
# queue and the parent prints what it gets.
load ../lib/helpers

@test "20-queue-example $MP_TAG" {
    # Exact, one golden for every MP_START_METHOD: only the parent prints,
    # one line, the repr of the list as it came through the queue.
    check_lesson 20-queue-example
}

#!/usr/bin/env bats
# Lesson 21 (the docs' Pipe example): a child sends [42, None, 'hello'] on
# its end of a Pipe and the parent prints what it receives.
load ../lib/helpers

@test "21-pipe-example $MP_TAG" {
    # Exact, one golden for every MP_START_METHOD: only the parent prints,
    # one line, the repr of the list as it came through the pipe.
    check_lesson 21-pipe-example
}

#!/usr/bin/env bats
# Lesson 10 (log_to_stderr): the library's DEBUG and INFO log lines on stderr.
load ../lib/helpers

@test "10-log-to-stderr $MP_TAG" {
    # Exact, stderr too: the child logs all its lines before it exits, and
    # the main program logs nothing until after it has joined the child, so
    # the two never write to stderr at the same time.
    check_lesson 10-log-to-stderr
}

#!/usr/bin/env bats
# Lesson 32 (Event): "block" waits for the event without a timeout,
# "nonblock" with wait(2); the parent sets it once nonblock has ended.
load ../lib/helpers

@test "32-event $MP_TAG" {
    # Exact, and not a timing assertion.  Each process's lines reach
    # stdout when it exits: nonblock's first (the parent sets the event
    # only after joining it, so its timed wait has certainly run out and
    # it prints False), then block's (it cannot end before the set, and
    # prints True), then the parent's, after it has joined block.
    check_lesson 32-event
}

#!/usr/bin/env bats
# Lesson 22 (set_start_method('spawn') with a queue): the docs' example; a
# spawned child puts 'hello' on a queue and the parent prints it.
load ../lib/helpers

@test "22-set-start-method-queue $MP_TAG" {
    # Exact, one golden for every MP_START_METHOD: the program fixes the
    # default to spawn itself before anything reads it, so MP_START_METHOD
    # (which only chooses the default) changes nothing.  Only the parent
    # prints.
    check_lesson 22-set-start-method-queue
}

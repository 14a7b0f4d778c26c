#!/usr/bin/env bats
# Lesson 23 (get_context('spawn') with a queue): the docs' example; the
# queue and the process both come from a spawn context.
load ../lib/helpers

@test "23-get-context-queue $MP_TAG" {
    # Exact, one golden for every MP_START_METHOD: the program uses its own
    # spawn context, so the default start method is never used.  Only the
    # parent prints.
    check_lesson 23-get-context-queue
}

#!/usr/bin/env bats
# Lesson 18 (a fancy class through a Queue): the parent puts an instance of
# MyFancyClass on a queue; the child gets it and calls its method.
load ../lib/helpers

@test "18-fancy-class-queue $MP_TAG" {
    # Exact, one golden for every MP_START_METHOD: a single child prints a
    # single line, with its default name (Process-1) and the instance's name
    # attribute, which must have survived pickling through the queue.
    check_lesson 18-fancy-class-queue
}

#!/usr/bin/env bats
# Lesson 27 (task queue): four workers take (function, args) tasks from one
# queue until a 'STOP', and put their results on another.
load ../lib/helpers

@test "27-task-queue $MP_TAG" {
    # Through a view: the four workers run at once, so results arrive in
    # any order and which worker computed which changes from run to run;
    # conformance/lib/views/27-task-queue masks the worker's name and sorts
    # each batch of results, keeping the batches where they must be (20 mul
    # results, then 10 plus results).  stderr and the status are exact.
    check_lesson 27-task-queue --view stdout=27-task-queue
}

#!/usr/bin/env bats
# Lesson 46 (the docs' Pool test program): twenty tasks four ways
# (apply_async, imap, imap_unordered, map), ZeroDivisionError re-raised by
# apply, map, list(imap) and IMapIterator.next, then get(0.02) and
# next(0.02) called until the results come.
load ../lib/helpers

@test "46-pool-test-program $MP_TAG" {
    # Per-method goldens: each result names its worker (ForkPoolWorker-N,
    # SpawnPoolWorker-N, ForkServerPoolWorker-N).  Through the view
    # 46-pool-test-program, which hides what is chance and nothing else:
    # which of the four workers computed each result (N checked to be 1
    # to 4, then shown as K), the order of imap_unordered's twenty lines
    # (sorted among themselves), and how many dots the timeout loops
    # print (one per TimeoutError, which depends on how long each task
    # slept at random).  Every result's text, the order of the ordered
    # ones and the error-handling lines stay exact.  stderr (empty) and
    # the status are exact.
    check_lesson 46-pool-test-program --view stdout=46-pool-test-program
}

#!/usr/bin/env bats
# Lesson 41 (the docs' pool tour): map, imap_unordered, apply_async with
# f and os.getpid, and a get(timeout=1) on a 10 s sleep that times out.
load ../lib/helpers

@test "41-pool-tour $MP_TAG" {
    # Through the view 41-pool-tour: imap_unordered yields the ten squares
    # in the order the workers finish them, which is chance, so the view
    # sorts those ten lines among themselves; every other line stays exact
    # and in its place.  The pids are printed after "pid:" and normalised
    # to PID (which worker ran which call is chance too, so whether they
    # repeat is not compared).  The get that must time out is on a 10 s
    # sleep with a 1 s timeout: it cannot get the result first, and
    # leaving the with block terminates the sleeping worker.  stderr
    # (empty) and the status are exact.
    check_lesson 41-pool-tour --view stdout=41-pool-tour
}

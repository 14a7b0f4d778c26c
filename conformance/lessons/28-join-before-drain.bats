#!/usr/bin/env bats
# Lesson 28 (join before drain): join(0.5) on a child whose queue is not
# drained times out; draining first is the fix.
load ../lib/helpers

@test "28-join-before-drain $MP_TAG" {
    # Exact, and not a timing assertion: the child cannot exit before the
    # parent reads its megabyte (its feeder thread is blocked on the full
    # pipe and the child waits for the feeder), so after join(0.5) it is
    # alive however fast or slow the machine is.  Every other line follows
    # a get() and a join() without a timeout.
    check_lesson 28-join-before-drain
}

#!/usr/bin/env bats
# Cases of multiprocessing.util (logging, finalizers, the exit function):
# documented (or CPython-pinned) behaviour no lesson shows.  Each case's
# header (conformance/cases/util/SLUG/case.py) says what it pins.
load ../lib/helpers

@test "util/log-to-stderr $MP_TAG" {
    # Exact: every record comes from the main process, in program order;
    # the child prints one line while the parent waits in join().
    check_case util/log-to-stderr
}

@test "util/finalizers-before-join $MP_TAG" {
    # Exact: the parent flushes its last line before its exit begins, and
    # the child prints only once the exit function has removed the socket
    # file.  An implementation that joins the child first makes it wait
    # out its 15 s guard (the 30 s timeout stays above it).
    check_case util/finalizers-before-join
}

@test "util/finalizers-newest-first $MP_TAG" {
    # Exact: one process; the two tracebacks come from its exit function,
    # one after the other, in the order the finalizers ran (newest
    # first).  Their stack lines are normalised away (a C program has
    # none): each header and last line stay, so the order is compared.
    check_case util/finalizers-newest-first
}

@test "util/log-handlers $MP_TAG" {
    # Per-method goldens (golden/cases/util/log-handlers/METHOD/): a fork
    # child has the parent's handlers, so its warning is on stdout in the
    # handler's format; a spawn or forkserver child gets the logger's
    # level only, so its warning goes to stderr bare (logging's last
    # resort).  Exact: the child is joined before the parent prints again.
    check_case util/log-handlers
}

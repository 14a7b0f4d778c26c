#!/usr/bin/env bats
# Cases of multiprocessing.process (Process objects): documented behaviour no
# lesson shows.  Each case's header (conformance/cases/process/SLUG/case.py)
# says what it pins.
load ../lib/helpers

@test "process/exit-codes $MP_TAG" {
    # Exact: one child at a time, each exitcode printed after the child's
    # sentinel is ready, so nothing is racy.  C prints the raising child's
    # traceback header and exception line, as CPython does; normalisation
    # drops CPython's stack lines.
    check_case process/exit-codes
}

@test "process/lifecycle $MP_TAG" {
    # Exact: the child blocks on a pipe until the parent has looked at it.
    check_case process/lifecycle
}

@test "process/join-timeout $MP_TAG" {
    # Exact: the child blocks on a pipe through every timed join, and the
    # wait is printed as a bound the twin meets on any machine.
    check_case process/join-timeout
}

@test "process/close $MP_TAG" {
    # Exact: the child blocks on a pipe until after the refused close().
    check_case process/close
}

@test "process/misuse $MP_TAG" {
    # Exact: the child blocks on a pipe until every refused call is made.
    check_case process/misuse
}

@test "process/current-process $MP_TAG" {
    # Exact: the child prints while the main process waits in join(); the
    # child's own repr shows its parent's pid, normalised.
    check_case process/current-process
}

@test "process/daemon-children $MP_TAG" {
    # Exact: one child at a time, each joined before the next starts.
    check_case process/daemon-children
}

@test "process/nested-names $MP_TAG" {
    # Exact: every process is joined before its sibling starts, and start()
    # flushes stdout, so the lines come in depth-first order.
    check_case process/nested-names
}

@test "process/sys-exit $MP_TAG" {
    # Exact: one child at a time, joined before its exitcode is printed.
    check_case process/sys-exit
}

@test "process/repr-states $MP_TAG" {
    # Exact: the children block on pipes until the parent has printed them
    # running; pids are normalised.
    check_case process/repr-states
}

@test "process/is-alive-polls $MP_TAG" {
    # Exact: is_alive() is polled (bounded) until the ended child is seen.
    check_case process/is-alive-polls
}

@test "process/repr-signals $MP_TAG" {
    # Exact: each child is signalled once it said it was ready, and its
    # repr printed after join(); pids are normalised.
    check_case process/repr-signals
}

@test "process/stdin-devnull $MP_TAG" {
    # Exact: the child is joined before the parent reads; the case's folder
    # holds the stdin the harness gives the program.
    check_case process/stdin-devnull
}

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

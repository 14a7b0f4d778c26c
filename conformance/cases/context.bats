#!/usr/bin/env bats
# Cases of multiprocessing.context (contexts and start methods): documented
# behaviour no lesson shows.  Each case's header
# (conformance/cases/context/SLUG/case.py) says what it pins.
load ../lib/helpers

@test "context/start-methods $MP_TAG" {
    # Exact: one process, one call at a time; the default method's name
    # (which MP_START_METHOD chooses) is never printed, only whether the
    # method is fixed.
    check_case context/start-methods
}

@test "context/process-classes $MP_TAG" {
    # Exact: one child at a time, joined before the next starts; pids are
    # normalised.
    check_case context/process-classes
}

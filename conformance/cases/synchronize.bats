#!/usr/bin/env bats
# Cases of multiprocessing.synchronize (Lock, RLock, Semaphore,
# BoundedSemaphore, Condition, Event): documented behaviour no lesson
# shows.  Each case's header (conformance/cases/synchronize/SLUG/case.py)
# says what it pins.  A timed wait is printed as its outcome and a lower
# bound, never timed from above (a wait that never ends is caught by the
# harness's timeout).
load ../lib/helpers

@test "synchronize/timed-acquires $MP_TAG" {
    # Exact: the child says it holds the locks before the parent tries
    # them, and is joined before the parent takes them.
    check_case synchronize/timed-acquires
}

#!/usr/bin/env bats
# Cases of multiprocessing.spawn (how a spawn or forkserver child prepares
# itself and re-runs the main module): documented behaviour no lesson
# shows.  Each case's header (conformance/cases/spawn/SLUG/case.py) says
# what it pins.
load ../lib/helpers

@test "spawn/main-module-name $MP_TAG" {
    # Exact, against the golden of the start method (the child re-runs the
    # main module only under spawn and forkserver); the child prints while
    # the parent waits in join().
    check_case spawn/main-module-name
}

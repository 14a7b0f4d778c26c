#!/usr/bin/env bats
# Lesson 40 (an unguarded Pool): Pool(processes=5).map(my_func, range(10))
# at the program's top level, no main guard; the workers print squares.
# Under fork that works; under spawn and forkserver every worker re-runs
# the program, fails in Pool() with the bootstrapping RuntimeError
# (lesson 17's) and is replaced by another that fails too, so map never
# ends: the program waits 5 s for it, then gives up.
load ../lib/helpers

# CPython under spawn and forkserver: when the twin's pool is terminated
# after its 5 s bound, some of the workers it kills are inside their own
# Pool() (the unguarded line), between creating a named semaphore and
# registering it with the resource tracker, and that semaphore is left
# in /dev/shm for good (measured on this machine: about 1 run in 4 under
# forkserver, 1 in 15 under spawn).  That is CPython's leak, which the
# twin cannot avoid (only terminate() stops the respawning workers,
# through the public API).  So for the twin there, and only there, a
# left semaphore (/dev/shm/sem.mp-*) is reported on the TAP stream rather
# than failed; anything else left still fails the run, the twin's output
# is still compared with its golden, and C must leave nothing at all.
cpython_leak_allowance() {
    if [ "${MP_START_METHOD:-fork}" != fork ]; then
        export MP_CPYTHON_LEAKS='^/dev/shm/sem\.mp-'
        export MP_CPYTHON_LEAKS_REASON="CPython's semaphore of a worker killed inside Pool(), see the top of this file"
    fi
}

@test "40-pool-unguarded $MP_TAG" {
    # Per-method goldens: under fork, stdout is the ten squares and stderr
    # is empty; under spawn and forkserver, stdout is the parent's one line
    # and stderr the workers' tracebacks.  Sorted stdout: the five workers
    # print the squares at once (each flushed as printed), in an order
    # that is chance; the ten values, each once, stay exact.  stderr
    # through the view 40-pool-unguarded: how many workers failed in the
    # 5 s (tens for CPython, thousands for C) and how the tracebacks of
    # processes dying at once interleave are chance; the view requires the
    # bootstrapping RuntimeError's message whole at least once, refuses any
    # other exception, and shows the traceback once.  Empty (fork) stays
    # empty.  The status (0) is exact.
    cpython_leak_allowance
    check_lesson 40-pool-unguarded --sorted-stdout --view stderr=40-pool-unguarded
}

@test "40-pool-unguarded $MP_TAG: under spawn and forkserver no task runs; under fork all do" {
    # Which of the two outcomes: a worker that re-ran the program never
    # reaches my_func, so no square is printed (and the parent's line says
    # map had no result); under fork each of the ten is printed once.
    cpython_leak_allowance
    run_lesson 40-pool-unguarded
    assert_success
    if [ "${MP_START_METHOD:-fork}" = fork ]; then
        assert_equal "$(sort -n "$LESSON_DIR/stdout" | tr '\n' ' ')" "0 1 4 9 16 25 36 49 64 81 "
    else
        assert_output "map() had no result after 5 s: no worker could start (CPython waits for ever)"
        grep -q 'bootstrapping phase' "$LESSON_DIR/stderr"
    fi
}

#!/usr/bin/env bats
# Lesson 43 (PyMOTW's Pool with an initializer): cpu_count() * 2 workers,
# each printing "Starting NAME" from the initializer, map doubling ten
# inputs, close() and join().
load ../lib/helpers

@test "43-pool-initializer $MP_TAG" {
    # Per-method goldens: the workers' names are ForkPoolWorker-N,
    # SpawnPoolWorker-N or ForkServerPoolWorker-N.  Through the view
    # 43-pool-initializer: the "Starting" lines come in the order the
    # workers exit (chance), and their number is the pool's size,
    # cpu_count() * 2, which depends on the machine (given to the view as
    # getconf reports it, which is what os.cpu_count() reads on Linux).
    # The view requires exactly one line from each of NAME-1 to NAME-N,
    # in one block between "Built-in" and "Pool", and shows the block as
    # one line; every other line is exact.  stderr (empty) and the status
    # are exact.
    check_lesson 43-pool-initializer --view stdout=43-pool-initializer \
        --view-arg "$(( $(getconf _NPROCESSORS_ONLN) * 2 ))"
}

@test "43-pool-initializer $MP_TAG: the view refuses a missing or repeated worker" {
    local f="$BATS_TEST_TMPDIR/stdout" view="$MP_ROOT/conformance/lib/views/43-pool-initializer"
    local g="$MP_ROOT/conformance/golden/43-pool-initializer/stdout"
    grep -v -- '-1$' "$g" > "$f"
    run "$view" "$f"
    [ "$status" -eq 1 ] || { echo "accepted a worker that never started: $output"; return 1; }
    sed 's/-2$/-1/' "$g" > "$f"
    run "$view" "$f"
    [ "$status" -eq 1 ] || { echo "accepted a worker that started twice: $output"; return 1; }
    run "$view" "$g" 99
    [ "$status" -eq 1 ] || { echo "accepted a pool of the wrong size: $output"; return 1; }
    run "$view" "$g"
    [ "$status" -eq 0 ] || { echo "refused the golden: $output"; return 1; }
}

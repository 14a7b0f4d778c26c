#!/usr/bin/env bats
# Lesson 44 (PyMOTW's maxtasksperchild=2): as lesson 43, but each worker
# ends after two tasks and a new one, which runs the initializer too,
# takes its place.
load ../lib/helpers

@test "44-maxtasksperchild $MP_TAG" {
    # Per-method goldens: the workers' names are ForkPoolWorker-N,
    # SpawnPoolWorker-N or ForkServerPoolWorker-N.  Through the view
    # 44-maxtasksperchild (lesson 43's view, called by this name for this
    # lesson's rules): how many workers start is chance (which worker
    # took which of the ten tasks, and when the pool replaced it), and so
    # is the order of their "Starting" lines.  The view requires one line
    # from each of NAME-1 to NAME-K, in one block between "Built-in" and
    # "Pool", with K at least the pool's size (cpu_count() * 2, given as
    # getconf reports it) and at least 5 (ten tasks, at most two each),
    # and shows the block as one line; every other line is exact.  stderr
    # (empty) and the status are exact.
    check_lesson 44-maxtasksperchild --view stdout=44-maxtasksperchild \
        --view-arg "$(( $(getconf _NPROCESSORS_ONLN) * 2 ))"
}

@test "44-maxtasksperchild $MP_TAG: the view refuses too few workers" {
    # Four workers cannot have done ten tasks two at a time: refused.
    local f="$BATS_TEST_TMPDIR/stdout" view="$MP_ROOT/conformance/lib/views/44-maxtasksperchild"
    grep -v -E -- '-([5-9]|[1-9][0-9])$' "$MP_ROOT/conformance/golden/44-maxtasksperchild/stdout" > "$f"
    run "$view" "$f"
    [ "$status" -eq 1 ] || { echo "accepted four workers for ten tasks: $output"; return 1; }
    run "$view" "$MP_ROOT/conformance/golden/44-maxtasksperchild/stdout"
    [ "$status" -eq 0 ] || { echo "refused the golden: $output"; return 1; }
}

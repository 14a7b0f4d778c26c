#!/usr/bin/env bats
# Lesson 48 (a Pool worker dies): the task for 3 of map_async(square,
# range(8)) kills its own worker with SIGKILL.  This is where C and Python
# differ, on purpose: CPython's map is never done and get() and close() +
# join() wait for ever (the twin bounds them: get(timeout=2), terminate());
# Forklore fails that task with WorkerLostError, and close() and join()
# return (mp.h, "A worker that dies"; docs/README.md, "Decisions"; the
# lesson's README).
load ../lib/helpers

@test "48-pool-worker-dies $MP_TAG" {
    # Through a view, told which implementation and start method ran: the
    # lines "after the death:" are where the two differ by design.  For the
    # twin they are compared exactly with the golden, as everything is.
    # For C, conformance/lib/views/48-pool-worker-dies requires each to be
    # the line Forklore's contract gives (WorkerLostError naming the dead
    # worker, NAME-1 or NAME-2 with this method's prefix, its pid, and
    # "signal 9 (SIGKILL)"; then close() and join() returning), and only
    # then stands CPython's line in for it.  Every other line is exact for
    # both: the seven other tasks done (read from a SimpleQueue, sorted:
    # which worker did which is chance), and the pool serving a new map
    # after the death.  Nothing here waits for a time that usually
    # suffices: the parent waits for the seven results themselves, C's
    # get() waits without a timeout (the test's own timeout is the hang
    # guard), and the twin's get(timeout=2) is CPython's wait, which never
    # ends, bounded.  stderr (empty) and the status are exact.
    check_lesson 48-pool-worker-dies --view stdout=48-pool-worker-dies \
        --view-arg "${IMPL:-ref}" --view-arg "${MP_START_METHOD:-fork}"
}

@test "48-pool-worker-dies $MP_TAG: the view refuses CPython's wait from C" {
    # The view can fail: a C run that printed CPython's lines (it waited
    # as CPython does), a WorkerLostError of another start method's
    # worker, or one that left a line out, is refused.
    local f="$BATS_TEST_TMPDIR/stdout" view="$MP_ROOT/conformance/lib/views/48-pool-worker-dies"
    local g="$MP_ROOT/conformance/golden/48-pool-worker-dies/stdout"
    run "$view" "$g" ref fork
    [ "$status" -eq 1 ] || { echo "accepted CPython's lines from C: $output"; return 1; }
    sed -e 's/^after the death: get.*/after the death: get() -> WorkerLostError: Worker SpawnPoolWorker-1 (pid 4242) exited prematurely: signal 9 (SIGKILL)/' \
        -e 's/^after the death: terminate.*/after the death: close(), join() -> returned/' "$g" > "$f"
    run "$view" "$f" ref spawn
    [ "$status" -eq 0 ] || { echo "refused C's lines: $output"; return 1; }
    run "$view" "$f" ref fork
    [ "$status" -eq 1 ] || { echo "accepted a spawn worker's name under fork: $output"; return 1; }
    grep -v '^after the death: close' "$f" > "$f.short"
    run "$view" "$f.short" ref spawn
    [ "$status" -eq 1 ] || { echo "accepted a missing line: $output"; return 1; }
    run "$view" "$g" python
    [ "$status" -eq 0 ] || { echo "refused the twin's own lines: $output"; return 1; }
}

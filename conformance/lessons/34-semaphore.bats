#!/usr/bin/env bats
# Lesson 34 (Semaphore): five workers share a Semaphore(2); each prints
# "acquire" once it holds it and "release" before it lets it go.
load ../lib/helpers

@test "34-semaphore $MP_TAG" {
    # Through a view: which worker gets the semaphore when is up to the
    # scheduler, so the order of the lines changes from run to run.  What
    # does not change is the semaphore's rule, and the lines are flushed as
    # they are printed, so their order in the file is the order they
    # happened: conformance/lib/views/34-semaphore checks, line by line,
    # that no more than two workers are ever between "acquire" and
    # "release", and that each worker acquires once and then releases once;
    # then compares the lines sorted.  stderr (empty) and the status are
    # exact.
    check_lesson 34-semaphore --view stdout=34-semaphore
}

@test "34-semaphore $MP_TAG: the view refuses a third holder" {
    # The view must be able to fail: three workers between acquire and
    # release at once is refused, and so is a release before an acquire.
    local f="$BATS_TEST_TMPDIR/stdout"
    printf 'Process-1 acquire\nProcess-2 acquire\nProcess-3 acquire\n' > "$f"
    run "$MP_ROOT/conformance/lib/views/34-semaphore" "$f"
    [ "$status" -eq 1 ] || { echo "accepted three holders: $output"; return 1; }
    [[ "$output" == *"3 workers hold the Semaphore(2) at once"* ]] || { echo "$output"; return 1; }
    printf 'Process-1 release\n' > "$f"
    run "$MP_ROOT/conformance/lib/views/34-semaphore" "$f"
    [ "$status" -eq 1 ] || { echo "accepted a release before an acquire: $output"; return 1; }
}

#!/usr/bin/env bats
# Lesson 45 (a worker cannot find its function): f defined after Pool(5)
# started its workers, then map(f, [1, 2, 3]).  C and Python differ here
# on purpose (the lesson's README): CPython's workers die of
# AttributeError and map waits for ever (the twin bounds it with
# get(timeout=5)); C's f is not registered with MP_TASK, so map fails at
# once in the parent with PicklingError, and no worker dies.
load ../lib/helpers

@test "45-pool-missing-function $MP_TAG" {
    # Per-method goldens: the dead workers' names (ForkPoolWorker-N, ...)
    # and the module CPython looked f up in ('__main__' under fork,
    # '__mp_main__' under spawn and forkserver) differ by method.
    if [ "${IMPL:-ref}" = python ]; then
        # stdout is exact.  stderr through the view 45-pool-missing-function:
        # three workers die at once, so which ones (their numbers) and how
        # their lines interleave are chance; the view drops stack lines,
        # checks the numbers are distinct, hides them and sorts.  Three
        # deaths, the prefix and the AttributeError's words stay exact.
        check_lesson 45-pool-missing-function --view stderr=45-pool-missing-function
    else
        # stdout through the same view, told a C implementation ran: its
        # one line must be exactly C's PicklingError line, which the view
        # then shows as CPython's; CPython's own line from C is refused.
        # The status (0) is exact.  stderr is not compared with the golden
        # (the reason below) but must be empty: no worker died.
        check_lesson 45-pool-missing-function --view stdout=45-pool-missing-function \
            --view-arg "${IMPL:-ref}" --c-ignore stderr \
            --reason "CPython's workers print the AttributeError they die of; C's map fails in the parent and no worker dies, so C's stderr must be empty instead (checked)"
        if [ -s "$LESSON_DIR/stderr" ]; then
            echo "C printed on stderr (no worker may die here):"
            cat "$LESSON_DIR/stderr"
            return 1
        fi
    fi
}

@test "45-pool-missing-function $MP_TAG: the view refuses CPython's wait from C" {
    local f="$BATS_TEST_TMPDIR/stdout" view="$MP_ROOT/conformance/lib/views/45-pool-missing-function"
    cp "$MP_ROOT/conformance/golden/45-pool-missing-function/stdout" "$f"
    run "$view" "$f" ref
    [ "$status" -eq 1 ] || { echo "accepted CPython's wait from C: $output"; return 1; }
    run "$view" "$f" python
    [ "$status" -eq 0 ] || { echo "refused the twin's own line: $output"; return 1; }
}

#!/usr/bin/env bats
# Lesson 17 (the missing guard): no main guard under spawn; the spawned
# child's start() is RuntimeError, so it exits 1 and hello() never runs.
load ../lib/helpers

@test "17-missing-guard $MP_TAG" {
    # One golden for every MP_START_METHOD: the program uses the spawn
    # context itself.  stdout is the parent's one line, printed after
    # join(), compared exactly.  stderr is the child's traceback only;
    # normalisation drops its stack lines (C has no Python stack) and keeps
    # the header and the multi-line RuntimeError message, compared through
    # the view 17-missing-guard: it removes the message's last paragraph
    # ("To fix this issue, refer to ..."), which CPython added in a 3.11
    # patch release after 3.11.2, so that 3.11.2 (and PyPy3) pass as well as
    # the 3.11.7 that recorded the golden.  Every other line of the message
    # is exact, and so is the paragraph when it is there in another form.
    check_lesson 17-missing-guard --view stderr=17-missing-guard
}

@test "17-missing-guard $MP_TAG: one child only, which failed before its target" {
    # The fork bomb is stopped at the first step: exactly one traceback (the
    # first child's), no "hello from" anywhere, and the parent itself ends
    # normally.
    run_lesson 17-missing-guard
    assert_success
    assert_output "exitcode 1"
    local n
    n=$(grep -c '^Traceback (most recent call last):$' "$LESSON_DIR/stderr" || true)
    assert_equal "$n" 1
    if grep -h 'hello from' "$LESSON_DIR/stdout.raw" "$LESSON_DIR/stderr.raw"; then
        echo "hello() ran (above); the child must fail before its target"
        return 1
    fi
}

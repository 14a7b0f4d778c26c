#!/usr/bin/env bats
# Lesson 61 (the docs' customized managers and proxies): Foo served twice
# with different exposed methods, a generator behind a proxy type of its
# own (GeneratorProxy), and the operator module served as an object.
load ../lib/helpers

@test "61-custom-proxies $MP_TAG" {
    # Through a view, told which implementation ran: the lines "op.pow"
    # and "op._exposed_" are where C must differ (a C program has no
    # operator module, so it serves a class with add and pow; its ints have
    # 64 bits, so pow(2, 94) is an OverflowError).  For the twin they are
    # compared exactly with the golden.  For C,
    # conformance/lib/views/61-custom-proxies requires exactly C's two
    # lines, and only then stands CPython's in.  Every other line is
    # exact for both, in its order: Foo's lines come first because they
    # are printed in the manager's server process, whose buffered stdout
    # reaches the file when the server ends, before the parent's (so in
    # CPython, whose buffering the harness keeps, and in C alike).
    # stderr (empty) and the status are exact.
    check_lesson 61-custom-proxies --view stdout=61-custom-proxies --view-arg "${IMPL:-ref}"
}

@test "61-custom-proxies $MP_TAG: the view refuses CPython's operator lines from C" {
    # The view can fail: a C run that printed CPython's lines is refused,
    # and so is one without them.
    local f="$BATS_TEST_TMPDIR/stdout" view="$MP_ROOT/conformance/lib/views/61-custom-proxies"
    cp "$MP_ROOT/conformance/golden/61-custom-proxies/stdout" "$f"
    run "$view" "$f" ref
    [ "$status" -eq 1 ] || { echo "accepted CPython's lines from C: $output"; return 1; }
    run "$view" "$f" python
    [ "$status" -eq 0 ] || { echo "refused the twin's own lines: $output"; return 1; }
    grep -v '^op\.' "$MP_ROOT/conformance/golden/61-custom-proxies/stdout" > "$f"
    run "$view" "$f" ref
    [ "$status" -eq 1 ] || { echo "accepted a C run without the op lines: $output"; return 1; }
}

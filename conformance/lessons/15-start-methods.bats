#!/usr/bin/env bats
# Lesson 15 (start methods): one child per start method, each reporting what
# it sees of the parent's global and of the parent's open file.
load ../lib/helpers

@test "15-start-methods $MP_TAG" {
    # Exact, one golden for every MP_START_METHOD: the program names its
    # three contexts itself, so the default method changes nothing.  Each
    # child is joined before the next starts, and start() flushes the main
    # program's lines first, so the order is fixed.
    check_lesson 15-start-methods
}

@test "15-start-methods $MP_TAG: leaves nothing in the temporary directory" {
    # The program prints no path, so check its cleaning up directly: run it
    # with a temporary directory of its own (TMPDIR, which tempfile and the
    # C program both use, as do multiprocessing's pymp-* folders) and
    # require that directory to be empty afterwards.
    export TMPDIR="$BATS_TEST_TMPDIR/tmpdir"
    mkdir "$TMPDIR"
    run_lesson 15-start-methods
    assert_success
    local left
    left=$(ls -A "$TMPDIR")
    if [ -n "$left" ]; then
        echo "left in TMPDIR: $left"
        return 1
    fi
}

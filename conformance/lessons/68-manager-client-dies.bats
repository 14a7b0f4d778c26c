#!/usr/bin/env bats
# Lesson 68 (a manager's client dies): a child connects to the manager,
# makes a list there and is killed.  This is where C and Python differ, on
# purpose: CPython's server keeps the dead client's list for ever (the twin
# shows it bounded, 2 s); Forklore's server drops the dead client's
# references (mp.h, "Managers and proxies"; docs/README.md, "Decisions";
# the lesson's README).
load ../lib/helpers

@test "68-manager-client-dies $MP_TAG" {
    # Through a view, told which implementation ran: the line "after the
    # death:" is where the two differ by design.  For the twin it is
    # compared exactly with the golden, as everything is.  For C,
    # conformance/lib/views/68-manager-client-dies requires exactly
    # Forklore's line (the object count back to 0), and only then stands
    # CPython's line in for it.  Every other line (the count while the
    # client lives, its exit code -9) is compared exactly for both.
    # Nothing here is racy: the parent counts once the client has set an
    # event after making its list, and C waits for the count to fall (the
    # server looks twice a second), for at most 5 s.
    # stderr (empty) and the status are exact.
    check_lesson 68-manager-client-dies --view stdout=68-manager-client-dies --view-arg "${IMPL:-ref}"
}

@test "68-manager-client-dies $MP_TAG: the view refuses CPython's line from C" {
    # The view can fail: a C run that printed CPython's line (its server
    # kept the dead client's list) is refused, and so is one without the
    # line.
    local f="$BATS_TEST_TMPDIR/stdout" view="$MP_ROOT/conformance/lib/views/68-manager-client-dies"
    cp "$MP_ROOT/conformance/golden/68-manager-client-dies/stdout" "$f"
    run "$view" "$f" ref
    [ "$status" -eq 1 ] || { echo "accepted CPython's line from C: $output"; return 1; }
    run "$view" "$f" python
    [ "$status" -eq 0 ] || { echo "refused the twin's own lines: $output"; return 1; }
    grep -v '^after the death' "$MP_ROOT/conformance/golden/68-manager-client-dies/stdout" > "$f"
    run "$view" "$f" ref
    [ "$status" -eq 1 ] || { echo "accepted a C run without the line: $output"; return 1; }
}

#!/usr/bin/env bats
# Lesson 38 (a holder dies): a child killed holding a Lock, one killed
# inside a Queue put, and one killed waiting on a Condition (the next
# notify).  This is where C and Python differ, on purpose:
# CPython waits for ever (the twin bounds it with timeouts); Forklore
# reports OwnerDiedError once and goes on (mp.h, "A holder that dies";
# docs/README.md, "Decisions"; the lesson's README).
load ../lib/helpers

@test "38-lock-holder-dies $MP_TAG" {
    # Through a view, told which implementation ran: the lines "Lock after
    # the death:", "Queue after the death:" and "Condition after the
    # death:" are where the two differ by design.  For the twin they are compared exactly with the golden,
    # as everything is.  For C, conformance/lib/views/38-lock-holder-dies
    # requires each to be exactly the line Forklore's contract gives
    # (OwnerDiedError in mp.h's words, then the queue's next message, and
    # a notify that returned), and
    # only then stands CPython's line in for it.  Every other line (the
    # lock's repr while the child holds it, the exit codes -9, the release
    # and acquire that work after the death, the queue's first message) is
    # compared exactly for both.  Nothing here is racy: each step waits for
    # a state it can see (the child set an event while holding the lock;
    # the channel is not empty once the writer is inside its big message;
    # the parent takes the condition's lock only once the waiter's wait()
    # has let it go, counted as a sleeper).
    # stderr (empty) and the status are exact.
    check_lesson 38-lock-holder-dies --view stdout=38-lock-holder-dies --view-arg "${IMPL:-ref}"
}

@test "38-lock-holder-dies $MP_TAG: the view refuses CPython's wait from C" {
    # The view can fail: a C run that printed CPython's line (it waited
    # out the timeout instead of being told of the death) is refused, and
    # so is one that left a line out.
    local f="$BATS_TEST_TMPDIR/stdout" view="$MP_ROOT/conformance/lib/views/38-lock-holder-dies"
    grep -v '^Queue' "$MP_ROOT/conformance/golden/38-lock-holder-dies/stdout" > "$f"
    run "$view" "$f" ref
    [ "$status" -eq 1 ] || { echo "accepted CPython's lines from C: $output"; return 1; }
    run "$view" "$f" python
    [ "$status" -eq 0 ] || { echo "refused the twin's own lines: $output"; return 1; }
}

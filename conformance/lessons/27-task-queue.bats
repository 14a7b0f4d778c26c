#!/usr/bin/env bats
# Lesson 27 (task queue): four workers take (function, args) tasks from one
# queue until a 'STOP', and put their results on another.
load ../lib/helpers

# The result lines with the worker's name masked: which worker ran a task is
# racy (whichever was free took it), but there must be one of the four,
# Process-1 to Process-4.  A line naming anything else stays unmasked and
# shows up in the diff.
_mask_workers() {
    sed -E 's/^\t Process-[1-4] says that /\t Process-N says that /' | LC_ALL=C sort
}

# _compare_part FIRST LAST WHAT: lines FIRST..LAST of the golden and of the
# run, masked and sorted, must be equal.
_compare_part() {
    sed -n "$1,$2p" "$GOLDEN_DIR/stdout" | _mask_workers > "$LESSON_DIR/want.$3"
    sed -n "$1,$2p" "$LESSON_DIR/stdout" | _mask_workers > "$LESSON_DIR/got.$3"
    if ! cmp -s "$LESSON_DIR/want.$3" "$LESSON_DIR/got.$3"; then
        echo "stdout differs in $3 (lines $1-$2, worker names masked, sorted):"
        diff -u --label "golden" --label "$(mp_impl_kind)" "$LESSON_DIR/want.$3" "$LESSON_DIR/got.$3" || true
        return 1
    fi
}

@test "27-task-queue $MP_TAG" {
    # Not check_lesson: the worker names must be masked, not only sorted.
    # The four workers run at once, so results arrive in any order, and
    # which worker computed which result changes from run to run (the twin
    # varies, even with the same order).  What is fixed, and checked: the
    # header line first; then exactly the 20 mul results (the parent reads
    # 20 before it submits the plus tasks); then exactly the 10 plus
    # results; each from one of the four workers.  stderr and the status are
    # compared exactly.
    run_lesson 27-task-queue
    local bad=0
    if [ "$LESSON_STATUS" != "$(cat "$GOLDEN_DIR/status")" ]; then
        echo "status: $LESSON_STATUS, golden: $(cat "$GOLDEN_DIR/status")"
        bad=1
    fi
    if ! cmp -s "$GOLDEN_DIR/stderr" "$LESSON_DIR/stderr"; then
        echo "stderr differs:"
        diff -u --label golden --label "$(mp_impl_kind)" "$GOLDEN_DIR/stderr" "$LESSON_DIR/stderr" || true
        bad=1
    fi
    if [ "$(wc -l < "$LESSON_DIR/stdout")" != "$(wc -l < "$GOLDEN_DIR/stdout")" ]; then
        echo "stdout has $(wc -l < "$LESSON_DIR/stdout") lines, golden $(wc -l < "$GOLDEN_DIR/stdout")"
        bad=1
    fi
    _compare_part 1 1 header || bad=1
    _compare_part 2 21 "the mul results" || bad=1
    _compare_part 22 31 "the plus results" || bad=1
    [ "$bad" = 0 ] || { _mp_show_tail "$LESSON_DIR"; return 1; }
}

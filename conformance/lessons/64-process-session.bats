#!/usr/bin/env bats
# Lesson 64 (the docs' interactive Process session): a child sleeping 1000 s,
# printed before start, after start and after terminate(), with no join.
load ../lib/helpers

@test "64-process-session $MP_TAG" {
    # Exact, pids normalised, one golden for every start method (the repr
    # and is_alive() do not depend on it).  Nothing is racy: the child
    # sleeps until terminated, so the second line sees it alive; the third
    # line is printed once is_alive() has returned False (a bounded poll
    # after the session's 0.1 s), so it is the state after the child was
    # reaped, and active_children() is then empty.
    check_lesson 64-process-session
}

@test "64-process-session $MP_TAG: reaped without a join, one child pid" {
    # The child was reaped by is_alive() alone: the harness fails a run
    # that leaves a process behind, and here the raw output must name one
    # child pid in the two reprs that have one, and one parent throughout.
    run_lesson 64-process-session
    assert_success
    local raw
    raw=$(cat "$LESSON_DIR/stdout.raw")
    if [ "$(grep -o ' pid=[0-9]*' <<< "$raw" | wc -l)" -ne 2 ] ||
       [ "$(grep -o ' pid=[0-9]*' <<< "$raw" | sort -u | wc -l)" -ne 1 ] ||
       [ "$(grep -o ' parent=[0-9]*' <<< "$raw" | sort -u | wc -l)" -ne 1 ]; then
        echo "expected two reprs with one child pid, one parent pid; raw stdout:"
        echo "$raw"; return 1
    fi
}

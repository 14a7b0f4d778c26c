#!/usr/bin/env bats
# Lesson 08 (terminating processes): the repr and is_alive() before start,
# while running, once terminate() has taken effect (before join()), and after
# join().
load ../lib/helpers

@test "08-terminating-processes $MP_TAG" {
    # Exact, pids normalised.  Nothing here is racy: the child hangs until
    # terminate(), so DURING sees it alive, and the lesson waits (a bounded
    # poll of exitcode) until the child has died and been reaped before the
    # TERMINATED line, so that line is the state after the end and before
    # join(), as documented for exitcode and is_alive().
    check_lesson 08-terminating-processes
}

@test "08-terminating-processes $MP_TAG: one child pid and one parent pid throughout" {
    # Normalisation hides the pids, so check them on the raw output: every
    # repr names the same parent, and the three after start() the same child.
    run_lesson 08-terminating-processes
    local raw parents pids
    raw=$(cat "$LESSON_DIR/stdout.raw")
    parents=$(grep -o ' parent=[0-9]*' <<< "$raw" | sort -u | wc -l)
    pids=$(grep -o ' pid=[0-9]*' <<< "$raw" | sort -u | wc -l)
    if [ "$(grep -c ' parent=' <<< "$raw")" -ne 4 ] || [ "$(grep -c ' pid=' <<< "$raw")" -ne 3 ] ||
       [ "$parents" -ne 1 ] || [ "$pids" -ne 1 ]; then
        echo "expected 4 reprs with one parent and 3 with one pid; raw stdout:"
        echo "$raw"; return 1
    fi
}

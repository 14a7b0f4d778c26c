#!/usr/bin/env bats
# Lesson 25 (wait example): four children send ten messages each over their
# own pipes; the parent wait()s on all the readers and prints what arrives.
load ../lib/helpers

@test "25-wait-example $MP_TAG" {
    # Sorted stdout: the four children run at once and wait() reports
    # whichever readers have data, so how the children's messages interleave
    # changes from run to run (the twin varies).  Sorting still checks that
    # all 40 messages arrived, once each, with the right names.
    check_lesson 25-wait-example --sorted-stdout

    # What is not racy: each pipe keeps its order, so every child's own
    # messages must come out as 0, 1, ..., 9.
    local n got
    for n in 1 2 3 4; do
        got=$(grep -F ", 'Process-$n')" "$LESSON_DIR/stdout" | sed -E 's/^\(([0-9]+), .*/\1/' | tr '\n' ' ')
        if [ "$got" != "0 1 2 3 4 5 6 7 8 9 " ]; then
            echo "Process-$n's messages came out in the order: $got"
            return 1
        fi
    done
}

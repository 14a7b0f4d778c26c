#!/usr/bin/env bats
# Lesson 04 (naming processes): "worker 1", "Process-3" and "my_service"
# print Starting, sleep 2 s (the workers) or 3 s (the service), print Exiting.
load ../lib/helpers

@test "04-naming-processes $MP_TAG" {
    # Sorted stdout: stdout is a file, so each child's two lines sit in its
    # stdio buffer until it exits and are written together.  "worker 1" and
    # "Process-3" both exit after 2 s, so which pair comes first is up to the
    # scheduler (the twin varies).  The order that timing does fix is
    # checked, unsorted, by the next test.
    check_lesson 04-naming-processes --sorted-stdout
}

@test "04-naming-processes $MP_TAG: each child's lines come together, my_service last" {
    # What is deterministic in CPython's own example, with stdout a file:
    # each child's Starting and Exiting lines come out together, at its exit
    # (no flush in the targets), and my_service, which sleeps 3 s against the
    # workers' 2 s, comes last (a 1 s margin).
    run_lesson 04-naming-processes
    local out=()
    mapfile -t out < "$LESSON_DIR/stdout"
    if [ "${#out[@]}" -ne 6 ]; then
        echo "expected 6 lines, got ${#out[@]}:"; printf '%s\n' "${out[@]}"; return 1
    fi
    local i name
    for i in 0 2 4; do
        name=${out[i]% Starting}
        if [ "${out[i]}" != "$name Starting" ] || [ "${out[i + 1]}" != "$name Exiting" ]; then
            echo "lines $((i + 1))-$((i + 2)) are not one process's Starting/Exiting pair:"
            printf '%s\n' "${out[@]}"; return 1
        fi
    done
    if [ "${out[4]}" != "my_service Starting" ]; then
        echo "my_service (3 s) should print last:"; printf '%s\n' "${out[@]}"; return 1
    fi
}

#!/usr/bin/env bats
# Lesson 14 (process info): module name, parent pid and pid, printed by the
# main program and then by its child.
load ../lib/helpers

@test "14-process-info $MP_TAG" {
    # Exact, with pids normalised: the main program's lines are flushed by
    # start() before the child exists, and the child's come after.
    check_lesson 14-process-info
}

@test "14-process-info $MP_TAG: the child's parent is the main program (the fork server under forkserver)" {
    # Normalisation hides the pids, so check them on the raw output.  Under
    # fork and spawn the main program starts the child itself; under
    # forkserver the server forks it, so os.getppid() in the child is the
    # server's pid: a third process, neither the main program nor the child.
    run_lesson 14-process-info
    local raw ids parents bad=0
    raw=$(cat "$LESSON_DIR/stdout.raw")
    mapfile -t ids < <(sed -n 's/^process id: \([0-9][0-9]*\)$/\1/p' <<< "$raw")
    mapfile -t parents < <(sed -n 's/^parent process: \([0-9][0-9]*\)$/\1/p' <<< "$raw")
    if [ "${#ids[@]}" -ne 2 ] || [ "${#parents[@]}" -ne 2 ] ||
       [ "${ids[1]}" = "${ids[0]}" ] || [ "${parents[0]}" = "${ids[0]}" ]; then
        bad=1
    elif [ "${MP_START_METHOD:-fork}" = forkserver ]; then
        [ "${parents[1]}" != "${ids[0]}" ] && [ "${parents[1]}" != "${ids[1]}" ] || bad=1
    else
        [ "${parents[1]}" = "${ids[0]}" ] || bad=1
    fi
    if [ "$bad" = 1 ]; then
        echo "unexpected parent/child ids under ${MP_START_METHOD:-fork}; raw stdout:"
        echo "$raw"; return 1
    fi
}

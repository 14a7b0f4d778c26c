#!/usr/bin/env bats
# Lesson 05 (daemon processes): the main program waits until the daemon has
# printed its line, runs a non-daemon, and ends, terminating the daemon,
# which never ends by itself.
load ../lib/helpers

@test "05-daemon-processes $MP_TAG" {
    # Exact: the targets flush after each line, and the order is fixed
    # without timing (the non-daemon starts only once the daemon has said,
    # on a queue, that its line is out; the daemon never ends by itself).
    # The printed pids are normalised to PID; the next test checks them.
    check_lesson 05-daemon-processes
}

@test "05-daemon-processes $MP_TAG: each child prints its own pid" {
    # Normalisation hides the pids, so check them on the raw output: the
    # non-daemon prints the same pid twice, and the daemon's differs.
    run_lesson 05-daemon-processes
    local raw dpid npid1 npid2
    raw=$(cat "$LESSON_DIR/stdout.raw")
    dpid=$(sed -n 's/^Starting: daemon \([0-9][0-9]*\)$/\1/p' <<< "$raw")
    npid1=$(sed -n 's/^Starting: non-daemon \([0-9][0-9]*\)$/\1/p' <<< "$raw")
    npid2=$(sed -n 's/^Exiting : non-daemon \([0-9][0-9]*\)$/\1/p' <<< "$raw")
    if [ -z "$dpid" ] || [ -z "$npid1" ] || [ "$npid1" != "$npid2" ] || [ "$dpid" = "$npid1" ]; then
        echo "pids: daemon '$dpid', non-daemon '$npid1' then '$npid2'; raw stdout:"
        echo "$raw"; return 1
    fi
}

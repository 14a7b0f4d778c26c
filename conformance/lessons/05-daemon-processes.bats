#!/usr/bin/env bats
# Lesson 05 (daemon processes): the main program ends after ~1 s, and the
# daemon, sleeping 2 s, is terminated before it can print "Exiting".
load ../lib/helpers

@test "05-daemon-processes $MP_TAG" {
    # Exact: the targets flush after each line, and the order is fixed by
    # timing with 1 s margins (the daemon starts 1 s before the non-daemon,
    # and the program ends 1 s before the daemon would wake).  The printed
    # pids are normalised to PID; the next test checks them.
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

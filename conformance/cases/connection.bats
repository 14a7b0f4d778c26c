#!/usr/bin/env bats
# Cases of multiprocessing.connection (Pipe, Connection, wait, Listener,
# Client): documented behaviour no lesson shows.  Each case's header
# (conformance/cases/connection/SLUG/case.py) says what it pins.  Every
# case is compared exactly: each prints a state only once it is certain
# (a message received, a child joined), and a timed wait as a bound.
load ../lib/helpers

@test "connection/pipe-one-way $MP_TAG" {
    check_case connection/pipe-one-way
}

@test "connection/send-bytes-bounds $MP_TAG" {
    check_case connection/send-bytes-bounds
}

@test "connection/recv-bytes-into $MP_TAG" {
    check_case connection/recv-bytes-into
}

@test "connection/poll $MP_TAG" {
    check_case connection/poll
}

@test "connection/message-boundaries $MP_TAG" {
    # One child writes, the parent reads: the lines are all the parent's.
    check_case connection/message-boundaries
}

@test "connection/closed-and-eof $MP_TAG" {
    check_case connection/closed-and-eof
}

@test "connection/wait-timeouts $MP_TAG" {
    check_case connection/wait-timeouts
}

@test "connection/wait-mixed $MP_TAG" {
    # The child's sentinel is waited on only while the child certainly
    # runs (it waits for our message) or after join().
    check_case connection/wait-mixed
}

@test "connection/listener-auth $MP_TAG" {
    # The client child prints first and is joined before the listener's
    # line, so the order is fixed.
    check_case connection/listener-auth
}

@test "connection/listener-errors $MP_TAG" {
    check_case connection/listener-errors
}

@test "connection/values-round-trip $MP_TAG" {
    check_case connection/values-round-trip
}

@test "connection/wire-framing $MP_TAG" {
    check_case connection/wire-framing
}

@test "connection/str-lengths $MP_TAG" {
    # One child echoes, the parent prints: the lines are all the parent's.
    check_case connection/str-lengths
}

@test "connection/last-accepted $MP_TAG" {
    # Exact: ports are compared inside the program, never printed.
    check_case connection/last-accepted
}

@test "connection/listener-forked-child $MP_TAG" {
    # Exact: the child (always forked, by the fork context) is joined
    # before the parent looks at the socket file.
    check_case connection/listener-forked-child
}

@test "connection/send-connection $MP_TAG" {
    # Only the parent prints, each line once what it reports has come back
    # on the received end (or the child has been joined).
    check_case connection/send-connection
}

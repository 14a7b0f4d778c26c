#!/usr/bin/env bats
# Lesson 24 (Connection objects): send/recv, send_bytes/recv_bytes and
# recv_bytes_into on the two ends of one Pipe, and BufferTooShort.
load ../lib/helpers

@test "24-connection-objects $MP_TAG" {
    # Exact: one process talks to itself through both ends of the pipe, so
    # nothing is racy and nothing depends on MP_START_METHOD.
    check_lesson 24-connection-objects
}

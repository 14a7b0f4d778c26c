#!/usr/bin/env bats
# Lesson 60 (the docs' remote manager with a local Worker): the server
# program serves a process-safe Queue that its own child (a Process
# subclass) fills with 'local hello'; a client program gets it.
load ../lib/helpers

@test "60-remote-manager-local-worker $MP_TAG" {
    # Exact: the client's get waits for the Worker's put, and the server
    # is stopped after the client has ended.  The Worker is a child of the
    # server program, started with the method under test.  stderr (empty)
    # and the status are exact.
    check_lesson 60-remote-manager-local-worker
}

#!/usr/bin/env bats
# Lesson 19 (poison pills): cpu_count() * 2 Consumer processes take ten Tasks
# from a JoinableQueue until each takes a None; results come back on a Queue.
load ../lib/helpers

@test "19-poison-pills $MP_TAG" {
    # Through a view: how many consumers there are depends on the machine
    # (cpu_count() * 2), and which consumer takes which task, and the order
    # in which they and the parent print, on the scheduler.
    # conformance/lib/views/19-poison-pills says what it hides and what
    # stays exact; it is given the count this machine must create (Python's
    # os.cpu_count() on Linux is sysconf(_SC_NPROCESSORS_ONLN), as getconf
    # shows).  stderr (empty) and the status are compared exactly.
    check_lesson 19-poison-pills --view stdout=19-poison-pills \
        --view-arg "$(( $(getconf _NPROCESSORS_ONLN) * 2 ))"
}

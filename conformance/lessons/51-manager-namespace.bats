#!/usr/bin/env bats
# Lesson 51 (PyMOTW's shared Namespace): a producer sets ns.value and an
# Event; a consumer reads ns.value before and after waiting for the event.
load ../lib/helpers

@test "51-manager-namespace $MP_TAG" {
    # Through a view: the consumer is started first and reads at once, the
    # producer just after it, so whether the first read finds the
    # AttributeError or the value is a race between two processes (CPython
    # itself shows the error under fork and, more often than not, the
    # value under spawn and forkserver).  conformance/lib/views/
    # 51-manager-namespace accepts exactly those two lines there; the line
    # after the event, read after the producer's write, is exact.  stderr
    # (empty) and the status are exact.
    check_lesson 51-manager-namespace --view stdout=51-manager-namespace
}

#!/usr/bin/env bats
# processes.bats - C and CPython agree on the shape of a run (process trees and exit codes): the lessons of SHAPES whose shape is mostly its processes.
#
# Each test runs one lesson under MP_TRACE (the C program, or the twin with
# mp_trace.py) and compares its shape with the one record-goldens took from
# the twin's trace (golden/NN-slug/shape), under the start method of the run:
# so C's shape is the twin's, under fork, spawn and forkserver alike.  Why
# these lessons and not the others: conformance/README.md, "Shapes".  Two
# files, not one, so that neither is the conformance part's longest job.
load ../lib/helpers

@test "shape 01-basic-workers $MP_TAG" {
    check_shape 01-basic-workers
}

@test "shape 09-exit-codes $MP_TAG" {
    check_shape 09-exit-codes
}

@test "shape 15-start-methods $MP_TAG" {
    check_shape 15-start-methods
}

@test "shape 17-missing-guard $MP_TAG" {
    check_shape 17-missing-guard
}

@test "shape 29-lock-hello-world $MP_TAG" {
    check_shape 29-lock-hello-world
}

@test "shape 37-rlock-bounded-barrier $MP_TAG" {
    check_shape 37-rlock-bounded-barrier
}

#!/usr/bin/env bats
# messages.bats - C and CPython agree on the shape of a run (messages): the lessons of SHAPES whose shape is mostly its messages.
#
# Each test runs one lesson under MP_TRACE (the C program, or the twin with
# mp_trace.py) and compares its shape with the one record-goldens took from
# the twin's trace (golden/NN-slug/shape), under the start method of the run:
# so C's shape is the twin's, under fork, spawn and forkserver alike.  Why
# these lessons and not the others: conformance/README.md, "Shapes".  Two
# files, not one, so that neither is the conformance part's longest job.
load ../lib/helpers

@test "shape 18-fancy-class-queue $MP_TAG" {
    check_shape 18-fancy-class-queue
}

@test "shape 21-pipe-example $MP_TAG" {
    check_shape 21-pipe-example
}

@test "shape 24-connection-objects $MP_TAG" {
    check_shape 24-connection-objects
}

@test "shape 25-wait-example $MP_TAG" {
    check_shape 25-wait-example
}

@test "shape 26-listener-client $MP_TAG" {
    check_shape 26-listener-client
}

@test "shape 28-join-before-drain $MP_TAG" {
    check_shape 28-join-before-drain
}

#!/usr/bin/env bats
# Lesson 52 (PyMOTW's Namespace with a mutable list): the producer appends
# to ns.my_list, which is its own copy, so the consumer sees [] both times.
load ../lib/helpers

@test "52-namespace-mutable $MP_TAG" {
    # Exact: whichever process reaches the server first, its list stays
    # [] (the append changes the producer's copy only), and the consumer's
    # two lines come from one process in order.  stderr (empty) and the
    # status are exact.
    check_lesson 52-namespace-mutable
}

#!/usr/bin/env bats
# Lesson 54 (the documentation's customized manager): MyManager, a
# BaseManager with 'Maths' registered, serves a MathsClass; add(4, 3) and
# mul(7, 8) print 7 and 56.
load ../lib/helpers

@test "54-custom-manager $MP_TAG" {
    # Exact: one client, each call answered before the next is sent.
    # stderr (empty) and the status are exact.
    check_lesson 54-custom-manager
}

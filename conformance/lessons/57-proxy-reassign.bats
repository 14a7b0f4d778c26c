#!/usr/bin/env bats
# Lesson 57 (the documentation's lproxy[0] = d): a plain dict inside a list
# proxy is changed in the client's copy, then assigned back.
load ../lib/helpers

@test "57-proxy-reassign $MP_TAG" {
    # Exact: one client, each call answered before the next, so the list
    # is [{}] before the assignment and [{'a': 1, 'b': 2}] after it.
    # stderr (empty) and the status are exact.
    check_lesson 57-proxy-reassign
}

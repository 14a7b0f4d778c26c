#!/usr/bin/env bats
# Lesson 53 (the documentation's Namespace session): Global.x and Global.y
# go to the server, Global._z stays on the proxy; print(Global) shows
# Namespace(x=10, y='hello').
load ../lib/helpers

@test "53-namespace-private-attrs $MP_TAG" {
    # Exact: one process, each call answered before the next is sent, and
    # the Namespace's repr sorts its attributes.  stderr (empty) and the
    # status are exact.
    check_lesson 53-namespace-private-attrs
}

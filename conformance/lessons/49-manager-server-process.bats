#!/usr/bin/env bats
# Lesson 49 (the docs' server-process manager example): a child changes a
# managed dict and list through proxies; the parent prints them.
load ../lib/helpers

@test "49-manager-server-process $MP_TAG" {
    # Exact: the child is joined before the parent prints, and every
    # change went to the server before the child's call returned, so the
    # dict's insertion order and the reversed list are fixed.  stderr
    # (empty) and the status are exact.
    check_lesson 49-manager-server-process
}

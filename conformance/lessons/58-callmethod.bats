#!/usr/bin/env bats
# Lesson 58 (the documentation's _callmethod session): __len__, __getitem__
# with slice(2, 7), and __getitem__ with 20, whose IndexError the server
# sends back and the program raises, uncaught.
load ../lib/helpers

@test "58-callmethod $MP_TAG" {
    # Exact: one client, each call answered before the next.  stderr is the
    # uncaught IndexError: its traceback's body (file names and lines,
    # which C has none of) is dropped by conformance/lib/normalize (rule
    # 1), its first and last lines, "IndexError: list index out of range"
    # with the server's message, are compared; the status is 1, Python's
    # for an uncaught exception.
    check_lesson 58-callmethod
}

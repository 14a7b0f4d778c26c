#!/usr/bin/env bats
# Lesson 67 (a fork-safe cache): a buffered writer at the program's top
# level, filled by the parent, flushed by a child and then by the parent;
# the naive writer's child prints the parent's line again under fork, the
# one whose cache is keyed by the pid never does.
load ../lib/helpers

@test "67-fork-safe-cache $MP_TAG" {
    # Per-method goldens (golden/67-fork-safe-cache/{fork,spawn,forkserver}):
    # that the naive cache comes into a fork child and not into a spawn or
    # forkserver one (those run the program again and make their own) is
    # the lesson.  Exact: the child is joined before the parent flushes,
    # and the child flushes its two writers in order.
    check_lesson 67-fork-safe-cache
}

@test "67-fork-safe-cache $MP_TAG: the pid-keyed cache never holds another process's line" {
    # Whatever the start method, no 'safe' line of the child holds the
    # parent's line, and the parent's 'safe' line holds only its own.
    run_lesson 67-fork-safe-cache
    assert_success
    assert_line "Process-1 safe flushes ['from the child']"
    assert_line "MainProcess safe flushes ['from the parent']"
}

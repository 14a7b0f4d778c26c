#!/usr/bin/env bats
# Lesson 42 (the docs' AsyncResult example): apply_async, map, imap with
# next(timeout), then a get(timeout=1) on a 10 s sleep that raises
# multiprocessing.TimeoutError, uncaught.
load ../lib/helpers

@test "42-async-result $MP_TAG" {
    # Exact: every result is read in the program's order (apply_async's
    # get, map's list in input order, imap's first three in input order).
    # stderr is the uncaught TimeoutError: normalisation drops the stack
    # lines (C has no Python stack) and keeps the header and the
    # exception's name, "multiprocessing.context.TimeoutError" with no
    # message.  The status is 1, the uncaught exception's.  The failing
    # get waits 1 s for a 10 s sleep, so it cannot get the result first;
    # leaving the with block terminates the sleeping worker.
    check_lesson 42-async-result
}

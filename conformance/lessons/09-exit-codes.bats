#!/usr/bin/env bats
# Lesson 09 (exit codes): sys.exit(1), return, return 1, raise, and SIGTERM.
load ../lib/helpers

@test "09-exit-codes $MP_TAG" {
    # Exact.  Only the main program writes stdout, in order.  The only
    # stderr is the raising child's "Process raises:" and its traceback,
    # whose stack lines normalisation drops (C has no Python stack), keeping
    # the header and "RuntimeError: There was an error!".  The last child is
    # terminated at once, whether or not it has begun its 3 s sleep.
    check_lesson 09-exit-codes
}

#!/usr/bin/env bats
# Lesson 37 (RLock, BoundedSemaphore, Barrier): reprs, the errors in
# CPython's words, a Barrier with an action and its indexes, and abort().
load ../lib/helpers

@test "37-rlock-bounded-barrier $MP_TAG" {
    # Exact, one golden for every MP_START_METHOD.  Only the parent prints
    # to stdout, apart from the barrier's action, which runs in whichever
    # party arrives last but always between the parent's lines before the
    # barrier (flushed before its wait) and those after it; the indexes
    # are printed sorted, as which party gets which is chance.  stderr is
    # the aborted child's traceback (stack lines normalised away), the one
    # line the program writes there.
    check_lesson 37-rlock-bounded-barrier
}

#!/usr/bin/env bats
# Lesson 35 (the docs' Value and Array example): a child sets n.value and
# negates an Array in shared memory; four processes add to a Value('i')
# with and without get_lock().
load ../lib/helpers

@test "35-value-array $MP_TAG" {
    # Exact, one golden for every MP_START_METHOD: only the parent prints,
    # after join.  The locked total is exact by construction; for the
    # unlocked one (a race) the program prints only whether it stayed at
    # or below the expected total, which always holds.
    check_lesson 35-value-array
}

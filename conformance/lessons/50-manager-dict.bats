#!/usr/bin/env bats
# Lesson 50 (PyMOTW's managed dict): ten worker processes each set one key
# of a managed dict; the parent prints it after joining them all.
load ../lib/helpers

@test "50-manager-dict $MP_TAG" {
    # Through a view: the dict's repr lists its entries in insertion order,
    # which is the order the ten workers reached the manager's server, and
    # they run at once, so that order is the scheduler's (CPython's own
    # runs differ from one another).  conformance/lib/views/50-manager-dict
    # sorts the entries by key and refuses a repeated key or a malformed
    # entry; which entries there are (0: 0 to 9: 18, every one set once the
    # workers were joined) stays exact.  stderr (empty) and the status are
    # exact.
    check_lesson 50-manager-dict --view stdout=50-manager-dict
}

#!/usr/bin/env bats
# Cases of values as they cross a Connection or a Queue (pickled), read back
# with the language's own rules: documented behaviour of the built-in types
# that the C value model must keep.  Each case's header
# (conformance/cases/values/SLUG/case.py) says what it pins.
load ../lib/helpers

@test "values/index-dict-truth $MP_TAG" {
    # Exact: one process, every value sent and received in turn.
    check_case values/index-dict-truth
}

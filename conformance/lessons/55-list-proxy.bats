#!/usr/bin/env bats
# Lesson 55 (the documentation's list proxy session, and its note on
# comparison): str(l) and repr(l), l[4], l[2:5], a proxy != its list.
load ../lib/helpers

@test "55-list-proxy $MP_TAG" {
    # Exact once normalised: the proxy's address in repr(l) (0x...) is
    # where the proxy happens to be in memory, which the normaliser writes
    # 0xADDR (conformance/lib/normalize, rule 2); every other character,
    # the class name ListProxy and typeid 'list' included, is compared.
    # One process, each call answered before the next.  stderr (empty)
    # and the status are exact.
    check_lesson 55-list-proxy
}

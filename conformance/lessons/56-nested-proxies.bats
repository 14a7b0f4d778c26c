#!/usr/bin/env bats
# Lesson 56 (the documentation's proxies of proxies): a list proxy appended
# to a managed list, and two managed dicts inside a managed list, changed
# through the proxies the outer list gives back.
load ../lib/helpers

@test "56-nested-proxies $MP_TAG" {
    # Exact once normalised: the address in the inner proxy's repr (0x...,
    # where the server happens to keep that proxy) is written 0xADDR by
    # conformance/lib/normalize (rule 2); the rest, ListProxy and typeid
    # 'list' included, is compared.  One client, each call answered
    # before the next.  stderr (empty) and the status are exact.
    check_lesson 56-nested-proxies
}

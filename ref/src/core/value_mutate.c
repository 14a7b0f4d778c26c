/* value_mutate.c - the changes a managed list or dict takes beyond append and set: splices, deletion, reversal. */
#include "value_internal.h"

#include <stdlib.h>
#include <string.h>

/*
 * list[start:stop] = items (a tuple or list, lent; NULL deletes).  The
 * replaced items are released after the list is whole again, so a
 * release that frees a proxy (which may talk to its server) never sees
 * the list half changed.  0 or MP_ENOMEM (the list unchanged).
 */
int mp__list_splice(mp_value *list, size_t start, size_t stop, const mp_value *items)
{
    vlist *l = AS(vlist, list);
    size_t add = items ? mp_len(items) : 0, del = stop - start;
    if (items == list)
        return mp__fail(MP_EVALUE, "a list cannot be spliced into itself here");
    if (add > del && mp__list_reserve(l, l->len + add - del) < 0)
        return MP_ENOMEM;
    mp_value **old = NULL;
    if (del && !(old = malloc(del * sizeof *old)))
        return mp__fail(MP_ENOMEM, "out of memory");
    if (del)
        memcpy(old, l->items + start, del * sizeof *old);
    memmove(l->items + start + add, l->items + stop, (l->len - stop) * sizeof *old);
    for (size_t i = 0; i < add; i++)
        l->items[start + i] = mp_incref(mp_item(items, i));
    l->len = l->len + add - del;
    for (size_t i = 0; i < del; i++)
        mp_decref(old[i]);
    free(old);
    return 0;
}

void mp__list_reverse(mp_value *list)
{
    vlist *l = AS(vlist, list);
    for (size_t i = 0, j = l->len; i + 1 < j; i++, j--) {
        mp_value *t = l->items[i];
        l->items[i] = l->items[j - 1];
        l->items[j - 1] = t;
    }
}

/* Rebuild the index after entries moved (deletion keeps no tombstones:
 * the entry array stays without holes, as the dict's readers assume). */
static int reindex(vdict *d)
{
    if (d->nslots == 0)
        return 0;
    memset(d->slots, 0, d->nslots * sizeof(size_t));
    for (size_t k = 0; k < d->len; k++) {
        uint64_t perturb = d->entries[k].hash;
        size_t i = perturb & (d->nslots - 1);
        while (d->slots[i])
            i = mp__probe_next(i, &perturb, d->nslots - 1);
        d->slots[i] = k + 1;
    }
    return 0;
}

/* del dict[key]: 0 when it was there, 1 when it was not (nothing
 * recorded), or the error hashing it gave.  O(len): a teaching dict. */
int mp__dict_del(mp_value *dict, const mp_value *key)
{
    vdict *d = AS(vdict, dict);
    uint64_t hash;
    int rc = mp__value_hash(key, &hash, 0);
    if (rc < 0)
        return rc;
    for (size_t k = 0; k < d->len; k++) {
        entry e = d->entries[k];
        if (e.hash == hash && (e.key == key || mp_equal(e.key, key))) {
            memmove(d->entries + k, d->entries + k + 1, (d->len - k - 1) * sizeof(entry));
            d->len--;
            reindex(d);
            mp_decref(e.key);
            mp_decref(e.val);
            return 0;
        }
    }
    return 1;
}

int mp__dict_clear(mp_value *dict)
{
    vdict *d = AS(vdict, dict);
    size_t n = d->len;
    entry *old = d->entries;
    d->entries = NULL;
    d->len = d->cap = 0;
    reindex(d);
    for (size_t k = 0; k < n; k++) {
        mp_decref(old[k].key);
        mp_decref(old[k].val);
    }
    free(old);
    return 0;
}

/* value_container.c - equality and hashing, as Python's == and hash(), the dict's table, and the builders that fill tuples, lists and dicts. */
#include "value_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Python gives up on nesting this deep (its recursion limit); so do we,
 * rather than overflow the C stack on a hostile or cyclic value. */
#define MAX_DEPTH 1000

/* ---- equality and hashing ---------------------------------------------- */

static bool is_number(const mp_value *v)
{
    return v->type == MP_T_BOOL || v->type == MP_T_INT || v->type == MP_T_FLOAT;
}

/* Exact, as Python compares int with float: 2**53 + 1 != 2.0**53. */
static bool int_equals_float(int64_t i, double d)
{
    if (!(d >= -0x1p63 && d < 0x1p63) || d != trunc(d))
        return false;           /* NaN, infinite, fractional or out of range */
    return (int64_t)d == i;
}

static bool number_equal(const mp_value *a, const mp_value *b)
{
    if (a->type == MP_T_FLOAT && b->type == MP_T_FLOAT)
        return CAS(vfloat, a)->d == CAS(vfloat, b)->d;
    if (a->type == MP_T_FLOAT)
        return int_equals_float(mp_as_int(b), CAS(vfloat, a)->d);
    if (b->type == MP_T_FLOAT)
        return int_equals_float(mp_as_int(a), CAS(vfloat, b)->d);
    return mp_as_int(a) == mp_as_int(b);
}

static bool equal(const mp_value *a, const mp_value *b, int depth);

/* Items inside containers compare as Python's PyObject_RichCompareBool does:
 * identity first, so [nan] == [nan] holds when both hold the same nan. */
static bool item_equal(const mp_value *a, const mp_value *b, int depth)
{
    return a == b || equal(a, b, depth);
}

static bool equal(const mp_value *a, const mp_value *b, int depth)
{
    if (!a || !b)
        return false;
    if (is_number(a) && is_number(b))
        return number_equal(a, b);
    if (a->type != b->type)
        return false;
    if (depth > MAX_DEPTH) {
        mp__fail(MP_ERUNTIME, "maximum recursion depth exceeded in comparison");
        return false;
    }
    switch (a->type) {
    case MP_T_NONE:
        return true;
    case MP_T_OBJECT:
        return a == b;          /* object.__eq__: identity */
    case MP_T_STR:
        return CAS(vstr, a)->len == CAS(vstr, b)->len &&
               memcmp(CAS(vstr, a)->s, CAS(vstr, b)->s, CAS(vstr, a)->len) == 0;
    case MP_T_BYTES:
        return CAS(vbytes, a)->len == CAS(vbytes, b)->len &&
               memcmp(CAS(vbytes, a)->b, CAS(vbytes, b)->b, CAS(vbytes, a)->len) == 0;
    case MP_T_TUPLE:
    case MP_T_LIST: {
        size_t n = mp_len(a);
        if (n != mp_len(b))
            return false;
        for (size_t i = 0; i < n; i++)
            if (!item_equal(mp_item(a, i), mp_item(b, i), depth + 1))
                return false;
        return true;
    }
    case MP_T_DICT: {
        const vdict *da = CAS(vdict, a), *db = CAS(vdict, b);
        if (da->len != db->len)
            return false;
        for (size_t i = 0; i < da->len; i++) {
            const entry *e = &da->entries[i];
            mp_value *other = mp__dict_lookup(db, e->key, e->hash, depth + 1);
            if (!other || !item_equal(e->val, other, depth + 1))
                return false;
        }
        return true;
    }
    default:
        return false;
    }
}

bool mp_equal(const mp_value *a, const mp_value *b)
{
    return equal(a, b, 0);
}

/* splitmix64's finalizer: spreads every input bit over the whole word.  It
 * combines the (keyed) hashes of a tuple's items; it is no key of its own. */
static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* Set apart the hashes of what is hashed from the same 8 bytes (an int and
 * a float's bits, a str and the same bytes), so they do not coincide. */
#define SALT_FLOAT 0x666c6f6174ULL
#define SALT_NAN 0x6e616eULL
#define SALT_BYTES 0x6279746573ULL
#define SALT_OBJECT 0x6f626aULL

/*
 * Hash a key so that values Python calls equal hash alike: True, 1 and 1.0
 * (and 0, 0.0, -0.0) all hash as the integer.  Lists and dicts, alone or in
 * a tuple, are TypeError "unhashable type: 'list'", as in Python.
 *
 * Everything a peer can choose goes through the process's keyed SipHash
 * (siphash.h): ints too, whose hash in CPython is the number itself, since
 * our hash values are never seen outside.  A nan hashes by identity, as in
 * CPython 3.10 and later: nan == nan is false, so a dict of a thousand nans
 * from a pickle (each its own object) holds a thousand keys, and were they
 * to hash alike each would be compared with every one before it.
 */
int mp__value_hash(const mp_value *v, uint64_t *out, int depth)
{
    switch (v->type) {
    case MP_T_NONE:
        *out = 0x6e6f6e65ULL;
        return 0;
    case MP_T_BOOL:
    case MP_T_INT:
        *out = mp__hash_u64((uint64_t)mp_as_int(v));
        return 0;
    case MP_T_FLOAT: {
        double d = CAS(vfloat, v)->d;
        if (d >= -0x1p63 && d < 0x1p63 && d == trunc(d)) {
            *out = mp__hash_u64((uint64_t)(int64_t)d);
        } else if (isnan(d)) {
            *out = mp__hash_u64((uint64_t)(uintptr_t)v) ^ SALT_NAN;
        } else {
            uint64_t bits;
            memcpy(&bits, &d, sizeof bits);
            *out = mp__hash_u64(bits) ^ SALT_FLOAT;
        }
        return 0;
    }
    case MP_T_STR:
        *out = mp__hash_bytes(CAS(vstr, v)->s, CAS(vstr, v)->len);
        return 0;
    case MP_T_BYTES:
        *out = mp__hash_bytes(CAS(vbytes, v)->b, CAS(vbytes, v)->len) ^ SALT_BYTES;
        return 0;
    case MP_T_TUPLE: {
        if (depth > MAX_DEPTH)
            return mp__fail(MP_ERUNTIME, "maximum recursion depth exceeded");
        uint64_t h = 0x7475706c65ULL + CAS(vtuple, v)->n;
        for (size_t i = 0; i < CAS(vtuple, v)->n; i++) {
            uint64_t ih;
            int rc = mp__value_hash(CAS(vtuple, v)->items[i], &ih, depth + 1);
            if (rc < 0)
                return rc;
            h = mix(h ^ ih) + i;
        }
        *out = h;
        return 0;
    }
    case MP_T_OBJECT:
        /* object.__hash__ hashes the identity, as equality compares it. */
        *out = mp__hash_u64((uint64_t)(uintptr_t)v) ^ SALT_OBJECT;
        return 0;
    default:
        return mp__fail(MP_ETYPE, "unhashable type: '%s'", mp_type_name(v));
    }
}

/* ---- dict internals ---------------------------------------------------- */

/* The slot holding key, or the empty slot where it would go. */
static size_t probe(const vdict *d, const mp_value *key, uint64_t hash, int depth, bool *found)
{
    size_t mask = d->nslots - 1;
    uint64_t perturb = hash;
    for (size_t i = hash & mask;; i = mp__probe_next(i, &perturb, mask)) {
        size_t s = d->slots[i];
        if (s == 0) {
            *found = false;
            return i;
        }
        const entry *e = &d->entries[s - 1];
        /* Identity first, as Python does: a nan key finds itself. */
        if (e->hash == hash && (e->key == key || equal(e->key, key, depth))) {
            *found = true;
            return i;
        }
    }
}

mp_value *mp__dict_lookup(const vdict *d, const mp_value *key, uint64_t hash, int depth)
{
    bool found;
    if (d->len == 0)
        return NULL;
    size_t i = probe(d, key, hash, depth, &found);
    return found ? d->entries[d->slots[i] - 1].val : NULL;
}

/* Make room for one more entry: the entry array grows by doubling, and the
 * index is rebuilt twice as large once it would be two thirds full. */
static int dict_reserve(vdict *d)
{
    if (d->len == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 4;
        if (cap > SIZE_MAX / sizeof(entry))
            return mp__fail(MP_ENOMEM, "%s", "");
        entry *e = realloc(d->entries, cap * sizeof(entry));
        if (!e)
            return mp__fail(MP_ENOMEM, "%s", "");
        d->entries = e;
        d->cap = cap;
    }
    if ((d->len + 1) * 3 <= d->nslots * 2)
        return 0;
    size_t n = d->nslots ? d->nslots * 2 : 8;
    if (n > SIZE_MAX / sizeof(size_t))
        return mp__fail(MP_ENOMEM, "%s", "");
    size_t *slots = calloc(n, sizeof(size_t));
    if (!slots)
        return mp__fail(MP_ENOMEM, "%s", "");
    for (size_t k = 0; k < d->len; k++) {
        uint64_t perturb = d->entries[k].hash;
        size_t i = perturb & (n - 1);
        while (slots[i])
            i = mp__probe_next(i, &perturb, n - 1);
        slots[i] = k + 1;
    }
    free(d->slots);
    d->slots = slots;
    d->nslots = n;
    return 0;
}

/* ---- builders ---------------------------------------------------------- */

int mp_tuple_set(mp_value *tuple, size_t i, mp_value *item)
{
    if (!tuple || !item) {
        mp_decref(item);
        return mp__null_value();
    }
    if (tuple->type != MP_T_TUPLE) {
        mp_decref(item);
        return mp__fail(MP_ETYPE, "expected a tuple, got '%s'", mp_type_name(tuple));
    }
    vtuple *t = AS(vtuple, tuple);
    if (i >= t->n) {
        mp_decref(item);
        return mp__fail(MP_EINDEX, "tuple index out of range");
    }
    mp_value *old = t->items[i];
    t->items[i] = item;
    mp_decref(old);
    return 0;
}

/* Grow a list's item array to hold at least `want` items. */
int mp__list_reserve(vlist *l, size_t want)
{
    if (want <= l->cap)
        return 0;
    size_t cap = l->cap ? l->cap : 4;
    while (cap < want && cap <= SIZE_MAX / 2 / sizeof(mp_value *))
        cap *= 2;
    if (cap < want)
        return mp__fail(MP_ENOMEM, "%s", "");
    mp_value **items = realloc(l->items, cap * sizeof(mp_value *));
    if (!items)
        return mp__fail(MP_ENOMEM, "%s", "");
    l->items = items;
    l->cap = cap;
    return 0;
}

int mp_list_append(mp_value *list, mp_value *item)
{
    if (!list || !item) {
        mp_decref(item);
        return mp__null_value();
    }
    if (list->type != MP_T_LIST) {
        mp_decref(item);
        return mp__fail(MP_ETYPE, "descriptor 'append' for 'list' objects doesn't "
                        "apply to a '%s' object", mp_type_name(list));
    }
    vlist *l = AS(vlist, list);
    int rc = mp__list_reserve(l, l->len + 1);
    if (rc < 0) {
        mp_decref(item);
        return rc;
    }
    l->items[l->len++] = item;
    return 0;
}

int mp_dict_set(mp_value *dict, mp_value *key, mp_value *val)
{
    int rc;
    uint64_t hash;
    if (!dict || !key || !val) {
        rc = mp__null_value();
        goto fail;
    }
    if (dict->type != MP_T_DICT) {
        rc = mp__fail(MP_ETYPE, "descriptor '__setitem__' for 'dict' objects doesn't "
                      "apply to a '%s' object", mp_type_name(dict));
        goto fail;
    }
    vdict *d = AS(vdict, dict);
    if ((rc = mp__value_hash(key, &hash, 0)) < 0 || (rc = dict_reserve(d)) < 0)
        goto fail;
    bool found;
    size_t i = probe(d, key, hash, 0, &found);
    if (found) {
        /* Python keeps the first key and its place; only the value changes. */
        entry *e = &d->entries[d->slots[i] - 1];
        mp_value *old = e->val;
        e->val = val;
        mp_decref(key);
        mp_decref(old);
        return 0;
    }
    d->entries[d->len] = (entry){key, val, hash};
    d->slots[i] = ++d->len;
    return 0;
fail:
    mp_decref(key);
    mp_decref(val);
    return rc;
}

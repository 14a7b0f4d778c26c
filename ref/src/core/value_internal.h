/* value_internal.h - the layout of each type of value, and what value.c, value_container.c and value_access.c share. */
#ifndef MP_VALUE_INTERNAL_H
#define MP_VALUE_INTERNAL_H

#include "core.h"
#include "siphash.h"

/* struct mp_value, the header every value starts with, is in core.h. */

typedef struct { mp_value h; bool b; } vbool;
typedef struct { mp_value h; int64_t i; } vint;
typedef struct { mp_value h; double d; } vfloat;
/* len bytes of valid UTF-8 holding ncp code points, then a NUL. */
typedef struct { mp_value h; size_t len, ncp; char s[]; } vstr;
typedef struct { mp_value h; size_t len; uint8_t b[]; } vbytes;
typedef struct { mp_value h; size_t n; mp_value *items[]; } vtuple;
typedef struct { mp_value h; size_t len, cap; mp_value **items; } vlist;

/*
 * A dict keeps its entries in insertion order in one array, and beside it an
 * open-addressing index of slots that holds entry number + 1, 0 meaning
 * empty.  The index is a power of two in size, at most two thirds full, and
 * probed as CPython's is (mp__probe_next) with hashes keyed per process
 * (siphash.h), so no choice of keys makes a chain long.  The API has no
 * deletion, so the entry array never has holes.
 */
typedef struct { mp_value *key, *val; uint64_t hash; } entry;
typedef struct {
    mp_value h;
    size_t len, cap;
    entry *entries;
    size_t *slots;
    size_t nslots;
} vdict;

#define AS(T, v) ((T *)(v))
#define CAS(T, v) ((const T *)(v))

/* hash() of key v into *out (depth: its nesting): 0, MP_ETYPE if unhashable, MP_ERUNTIME if too deep. */
int mp__value_hash(const mp_value *v, uint64_t *out, int depth);

/* d[key] (hash is key's), borrowed, or NULL if missing; records an error only if == went too deep. */
mp_value *mp__dict_lookup(const vdict *d, const mp_value *key, uint64_t hash, int depth);

/* Grow l's item array to hold at least want items: 0, or MP_ENOMEM with l unchanged. */
int mp__list_reserve(vlist *l, size_t want);

#endif

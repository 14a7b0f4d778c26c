/* value.c - values, the C analog of picklable objects: constructors, reference counts, containers, ==. */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* struct mp_value, the header every value starts with, is in internal.h. */

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
 * open-addressing index of slots (power-of-two sized, linear probing) that
 * holds entry number + 1, 0 meaning empty.  The API has no deletion, so the
 * entry array never has holes.
 */
typedef struct { mp_value *key, *val; uint64_t hash; } entry;
typedef struct {
    mp_value h;
    size_t len, cap;
    entry *entries;
    size_t *slots;
    size_t nslots;
} vdict;

/* Python gives up on nesting this deep (its recursion limit); so do we,
 * rather than overflow the C stack on a hostile or cyclic value. */
#define MAX_DEPTH 1000

static mp_value none_v = {.type = MP_T_NONE, .immortal = true};
static vbool true_v = {{.type = MP_T_BOOL, .immortal = true}, true};
static vbool false_v = {{.type = MP_T_BOOL, .immortal = true}, false};

#define AS(T, v) ((T *)(v))
#define CAS(T, v) ((const T *)(v))

static mp_value *nomem(void)
{
    mp__fail(MP_ENOMEM, "%s", "");
    return NULL;
}

/*
 * A builder given NULL (a constructor that failed) returns the code of the
 * failure already recorded, so that mp_errname(rc) and mp_errmsg() agree.
 * internal.h offers the recorded exception's name, not its code; map back.
 */
static int pending_code(void)
{
    int code = mp_errcode();
    return code < 0 ? code : MP_ENOMEM;
}

static mp_value *alloc(mp_type type, size_t size)
{
    mp_value *v = calloc(1, size);
    if (!v)
        return nomem();
    v->type = type;
    v->refs = 1;
    return v;
}

/* ---- constructors ------------------------------------------------------ */

mp_value *mp_none(void)
{
    return &none_v;
}

mp_value *mp_bool(bool b)
{
    return b ? &true_v.h : &false_v.h;
}

mp_value *mp_int(int64_t i)
{
    mp_value *v = alloc(MP_T_INT, sizeof(vint));
    if (v)
        AS(vint, v)->i = i;
    return v;
}

mp_value *mp_float(double d)
{
    mp_value *v = alloc(MP_T_FLOAT, sizeof(vfloat));
    if (v)
        AS(vfloat, v)->d = d;
    return v;
}

/*
 * Validate UTF-8 exactly as CPython's decoder does, and word the first error
 * as its UnicodeDecodeError does: overlong forms, surrogates (U+D800..DFFF)
 * and code points past U+10FFFF are rejected.  Counts code points on success.
 */
static int utf8_check(const uint8_t *s, size_t len, size_t *ncp)
{
    size_t i = 0, n = 0;
    while (i < len) {
        uint8_t c = s[i];
        size_t need;
        uint8_t lo = 0x80, hi = 0xBF;   /* allowed range of the second byte */
        const char *why = NULL;
        size_t bad_end = i + 1;         /* one past the offending bytes */
        if (c < 0x80) {
            i++, n++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            need = 1;
        else if (c >= 0xE0 && c <= 0xEF)
            need = 2;
        else if (c >= 0xF0 && c <= 0xF4)
            need = 3;
        else
            need = 0, why = "invalid start byte";
        if (c == 0xE0)
            lo = 0xA0;                  /* shorter forms are overlong */
        else if (c == 0xED)
            hi = 0x9F;                  /* ED A0.. would be a surrogate */
        else if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;                  /* past U+10FFFF */
        for (size_t k = 1; !why && k <= need; k++) {
            if (i + k >= len) {
                why = "unexpected end of data";
                bad_end = len;
            } else if (k == 1 ? s[i + 1] < lo || s[i + 1] > hi
                              : (s[i + k] & 0xC0) != 0x80) {
                why = "invalid continuation byte";
                bad_end = i + k;
            }
        }
        if (why) {
            if (bad_end - i == 1)
                return mp__fail(MP_EVALUE, "'utf-8' codec can't decode byte 0x%02x "
                                "in position %zu: %s", c, i, why);
            return mp__fail(MP_EVALUE, "'utf-8' codec can't decode bytes in "
                            "position %zu-%zu: %s", i, bad_end - 1, why);
        }
        i += need + 1, n++;
    }
    *ncp = n;
    return 0;
}

mp_value *mp_str_n(const char *utf8, size_t len)
{
    size_t ncp = 0;
    if (!utf8 && len) {
        mp__fail(MP_ETYPE, "expected a string, got NULL");
        return NULL;
    }
    if (utf8_check((const uint8_t *)utf8, len, &ncp) < 0)
        return NULL;
    if (len > SIZE_MAX - sizeof(vstr) - 1)
        return nomem();
    mp_value *v = alloc(MP_T_STR, sizeof(vstr) + len + 1);
    if (!v)
        return NULL;
    vstr *s = AS(vstr, v);
    s->len = len;
    s->ncp = ncp;
    if (len)
        memcpy(s->s, utf8, len);
    s->s[len] = '\0';
    return v;
}

mp_value *mp_str(const char *utf8)
{
    if (!utf8) {
        mp__fail(MP_ETYPE, "expected a string, got NULL");
        return NULL;
    }
    return mp_str_n(utf8, strlen(utf8));
}

/* Not zeroed: the caller fills every byte (a large message is read
 * straight into it, and zeroing a megabyte first would cost as much as
 * the copy it saves). */
mp_value *mp__bytes_uninit(size_t len, uint8_t **data)
{
    if (len > SIZE_MAX - sizeof(vbytes) - 1)
        return nomem();
    vbytes *b = malloc(sizeof(vbytes) + len + 1);
    if (!b)
        return nomem();
    memset(&b->h, 0, sizeof b->h);
    b->h.type = MP_T_BYTES;
    b->h.refs = 1;
    b->len = len;
    /* One spare NUL so the data can be printed as a C string when it is text. */
    b->b[len] = 0;
    *data = b->b;
    return &b->h;
}

mp_value *mp_bytes(const void *data, size_t len)
{
    if (!data && len) {
        mp__fail(MP_ETYPE, "expected bytes, got NULL");
        return NULL;
    }
    uint8_t *p;
    mp_value *v = mp__bytes_uninit(len, &p);
    if (v && len)
        memcpy(p, data, len);
    return v;
}

mp_value *mp_tuple_new(size_t n)
{
    if (n > (SIZE_MAX - sizeof(vtuple)) / sizeof(mp_value *))
        return nomem();
    mp_value *v = alloc(MP_T_TUPLE, sizeof(vtuple) + n * sizeof(mp_value *));
    if (!v)
        return NULL;
    vtuple *t = AS(vtuple, v);
    t->n = n;
    for (size_t i = 0; i < n; i++)
        t->items[i] = &none_v;
    return v;
}

mp_value *mp_list_new(void)
{
    return alloc(MP_T_LIST, sizeof(vlist));
}

mp_value *mp_dict_new(void)
{
    return alloc(MP_T_DICT, sizeof(vdict));
}

/* ---- reference counting ------------------------------------------------ */

mp_value *mp_incref(mp_value *v)
{
    if (v && !v->immortal)
        __atomic_fetch_add(&v->refs, 1, __ATOMIC_RELAXED);
    return v;
}

/* Drop one reference; a value that dies is pushed on the dead list. */
static void drop(mp_value *v, mp_value **dead)
{
    if (!v || v->immortal)
        return;
    if (__atomic_sub_fetch(&v->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    v->next_dead = *dead;
    *dead = v;
}

/*
 * Free v and everything only it kept alive.  Iterative, not recursive, so a
 * list nested a million deep (a hostile pickle) cannot overflow the stack:
 * dead values wait on a list threaded through their spent refcount field.
 */
static void destroy(mp_value *v)
{
    mp_value *dead = v;
    v->next_dead = NULL;
    while (dead) {
        mp_value *c = dead;
        dead = c->next_dead;
        if (c->type == MP_T_TUPLE) {
            for (size_t i = 0; i < AS(vtuple, c)->n; i++)
                drop(AS(vtuple, c)->items[i], &dead);
        } else if (c->type == MP_T_LIST) {
            vlist *l = AS(vlist, c);
            for (size_t i = 0; i < l->len; i++)
                drop(l->items[i], &dead);
            free(l->items);
        } else if (c->type == MP_T_DICT) {
            vdict *d = AS(vdict, c);
            for (size_t i = 0; i < d->len; i++) {
                drop(d->entries[i].key, &dead);
                drop(d->entries[i].val, &dead);
            }
            free(d->entries);
            free(d->slots);
        } else if (c->type == MP_T_OBJECT) {
            /* A library object releases its resources first; an instance
             * of a user class only owns its attribute dict. */
            mp__object *o = (mp__object *)c;
            const mp__native *nat = o->cls->native;
            if (nat && nat->finalize)
                nat->finalize(o);
            drop(o->dict, &dead);
        }
        free(c);
    }
}

void mp_decref(mp_value *v)
{
    if (!v || v->immortal)
        return;
    if (__atomic_sub_fetch(&v->refs, 1, __ATOMIC_ACQ_REL) == 0)
        destroy(v);
}

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

static mp_value *lookup(const vdict *d, const mp_value *key, uint64_t hash, int depth);
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
            mp_value *other = lookup(db, e->key, e->hash, depth + 1);
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

/* splitmix64's finalizer: spreads every input bit over the whole word, so
 * linear probing on the low bits stays short. */
static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static uint64_t hash_bytes(const void *p, size_t n, uint64_t seed)
{
    const uint8_t *s = p;
    uint64_t h = 0xcbf29ce484222325ULL ^ seed;     /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 0x100000001b3ULL;
    return mix(h);
}

/*
 * Hash a key so that values Python calls equal hash alike: True, 1 and 1.0
 * (and 0, 0.0, -0.0) all hash as the integer.  Lists and dicts, alone or in
 * a tuple, are TypeError "unhashable type: 'list'", as in Python.
 */
static int hash_value(const mp_value *v, uint64_t *out, int depth)
{
    switch (v->type) {
    case MP_T_NONE:
        *out = 0x6e6f6e65ULL;
        return 0;
    case MP_T_BOOL:
    case MP_T_INT:
        *out = mix((uint64_t)mp_as_int(v));
        return 0;
    case MP_T_FLOAT: {
        double d = CAS(vfloat, v)->d;
        if (d >= -0x1p63 && d < 0x1p63 && d == trunc(d)) {
            *out = mix((uint64_t)(int64_t)d);
        } else {
            uint64_t bits;
            memcpy(&bits, &d, sizeof bits);
            *out = mix(bits ^ 0xf10a7ULL);
        }
        return 0;
    }
    case MP_T_STR:
        *out = hash_bytes(CAS(vstr, v)->s, CAS(vstr, v)->len, 0);
        return 0;
    case MP_T_BYTES:
        *out = hash_bytes(CAS(vbytes, v)->b, CAS(vbytes, v)->len, 1);
        return 0;
    case MP_T_TUPLE: {
        if (depth > MAX_DEPTH)
            return mp__fail(MP_ERUNTIME, "maximum recursion depth exceeded");
        uint64_t h = 0x7475706c65ULL + CAS(vtuple, v)->n;
        for (size_t i = 0; i < CAS(vtuple, v)->n; i++) {
            uint64_t ih;
            int rc = hash_value(CAS(vtuple, v)->items[i], &ih, depth + 1);
            if (rc < 0)
                return rc;
            h = mix(h ^ ih) + i;
        }
        *out = h;
        return 0;
    }
    case MP_T_OBJECT:
        /* object.__hash__ hashes the identity, as equality compares it. */
        *out = mix((uint64_t)(uintptr_t)v);
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
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
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

static mp_value *lookup(const vdict *d, const mp_value *key, uint64_t hash, int depth)
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
        size_t i = d->entries[k].hash & (n - 1);
        while (slots[i])
            i = (i + 1) & (n - 1);
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
        return pending_code();
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
static int list_reserve(vlist *l, size_t want)
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
        return pending_code();
    }
    if (list->type != MP_T_LIST) {
        mp_decref(item);
        return mp__fail(MP_ETYPE, "descriptor 'append' for 'list' objects doesn't "
                        "apply to a '%s' object", mp_type_name(list));
    }
    vlist *l = AS(vlist, list);
    int rc = list_reserve(l, l->len + 1);
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
        rc = pending_code();
        goto fail;
    }
    if (dict->type != MP_T_DICT) {
        rc = mp__fail(MP_ETYPE, "descriptor '__setitem__' for 'dict' objects doesn't "
                      "apply to a '%s' object", mp_type_name(dict));
        goto fail;
    }
    vdict *d = AS(vdict, dict);
    if ((rc = hash_value(key, &hash, 0)) < 0 || (rc = dict_reserve(d)) < 0)
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

/* ---- readers ----------------------------------------------------------- */

/* A NULL value reads as None: the type names say "NULL" so messages show it. */
mp_type mp_typeof(const mp_value *v)
{
    return v ? v->type : MP_T_NONE;
}

const char *mp_type_name(const mp_value *v)
{
    static const char *const names[] = {
        [MP_T_NONE] = "NoneType", [MP_T_BOOL] = "bool", [MP_T_INT] = "int",
        [MP_T_FLOAT] = "float", [MP_T_STR] = "str", [MP_T_BYTES] = "bytes",
        [MP_T_TUPLE] = "tuple", [MP_T_LIST] = "list", [MP_T_DICT] = "dict",
    };
    if (v && v->type == MP_T_OBJECT)
        return ((const mp__object *)v)->cls->name;
    return v ? names[v->type] : "NULL";
}

size_t mp_len(const mp_value *v)
{
    switch (mp_typeof(v)) {
    case MP_T_STR: return CAS(vstr, v)->ncp;
    case MP_T_BYTES: return CAS(vbytes, v)->len;
    case MP_T_TUPLE: return CAS(vtuple, v)->n;
    case MP_T_LIST: return CAS(vlist, v)->len;
    case MP_T_DICT: return CAS(vdict, v)->len;
    default: return 0;
    }
}

/* Out of range records IndexError with Python's wording; the caller sees NULL. */
mp_value *mp_item(const mp_value *seq, size_t i)
{
    mp_type t = mp_typeof(seq);
    if (t != MP_T_TUPLE && t != MP_T_LIST) {
        mp__fail(MP_ETYPE, "'%s' object is not a tuple or list", mp_type_name(seq));
        return NULL;
    }
    if (i >= mp_len(seq)) {
        mp__fail(MP_EINDEX, "%s index out of range", mp_type_name(seq));
        return NULL;
    }
    return t == MP_T_TUPLE ? CAS(vtuple, seq)->items[i] : CAS(vlist, seq)->items[i];
}

/* A missing key is not recorded as an error: lookups that miss are ordinary.
 * An unhashable key records TypeError, as d[[]] raises in Python. */
mp_value *mp_dict_get(const mp_value *dict, const mp_value *key)
{
    uint64_t hash;
    if (mp_typeof(dict) != MP_T_DICT || !key || hash_value(key, &hash, 0) < 0)
        return NULL;
    return lookup(CAS(vdict, dict), key, hash, 0);
}

int mp_dict_entry(const mp_value *dict, size_t i, mp_value **key, mp_value **val)
{
    if (mp_typeof(dict) != MP_T_DICT)
        return mp__fail(MP_ETYPE, "expected a dict, got '%s'", mp_type_name(dict));
    const vdict *d = CAS(vdict, dict);
    if (i >= d->len)
        return mp__fail(MP_EINDEX, "dict entry index out of range");
    if (key)
        *key = d->entries[i].key;
    if (val)
        *val = d->entries[i].val;
    return 0;
}

bool mp_as_bool(const mp_value *v)
{
    switch (mp_typeof(v)) {
    case MP_T_BOOL:
    case MP_T_INT: return mp_as_int(v) != 0;
    case MP_T_FLOAT: return CAS(vfloat, v)->d != 0.0;   /* nan is true */
    case MP_T_NONE: return false;
    case MP_T_OBJECT: return true;
    default: return mp_len(v) != 0;
    }
}

int64_t mp_as_int(const mp_value *v)
{
    if (mp_typeof(v) == MP_T_INT)
        return CAS(vint, v)->i;
    if (mp_typeof(v) == MP_T_BOOL)
        return CAS(vbool, v)->b;
    return 0;
}

double mp_as_float(const mp_value *v)
{
    if (mp_typeof(v) == MP_T_FLOAT)
        return CAS(vfloat, v)->d;
    return (double)mp_as_int(v);
}

const char *mp_as_str(const mp_value *v)
{
    return mp_typeof(v) == MP_T_STR ? CAS(vstr, v)->s : NULL;
}

const char *mp__str_utf8(const mp_value *v, size_t *len)
{
    if (mp_typeof(v) != MP_T_STR)
        return NULL;
    if (len)
        *len = CAS(vstr, v)->len;
    return CAS(vstr, v)->s;
}

const uint8_t *mp_as_bytes(const mp_value *v, size_t *len)
{
    bool ok = mp_typeof(v) == MP_T_BYTES;
    if (len)
        *len = ok ? CAS(vbytes, v)->len : 0;
    return ok ? CAS(vbytes, v)->b : NULL;
}

/* ---- building from C arguments ----------------------------------------- */

mp_arg mp__arg_cstr(const char *s) { return (mp_arg){.kind = MP__A_CSTR, .u.s = s}; }
mp_arg mp__arg_value(const mp_value *v) { return (mp_arg){.kind = MP__A_VALUE, .u.v = (mp_value *)v}; }
mp_arg mp__arg_process(const void *p) { return (mp_arg){.kind = MP__A_PROCESS, .u.p = p}; }
mp_arg mp__arg_bool(bool b) { return (mp_arg){.kind = MP__A_BOOL, .u.b = b}; }
mp_arg mp__arg_int(long long i) { return (mp_arg){.kind = MP__A_INT, .u.i = i}; }
mp_arg mp__arg_uint(unsigned long long u) { return (mp_arg){.kind = MP__A_UINT, .u.u = u}; }
mp_arg mp__arg_float(double d) { return (mp_arg){.kind = MP__A_FLOAT, .u.d = d}; }
mp_arg mp__arg_object(const void *o) { return (mp_arg){.kind = MP__A_OBJECT, .u.v = (mp_value *)o}; }

/* A NULL C string stands for None, as mp_print shows it. */
mp_value *mp_value_from_arg(mp_arg a)
{
    switch (a.kind) {
    case MP__A_CSTR:
        return a.u.s ? mp_str(a.u.s) : mp_none();
    case MP__A_VALUE:
        return a.u.v;
    case MP__A_OBJECT:
        /* Borrowed: a connection or queue stays the caller's (see mp.h). */
        if (!a.u.v)
            mp__fail(MP_EVALUE, "NULL connection or queue given as a value");
        return mp_incref(a.u.v);
    case MP__A_PROCESS:
        /* CPython's words when a Process meets pickle. */
        mp__fail(MP_ETYPE, "Pickling an AuthenticationString object is disallowed "
                 "for security reasons");
        return NULL;
    case MP__A_BOOL:
        return mp_bool(a.u.b);
    case MP__A_INT:
        return mp_int(a.u.i);
    case MP__A_UINT:
        if (a.u.u > INT64_MAX) {
            mp__fail(MP_EOVERFLOW, "int too large to convert to int64_t: %llu",
                     (unsigned long long)a.u.u);
            return NULL;
        }
        return mp_int((int64_t)a.u.u);
    case MP__A_FLOAT:
        return mp_float(a.u.d);
    }
    mp__fail(MP_ETYPE, "unknown argument kind %d", (int)a.kind);
    return NULL;
}

/* Release the mp_value arguments a failed builder did not get to. */
static void release_args(const mp_arg *args, size_t from, size_t n)
{
    for (size_t i = from; i < n; i++)
        if (args[i].kind == MP__A_VALUE)
            mp_decref(args[i].u.v);
}

mp_value *mp__tuple_of(size_t n, const mp_arg *args)
{
    mp_value *t = mp_tuple_new(n);
    for (size_t i = 0; i < n; i++) {
        mp_value *item = t ? mp_value_from_arg(args[i]) : NULL;
        if (!item) {
            mp_decref(t);
            release_args(args, t ? i + 1 : i, n);
            return NULL;
        }
        AS(vtuple, t)->items[i] = item;     /* replaces an immortal None */
    }
    return t;
}

mp_value *mp__list_of(size_t n, const mp_arg *args)
{
    mp_value *l = mp_list_new();
    if (l && list_reserve(AS(vlist, l), n) < 0) {
        mp_decref(l);
        l = NULL;
    }
    for (size_t i = 0; i < n; i++) {
        mp_value *item = l ? mp_value_from_arg(args[i]) : NULL;
        if (!item) {
            mp_decref(l);
            release_args(args, l ? i + 1 : i, n);
            return NULL;
        }
        mp_list_append(l, item);            /* cannot fail: room was reserved */
    }
    return l;
}

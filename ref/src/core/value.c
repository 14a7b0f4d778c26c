/* value.c - values, the C analog of picklable objects: constructors and reference counts. */
#include "value_internal.h"

#include <stdlib.h>
#include <string.h>

static mp_value none_v = {.type = MP_T_NONE, .immortal = true};
static vbool true_v = {{.type = MP_T_BOOL, .immortal = true}, true};
static vbool false_v = {{.type = MP_T_BOOL, .immortal = true}, false};

static mp_value *nomem(void)
{
    mp__fail(MP_ENOMEM, "%s", "");
    return NULL;
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

/* The count is the one field a reader that only lends a value may still
 * change: a new reference is a new owner, not a change to the value. */
mp_value *mp_incref(const mp_value *v)
{
    mp_value *w = (mp_value *)v;
    if (w && !w->immortal)
        __atomic_fetch_add(&w->refs, 1, __ATOMIC_RELAXED);
    return w;
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

/* shared.c - sharedctypes.py: RawValue, RawArray, Value, Array, copy and synchronized; the raw ctypes object in a heap block and the Synchronized wrapper around it with its lock. */
#include "sharedctypes.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

/* A raw object owns a heap block; a wrapper holds the raw object and a
 * lock, as CPython's SynchronizedBase holds _obj and _lock. */
struct mp_shared {
    mp__object ob;
    const mp_ctype *type;       /* the element type */
    ptrdiff_t length;           /* an array's; -1 for a single value */
    mp__block blk;              /* raw: the memory */
    void *addr;
    mp_shared *obj;             /* wrapper: the raw object (a reference) */
    mp_lock *lock;              /* wrapper: its lock (a reference) */
};

static const mp_class raw_class, sync_class, sync_array_class, sync_string_class, sync_struct_class;

static bool is_wrapper(const mp_shared *s)
{
    return s->obj != NULL;
}

static const mp_shared *raw_of(const mp_shared *s)
{
    return is_wrapper(s) ? s->obj : s;
}

static size_t nbytes(const mp_shared *s)
{
    return s->type->size * (size_t)(s->length < 0 ? 1 : s->length);
}

/* type(obj).__name__, as attribute errors and assert_spawning name it:
 * "c_int", "c_int_Array_3", "Point", "Synchronized", "SynchronizedPoint". */
static void type_name(const mp_shared *s, char *buf, size_t cap)
{
    if (!is_wrapper(s))
        mp__ctype_name(s->type, s->length, buf, cap);
    else if (s->ob.cls == &sync_struct_class)
        snprintf(buf, cap, "Synchronized%s", s->type->name);
    else
        snprintf(buf, cap, "%s", s->ob.cls->name);
}

static int no_attr(const mp_shared *s, const char *attr)
{
    char name[128];
    type_name(s, name, sizeof name);
    return mp__fail(MP_EATTR, "'%s' object has no attribute '%s'", name, attr);
}

/* ---- the lock around one access -------------------------------------------- */

/* A holder that died leaves the data maybe half written: the access is
 * not made, the lock is let go again and the death reported. */
static int lock(const mp_shared *s)
{
    if (!is_wrapper(s))
        return 0;
    int rc = mp_lock_acquire(s->lock);
    if (rc == MP_EOWNERDEAD)
        mp_lock_release(s->lock);
    return rc < 0 ? rc : 0;
}

static void unlock(const mp_shared *s)
{
    if (is_wrapper(s))
        mp_lock_release(s->lock);
}

/* ---- the object ------------------------------------------------------------ */

static void finalize(mp__object *o)
{
    mp_shared *s = (mp_shared *)o;
    mp__heap_free(&s->blk);
    mp_shared_free(s->obj);
    mp_lock_free(s->lock);
}

/* A raw object goes to a spawn or forkserver child as its type (the
 * typecode, or a registered Structure's module and name), its length and
 * its block: (type, module, length, arena descriptor, offset, size). */
static mp_value *reduce_raw(mp__object *o)
{
    mp_shared *s = (mp_shared *)o;
    char name[128];
    type_name(s, name, sizeof name);
    if (mp__assert_spawning(name) < 0)
        return NULL;
    const mp_ctype *t = s->type;
    if (!t->code && mp__ctype_lookup(t->module ? t->module : "__main__", t->name) != t) {
        mp__fail(MP_EPICKLE, "Can't pickle <class '%s'>: it is not registered with MP_CTYPE", t->name);
        return NULL;
    }
    int i = mp__reduce_fd(o, mp__heap_fd(&s->blk));
    if (i < 0)
        return NULL;
    char code[2] = {t->code, 0};
    return mp_tuple_of(t->code ? code : t->name, t->module ? t->module : "__main__",
                       (long long)s->length, i, (unsigned long long)s->blk.at,
                       (unsigned long long)s->blk.len);
}

static mp__object *rebuild_raw(const mp_value *st)
{
    if (mp_typeof(st) != MP_T_TUPLE || mp_len(st) != 6 || mp_typeof(mp_item(st, 0)) != MP_T_STR ||
        mp_typeof(mp_item(st, 1)) != MP_T_STR) {
        mp__fail(MP_EUNPICKLE, "bad state for a shared ctypes object");
        return NULL;
    }
    for (size_t i = 2; i < 6; i++)
        if (mp_typeof(mp_item(st, i)) != MP_T_INT) {
            mp__fail(MP_EUNPICKLE, "bad state for a shared ctypes object");
            return NULL;
        }
    const char *tn = mp_as_str(mp_item(st, 0));
    const mp_ctype *t = strlen(tn) == 1 ? mp__ctype_of_code(tn[0])
                                         : mp__ctype_lookup(mp_as_str(mp_item(st, 1)), tn);
    if (!t) {
        mp__fail(MP_EUNPICKLE, "Can't get attribute '%s' on <module '%s'>", tn,
                 mp_as_str(mp_item(st, 1)));
        return NULL;
    }
    int64_t length = mp_as_int(mp_item(st, 2)), at = mp_as_int(mp_item(st, 4)),
            len = mp_as_int(mp_item(st, 5));
    size_t want = t->size * (size_t)(length < 0 ? 1 : length);
    if (length < -1 || at < 0 || len < 0 || (size_t)len < want) {
        mp__fail(MP_EUNPICKLE, "bad state for a shared ctypes object");
        return NULL;
    }
    int fd = mp__rebuild_fd(mp_as_int(mp_item(st, 3)));
    if (fd < 0)
        return NULL;
    mp_shared *s = (mp_shared *)mp__object_alloc(&raw_class);
    if (!s) {
        close(fd);
        return NULL;
    }
    s->type = t;
    s->length = (ptrdiff_t)length;
    if (mp__heap_attach(fd, (size_t)at, (size_t)len, &s->blk, &s->addr) < 0) {
        mp_decref(&s->ob.h);
        return NULL;
    }
    return &s->ob;
}

/* A wrapper: synchronized(obj, lock), after assert_spawning(self), as
 * CPython's __reduce__ (so the error names the wrapper, not its object). */
static mp_value *reduce_wrapper(mp__object *o)
{
    mp_shared *s = (mp_shared *)o;
    char name[128];
    type_name(s, name, sizeof name);
    if (mp__assert_spawning(name) < 0)
        return NULL;
    return mp_tuple_of(s->obj, s->lock);
}

static mp__object *rebuild_wrapper(const mp_value *st)
{
    mp_shared *obj = mp_as_shared(mp_item(st, 0));
    mp_lock *l = mp_as_lock(mp_item(st, 1));
    if (mp_typeof(st) != MP_T_TUPLE || mp_len(st) != 2 || !obj || !l || is_wrapper(obj)) {
        mp__fail(MP_EUNPICKLE, "bad state for a Synchronized object");
        return NULL;
    }
    mp_shared *w = mp_shared_synchronized(obj, l);
    return w ? &w->ob : NULL;
}

/* "c_int(3)", "<multiprocessing.sharedctypes.c_int_Array_10 object at
 * 0x...>", "<__main__.Point object at 0x...>", and a wrapper's "<Name
 * wrapper for ...>" around its object's. */
static bool repr_raw(const mp_shared *s, mp__buf *b)
{
    if (s->length < 0 && s->type->code)
        return mp__ctype_repr(s->type, s->addr, b);
    char name[128];
    mp__ctype_name(s->type, s->length, name, sizeof name);
    const char *module = s->length >= 0 ? "multiprocessing.sharedctypes"
                         : s->type->module ? s->type->module : "__main__";
    mp__buf_printf(b, "<%s.%s object at %p>", module, name, (const void *)s);
    return true;
}

static bool repr(const mp__object *o, mp__buf *b)
{
    const mp_shared *s = (const mp_shared *)o;
    if (!is_wrapper(s))
        return repr_raw(s, b);
    char name[128];
    type_name(s, name, sizeof name);
    mp__buf_printf(b, "<%s wrapper for ", name);
    if (!repr_raw(s->obj, b))
        return false;
    mp__buf_puts(b, ">");
    return true;
}

static bool repr_object(const mp__object *o, mp__buf *b) { return repr(o, b); }

#define MODULE "multiprocessing.sharedctypes"
static const mp__native raw_native = {.size = sizeof(mp_shared), .finalize = finalize,
    .reduce = reduce_raw, .rebuild = rebuild_raw, .repr = repr_object};
static const mp__native wrap_native = {.size = sizeof(mp_shared), .finalize = finalize,
    .reduce = reduce_wrapper, .rebuild = rebuild_wrapper, .repr = repr_object};
/* Every raw object is one class, after ctypes' base class: its real name
 * (c_int_Array_3) depends on its type and length, and shows in its repr
 * and errors. */
static const mp_class raw_class = {.name = "_CData", .module = "_ctypes", .native = &raw_native};
static const mp_class sync_class = {.name = "Synchronized", .module = MODULE, .native = &wrap_native};
static const mp_class sync_array_class = {.name = "SynchronizedArray", .module = MODULE,
                                          .native = &wrap_native};
static const mp_class sync_string_class = {.name = "SynchronizedString", .module = MODULE,
                                           .native = &wrap_native};
static const mp_class sync_struct_class = {.name = "SynchronizedBase", .module = MODULE,
                                           .native = &wrap_native};
MP_CLASS(raw_class);
MP_CLASS(sync_class);
MP_CLASS(sync_array_class);
MP_CLASS(sync_string_class);
MP_CLASS(sync_struct_class);

/* ---- constructors ------------------------------------------------------------ */

static mp_shared *raw_new(const mp_ctype *t, ptrdiff_t length)
{
    mp_shared *s = (mp_shared *)mp__object_alloc(&raw_class);
    if (!s)
        return NULL;
    s->type = t;
    s->length = length;
    if (mp__heap_malloc(nbytes(s), &s->blk, &s->addr) < 0) {
        mp_decref(&s->ob.h);
        return NULL;
    }
    return s;
}

mp_shared *mp_raw_value_new(const mp_ctype *type, mp_value *args)
{
    if (!type) {
        mp_decref(args);
        return NULL;
    }
    size_t n = args ? mp_len(args) : 0;
    if (args && mp_typeof(args) != MP_T_TUPLE) {
        mp__fail(MP_ETYPE, "args must be a tuple, not %s", mp_type_name(args));
        mp_decref(args);
        return NULL;
    }
    mp_shared *s = raw_new(type, -1);
    int rc = s ? 0 : mp_errcode();
    if (s && type->code && n > 1)
        rc = mp__fail(MP_ETYPE, "__init__ expected at most 1 argument, got %zu", n);
    else if (s && type->code && n == 1)
        rc = mp__ctype_store(type, s->addr, mp_item(args, 0));
    else if (s && !type->code && n > 0)
        rc = mp__ctype_store(type, s->addr, args);
    mp_decref(args);
    if (rc < 0) {
        if (s)
            mp_decref(&s->ob.h);
        return NULL;
    }
    return s;
}

/* The items of an initializer, one by one: a list or tuple's, a bytes'
 * (as ints, which 'c' takes) or a str's (one-character strs, for 'u'). */
static mp_value *init_item(const mp_value *init, size_t i)
{
    switch (mp_typeof(init)) {
    case MP_T_BYTES:
        return mp_int(mp_as_bytes(init, NULL)[i]);
    case MP_T_STR: {
        size_t len;
        const unsigned char *u = (const unsigned char *)mp__str_utf8(init, &len);
        size_t at = 0;
        for (size_t k = 0; k < i; k++)
            for (at++; at < len && (u[at] & 0xc0) == 0x80; at++)
                ;
        size_t end = at + 1;
        while (end < len && (u[end] & 0xc0) == 0x80)
            end++;
        return mp_str_n((const char *)u + at, end - at);
    }
    default:
        return mp_incref(mp_item(init, i));
    }
}

static bool is_sequence(const mp_value *v)
{
    mp_type t = mp_typeof(v);
    return t == MP_T_LIST || t == MP_T_TUPLE || t == MP_T_BYTES || t == MP_T_STR;
}

mp_shared *mp_raw_array_new(const mp_ctype *type, mp_value *init)
{
    if (!type || !init) {
        mp_decref(init);
        if (type)
            mp__null_value();
        return NULL;
    }
    mp_type it = mp_typeof(init);
    if (it == MP_T_INT || it == MP_T_BOOL) {
        int64_t n = mp_as_int(init);
        mp_decref(init);
        if (n < 0) {
            mp__fail(MP_EVALUE, "Array length must be >= 0, not %lld", (long long)n);
            return NULL;
        }
        return raw_new(type, (ptrdiff_t)n);
    }
    if (!is_sequence(init)) {
        mp__fail(MP_ETYPE, "object of type '%s' has no len()", mp_type_name(init));
        mp_decref(init);
        return NULL;
    }
    size_t n = mp_len(init);
    mp_shared *s = raw_new(type, (ptrdiff_t)n);
    int rc = s ? 0 : mp_errcode();
    for (size_t i = 0; s && rc == 0 && i < n; i++) {
        mp_value *item = init_item(init, i);
        rc = item ? mp__ctype_store(type, (char *)s->addr + i * type->size, item) : mp_errcode();
        mp_decref(item);
    }
    mp_decref(init);
    if (rc < 0) {
        if (s)
            mp_decref(&s->ob.h);
        return NULL;
    }
    return s;
}

mp_shared *mp_shared_synchronized(mp_shared *obj, mp_lock *l)
{
    if (!obj) {
        mp__fail(MP_ETYPE, "expected a shared ctypes object, got NULL");
        return NULL;
    }
    if (is_wrapper(obj)) {
        mp__fail(MP_EASSERT, "object already synchronized");
        return NULL;
    }
    const mp_class *cls = !obj->type->code ? (obj->length < 0 ? &sync_struct_class : &sync_array_class)
                          : obj->length < 0 ? &sync_class
                          : obj->type->code == 'c' ? &sync_string_class : &sync_array_class;
    mp_shared *w = (mp_shared *)mp__object_alloc(cls);
    if (!w)
        return NULL;
    w->lock = l ? (mp_lock *)mp_incref((const mp_value *)(const void *)l) : mp_rlock_new();
    if (!w->lock) {
        mp_decref(&w->ob.h);
        return NULL;
    }
    w->obj = (mp_shared *)mp_incref(&obj->ob.h);
    w->type = obj->type;
    w->length = obj->length;
    w->addr = obj->addr;
    return w;
}

/* Value and Array: the raw object, and, unless lock=False, its wrapper. */
static mp_shared *wrap(mp_shared *raw, const mp_shared_opts *opts)
{
    if (!raw)
        return NULL;
    if (!opts || opts->use_lock || opts->lock != MP_NO) {
        mp_shared *w = mp_shared_synchronized(raw, opts ? opts->use_lock : NULL);
        mp_shared_free(raw);
        return w;
    }
    return raw;
}

mp_shared *mp_shared_value_new(const mp_ctype *type, mp_value *args, const mp_shared_opts *opts)
{
    return wrap(mp_raw_value_new(type, args), opts);
}

mp_shared *mp_shared_array_new(const mp_ctype *type, mp_value *init, const mp_shared_opts *opts)
{
    return wrap(mp_raw_array_new(type, init), opts);
}

mp_shared *mp_context_value(mp_context *ctx, const mp_ctype *type, mp_value *args, const mp_shared_opts *opts)
{
    (void)ctx;
    return mp_shared_value_new(type, args, opts);
}

mp_shared *mp_context_array(mp_context *ctx, const mp_ctype *type, mp_value *init, const mp_shared_opts *opts)
{
    (void)ctx;
    return mp_shared_array_new(type, init, opts);
}

mp_shared *mp_context_raw_value(mp_context *ctx, const mp_ctype *type, mp_value *args)
{
    (void)ctx;
    return mp_raw_value_new(type, args);
}

mp_shared *mp_context_raw_array(mp_context *ctx, const mp_ctype *type, mp_value *init)
{
    (void)ctx;
    return mp_raw_array_new(type, init);
}

mp_shared *mp_shared_copy(const mp_shared *obj)
{
    if (!obj || is_wrapper(obj)) {
        mp__fail(MP_ETYPE, "this type has no size");
        return NULL;
    }
    mp_shared *s = raw_new(obj->type, obj->length);
    if (s)
        memcpy(s->addr, obj->addr, nbytes(obj));
    return s;
}

void mp_shared_free(mp_shared *s)
{
    if (s)
        mp_decref(&s->ob.h);
}

mp_shared *mp_as_shared(const mp_value *v)
{
    const mp_class *c = mp_class_of(v);
    return c == &raw_class || c == &sync_class || c == &sync_array_class || c == &sync_string_class ||
                   c == &sync_struct_class
               ? (mp_shared *)v
               : NULL;
}

/* ---- accessors ----------------------------------------------------------------- */

mp_lock *mp_shared_get_lock(const mp_shared *s)
{
    if (!s || !is_wrapper(s)) {
        if (s)
            no_attr(s, "get_lock");
        else
            mp__fail(MP_ETYPE, "expected a shared ctypes object, got NULL");
        return NULL;
    }
    return s->lock;
}

mp_shared *mp_shared_get_obj(const mp_shared *s)
{
    if (!s || !is_wrapper(s)) {
        if (s)
            no_attr(s, "get_obj");
        else
            mp__fail(MP_ETYPE, "expected a shared ctypes object, got NULL");
        return NULL;
    }
    return s->obj;
}

void *mp_shared_ptr(const mp_shared *s)
{
    return s ? s->addr : NULL;
}

ptrdiff_t mp_shared_len(const mp_shared *s)
{
    if (!s)
        return mp__fail(MP_ETYPE, "expected a shared ctypes object, got NULL");
    if (s->length < 0) {
        char name[128];
        type_name(s, name, sizeof name);
        return mp__fail(MP_ETYPE, "object of type '%s' has no len()", name);
    }
    return s->length;
}

/* Which attribute a shared object has: .value on a simple value, a 'c'
 * array (raw or SynchronizedString) and a raw 'u' array; .raw on 'c'
 * arrays only. */
static bool has_value(const mp_shared *s)
{
    if (s->length < 0)
        return s->type->code != 0;
    return s->type->code == 'c' || (s->type->code == 'u' && !is_wrapper(s));
}

int mp_shared_get(const mp_shared *s, mp_value **out)
{
    *out = NULL;
    if (!s)
        return mp__fail(MP_ETYPE, "expected a shared ctypes object, got NULL");
    if (!has_value(s))
        return no_attr(s, "value");
    int rc = lock(s);
    if (rc < 0)
        return rc;
    if (s->length < 0) {
        *out = mp__ctype_load(s->type, s->addr);
    } else if (s->type->code == 'c') {
        *out = mp_bytes(s->addr, strnlen(s->addr, (size_t)s->length));
    } else {
        const wchar_t *w = s->addr;
        size_t n = 0;
        while (n < (size_t)s->length && w[n])
            n++;
        mp_shared_slice(raw_of(s), 0, (ptrdiff_t)n, MP_ALL, out);
    }
    unlock(s);
    return *out ? 0 : mp_errcode();
}

static int set_bytes(const mp_shared *s, mp_value *v, bool raw)
{
    if (mp_typeof(v) != MP_T_BYTES)
        return mp__fail(MP_ETYPE, "bytes expected instead of %s instance", mp_type_name(v));
    size_t len;
    const uint8_t *b = mp_as_bytes(v, &len);
    if (len > (size_t)s->length)
        return mp__fail(MP_EVALUE, "byte string too long");
    memcpy(s->addr, b, len);
    if (!raw && len < (size_t)s->length)
        ((char *)s->addr)[len] = 0;
    return 0;
}

int mp_shared_set(mp_shared *s, mp_value *v)
{
    int rc;
    if (!v)
        rc = mp__null_value();
    else if (!s)
        rc = mp__fail(MP_ETYPE, "expected a shared ctypes object, got NULL");
    else if (!has_value(s))
        rc = no_attr(s, "value");
    else if ((rc = lock(s)) == 0) {
        if (s->length < 0)
            rc = mp__ctype_store(s->type, s->addr, v);
        else if (s->type->code == 'c')
            rc = set_bytes(s, v, false);
        else if (mp_typeof(v) != MP_T_STR)
            rc = mp__fail(MP_ETYPE, "unicode string expected instead of %s instance", mp_type_name(v));
        else if (mp_len(v) > (size_t)s->length)
            rc = mp__fail(MP_EVALUE, "string too long");
        else {
            size_t n = mp_len(v);
            for (size_t i = 0; rc == 0 && i < n; i++) {
                mp_value *c = init_item(v, i);
                rc = c ? mp__ctype_store(s->type, (wchar_t *)s->addr + i, c) : mp_errcode();
                mp_decref(c);
            }
            if (rc == 0 && n < (size_t)s->length)
                ((wchar_t *)s->addr)[n] = 0;
        }
        unlock(s);
    }
    mp_decref(v);
    return rc;
}

int mp_shared_get_raw(const mp_shared *s, mp_value **out)
{
    *out = NULL;
    if (!s)
        return mp__fail(MP_ETYPE, "expected a shared ctypes object, got NULL");
    if (s->length < 0 || s->type->code != 'c')
        return no_attr(s, "raw");
    int rc = lock(s);
    if (rc < 0)
        return rc;
    *out = mp_bytes(s->addr, (size_t)s->length);
    unlock(s);
    return *out ? 0 : mp_errcode();
}

int mp_shared_set_raw(mp_shared *s, mp_value *v)
{
    int rc;
    if (!v)
        rc = mp__null_value();
    else if (!s)
        rc = mp__fail(MP_ETYPE, "expected a shared ctypes object, got NULL");
    else if (s->length < 0 || s->type->code != 'c')
        rc = no_attr(s, "raw");
    else if ((rc = lock(s)) == 0) {
        rc = set_bytes(s, v, true);
        unlock(s);
    }
    mp_decref(v);
    return rc;
}

static const mp_cfield *field_of(const mp_shared *s, const char *name)
{
    return s->length < 0 && !s->type->code && name ? mp__ctype_field(s->type, name) : NULL;
}

int mp_shared_getattr(const mp_shared *s, const char *field, mp_value **out)
{
    *out = NULL;
    if (!s)
        return mp__fail(MP_ETYPE, "expected a shared ctypes object, got NULL");
    const mp_cfield *f = field_of(s, field);
    if (!f)
        return no_attr(s, field ? field : "");
    int rc = lock(s);
    if (rc < 0)
        return rc;
    *out = mp__ctype_load(f->type, (char *)s->addr + f->offset);
    unlock(s);
    return *out ? 0 : mp_errcode();
}

int mp_shared_setattr(mp_shared *s, const char *field, mp_value *v)
{
    int rc;
    const mp_cfield *f = s ? field_of(s, field) : NULL;
    if (!v)
        rc = mp__null_value();
    else if (!s)
        rc = mp__fail(MP_ETYPE, "expected a shared ctypes object, got NULL");
    else if (!f)
        rc = no_attr(s, field ? field : "");
    else if ((rc = lock(s)) == 0) {
        rc = mp__ctype_store(f->type, (char *)s->addr + f->offset, v);
        unlock(s);
    }
    mp_decref(v);
    return rc;
}

/* ---- items and slices ------------------------------------------------------------ */

static int subscriptable(const mp_shared *s)
{
    if (!s)
        return mp__fail(MP_ETYPE, "expected a shared ctypes object, got NULL");
    if (s->length < 0) {
        char name[128];
        type_name(s, name, sizeof name);
        return mp__fail(MP_ETYPE, "'%s' object is not subscriptable", name);
    }
    return 0;
}

static int index_of(const mp_shared *s, ptrdiff_t *i)
{
    int rc = subscriptable(s);
    if (rc < 0)
        return rc;
    if (*i < 0)
        *i += s->length;
    if (*i < 0 || *i >= s->length)
        return mp__fail(MP_EINDEX, "invalid index");
    return 0;
}

int mp_shared_item(const mp_shared *s, ptrdiff_t i, mp_value **out)
{
    *out = NULL;
    int rc = index_of(s, &i);
    if (rc < 0 || (rc = lock(s)) < 0)
        return rc;
    *out = mp__ctype_load(s->type, (char *)s->addr + (size_t)i * s->type->size);
    unlock(s);
    return *out ? 0 : mp_errcode();
}

int mp_shared_set_item(mp_shared *s, ptrdiff_t i, mp_value *v)
{
    int rc = v ? index_of(s, &i) : mp__null_value();
    if (rc == 0 && (rc = lock(s)) == 0) {
        rc = mp__ctype_store(s->type, (char *)s->addr + (size_t)i * s->type->size, v);
        unlock(s);
    }
    mp_decref(v);
    return rc;
}

/* slice.indices(length): the first index, the step and how many. */
static int slice_of(const mp_shared *s, ptrdiff_t start, ptrdiff_t stop, ptrdiff_t step,
                    ptrdiff_t *first, ptrdiff_t *count, ptrdiff_t *stepp)
{
    int rc = subscriptable(s);
    if (rc < 0)
        return rc;
    if (step == 0)
        return mp__fail(MP_EVALUE, "slice step cannot be zero");
    ptrdiff_t n = s->length, st = step == MP_ALL ? 1 : step;
    ptrdiff_t lo = st < 0 ? -1 : 0, hi = st < 0 ? n - 1 : n;
    ptrdiff_t a = start == MP_ALL ? (st < 0 ? hi : lo) : start;
    ptrdiff_t b = stop == MP_ALL ? (st < 0 ? lo : hi) : stop;
    if (start != MP_ALL)
        a = a < 0 ? (a + n < lo ? lo : a + n) : a > hi ? hi : a;
    if (stop != MP_ALL)
        b = b < 0 ? (b + n < lo ? lo : b + n) : b > hi ? hi : b;
    *first = a;
    *count = st > 0 ? (b > a ? (b - a - 1) / st + 1 : 0) : (a > b ? (a - b - 1) / -st + 1 : 0);
    *stepp = st;
    return 0;
}

int mp_shared_slice(const mp_shared *s, ptrdiff_t start, ptrdiff_t stop, ptrdiff_t step, mp_value **out)
{
    *out = NULL;
    ptrdiff_t first, count, st;
    int rc = slice_of(s, start, stop, step, &first, &count, &st);
    if (rc < 0 || (rc = lock(s)) < 0)
        return rc;
    const char *base = s->addr;
    size_t sz = s->type->size;
    if (s->type->code == 'c') {
        uint8_t *d;
        *out = mp__bytes_uninit((size_t)count, &d);
        for (ptrdiff_t k = 0; *out && k < count; k++)
            d[k] = (uint8_t)base[first + k * st];
    } else {
        mp_value *l = mp_list_new();
        for (ptrdiff_t k = 0; l && k < count; k++)
            if (mp_list_append(l, mp__ctype_load(s->type, base + (size_t)(first + k * st) * sz)) < 0) {
                mp_decref(l);
                l = NULL;
            }
        if (l && s->type->code == 'u') {
            /* A 'u' slice is a str: its one-character strs joined. */
            mp__buf b = {0};
            for (size_t k = 0; k < mp_len(l); k++)
                mp__buf_str(&b, mp_item(l, k));
            char *txt = mp__buf_finish(&b);
            mp_decref(l);
            l = txt ? mp_str(txt) : NULL;
            if (!txt)
                mp__fail(MP_ENOMEM, "out of memory");
            free(txt);
        }
        *out = l;
    }
    unlock(s);
    return *out ? 0 : mp_errcode();
}

int mp_shared_set_slice(mp_shared *s, ptrdiff_t start, ptrdiff_t stop, ptrdiff_t step, mp_value *v)
{
    if (!v)
        return mp__null_value();
    ptrdiff_t first, count, st;
    int rc = slice_of(s, start, stop, step, &first, &count, &st);
    if (rc < 0) {
        mp_decref(v);
        return rc;
    }
    if (!is_sequence(v) || mp_len(v) != (size_t)count) {
        mp_decref(v);
        return mp__fail(MP_EVALUE, "Can only assign sequence of same size");
    }
    if ((rc = lock(s)) == 0) {
        for (ptrdiff_t k = 0; rc == 0 && k < count; k++) {
            mp_value *item = init_item(v, (size_t)k);
            rc = item ? mp__ctype_store(s->type, (char *)s->addr + (size_t)(first + k * st) * s->type->size,
                                        item)
                      : mp_errcode();
            mp_decref(item);
        }
        unlock(s);
    }
    mp_decref(v);
    return rc;
}

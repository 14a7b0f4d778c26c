/* value_access.c - reading values (types, lengths, items, dict lookups, C scalars) and building tuples and lists from C arguments. */
#include "value_internal.h"

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
const mp_value *mp_item(const mp_value *seq, size_t i)
{
    mp_type t = mp_typeof(seq);
    if (t != MP_T_TUPLE && t != MP_T_LIST) {
        mp__fail(MP_ETYPE, "'%s' object is not subscriptable", mp_type_name(seq));
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
const mp_value *mp_dict_get(const mp_value *dict, const mp_value *key)
{
    uint64_t hash;
    if (mp_typeof(dict) != MP_T_DICT || !key || mp__value_hash(key, &hash, 0) < 0)
        return NULL;
    return mp__dict_lookup(CAS(vdict, dict), key, hash, 0);
}

int mp_dict_entry(const mp_value *dict, size_t i, const mp_value **key, const mp_value **val)
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
mp_arg mp__arg_value(mp_value *v) { return (mp_arg){.kind = MP__A_VALUE, .u.v = v}; }
mp_arg mp__arg_borrowed(const mp_value *v) { return (mp_arg){.kind = MP__A_BORROWED, .u.v = (mp_value *)v}; }
mp_arg mp__arg_process(const void *p) { return (mp_arg){.kind = MP__A_PROCESS, .u.p = p}; }
mp_arg mp__arg_bool(bool b) { return (mp_arg){.kind = MP__A_BOOL, .u.b = b}; }
mp_arg mp__arg_int(long long i) { return (mp_arg){.kind = MP__A_INT, .u.i = i}; }
mp_arg mp__arg_uint(unsigned long long u) { return (mp_arg){.kind = MP__A_UINT, .u.u = u}; }
mp_arg mp__arg_float(double d) { return (mp_arg){.kind = MP__A_FLOAT, .u.d = d}; }
mp_arg mp__arg_object(const void *o) { return (mp_arg){.kind = MP__A_OBJECT, .u.v = (mp_value *)o}; }

/* A NULL C string stands for None, as mp_print shows it. */
int mp__value_from_arg(mp_arg a, mp_value **out)
{
    unsigned long mark = mp__fail_mark();
    *out = NULL;
    switch (a.kind) {
    case MP__A_CSTR:
        *out = a.u.s ? mp_str(a.u.s) : mp_none();
        break;
    case MP__A_VALUE:
        /* NULL here is a constructor that failed (mp.h's ownership rule). */
        if (!a.u.v)
            return mp__null_value();
        *out = a.u.v;
        return 0;
    case MP__A_BORROWED:
        if (!a.u.v)
            return mp__null_value();
        *out = mp_incref(a.u.v);
        return 0;
    case MP__A_OBJECT:
        /* Borrowed: a connection or queue stays the caller's (see mp.h). */
        if (!a.u.v)
            return mp__fail(MP_EVALUE, "NULL connection or queue given as a value");
        *out = mp_incref(a.u.v);
        return 0;
    case MP__A_PROCESS:
        /* CPython's words when a Process meets pickle. */
        return mp__fail(MP_ETYPE, "Pickling an AuthenticationString object is disallowed "
                        "for security reasons");
    case MP__A_BOOL:
        *out = mp_bool(a.u.b);
        break;
    case MP__A_INT:
        *out = mp_int(a.u.i);
        break;
    case MP__A_UINT:
        if (a.u.u > INT64_MAX)
            return mp__fail(MP_EOVERFLOW, "int too large to convert to int64_t: %llu",
                            (unsigned long long)a.u.u);
        *out = mp_int((int64_t)a.u.u);
        break;
    case MP__A_FLOAT:
        *out = mp_float(a.u.d);
        break;
    default:
        return mp__fail(MP_ETYPE, "unknown argument kind %d", (int)a.kind);
    }
    /* The constructors above record their own failure (no memory, a C
     * string that is not UTF-8). */
    return *out ? 0 : mp__fail_since(mark, MP_ENOMEM, "out of memory");
}

mp_value *mp_value_from_arg(mp_arg a)
{
    mp_value *v;
    return mp__value_from_arg(a, &v) < 0 ? NULL : v;
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
        mp_value *item = NULL;
        if (!t || mp__value_from_arg(args[i], &item) < 0) {
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
    if (l && mp__list_reserve(AS(vlist, l), n) < 0) {
        mp_decref(l);
        l = NULL;
    }
    for (size_t i = 0; i < n; i++) {
        mp_value *item = NULL;
        if (!l || mp__value_from_arg(args[i], &item) < 0) {
            mp_decref(l);
            release_args(args, l ? i + 1 : i, n);
            return NULL;
        }
        mp_list_append(l, item);            /* cannot fail: room was reserved */
    }
    return l;
}

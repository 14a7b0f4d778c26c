/* ctype.c - the ctypes types of sharedctypes: the typecodes, registered Structures, and a value's way into and out of C memory with ctypes' conversions and errors. */
#include "sharedctypes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* On LP64 Linux c_longlong is c_long and c_ulonglong c_ulong (ctypes
 * aliases them), so 'q' and 'Q' repr as c_long and c_ulong, as CPython's. */
const mp_ctype mp_c_char = {.name = "c_char", .size = 1, .code = 'c'};
const mp_ctype mp_c_wchar = {.name = "c_wchar", .size = sizeof(wchar_t), .code = 'u'};
const mp_ctype mp_c_byte = {.name = "c_byte", .size = 1, .code = 'b'};
const mp_ctype mp_c_ubyte = {.name = "c_ubyte", .size = 1, .code = 'B'};
const mp_ctype mp_c_short = {.name = "c_short", .size = sizeof(short), .code = 'h'};
const mp_ctype mp_c_ushort = {.name = "c_ushort", .size = sizeof(short), .code = 'H'};
const mp_ctype mp_c_int = {.name = "c_int", .size = sizeof(int), .code = 'i'};
const mp_ctype mp_c_uint = {.name = "c_uint", .size = sizeof(int), .code = 'I'};
const mp_ctype mp_c_long = {.name = "c_long", .size = sizeof(long), .code = 'l'};
const mp_ctype mp_c_ulong = {.name = "c_ulong", .size = sizeof(long), .code = 'L'};
const mp_ctype mp_c_longlong = {.name = sizeof(long) == sizeof(long long) ? "c_long" : "c_longlong",
                                .size = sizeof(long long), .code = 'q'};
const mp_ctype mp_c_ulonglong = {.name = sizeof(long) == sizeof(long long) ? "c_ulong" : "c_ulonglong",
                                 .size = sizeof(long long), .code = 'Q'};
const mp_ctype mp_c_float = {.name = "c_float", .size = sizeof(float), .code = 'f'};
const mp_ctype mp_c_double = {.name = "c_double", .size = sizeof(double), .code = 'd'};

static const mp_ctype *const simple[] = {
    &mp_c_char, &mp_c_wchar, &mp_c_byte, &mp_c_ubyte, &mp_c_short, &mp_c_ushort, &mp_c_int,
    &mp_c_uint, &mp_c_long, &mp_c_ulong, &mp_c_longlong, &mp_c_ulonglong, &mp_c_float, &mp_c_double};

const mp_ctype *mp__ctype_of_code(char code)
{
    for (size_t i = 0; i < sizeof simple / sizeof *simple; i++)
        if (simple[i]->code == code)
            return simple[i];
    return NULL;
}

const mp_ctype *mp_typecode(const char *code)
{
    /* typecode_to_type.get(code, code): an unknown code stays a str, and
     * ctypes.sizeof of a str is this TypeError. */
    const mp_ctype *t = code && code[0] && !code[1] ? mp__ctype_of_code(code[0]) : NULL;
    if (!t)
        mp__fail(MP_ETYPE, "this type has no size");
    return t;
}

/* ---- registered Structures ---------------------------------------------- */

static mp_ctype_reg *registered;

static const char *module_of(const mp_ctype *t)
{
    return t->module ? t->module : "__main__";
}

const mp_ctype *mp__ctype_lookup(const char *module, const char *name)
{
    for (mp_ctype_reg *r = registered; r; r = r->next)
        if (!strcmp(module_of(r->type), module) && !strcmp(r->type->name, name))
            return r->type;
    return NULL;
}

void mp__ctype_register(mp_ctype_reg *r)
{
    const mp_ctype *old = mp__ctype_lookup(module_of(r->type), r->type->name);
    if (old && old != r->type) {
        fprintf(stderr, "forklore: two Structures registered as %s.%s\n", module_of(r->type),
                r->type->name);
        abort();
    }
    if (old)
        return;
    r->next = registered;
    registered = r;
}

void mp__ctype_name(const mp_ctype *t, ptrdiff_t n, char *buf, size_t cap)
{
    if (n < 0)
        snprintf(buf, cap, "%s", t->name);
    else
        snprintf(buf, cap, "%s_Array_%td", t->name, n);
}

const mp_cfield *mp__ctype_field(const mp_ctype *t, const char *name)
{
    for (size_t i = 0; i < t->nfields; i++)
        if (!strcmp(t->fields[i].name, name))
            return &t->fields[i];
    return NULL;
}

/* ---- into C memory -------------------------------------------------------- */

/* One code point of a str of exactly one, or -1. */
static long one_code_point(const mp_value *v)
{
    size_t len;
    const unsigned char *s = (const unsigned char *)mp__str_utf8(v, &len);
    if (mp_len(v) != 1)
        return -1;
    int n = len == 1 ? 0 : len == 2 ? 1 : len == 3 ? 2 : 3;
    long cp = n == 0 ? s[0] : s[0] & (0x3f >> n);
    for (int i = 1; i <= n; i++)
        cp = cp << 6 | (s[i] & 0x3f);
    return cp;
}

static int store_simple(const mp_ctype *t, void *p, const mp_value *v)
{
    mp_type ty = mp_typeof(v);
    switch (t->code) {
    case 'c':
        if (ty == MP_T_BYTES && mp_len(v) == 1)
            *(char *)p = (char)mp_as_bytes(v, NULL)[0];
        else if (ty == MP_T_INT && mp_as_int(v) >= 0 && mp_as_int(v) < 256)
            *(unsigned char *)p = (unsigned char)mp_as_int(v);
        else
            return mp__fail(MP_ETYPE, "one character bytes, bytearray or integer expected");
        return 0;
    case 'u': {
        if (ty != MP_T_STR)
            return mp__fail(MP_ETYPE, "unicode string expected instead of %s instance", mp_type_name(v));
        long cp = one_code_point(v);
        if (cp < 0)
            return mp__fail(MP_ETYPE, "one character unicode string expected");
        *(wchar_t *)p = (wchar_t)cp;
        return 0;
    }
    case 'f':
    case 'd':
        if (ty != MP_T_INT && ty != MP_T_BOOL && ty != MP_T_FLOAT)
            return mp__fail(MP_ETYPE, "must be real number, not %s", mp_type_name(v));
        if (t->code == 'f')
            *(float *)p = (float)mp_as_float(v);
        else
            *(double *)p = mp_as_float(v);
        return 0;
    default:
        break;
    }
    if (ty != MP_T_INT && ty != MP_T_BOOL)
        return mp__fail(MP_ETYPE, "'%s' object cannot be interpreted as an integer", mp_type_name(v));
    /* ctypes keeps the low bits of an int too wide for the type. */
    uint64_t u = (uint64_t)mp_as_int(v);
    switch (t->size) {
    case 1: *(uint8_t *)p = (uint8_t)u; break;
    case 2: *(uint16_t *)p = (uint16_t)u; break;
    case 4: *(uint32_t *)p = (uint32_t)u; break;
    default: *(uint64_t *)p = u; break;
    }
    return 0;
}

int mp__ctype_store(const mp_ctype *t, void *p, const mp_value *v)
{
    if (t->code)
        return store_simple(t, p, v);
    /* A Structure's item: Python builds it from a tuple, as Point(*item). */
    if (mp_typeof(v) != MP_T_TUPLE)
        return mp__fail(MP_ETYPE, "expected %s instance, got %s", t->name, mp_type_name(v));
    if (mp_len(v) > t->nfields)
        return mp__fail(MP_ETYPE, "too many initializers");
    memset(p, 0, t->size);
    for (size_t i = 0; i < mp_len(v); i++) {
        int rc = store_simple(t->fields[i].type, (char *)p + t->fields[i].offset, mp_item(v, i));
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* ---- out of C memory ------------------------------------------------------ */

static mp_value *load_simple(const mp_ctype *t, const void *p)
{
    switch (t->code) {
    case 'c':
        return mp_bytes(p, 1);
    case 'u': {
        char u[8];
        wchar_t w = *(const wchar_t *)p;
        /* Encoded by hand: the C locale's wcrtomb knows only ASCII. */
        unsigned long c = (unsigned long)w;
        size_t n = 0;
        if (c < 0x80) u[n++] = (char)c;
        else if (c < 0x800) { u[n++] = (char)(0xc0 | c >> 6); u[n++] = (char)(0x80 | (c & 0x3f)); }
        else if (c < 0x10000) { u[n++] = (char)(0xe0 | c >> 12); u[n++] = (char)(0x80 | (c >> 6 & 0x3f));
                                u[n++] = (char)(0x80 | (c & 0x3f)); }
        else { u[n++] = (char)(0xf0 | c >> 18); u[n++] = (char)(0x80 | (c >> 12 & 0x3f));
               u[n++] = (char)(0x80 | (c >> 6 & 0x3f)); u[n++] = (char)(0x80 | (c & 0x3f)); }
        return mp_str_n(u, n);
    }
    case 'f': return mp_float(*(const float *)p);
    case 'd': return mp_float(*(const double *)p);
    case 'b': return mp_int(*(const int8_t *)p);
    case 'B': return mp_int(*(const uint8_t *)p);
    case 'h': return mp_int(*(const int16_t *)p);
    case 'H': return mp_int(*(const uint16_t *)p);
    case 'i': return mp_int(*(const int32_t *)p);
    case 'I': return mp_int(*(const uint32_t *)p);
    case 'l': case 'q': return mp_int(*(const int64_t *)p);
    default: {
        uint64_t u = *(const uint64_t *)p;
        if (u > INT64_MAX) {
            mp__fail(MP_EOVERFLOW, "%s value %llu is beyond a 64-bit int", t->name, (unsigned long long)u);
            return NULL;
        }
        return mp_int((int64_t)u);
    }
    }
}

mp_value *mp__ctype_load(const mp_ctype *t, const void *p)
{
    if (t->code)
        return load_simple(t, p);
    mp_value *tup = mp_tuple_new(t->nfields);
    for (size_t i = 0; tup && i < t->nfields; i++) {
        mp_value *f = load_simple(t->fields[i].type, (const char *)p + t->fields[i].offset);
        if (!f || mp_tuple_set(tup, i, f) < 0) {
            mp_decref(tup);
            return NULL;
        }
    }
    return tup;
}

bool mp__ctype_repr(const mp_ctype *t, const void *p, mp__buf *b)
{
    mp_value *v = load_simple(t, p);
    char *r = v ? mp_repr(v) : NULL;
    mp_decref(v);
    if (!r)
        return false;
    mp__buf_printf(b, "%s(%s)", t->name, r);
    free(r);
    return true;
}

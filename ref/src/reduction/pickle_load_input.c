/* pickle_load_input.c - the loader's stack and input: slots pushed and popped, opcode arguments read, and the errors every part reports. */
#include "pickle_load.h"

const char *const mp__load_op_names[256] = {
    [OP_MARK] = "MARK", [OP_STOP] = "STOP", [OP_POP] = "POP", [OP_POP_MARK] = "POP_MARK",
    [OP_DUP] = "DUP", [OP_FLOAT] = "FLOAT", [OP_INT] = "INT", [OP_BININT] = "BININT",
    [OP_BININT1] = "BININT1", [OP_LONG] = "LONG", [OP_BININT2] = "BININT2",
    [OP_NONE] = "NONE", [OP_PERSID] = "PERSID", [OP_BINPERSID] = "BINPERSID",
    [OP_REDUCE] = "REDUCE", [OP_STRING] = "STRING", [OP_BINSTRING] = "BINSTRING",
    [OP_SHORT_BINSTRING] = "SHORT_BINSTRING", [OP_UNICODE] = "UNICODE",
    [OP_BINUNICODE] = "BINUNICODE", [OP_APPEND] = "APPEND", [OP_BUILD] = "BUILD",
    [OP_GLOBAL] = "GLOBAL", [OP_DICT] = "DICT", [OP_EMPTY_DICT] = "EMPTY_DICT",
    [OP_APPENDS] = "APPENDS", [OP_GET] = "GET", [OP_BINGET] = "BINGET", [OP_INST] = "INST",
    [OP_LONG_BINGET] = "LONG_BINGET", [OP_LIST] = "LIST", [OP_EMPTY_LIST] = "EMPTY_LIST",
    [OP_OBJ] = "OBJ", [OP_PUT] = "PUT", [OP_BINPUT] = "BINPUT",
    [OP_LONG_BINPUT] = "LONG_BINPUT", [OP_SETITEM] = "SETITEM", [OP_TUPLE] = "TUPLE",
    [OP_EMPTY_TUPLE] = "EMPTY_TUPLE", [OP_SETITEMS] = "SETITEMS", [OP_BINFLOAT] = "BINFLOAT",
    [OP_PROTO] = "PROTO", [OP_NEWOBJ] = "NEWOBJ", [OP_EXT1] = "EXT1", [OP_EXT2] = "EXT2",
    [OP_EXT4] = "EXT4", [OP_TUPLE1] = "TUPLE1", [OP_TUPLE2] = "TUPLE2",
    [OP_TUPLE3] = "TUPLE3", [OP_NEWTRUE] = "NEWTRUE", [OP_NEWFALSE] = "NEWFALSE",
    [OP_LONG1] = "LONG1", [OP_LONG4] = "LONG4", [OP_BINBYTES] = "BINBYTES",
    [OP_SHORT_BINBYTES] = "SHORT_BINBYTES", [OP_SHORT_BINUNICODE] = "SHORT_BINUNICODE",
    [OP_BINUNICODE8] = "BINUNICODE8", [OP_BINBYTES8] = "BINBYTES8",
    [OP_EMPTY_SET] = "EMPTY_SET", [OP_ADDITEMS] = "ADDITEMS", [OP_FROZENSET] = "FROZENSET",
    [OP_NEWOBJ_EX] = "NEWOBJ_EX", [OP_STACK_GLOBAL] = "STACK_GLOBAL",
    [OP_MEMOIZE] = "MEMOIZE", [OP_FRAME] = "FRAME", [OP_BYTEARRAY8] = "BYTEARRAY8",
    [OP_NEXT_BUFFER] = "NEXT_BUFFER", [OP_READONLY_BUFFER] = "READONLY_BUFFER",
};

int mp__load_bad(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mp__vfail(MP_EUNPICKLE, fmt, ap);
    va_end(ap);
    return MP_EUNPICKLE;
}

int mp__load_nomem(void)
{
    return mp__fail(MP_ENOMEM, "%s", "");
}

int mp__load_too_big(const loader *L, unsigned long long n, const char *what, int op)
{
    return mp__fail(MP_ENOMEM, "%s of %llu %s is larger than max_size (%zu) (opcode %s)",
                    what, n, strcmp(what, "str") && strcmp(what, "bytes") ? "items" : "bytes",
                    L->max_size, mp__load_op_names[op]);
}

/* ---- arrays that start inside the loader ------------------------------- */

/* Room for `want` elements; the array moves to the heap on first growth. */
void *mp__load_grow(void *arr, size_t *cap, size_t size, const void *inl, size_t want)
{
    size_t n = *cap;
    while (n < want) {
        if (n > SIZE_MAX / 2 / size)
            return NULL;
        n *= 2;
    }
    void *p = arr == inl ? malloc(n * size) : realloc(arr, n * size);
    if (!p)
        return NULL;
    if (arr == inl)
        memcpy(p, inl, *cap * size);
    *cap = n;
    return p;
}

/* ---- the stack --------------------------------------------------------- */

size_t mp__load_fence(const loader *L)
{
    return L->nmarks ? L->marks[L->nmarks - 1] : 0;
}

/* CPython's two words for popping what is not there. */
int mp__load_underflow(const loader *L)
{
    return mp__load_bad(L->nmarks ? "unexpected MARK found" : "unpickling stack underflow");
}

/* n slots above the last MARK, or an error. */
int mp__load_need_items(const loader *L, size_t n)
{
    return L->sp - mp__load_fence(L) < n ? mp__load_underflow(L) : 0;
}

/* Push v (stolen) or a global.  NULL v without g: a constructor failed. */
int mp__load_pop_mark(loader *L, size_t *mark)
{
    *mark = 0;
    if (L->nmarks == 0)
        return mp__load_bad("could not find MARK");
    *mark = L->marks[--L->nmarks];
    return 0;
}

void mp__load_drop_slots(loader *L, size_t from)
{
    while (L->sp > from)
        mp_decref(L->stack[--L->sp].v);
}

/* ---- reading the input ------------------------------------------------- */

/* A text argument: the line up to '\n', without it.  CPython calls a line
 * shorter than `min` (the newline not counted) truncated data. */
int mp__load_line(loader *L, const char **s, size_t *n, size_t min)
{
    const uint8_t *nl = memchr(L->p, '\n', (size_t)(L->end - L->p));
    *s = (const char *)L->p;
    *n = 0;
    if (!nl || (size_t)(nl - L->p) < min)
        return mp__load_bad("pickle data was truncated");
    *s = (const char *)L->p;
    *n = (size_t)(nl - L->p);
    L->p = nl + 1;
    return 0;
}

/* A length-prefixed argument of `width` bytes (4 for BINUNICODE...). */
int mp__load_counted(loader *L, int width, const uint8_t **p, uint64_t *n)
{
    int rc = mp__load_arg_le(L, width, n);
    return rc < 0 ? rc : mp__load_take(L, *n, p);
}

int mp__load_push_str(loader *L, const uint8_t *p, uint64_t n, int op)
{
    if (n > L->max_size)
        return mp__load_too_big(L, n, "str", op);
    mp_value *v = mp_str_n((const char *)p, (size_t)n);
    if (!v && strcmp(mp__exc_type(), mp_errname(MP_EVALUE)) == 0) {
        char why[300];
        snprintf(why, sizeof why, "%s", mp_errmsg());
        return mp__load_bad("%s (opcode %s): a str must be valid UTF-8, and lone surrogates "
                            "are not supported", why, mp__load_op_names[op]);
    }
    return mp__load_push(L, v, NULL, 0);
}

int mp__load_push_bytes(loader *L, const uint8_t *p, uint64_t n, int op)
{
    if (n > L->max_size)
        return mp__load_too_big(L, n, "bytes", op);
    return mp__load_push(L, mp_bytes(p, (size_t)n), NULL, 0);
}

/* LONG1 and LONG4: little-endian two's complement of any length, which
 * must fit in 64 bits. */
int mp__load_push_long(loader *L, const uint8_t *p, uint64_t n, int op)
{
    uint64_t x = 0;
    if (n > 8) {
        /* Longer than needed is fine if the extra bytes only repeat the sign. */
        uint8_t ext = (p[n - 1] & 0x80) ? 0xff : 0;
        for (uint64_t i = 8; i < n; i++)
            if (p[i] != ext)
                return mp__fail(MP_EOVERFLOW, "int too large: more than 64 bits (opcode %s)",
                                mp__load_op_names[op]);
        if (((p[7] & 0x80) ? 0xff : 0) != ext)
            return mp__fail(MP_EOVERFLOW, "int too large: more than 64 bits (opcode %s)",
                            mp__load_op_names[op]);
        n = 8;
    }
    if (n > 0) {
        x = mp__load_le(p, (int)n);
        if (n < 8 && (p[n - 1] & 0x80))
            x |= UINT64_MAX << (8 * n);      /* sign-extend */
    }
    return mp__load_push(L, mp_int((int64_t)x), NULL, 0);
}

int mp__load_push_text_result(loader *L, int rc, mp_value *v, int op)
{
    if (rc < 0)
        return rc;
    size_t n = mp_len(v);
    if (n > L->max_size) {
        mp_decref(v);
        return mp__load_too_big(L, n, "str", op);
    }
    return mp__load_push(L, v, NULL, 0);
}

/* GLOBAL and INST name a global on two lines, module then name. */
int mp__load_global_lines(loader *L, int op, const mp__pickle_global **g)
{
    const char *m, *n;
    size_t mlen, nlen;
    int rc;
    if ((rc = mp__load_line(L, &m, &mlen, 1)) < 0 || (rc = mp__load_line(L, &n, &nlen, 1)) < 0)
        return rc;
    *g = mp__load_find_global(m, mlen, n, nlen, op);
    return *g ? 0 : MP_EUNPICKLE;
}

/* test_pickle.c - unit tests of pickle.dumps and pickle.loads (TAP), and the value generator and loader that pickle_check.py drives. */

/*
 * Usage:
 *   test_pickle                 the unit tests, as TAP on stdout; exit 1 if any fail
 *   test_pickle --gen SEED N    N random values from SEED, one line each:
 *                                 ENCODING <TAB> HEX2 <TAB> HEX3 <TAB> HEX4 <TAB> HEX5
 *                               where HEXp is mp_pickle_dumps(value, protocol p) in hex
 *   test_pickle --load          reads one pickle per line, in hex, on stdin, and prints
 *                               for each line either
 *                                 ok <TAB> hex(mp_repr(value))
 *                               or
 *                                 error <TAB> mp_errname(code) <TAB> hex(mp_errmsg())
 *
 * ENCODING is the structural encoding of ref/test/test_values.c, in prefix
 * notation, tokens separated by one space:
 *   N  T  F          None, True, False
 *   i<decimal>       int               f<hex float>  float (C's %a or Python's
 *                                                    float.hex(); also inf, -inf, nan)
 *   s<hex>           str, its UTF-8    b<hex>        bytes
 *   t<n> ...         tuple             l<n> ...      list
 *   d<n> K1 V1 ...   the dict made by n assignments d[K] = V in this order
 * A generated value may hold the same sub-value twice (one object, shared);
 * the encoding then spells it out twice.  pickle_check.py decodes the
 * encoding with plain Python, loads each pickle with pickle.loads and
 * compares; see its header for the rest.
 */
#include "mp.h"
#include "pickle_vectors.h"
#include "tap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Hex to bytes; *len is set.  malloc'd (at least 1 byte), NULL on bad hex. */
static uint8_t *unhex(const char *hex, size_t n, size_t *len)
{
    uint8_t *b = malloc(n / 2 + 1);
    if (!b || n % 2) {
        free(b);
        return NULL;
    }
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(b);
            return NULL;
        }
        b[i] = (uint8_t)(hi << 4 | lo);
    }
    *len = n / 2;
    return b;
}

static void put_hex(FILE *f, const void *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        putc(digits[b[i] >> 4], f);
        putc(digits[b[i] & 15], f);
    }
}

static char *to_hex(const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char *s = malloc(2 * n + 1);
    if (!s)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        s[2 * i] = digits[p[i] >> 4];
        s[2 * i + 1] = digits[p[i] & 15];
    }
    s[2 * n] = '\0';
    return s;
}

/* Build a value from its structural encoding (see the top of the file). */
static mp_value *decode(const char **pos)
{
    const char *t = *pos;
    const char *end = strchr(t, ' ');
    if (!end)
        end = t + strlen(t);
    *pos = *end ? end + 1 : end;
    char tag = t[0];
    const char *arg = t + 1;
    size_t alen = (size_t)(end - arg);
    char num[64];
    snprintf(num, sizeof num, "%.*s", (int)(alen < 63 ? alen : 63), arg);
    switch (tag) {
    case 'N': return mp_none();
    case 'T': return mp_bool(true);
    case 'F': return mp_bool(false);
    case 'i': return mp_int(strtoll(num, NULL, 10));
    case 'f': return mp_float(strtod(num, NULL));
    case 's':
    case 'b': {
        size_t n;
        uint8_t *raw = unhex(arg, alen, &n);
        if (!raw)
            return NULL;
        mp_value *v = tag == 's' ? mp_str_n((const char *)raw, n) : mp_bytes(raw, n);
        free(raw);
        return v;
    }
    case 't': {
        size_t n = strtoul(num, NULL, 10);
        mp_value *v = mp_tuple_new(n);
        for (size_t i = 0; i < n; i++)
            mp_tuple_set(v, i, decode(pos));
        return v;
    }
    case 'l': {
        size_t n = strtoul(num, NULL, 10);
        mp_value *v = mp_list_new();
        for (size_t i = 0; i < n; i++)
            mp_list_append(v, decode(pos));
        return v;
    }
    case 'd': {
        size_t n = strtoul(num, NULL, 10);
        mp_value *v = mp_dict_new();
        for (size_t i = 0; i < n; i++) {
            mp_value *k = decode(pos);
            mp_dict_set(v, k, decode(pos));
        }
        return v;
    }
    default:
        return NULL;
    }
}

static mp_value *from_encoding(const char *enc)
{
    return decode(&enc);
}

/* Load a hex pickle; the code, and the value in *out (NULL on failure). */
static int load_hex(const char *hex, const mp_unpickle_opts *opts, mp_value **out)
{
    size_t n;
    uint8_t *b = unhex(hex, strlen(hex), &n);
    if (!b) {
        *out = NULL;
        return -999;
    }
    int rc = mp_pickle_loads(b, n, opts, out);
    free(b);
    return rc;
}

/* Load raw bytes. */
static int load_raw(const void *p, size_t n, const mp_unpickle_opts *opts, mp_value **out)
{
    return mp_pickle_loads(p, n, opts, out);
}

static char *repr_of(const mp_value *v)
{
    return v ? mp_repr(v) : NULL;
}

/* FNV-1a, to compare big pickles with CPython's without pasting them. */
static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

/* ------------------------------------------------------------------------ */
/* Byte strings recorded from CPython                                       */
/* ------------------------------------------------------------------------ */

/* The tables (dumps_cases, loads_cases, cpython_fail_cases, big_cases) are in
 * pickle_vectors.h, which scripts/gen-pickle-vectors writes by running CPython
 * on the expressions it lists.  big_cases holds only a length and a hash, so
 * its values are built here in C, in the order the script lists them. */

static mp_value *repeat_str(char c, size_t n)
{
    char *s = malloc(n);
    memset(s, c, n);
    mp_value *v = mp_str_n(s, n);
    free(s);
    return v;
}

static mp_value *repeat_bytes(char c, size_t n)
{
    char *s = malloc(n);
    memset(s, c, n);
    mp_value *v = mp_bytes(s, n);
    free(s);
    return v;
}

static mp_value *range_list(int64_t n)
{
    mp_value *l = mp_list_new();
    for (int64_t i = 0; i < n; i++)
        mp_list_append(l, mp_int(i));
    return l;
}

/* The values of big_cases, built in C. */
static mp_value *big_value(size_t k)
{
    switch (k) {
    case 0: return repeat_str('x', 70000);
    case 1: return mp_list_of("a", repeat_str('x', 70000), "b");
    case 2: return range_list(20000);
    case 3: return mp_list_of(repeat_bytes('y', 65536), repeat_bytes('z', 65535));
    case 4: {
        mp_value *d = mp_dict_new();
        for (int i = 0; i < 2500; i++) {
            char s[16];
            snprintf(s, sizeof s, "%d", i);
            mp_dict_set(d, mp_int(i), mp_str(s));
        }
        return d;
    }
    case 5: return range_list(2001);
    default: {
        mp_value *l = mp_list_new();
        for (int i = 0; i < 3000; i++)
            mp_list_append(l, range_list(30));
        return l;
    }
    }
}

/* ------------------------------------------------------------------------ */
/* Tests                                                                    */
/* ------------------------------------------------------------------------ */

/* Every recorded value dumps to CPython's exact bytes, and loads back equal. */
static void test_dumps_exact(void)
{
    int exact = 0, total = 0;
    for (size_t k = 0; k < sizeof dumps_cases / sizeof dumps_cases[0]; k++) {
        const struct dumps_case *c = &dumps_cases[k];
        mp_value *v = from_encoding(c->enc), *back = NULL;
        uint8_t *out = NULL;
        size_t len = 0;
        int rc = mp_pickle_dumps(v, &(mp_pickle_opts){.protocol = c->proto}, &out, &len);
        char *hex = rc == 0 ? to_hex(out, len) : NULL;
        bool same = hex && strcmp(hex, c->hex) == 0;
        total++;
        exact += same;
        if (!same)
            tap_diag("dumps %s protocol %d\n       got: %s\n  expected: %s", c->enc, c->proto,
                     hex ? hex : mp_errmsg(), c->hex);
        rc = rc == 0 ? mp_pickle_loads(out, len, NULL, &back) : rc;
        char *r1 = repr_of(v), *r2 = repr_of(back);
        bool round = rc == 0 && mp_equal(v, back) && r1 && r2 && strcmp(r1, r2) == 0;
        /* nan != nan, so compare a float's repr when == says no */
        if (!round && rc == 0 && r1 && r2 && strcmp(r1, r2) == 0 && strstr(r1, "nan"))
            round = true;
        if (!round)
            tap_diag("round trip of %s protocol %d: %s", c->enc, c->proto, r2 ? r2 : mp_errmsg());
        tap_ok(same && round, "dumps %.40s protocol %d is CPython's bytes and loads back", c->enc,
               c->proto);
        free(r1);
        free(r2);
        free(hex);
        free(out);
        mp_decref(v);
        mp_decref(back);
    }
    tap_diag("%d of %d dumps byte-identical to CPython", exact, total);
}

/* A shared sub-value is written once and fetched with GET, as CPython does:
 * x = [1]; [x, x, (x,)] has the bytes recorded for it in loads_cases. */
static void test_dumps_shared(void)
{
    for (int proto = 2; proto <= 5; proto++) {
        const char *want = NULL;
        for (size_t k = 0; k < sizeof loads_cases / sizeof loads_cases[0]; k++)
            if (loads_cases[k].proto == proto && strcmp(loads_cases[k].repr, "[[1], [1], ([1],)]") == 0)
                want = loads_cases[k].hex;
        mp_value *x = mp_list_of(1);
        mp_value *v = mp_list_of(mp_incref(x), mp_incref(x), mp_tuple_of(mp_incref(x)));
        mp_decref(x);
        uint8_t *out = NULL;
        size_t len;
        int rc = mp_pickle_dumps(v, &(mp_pickle_opts){.protocol = proto}, &out, &len);
        char *hex = rc == 0 ? to_hex(out, len) : NULL;
        tap_is_str(hex, want, "shared list written once, protocol %d", proto);
        free(hex);
        free(out);
        mp_decref(v);
    }
}

static void test_dumps_big(void)
{
    for (size_t k = 0; k < sizeof big_cases / sizeof big_cases[0]; k++) {
        mp_value *v = big_value(k), *back = NULL;
        uint8_t *out = NULL;
        size_t len = 0;
        int rc = mp_pickle_dumps(v, &(mp_pickle_opts){.protocol = big_cases[k].proto}, &out, &len);
        bool same = rc == 0 && len == big_cases[k].len && fnv1a(out, len) == big_cases[k].fnv;
        if (!same)
            tap_diag("got %zu bytes, fnv %016llx; CPython %zu, %016llx", len,
                     rc == 0 ? (unsigned long long)fnv1a(out, len) : 0ULL, big_cases[k].len,
                     (unsigned long long)big_cases[k].fnv);
        rc = rc == 0 ? mp_pickle_loads(out, len, NULL, &back) : rc;
        tap_ok(same && rc == 0 && mp_equal(v, back),
               "big value %zu: CPython's bytes (frames, batches) and loads back", k);
        free(out);
        mp_decref(v);
        mp_decref(back);
    }
}

/* inner inside a list, a tuple or a dict, by turns. */
static mp_value *wrap(mp_value *inner, int i)
{
    if (i % 3 == 0)
        return mp_list_of(inner);
    if (i % 3 == 1)
        return mp_tuple_of(inner);
    mp_value *d = mp_dict_new();
    mp_dict_set(d, mp_int(i), inner);
    return d;
}

static void test_dumps_options(void)
{
    mp_value *v = mp_list_of("a", 1, 2.5);
    uint8_t *a = NULL, *b = NULL;
    size_t alen, blen;
    int rc1 = mp_pickle_dumps(v, NULL, &a, &alen);
    int rc2 = mp_pickle_dumps(v, &(mp_pickle_opts){.protocol = 4}, &b, &blen);
    TAP_OK(rc1 == 0 && rc2 == 0 && alen == blen && memcmp(a, b, alen) == 0 && a[1] == 4,
           "opts NULL and protocol 0 mean protocol 4, CPython's default");
    free(a);
    free(b);
    rc1 = mp_pickle_dumps(v, &(mp_pickle_opts){.protocol = -1}, &a, &alen);
    TAP_OK(rc1 == 0 && a[1] == 5, "a negative protocol means the highest, 5");
    free(a);
    a = (uint8_t *)"untouched";
    tap_is_int(mp_pickle_dumps(v, &(mp_pickle_opts){.protocol = 6}, &a, &alen), MP_EVALUE,
               "protocol 6 is ValueError");
    tap_is_str(mp_errmsg(), "pickle protocol must be <= 5", "  with CPython's message");
    TAP_OK(a == NULL && alen == 0, "  and *out is NULL");
    tap_is_int(mp_pickle_dumps(v, &(mp_pickle_opts){.protocol = 1}, &a, &alen), MP_EVALUE,
               "protocol 1 is not written");
    tap_is_int(mp_pickle_dumps(NULL, NULL, &a, &alen), MP_EPICKLE, "a NULL value is PicklingError");
    mp_decref(v);

    /* Nesting: 1000 containers deep pickles; 1001 is RecursionError's
     * RuntimeError, where CPython also gives up (at about this depth). */
    mp_value *deep = mp_int(7);
    for (int i = 0; i < 1000; i++)
        deep = wrap(deep, i);
    mp_value *back = NULL;
    rc1 = mp_pickle_dumps(deep, NULL, &a, &alen);
    rc2 = rc1 == 0 ? mp_pickle_loads(a, alen, NULL, &back) : rc1;
    TAP_OK(rc1 == 0 && rc2 == 0 && mp_equal(deep, back), "1000 nested containers dump and load");
    free(a);
    mp_decref(back);
    deep = mp_list_of(deep);
    tap_is_int(mp_pickle_dumps(deep, NULL, &a, &alen), MP_ERUNTIME, "1001 nested containers: RuntimeError");
    tap_is_str(mp_errmsg(), "maximum recursion depth exceeded while pickling an object",
               "  with RecursionError's message");
    mp_decref(deep);
}

/* CPython's pickles, protocols 0 to 5, load to values with Python's repr. */
static void test_loads_cpython(void)
{
    for (size_t k = 0; k < sizeof loads_cases / sizeof loads_cases[0]; k++) {
        const struct loads_case *c = &loads_cases[k];
        mp_value *v = NULL;
        int rc = load_hex(c->hex, NULL, &v);
        char *r = repr_of(v);
        if (rc != 0)
            tap_diag("%s: %s", mp_errname(rc), mp_errmsg());
        tap_is_str(r, c->repr, "loads protocol %d: %.50s", c->proto, c->repr);
        free(r);
        mp_decref(v);
    }
}

static void test_loads_cpython_outside_model(void)
{
    for (size_t k = 0; k < sizeof cpython_fail_cases / sizeof cpython_fail_cases[0]; k++) {
        const struct fail_case *c = &cpython_fail_cases[k];
        mp_value *v = (mp_value *)"sentinel";
        int rc = load_hex(c->hex, NULL, &v);
        if (!tap_is_int(rc, c->code, "refused: CPython pickle %zu, protocol %d (%s)", k, c->proto,
                        mp_errname(c->code)))
            tap_diag("message: %s", mp_errmsg());
        else if (v != NULL)
            tap_ok(false, "  *out is NULL after a failure");
        mp_decref(rc == 0 ? v : NULL);
    }
}

/* ---- hand-written pickles: every way input can be wrong ---------------- */

#define B(s) s, sizeof(s) - 1

struct bad_case { const char *data; size_t len; int code; const char *msg; };

static const struct bad_case bad_cases[] = {
    /* truncated, or never ending */
    {B(""), MP_EUNPICKLE, "Ran out of input"},
    {B("\x80\x04N"), MP_EUNPICKLE, "Ran out of input"},
    {B("X\xff\xff\xff\x7f"), MP_EUNPICKLE, "pickle data was truncated"},
    {B("\x8d\xff\xff\xff\xff\xff\xff\xff\xff."), MP_EUNPICKLE, "pickle data was truncated"},
    {B("\x8e\x00\x00\x00\x00\x00\x00\x00\x40."), MP_EUNPICKLE, "pickle data was truncated"},
    {B("T\xff\xff\xff\xff."), MP_EUNPICKLE, "pickle data was truncated"},
    {B("\x8b\xff\xff\xff\x7f."), MP_EUNPICKLE, "pickle data was truncated"},
    {B("\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00N."), MP_EUNPICKLE, "pickle data was truncated"},
    {B("\x8b\xff\xff\xff\xff."), MP_EUNPICKLE, "LONG pickle has negative byte count"},
    {B("I\n."), MP_EUNPICKLE, "pickle data was truncated"},
    {B("cos"), MP_EUNPICKLE, "pickle data was truncated"},
    {B("J\x01\x02"), MP_EUNPICKLE, "pickle data was truncated"},
    /* opcodes and protocols that do not exist */
    {B("\x80\x06N."), MP_EUNPICKLE, "unsupported pickle protocol: 6"},
    {B("\xff"), MP_EUNPICKLE, "invalid load key, '\\xff'."},
    {B("N\x80\x04z."), MP_EUNPICKLE, "invalid load key, 'z'."},
    /* the stack and MARK */
    {B("0."), MP_EUNPICKLE, "unpickling stack underflow"},
    {B("."), MP_EUNPICKLE, "unpickling stack underflow"},
    {B("]a."), MP_EUNPICKLE, "unpickling stack underflow"},
    {B("(."), MP_EUNPICKLE, "unexpected MARK found"},
    {B("Nt."), MP_EUNPICKLE, "could not find MARK"},
    {B("(N\x86."), MP_EUNPICKLE, "unexpected MARK found"},
    {B("](Na."), MP_EUNPICKLE, "unexpected MARK found"},
    {B("]Ne."), MP_EUNPICKLE, "could not find MARK"},
    {B("(]e."), MP_EUNPICKLE, "unpickling stack underflow"},
    {B("1."), MP_EUNPICKLE, "could not find MARK"},
    {B("2."), MP_EUNPICKLE, "unpickling stack underflow"},
    {B("\x94."), MP_EUNPICKLE, "unpickling stack underflow"},
    /* the memo */
    {B("h\x05."), MP_EUNPICKLE, "Memo value not found at index 5"},
    {B("g5\n."), MP_EUNPICKLE, "Memo value not found at index 5"},
    {B("Nr\xff\xff\xff\xff" "0j\xfe\xff\xff\xff."), MP_EUNPICKLE, "Memo value not found at index 4294967294"},
    {B("Np-1\n."), MP_EUNPICKLE, "negative PUT argument"},
    {B("gx\n."), MP_EUNPICKLE, "invalid literal for int() with base 10"},
    /* text that is not UTF-8, or not text our str can hold */
    {B("X\x01\x00\x00\x00\xff."), MP_EUNPICKLE, "'utf-8' codec can't decode byte 0xff in position 0"},
    {B("X\x03\x00\x00\x00\xed\xa0\x80."), MP_EUNPICKLE, "lone surrogates are not supported"},
    {B("\x8c\x03\xed\xb0\x80."), MP_EUNPICKLE, "(opcode SHORT_BINUNICODE)"},
    {B("V\\ud800\n."), MP_EUNPICKLE, "lone surrogate \\ud800"},
    {B("V\\u00\n."), MP_EUNPICKLE, "truncated \\uXXXX escape"},
    {B("V\\U00110000\n."), MP_EUNPICKLE, "\\Uxxxxxxxx out of range"},
    {B("Sabc\n."), MP_EUNPICKLE, "the STRING opcode argument must be quoted"},
    {B("S'ab\"\n."), MP_EUNPICKLE, "the STRING opcode argument must be quoted"},
    {B("S'\\xff'\n."), MP_EUNPICKLE, "'ascii' codec can't decode byte 0xff in position 0"},
    {B("S'\\777'\n."), MP_EUNPICKLE, "'ascii' codec can't decode byte 0xff"},
    {B("S'a\\'\n."), MP_EUNPICKLE, "Trailing \\ in string"},
    {B("S'\\x4'\n."), MP_EUNPICKLE, "invalid \\x escape at position 0"},
    {B("U\x01\xe9."), MP_EUNPICKLE, "'ascii' codec can't decode byte 0xe9"},
    /* numbers */
    {B("I99999999999999999999\n."), MP_EOVERFLOW, "int too large"},
    {B("I-9223372036854775809\n."), MP_EOVERFLOW, "int too large"},
    {B("L99999999999999999999L\n."), MP_EOVERFLOW, "int too large"},
    {B("\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x80\x00."), MP_EOVERFLOW, "int too large"},
    {B("\x8a\x09\xff\xff\xff\xff\xff\xff\xff\x7f\xff."), MP_EOVERFLOW, "int too large"},
    {B("\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01."), MP_EOVERFLOW, "(opcode LONG1)"},
    {B("Iabc\n."), MP_EUNPICKLE, "could not convert string to int"},
    {B("I08\n."), MP_EUNPICKLE, "could not convert string to int"},
    {B("L5LL\n."), MP_EUNPICKLE, "invalid literal for int()"},
    {B("L5L\0x\n."), MP_EUNPICKLE, "invalid literal for int()"},
    {B("Fabc\n."), MP_EUNPICKLE, "could not convert string to float"},
    {B("F 1.5\n."), MP_EUNPICKLE, "could not convert string to float"},
    {B("F1_0\n."), MP_EUNPICKLE, "could not convert string to float"},
    {B("F0x10\n."), MP_EUNPICKLE, "could not convert string to float"},
    {B("F1e\n."), MP_EUNPICKLE, "could not convert string to float"},
    {B("F1e500\n."), MP_EOVERFLOW, "value too large to convert to float"},
    /* containers used wrongly */
    {B("}]Ns."), MP_EUNPICKLE, "unhashable type: 'list'"},
    {B("}(}NK\x01\x85Nu."), MP_EUNPICKLE, "unhashable type: 'dict'"},
    {B("}(Nu."), MP_EUNPICKLE, "odd number of items for SETITEMS"},
    {B("(Nd."), MP_EUNPICKLE, "odd number of items for DICT"},
    {B("}Na."), MP_EUNPICKLE, "opcode APPEND needs a list to add to, not dict"},
    {B("]NNs."), MP_EUNPICKLE, "opcode SETITEM needs a dict to add to, not list"},
    {B(")N\x85\x86(Ne."), MP_EUNPICKLE, "opcode APPENDS needs a list"},
    /* recursive values: a list that would contain itself */
    {B("]\x94h\x00" "a."), MP_EUNPICKLE, "already shared: recursive"},
    {B("]2a."), MP_EUNPICKLE, "already shared"},
    {B("]\x94h\x00\x85" "a."), MP_EUNPICKLE, "already shared"},
    {B("}\x94(Nh\x00u."), MP_EUNPICKLE, "opcode SETITEMS would change a dict that is already shared"},
    {B("]\x94N\x85h\x00\x85\x86\x94" "0h\x00N" "a."), MP_EUNPICKLE, "already shared"},
    /* globals: nothing runs */
    {B("cos\nsystem\n."), MP_EUNPICKLE, "global 'os.system' is forbidden (opcode GLOBAL)"},
    {B("\x8c\x02os\x8c\x06system\x93."), MP_EUNPICKLE, "global 'os.system' is forbidden (opcode STACK_GLOBAL)"},
    {B("(X\x02\x00\x00\x00lsios\nsystem\n."), MP_EUNPICKLE, "global 'os.system' is forbidden (opcode INST)"},
    {B("cbuiltins\neval\n."), MP_EUNPICKLE, "global 'builtins.eval' is forbidden"},
    {B("c\x01\xff\nx\n."), MP_EUNPICKLE, "global '\\x01\\xff.x' is forbidden"},
    {B("c_codecs\ndecode\n."), MP_EUNPICKLE, "global '_codecs.decode' is forbidden"},
    {B("K\x01K\x02\x93."), MP_EUNPICKLE, "STACK_GLOBAL requires str"},
    {B("c__builtin__\nbytes\n."), MP_EUNPICKLE, "global '__builtin__.bytes' cannot be used as a value (opcode STOP)"},
    {B("c__builtin__\nbytes\n\x85."), MP_EUNPICKLE, "cannot be used as a value (opcode TUPLE1)"},
    {B("N)R."), MP_EUNPICKLE, "opcode REDUCE needs a global to apply, not 'NoneType'"},
    {B("c__builtin__\nbytes\nNR."), MP_EUNPICKLE, "opcode REDUCE needs a tuple of arguments"},
    {B("c_codecs\nencode\n)\x81."), MP_EUNPICKLE, "opcode NEWOBJ cannot apply global '_codecs.encode'"},
    {B("c_codecs\nencode\nN\x85R."), MP_EUNPICKLE, "_codecs.encode() is supported only as"},
    {B("c_codecs\nencode\n)R."), MP_EUNPICKLE, "_codecs.encode() takes 1 to 3 arguments (0 given)"},
    {B("c_codecs\nencode\nX\x03\x00\x00\x00\xe2\x82\xacX\x06\x00\x00\x00latin1\x86R."), MP_EUNPICKLE,
     "'latin-1' codec can't encode character in position 0"},
    {B("c_codecs\nencode\nX\x01\x00\x00\x00" "aX\x05\x00\x00\x00rot13\x86R."), MP_EUNPICKLE,
     "_codecs.encode() with encoding 'rot13' is not supported"},
    {B("c__builtin__\nbytes\nK\x05\x85R."), MP_EUNPICKLE, "bytes() is supported only with"},
    {B("c__builtin__\nbytes\n)}(NNu\x92."), MP_EUNPICKLE, "NEWOBJ_EX with keyword arguments"},
    /* what the value model has no type for */
    {B("\x82\x05."), MP_EUNPICKLE, "unregistered extension code 5 (opcode EXT1)"},
    {B("\x82\x00."), MP_EUNPICKLE, "EXT specifies code <= 0"},
    {B("Pabc\n."), MP_EUNPICKLE, "persistent id"},
    {B("NQ."), MP_EUNPICKLE, "persistent id"},
    {B("NNb."), MP_EUNPICKLE, "opcode BUILD"},
    {B("\x8f."), MP_EUNPICKLE, "opcode EMPTY_SET: sets are not a type"},
    {B("(\x91."), MP_EUNPICKLE, "opcode FROZENSET: sets"},
    {B("\x80\x05\x96\x01\x00\x00\x00\x00\x00\x00\x00" "a."), MP_EUNPICKLE, "bytearray is not a type"},
    {B("\x80\x05\x97."), MP_EUNPICKLE, "out-of-band data"},
    {B("N\x98."), MP_EUNPICKLE, "opcode READONLY_BUFFER needs bytes, not NoneType"},
    {B("N((e."), MP_EUNPICKLE, "unexpected MARK found"},
};

struct good_case { const char *data; size_t len; const char *repr; };

static const struct good_case good_cases[] = {
    {B("N.garbage after STOP is ignored, as pickle.loads does"), "None"},
    {B("(0N."), "None"},                    /* POP takes a MARK off the top */
    {B("N(1."), "None"},
    {B("I01\n."), "True"},
    {B("I00\n."), "False"},
    {B("I-0\n."), "False"},                 /* CPython's two-character rule */
    {B("I+1\n."), "True"},
    {B("I001\n."), "1"},
    {B("I0x10\n."), "16"},                  /* strtol's base 0 */
    {B("I010\n."), "8"},
    {B("I1_0\n."), "10"},                   /* int(s, 0) takes over from strtol */
    {B("I 5\n."), "5"},
    {B("I5\0junk\n."), "5"},                /* C's parsers stop at NUL */
    {B("I-9223372036854775808\n."), "-9223372036854775808"},
    {B("L 5 L\n."), "5"},
    {B("L5\0xL\n."), "5"},                /* the L is dropped, then the NUL ends the text */
    {B("I\0\n."), "0"},                   /* strtol of "" is 0, and CPython takes it */
    {B(")(u."), "()"},                      /* SETITEMS of nothing checks nothing */
    {B("X\x06\x00\x00\x00latin1(e."), "'latin1'"},
    {B("](N(e."), "None"},
    {B("C\x01" "b\x98."), "b'b'"},          /* READONLY_BUFFER of bytes changes nothing */
    {B("L0x10\n."), "16"},
    {B("L-9223372036854775808L\n."), "-9223372036854775808"},
    {B("F-Infinity\n."), "-inf"},
    {B("Finf\n."), "inf"},
    {B("FNaN\n."), "nan"},
    {B("F1.5\0x\n."), "1.5"},
    {B("F1e-400\n."), "0.0"},
    {B("F.5\n."), "0.5"},
    {B("F1.\n."), "1.0"},
    {B("F+1E+05\n."), "100000.0"},
    {B("F0.1\n."), "0.1"},
    {B("S'a\\x41\\n'\n."), "'aA\\n'"},
    {B("S\"ab\"\n."), "'ab'"},
    {B("S'a\\q\\101'\n."), "'a\\\\qA'"},
    {B("S''\n."), "''"},
    {B("U\x03" "abc."), "'abc'"},
    {B("T\x01\x00\x00\x00z."), "'z'"},
    {B("V\n."), "''"},
    {B("V\\u0041\\\\u0042\\x\xe9\n."), "'A\\\\\\\\u0042\\\\x\303\251'"},
    {B("V\\U0001F600\n."), "'\360\237\230\200'"},
    {B("Nr\xff\xff\xff\xff" "0j\xff\xff\xff\xff."), "None"},
    {B("Np99999\n0g99999\n."), "None"},
    {B("Nq\x05q\x05" "0h\x05."), "None"},
    {B("N\x94K\x01\x94" "00h\x01."), "1"},
    {B("\x8a\x09\xff\xff\xff\xff\xff\xff\xff\xff\xff."), "-1"},
    {B("\x8a\x00."), "0"},
    {B("\x8b\x00\x00\x00\x00."), "0"},
    {B("\x8a\x01\x80."), "-128"},
    {B("\x8a\x08\x00\x00\x00\x00\x00\x00\x00\x80."), "-9223372036854775808"},
    {B("J\xff\xff\xff\xff."), "-1"},
    {B("K\x01K\x02\x86\x94h\x00h\x00\x86."), "((1, 2), (1, 2))"},
    {B("}(K\x01K\x02\x88K\x03G?\xf0\x00\x00\x00\x00\x00\x00K\x04u."), "{1: 4}"},
    {B("(K\x01K\x02K\x03l."), "[1, 2, 3]"},
    {B("(K\x01K\x02" "d."), "{1: 2}"},
    {B("(K\x01K\x02t."), "(1, 2)"},
    {B("\x80\x04\x95\x02\x00\x00\x00\x00\x00\x00\x00N."), "None"},
    {B("]\x94(K\x01" "e(K\x02K\x03" "e."), "[1, 2, 3]"},
    {B("c__builtin__\nbytes\n)R."), "b''"},
    {B("cbuiltins\nbytes\nC\x02" "ab\x85R."), "b'ab'"},
    {B("c__builtin__\nbytes\n)\x81."), "b''"},
    {B("c__builtin__\nbytes\n)}\x92."), "b''"},
    {B("\x8c\x08" "builtins\x8c\x05" "bytes\x93)R."), "b''"},
    {B("(c_codecs\nencode\nX\x02\x00\x00\x00" "abX\x06\x00\x00\x00latin1o."), "b'ab'"},
    {B("(X\x02\x00\x00\x00" "abX\x07\x00\x00\x00Latin-1i_codecs\nencode\n."), "b'ab'"},
    {B("c_codecs\nencode\nX\x02\x00\x00\x00\xc3\xa9\x85R."), "b'\\xc3\\xa9'"},
    {B("c_codecs\nencode\nX\x02\x00\x00\x00\xc3\xa9X\x06\x00\x00\x00latin1X\x06\x00\x00\x00strict\x87R."), "b'\\xe9'"},
    {B("c__builtin__\nbytes\nX\x01\x00\x00\x00zX\x05\x00\x00\x00utf-8\x86R."), "b'z'"},
};

static void test_bad_input(void)
{
    for (size_t k = 0; k < sizeof bad_cases / sizeof bad_cases[0]; k++) {
        const struct bad_case *c = &bad_cases[k];
        mp_value *v = (mp_value *)"sentinel";
        int rc = load_raw(c->data, c->len, NULL, &v);
        bool ok = rc == c->code && strstr(mp_errmsg(), c->msg) && v == NULL;
        tap_ok(ok, "bad pickle %zu: %s \"%s\"", k, mp_errname(c->code), c->msg);
        if (!ok)
            tap_diag("got %s \"%s\"%s", rc ? mp_errname(rc) : "success", rc ? mp_errmsg() : "",
                     v ? " and a value" : "");
        if (rc == 0)
            mp_decref(v);
    }
}

static void test_good_input(void)
{
    for (size_t k = 0; k < sizeof good_cases / sizeof good_cases[0]; k++) {
        const struct good_case *c = &good_cases[k];
        mp_value *v = NULL;
        int rc = load_raw(c->data, c->len, NULL, &v);
        char *r = repr_of(v);
        if (rc)
            tap_diag("%s: %s", mp_errname(rc), mp_errmsg());
        tap_is_str(r, c->repr, "hand-made pickle %zu loads as %s", k, c->repr);
        free(r);
        mp_decref(v);
    }
}

/* ---- limits ------------------------------------------------------------ */

/* n EMPTY_LISTs then n-1 APPENDs: lists nested n deep. */
static char *nested_lists(size_t n, size_t *len)
{
    char *p = malloc(2 * n + 1);
    memset(p, ']', n);
    memset(p + n, 'a', n - 1);
    p[2 * n - 1] = '.';
    *len = 2 * n;
    return p;
}

static void test_limits(void)
{
    size_t len;
    mp_value *v = NULL;
    char *p = nested_lists(1000, &len);
    tap_is_int(load_raw(p, len, NULL, &v), 0, "lists nested 1000 deep load (the default max_depth)");
    mp_decref(v);
    free(p);
    p = nested_lists(1001, &len);
    tap_is_int(load_raw(p, len, NULL, &v), MP_ENOMEM, "1001 deep is past max_depth");
    tap_is_str(mp_errmsg(), "pickle data nests deeper than max_depth (1000)", "  and says so");
    free(p);
    p = nested_lists(200000, &len);
    tap_is_int(load_raw(p, len, NULL, &v), MP_ENOMEM, "200000 deep fails the same way, without recursion");
    tap_is_int(load_raw(p, len, &(mp_unpickle_opts){.max_depth = 300000}, &v), 0,
               "  and loads when max_depth allows it (the reader does not recurse)");
    mp_decref(v);                       /* value.c frees without recursion too */
    free(p);
    tap_is_int(load_raw(B("]]]aa."), &(mp_unpickle_opts){.max_depth = 3}, &v), 0, "max_depth 3 allows [[[]]]");
    mp_decref(v);
    tap_is_int(load_raw(B("]]]]aaa."), &(mp_unpickle_opts){.max_depth = 3}, &v), MP_ENOMEM,
               "  but not [[[[]]]]");
    tap_is_int(load_raw(B("))\x85\x85\x85."), &(mp_unpickle_opts){.max_depth = 3}, &v), MP_ENOMEM,
               "  nor ((((),),),)");
    tap_is_int(load_raw(B("}K\x01]]]aas."), &(mp_unpickle_opts){.max_depth = 3}, &v), MP_ENOMEM,
               "  nor {1: [[[]]]}");
    tap_is_int(load_raw(B("]\x94]]aa0h\x00\x85."), &(mp_unpickle_opts){.max_depth = 3}, &v), MP_ENOMEM,
               "  a list's depth is known when it is fetched from the memo after growing");
    tap_is_int(load_raw(B("]\x94]]aa0h\x00\x85."), &(mp_unpickle_opts){.max_depth = 4}, &v), 0,
               "  (([[[]]],) is 4 deep)");
    mp_decref(v);

    /* Many open containers, marks and memo entries: memory in proportion to
     * the input, released on failure. */
    p = malloc(300001);
    memset(p, ']', 300000);
    p[300000] = '.';
    tap_is_int(load_raw(p, 300001, NULL, &v), 0, "300000 lists on the stack");
    mp_decref(v);
    memset(p, '(', 300000);
    tap_is_int(load_raw(p, 300001, NULL, &v), MP_EUNPICKLE, "300000 MARKs, then STOP");
    for (size_t i = 0; i < 300000; i += 3)
        memcpy(p + i, "N\x94" "0", 3);
    tap_is_int(load_raw(p, 300001, NULL, &v), MP_EUNPICKLE, "100000 memo entries, then an empty stack at STOP");
    free(p);

    mp_unpickle_opts small = {.max_size = 10};
    tap_is_int(load_raw(B("X\x0a\x00\x00\x00" "0123456789."), &small, &v), 0, "max_size 10 allows a 10-byte str");
    mp_decref(v);
    tap_is_int(load_raw(B("X\x0b\x00\x00\x00" "0123456789a."), &small, &v), MP_ENOMEM, "  not 11 bytes");
    tap_is_str(mp_errmsg(), "str of 11 bytes is larger than max_size (10) (opcode BINUNICODE)", "  and says so");
    tap_is_int(load_raw(B("C\x0b" "0123456789a."), &small, &v), MP_ENOMEM, "  nor 11 bytes of bytes");
    tap_is_int(load_raw(B("V0123456789a\n."), &small, &v), MP_ENOMEM, "  nor an 11-character UNICODE");
    tap_is_int(load_raw(B("](NNNNNNNNNNNe."), &small, &v), MP_ENOMEM, "  nor 11 list items");
    tap_is_int(load_raw(B("](NNNNNNNNNNe(Ne."), &small, &v), MP_ENOMEM, "  also in two batches");
    tap_is_int(load_raw(B("(NNNNNNNNNNNt."), &small, &v), MP_ENOMEM, "  nor an 11-tuple");
    tap_is_int(load_raw(B("}(K\x01NK\x02NK\x03NK\x04NK\x05NK\x06NK\x07NK\x08NK\x09NK\x0aNK\x0bNu."), &small, &v),
               MP_ENOMEM, "  nor 11 dict items");

    /* A dict key made of one tuple shared 2**64 times over: hashing it would
     * never end, so the key budget refuses it at once. */
    char dag[64 * 7 + 32], *o = dag;
    memcpy(o, ")\x94", 2), o += 2;
    for (int i = 0; i < 64; i++) {
        o[0] = 'h', o[1] = (char)i, o[2] = 'h', o[3] = (char)i;
        memcpy(o + 4, "\x86\x94" "0", 3);
        o += 7;
    }
    memcpy(o, "}h\x40Ns.", 6), o += 6;
    tap_is_int(load_raw(dag, (size_t)(o - dag), NULL, &v), MP_EUNPICKLE, "a dict key shared 2**64 times over is refused");
    tap_is_str(mp_errmsg(), "dict keys built from shared tuples are too large to hash", "  quickly, with a reason");
    o[-6] = '0', o[-3] = '.';
    tap_is_int(load_raw(dag, (size_t)(o - dag), NULL, &v), 0, "  while the shared tuple itself loads at once (65 objects)");
    mp_decref(v);
}

/* Every strict prefix of a good pickle lacks its STOP: each must fail,
 * never succeed or crash. */
static void test_prefixes(void)
{
    int wrong = 0, tried = 0;
    for (size_t k = 0; k < sizeof loads_cases / sizeof loads_cases[0]; k++) {
        size_t n;
        uint8_t *b = unhex(loads_cases[k].hex, strlen(loads_cases[k].hex), &n);
        for (size_t cut = 0; cut < n; cut++) {
            mp_value *v = NULL;
            int rc = mp_pickle_loads(b, cut, NULL, &v);
            tried++;
            if (rc != MP_EUNPICKLE || v) {
                if (wrong++ < 5)
                    tap_diag("prefix %zu of case %zu: %s", cut, k, rc ? mp_errname(rc) : "loaded");
                mp_decref(v);
            }
        }
        free(b);
    }
    tap_ok(wrong == 0, "all %d strict prefixes of CPython's pickles are UnpicklingError", tried);
}

/* Change bytes of good pickles: whatever comes out, nothing may crash, leak
 * or hang (the sanitizer build and valgrind watch this run). */
static void test_mutations(void)
{
    uint64_t s = 12345;
    int loaded = 0, failed = 0;
    for (size_t k = 0; k < sizeof loads_cases / sizeof loads_cases[0]; k++) {
        size_t n;
        uint8_t *b = unhex(loads_cases[k].hex, strlen(loads_cases[k].hex), &n);
        for (int round = 0; round < 40; round++) {
            uint8_t *m = malloc(n);
            memcpy(m, b, n);
            for (int flips = 1 + round % 3; flips > 0; flips--) {
                s = s * 6364136223846793005ULL + 1442695040888963407ULL;
                m[(s >> 33) % n] = (uint8_t)(s >> 17);
            }
            mp_value *v = NULL;
            int rc = mp_pickle_loads(m, n, NULL, &v);
            if (rc == 0) {
                char *r = mp_repr(v);       /* the value must be whole */
                free(r);
                loaded++;
            } else {
                failed++;
            }
            mp_decref(v);
            free(m);
        }
        free(b);
    }
    tap_ok(loaded + failed > 0, "%d mutated pickles: %d loaded, %d refused, none crashed",
           loaded + failed, loaded, failed);
}

/* ------------------------------------------------------------------------ */
/* Random values, for the round trips here and in pickle_check.py           */
/* ------------------------------------------------------------------------ */

static uint64_t rng;

static uint64_t rnd(void)
{
    uint64_t z = (rng += 0x9E3779B97F4A7C15ULL);       /* splitmix64 */
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
    return rnd() % n;
}

static int64_t gen_int(void)
{
    /* The edges of every int opcode, and random widths. */
    static const int64_t edges[] = {0, 1, 127, 128, 255, 256, 32767, 32768, 65535, 65536,
                                    2147483647, 2147483648LL, 4294967295LL, 4294967296LL,
                                    (1LL << 53) + 1, 140737488355327LL, 140737488355328LL,
                                    INT64_MAX};
    if (below(2)) {
        int64_t e = edges[below(sizeof edges / sizeof edges[0])];
        return below(2) ? e : e == INT64_MAX && below(2) ? INT64_MIN : -e;
    }
    int bits = (int)below(64);
    return (int64_t)(rnd() >> (63 - bits)) * (below(2) ? 1 : -1);
}

static double gen_float(void)
{
    static const double specials[] = {0.0, -0.0, 1.0, 0.1, 1.5, -2.5, 1e300, 1e-300, 5e-324,
                                      2.2250738585072014e-308, 1.7976931348623157e308,
                                      9007199254740993.0, 1e16, 123456789.125};
    switch (below(6)) {
    case 0: return INFINITY * (below(2) ? 1 : -1);
    case 1: return below(2) ? NAN : -NAN;
    case 2: return specials[below(sizeof specials / sizeof specials[0])];
    case 3: return (double)gen_int() / 8;
    default: {
        uint64_t bits = rnd();
        double d;
        memcpy(&d, &bits, sizeof d);
        return isnan(d) ? 0.25 : d;         /* NaN payloads are not the point here */
    }
    }
}

static size_t gen_len(bool big_ok)
{
    uint64_t k = below(400);
    if (k < 10)
        return 255 + below(3);                  /* the SHORT_ opcodes' edge */
    if (k < 20)
        return 1000 + below(5000);
    if (big_ok && k == 398)
        return 65530 + below(12);               /* frames: 64 KiB */
    if (big_ok && k == 399)
        return 70000 + below(100000);
    return below(12);
}

static mp_value *gen_str(bool big_ok)
{
    size_t n = gen_len(big_ok);
    char *s = malloc(4 * n + 1), *o = s;
    int kind = (int)below(5);
    for (size_t i = 0; i < n; i++) {
        uint32_t cp;
        switch (kind == 4 ? below(4) : (uint64_t)kind) {
        case 0: cp = 0x20 + (uint32_t)below(0x5f); break;
        case 1: cp = (uint32_t)below(0x100); break;           /* latin-1, NUL, \n, \\ */
        case 2: cp = (uint32_t)below(0xD800); break;
        default: cp = below(2) ? 0xE000 + (uint32_t)below(0x2000) : 0x10000 + (uint32_t)below(0x100000);
        }
        if (cp < 0x80) {
            *o++ = (char)cp;
        } else if (cp < 0x800) {
            *o++ = (char)(0xC0 | (cp >> 6)), *o++ = (char)(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            *o++ = (char)(0xE0 | (cp >> 12)), *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
            *o++ = (char)(0x80 | (cp & 0x3F));
        } else {
            *o++ = (char)(0xF0 | (cp >> 18)), *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
            *o++ = (char)(0x80 | ((cp >> 6) & 0x3F)), *o++ = (char)(0x80 | (cp & 0x3F));
        }
    }
    mp_value *v = mp_str_n(s, (size_t)(o - s));
    free(s);
    return v;
}

static mp_value *gen_bytes(bool big_ok)
{
    size_t n = gen_len(big_ok);
    uint8_t *b = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)rnd();
    mp_value *v = mp_bytes(b, n);
    free(b);
    return v;
}

static mp_value *gen_scalar(bool big_ok)
{
    switch (below(8)) {
    case 0: return mp_none();
    case 1: return mp_bool(below(2));
    case 2: case 3: return mp_int(gen_int());
    case 4: return mp_float(gen_float());
    case 5: case 6: return gen_str(big_ok);
    default: return gen_bytes(big_ok);
    }
}

static mp_value *gen_key(void)
{
    if (below(4) == 0) {
        size_t n = below(4);
        mp_value *t = mp_tuple_new(n);
        for (size_t i = 0; i < n; i++)
            mp_tuple_set(t, i, gen_scalar(false));
        return t;
    }
    return gen_scalar(false);
}

/* Values made so far in this top-level value, which may be used again
 * (one object in two places, so that the writer's memo GET is exercised).
 * The pool holds a reference to each.  Only small values go in, so that
 * reuse cannot make a value (and its encoding) grow exponentially. */
static mp_value *pool[16];
static size_t npool;

/* How many values v is made of, counting shared parts each time; stops
 * counting past limit. */
static size_t nodes(const mp_value *v, size_t limit)
{
    size_t n = 1;
    mp_type t = mp_typeof(v);
    for (size_t i = 0; (t == MP_T_TUPLE || t == MP_T_LIST) && i < mp_len(v) && n <= limit; i++)
        n += nodes(mp_item(v, i), limit - n);
    for (size_t i = 0; t == MP_T_DICT && i < mp_len(v) && n <= limit; i++) {
        const mp_value *k, *val;
        mp_dict_entry(v, i, &k, &val);
        n += nodes(k, limit - n);
        n += n <= limit ? nodes(val, limit - n) : 0;
    }
    return n;
}

static mp_value *gen_value(int depth)
{
    if (npool && below(12) == 0)
        return mp_incref(pool[below(npool)]);
    /* Containers get rarer with depth, so that values stay small. */
    uint64_t pick = below(depth == 0 ? 10 : depth < 3 ? 16 : 40);
    mp_value *v;
    if (pick >= 8) {
        v = gen_scalar(depth <= 1);
    } else if (pick < 3) {
        bool big = depth == 0 && below(25) == 0;
        size_t n = big ? 999 + below(1100) : below(7);
        v = mp_list_new();
        for (size_t i = 0; i < n; i++)
            mp_list_append(v, big ? gen_scalar(false) : gen_value(depth + 1));
    } else if (pick < 5) {
        size_t n = below(8);
        v = mp_tuple_new(n);
        for (size_t i = 0; i < n; i++)
            mp_tuple_set(v, i, gen_value(depth + 1));
    } else if (pick < 7) {
        bool big = depth == 0 && below(25) == 0;
        size_t n = big ? 999 + below(1100) : below(6);
        v = mp_dict_new();
        for (size_t i = 0; i < n; i++)
            mp_dict_set(v, big ? mp_int((int64_t)i) : gen_key(), big ? gen_scalar(false) : gen_value(depth + 1));
    } else {
        /* a chain: lists and tuples nested 20 to 200 deep */
        size_t n = 20 + below(180);
        v = gen_scalar(false);
        for (size_t i = 0; i < n; i++)
            v = below(2) ? mp_list_of(v) : mp_tuple_of(v);
    }
    mp_type t = mp_typeof(v);
    if (npool < 16 && (t == MP_T_STR || t == MP_T_BYTES || t >= MP_T_TUPLE) && nodes(v, 30) <= 30 &&
        mp_len(v) < 1000)
        pool[npool++] = mp_incref(v);
    return v;
}

static mp_value *gen_top(void)
{
    mp_value *v = gen_value(0);
    while (npool)
        mp_decref(pool[--npool]);
    return v;
}

/* The structural encoding of v (see the top of the file). */
static void encode(FILE *f, const mp_value *v)
{
    size_t n;
    switch (mp_typeof(v)) {
    case MP_T_NONE: putc('N', f); return;
    case MP_T_BOOL: putc(mp_as_bool(v) ? 'T' : 'F', f); return;
    case MP_T_INT: fprintf(f, "i%lld", (long long)mp_as_int(v)); return;
    case MP_T_FLOAT: fprintf(f, "f%a", mp_as_float(v)); return;
    case MP_T_STR: {
        const char *s = mp_as_str(v);
        size_t ncp = mp_len(v), i = 0;
        for (size_t k = 0; k < ncp; k++) {
            uint8_t c = (uint8_t)s[i];
            i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        }
        putc('s', f);
        put_hex(f, s, i);
        return;
    }
    case MP_T_BYTES: {
        const uint8_t *b = mp_as_bytes(v, &n);
        putc('b', f);
        put_hex(f, b, n);
        return;
    }
    case MP_T_TUPLE:
    case MP_T_LIST:
        n = mp_len(v);
        fprintf(f, "%c%zu", mp_typeof(v) == MP_T_TUPLE ? 't' : 'l', n);
        for (size_t i = 0; i < n; i++) {
            putc(' ', f);
            encode(f, mp_item(v, i));
        }
        return;
    case MP_T_DICT:
        n = mp_len(v);
        fprintf(f, "d%zu", n);
        for (size_t i = 0; i < n; i++) {
            const mp_value *k, *val;
            mp_dict_entry(v, i, &k, &val);
            putc(' ', f);
            encode(f, k);
            putc(' ', f);
            encode(f, val);
        }
        return;
    case MP_T_OBJECT:
        /* The generator makes none (pickle_check.py has no classes). */
        fprintf(f, "?object");
        return;
    }
}

/* Same value, compared as pickle must keep it: == with the types kept
 * (True is not 1) and nan equal to nan. */
static bool same(const mp_value *a, const mp_value *b)
{
    if (mp_typeof(a) != mp_typeof(b))
        return false;
    switch (mp_typeof(a)) {
    case MP_T_FLOAT: {
        double x = mp_as_float(a), y = mp_as_float(b);
        return (isnan(x) && isnan(y)) || (x == y && signbit(x) == signbit(y));
    }
    case MP_T_TUPLE:
    case MP_T_LIST:
        if (mp_len(a) != mp_len(b))
            return false;
        for (size_t i = 0; i < mp_len(a); i++)
            if (!same(mp_item(a, i), mp_item(b, i)))
                return false;
        return true;
    case MP_T_DICT:
        if (mp_len(a) != mp_len(b))
            return false;
        for (size_t i = 0; i < mp_len(a); i++) {
            const mp_value *ka, *va, *kb, *vb;
            mp_dict_entry(a, i, &ka, &va);
            mp_dict_entry(b, i, &kb, &vb);
            if (!same(ka, kb) || !same(va, vb))
                return false;
        }
        return true;
    default:
        return mp_equal(a, b);
    }
}

static void test_round_trip(void)
{
    rng = 42;
    int bad = 0, n = 0;
    for (int k = 0; k < 300; k++) {
        mp_value *v = gen_top();
        for (int proto = 2; proto <= 5; proto++) {
            uint8_t *out = NULL;
            size_t len;
            mp_value *back = NULL;
            int rc = mp_pickle_dumps(v, &(mp_pickle_opts){.protocol = proto}, &out, &len);
            if (rc == 0)
                rc = mp_pickle_loads(out, len, NULL, &back);
            n++;
            if (rc != 0 || !same(v, back)) {
                if (bad++ < 3)
                    tap_diag("value %d protocol %d: %s %s", k, proto, rc ? mp_errname(rc) : "differs",
                             rc ? mp_errmsg() : "");
            }
            free(out);
            mp_decref(back);
        }
        mp_decref(v);
    }
    tap_ok(bad == 0, "%d random values x protocols 2-5 round-trip through dumps and loads", n);
}

/* ------------------------------------------------------------------------ */
/* The modes pickle_check.py drives                                         */
/* ------------------------------------------------------------------------ */

static int gen_mode(uint64_t seed, long n)
{
    rng = seed;
    for (long k = 0; k < n; k++) {
        mp_value *v = gen_top();
        encode(stdout, v);
        for (int proto = 2; proto <= 5; proto++) {
            uint8_t *out;
            size_t len;
            int rc = mp_pickle_dumps(v, &(mp_pickle_opts){.protocol = proto}, &out, &len);
            if (rc < 0) {
                fprintf(stderr, "test_pickle: value %ld protocol %d: %s: %s\n", k, proto,
                        mp_errname(rc), mp_errmsg());
                return 1;
            }
            putchar('\t');
            put_hex(stdout, out, len);
            free(out);
        }
        putchar('\n');
        mp_decref(v);
    }
    return fflush(stdout) == 0 ? 0 : 1;
}

static int load_mode(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    while ((got = getline(&line, &cap, stdin)) >= 0) {
        size_t n = (size_t)got;
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        size_t len;
        uint8_t *b = unhex(line, n, &len);
        if (!b) {
            fprintf(stderr, "test_pickle: a line is not hex\n");
            free(line);
            return 1;
        }
        mp_value *v = NULL;
        int rc = mp_pickle_loads(b, len, NULL, &v);
        free(b);
        char *r = rc == 0 ? mp_repr(v) : NULL;
        if (rc == 0 && r) {
            fputs("ok\t", stdout);
            put_hex(stdout, r, strlen(r));
        } else {
            printf("error\t%s\t", mp_errname(rc));
            put_hex(stdout, mp_errmsg(), strlen(mp_errmsg()));
        }
        putchar('\n');
        free(r);
        mp_decref(v);
    }
    free(line);
    return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--gen") == 0)
        return gen_mode(strtoull(argv[2], NULL, 0), strtol(argv[3], NULL, 0));
    if (argc == 2 && strcmp(argv[1], "--load") == 0)
        return load_mode();
    if (argc != 1) {
        fprintf(stderr, "usage: %s [--gen SEED N | --load]\n", argv[0]);
        return 2;
    }
    test_dumps_exact();
    test_dumps_shared();
    test_dumps_big();
    test_dumps_options();
    test_loads_cpython();
    test_loads_cpython_outside_model();
    test_bad_input();
    test_good_input();
    test_limits();
    test_prefixes();
    test_mutations();
    test_round_trip();
    return tap_done();
}

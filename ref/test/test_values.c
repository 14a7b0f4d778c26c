/* test_values.c - unit tests of values, repr() and print() (TAP), and the value generator for repr_check.py. */

/*
 * Usage:
 *   test_values                    the unit tests, as TAP on stdout; exit 1 if any fail
 *   test_values --gen [SEED [N]]   N random values (default 600) from SEED (default
 *                                  20231122), one line each, for ref/test/repr_check.py
 *
 * Each --gen line is   ENCODING <TAB> REPR <TAB> STR <LF>
 *
 * ENCODING describes how the value was built, in prefix notation: tokens
 * separated by one space.
 *   N            None                 T, F         True, False
 *   i<decimal>   int                  f<%a>        float in C's hex notation (also
 *                                                  inf, -inf, nan, -nan)
 *   s<hex>       str: its UTF-8 bytes in hex      b<hex>    bytes in hex
 *   t<n> X1..Xn  tuple                l<n> X1..Xn  list
 *   d<n> K1 V1 .. Kn Vn   the dict made by n assignments d[K] = V in this order.
 *                The keys often repeat as equal values of other types (1, 1.0,
 *                True), so the checker replays Python's own key merging.
 * REPR and STR are mp_repr() and mp_tostring() of the value with \ written
 * \\, TAB \t, LF \n, CR \r and NUL \0.  A top-level str never holds U+0000,
 * since mp_tostring() returns a C string; nested ones may (repr escapes it).
 */
#include "mp.h"
#include "core/core.h"
#include "tap.h"

#include <float.h>
#include <inttypes.h>
#include <malloc.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

/* Compare repr(v) (or str(v)) with Python's text, then release v. */
static void check_repr(mp_value *v, const char *want, const char *what)
{
    char *got = mp_repr(v);
    tap_is_str(got, want, "repr %s", what);
    free(got);
    mp_decref(v);
}

static void check_str(mp_value *v, const char *want, const char *what)
{
    char *got = mp_tostring(v);
    tap_is_str(got, want, "str %s", what);
    free(got);
    mp_decref(v);
}

/* Bytes the C allocator holds.  Under ASan or valgrind glibc's arena is
 * unused and this stays 0; those tools then check for leaks themselves. */
static size_t heap_in_use(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
#else
    return 0;
#endif
}

/*
 * Show that op frees all it allocates.  glibc counts chunks parked in its
 * per-thread cache (up to 7 per size) as in use, and how full each size's
 * cache is drifts for a while as op's allocations settle; so op runs in
 * batches of 16 until one batch leaves the heap in use exactly as it found it.
 * A leak cannot do that: the cache can hide at most 7 lost chunks of a size,
 * and 16 runs lose at least 16.
 */
static void check_no_leak(void (*op)(void), const char *what)
{
    if (heap_in_use() == 0) {
        tap_skip("heap statistics unavailable (sanitizer or valgrind checks leaks)",
                 "no leak: %s", what);
        return;
    }
    size_t growth = 0;
    for (int batch = 0; batch < 256; batch++) {
        size_t before = heap_in_use();
        for (int i = 0; i < 16; i++)
            op();
        growth = heap_in_use() - before;
        if (growth == 0)
            break;
    }
    tap_ok(growth == 0, "no leak: %s", what);
    if (growth != 0)
        tap_diag("the heap in use still changed by %zd bytes in the last 16 runs",
                 (ssize_t)growth);
}

/* Print with opts (a parenthesized mp_print_opts; its file is set here) into
 * a temporary file and compare what was written. */
#define CHECK_PRINT(want, what, opts, ...)                                    \
    do {                                                                      \
        mp_print_opts o_ = opts;                                              \
        o_.file = tmpfile();                                                  \
        mp_print_ex(o_, __VA_ARGS__);                                         \
        check_file(o_.file, want, sizeof(want) - 1, what);                    \
    } while (0)

static void check_file(FILE *f, const char *want, size_t wlen, const char *what)
{
    char got[256];
    rewind(f);
    size_t n = fread(got, 1, sizeof got, f);
    fclose(f);
    bool same = n == wlen && memcmp(got, want, n) == 0;
    tap_ok(same, "print %s", what);
    if (!same)
        tap_diag("got %zu bytes: %.*s\nexpected %zu: %s", n, (int)n, got, wlen, want);
}

/* ------------------------------------------------------------------------ */
/* Unit tests                                                               */
/* ------------------------------------------------------------------------ */

static void test_scalars(void)
{
    TAP_OK(mp_none() == mp_none() && mp_bool(true) == mp_bool(1), "None and True are singletons");
    for (int i = 0; i < 1000; i++)
        mp_decref(mp_none()), mp_decref(mp_bool(false));
    TAP_OK(mp_typeof(mp_none()) == MP_T_NONE && !mp_as_bool(mp_bool(false)),
           "singletons survive extra decrefs (immortal)");

    mp_value *i = mp_int(INT64_MIN), *f = mp_float(2.5), *s = mp_str("h\xc3\xa9llo \xf0\x9f\x98\x80");
    mp_value *b = mp_bytes("a\0b", 3);
    TAP_OK(mp_as_int(i) == INT64_MIN && mp_as_float(f) == 2.5, "int and float keep their value");
    tap_is_int((long long)mp_len(s), 7, "str length counts code points");
    size_t blen;
    const uint8_t *bd = mp_as_bytes(b, &blen);
    TAP_OK(blen == 3 && bd[1] == 0 && mp_len(b) == 3, "bytes keep embedded NUL");
    TAP_OK(mp_as_str(i) == NULL && mp_as_bytes(s, &blen) == NULL && blen == 0 &&
           mp_as_int(s) == 0 && mp_as_float(s) == 0.0, "accessors give 0/NULL on other types");
    TAP_OK(mp_as_int(mp_bool(true)) == 1 && mp_as_float(mp_bool(true)) == 1.0 &&
           mp_as_float(i) == -0x1p63, "bool and int convert like Python's");
    tap_is_str(mp_type_name(f), "float", "type name of float");
    tap_is_str(mp_type_name(mp_none()), "NoneType", "type name of None");

    mp_value *e = mp_str(""), *z = mp_float(-0.0), *n = mp_float(NAN), *t0 = mp_tuple_new(0);
    TAP_OK(!mp_as_bool(e) && !mp_as_bool(z) && mp_as_bool(n) && !mp_as_bool(t0) &&
           mp_as_bool(s) && mp_as_bool(i) && !mp_as_bool(mp_none()),
           "truth values follow Python");
    mp_decref(i), mp_decref(f), mp_decref(s), mp_decref(b);
    mp_decref(e), mp_decref(z), mp_decref(n), mp_decref(t0);

    mp_value *nul = mp_str_n("a\0b", 3);
    TAP_OK(nul && mp_len(nul) == 3, "mp_str_n accepts U+0000");
    check_repr(nul, "'a\\x00b'", "of a str holding U+0000");
}

static void test_utf8(void)
{
    /* Messages as Python 3.11's bytes.decode('utf-8') words them. */
    static const struct { const char *in; size_t len; const char *msg; } bad[] = {
        {"\xff", 1, "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"},
        {"\xc0\x80", 2, "'utf-8' codec can't decode byte 0xc0 in position 0: invalid start byte"},
        {"\xe0\x80\x80", 3, "'utf-8' codec can't decode byte 0xe0 in position 0: invalid continuation byte"},
        {"\xed\xa0\x80", 3, "'utf-8' codec can't decode byte 0xed in position 0: invalid continuation byte"},
        {"\xf4\x90\x80\x80", 4, "'utf-8' codec can't decode byte 0xf4 in position 0: invalid continuation byte"},
        {"\xf0\x80\x80\x80", 4, "'utf-8' codec can't decode byte 0xf0 in position 0: invalid continuation byte"},
        {"a\xe2\x82", 3, "'utf-8' codec can't decode bytes in position 1-2: unexpected end of data"},
        {"a\xe2\x82" "b", 4, "'utf-8' codec can't decode bytes in position 1-2: invalid continuation byte"},
        {"\xf0\x9f\x98x", 4, "'utf-8' codec can't decode bytes in position 0-2: invalid continuation byte"},
        {"\xc2", 1, "'utf-8' codec can't decode byte 0xc2 in position 0: unexpected end of data"},
        {"ok\x80", 3, "'utf-8' codec can't decode byte 0x80 in position 2: invalid start byte"},
        {"\xf5\x80\x80\x80", 4, "'utf-8' codec can't decode byte 0xf5 in position 0: invalid start byte"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        mp_value *v = mp_str_n(bad[k].in, bad[k].len);
        TAP_OK(v == NULL, "invalid UTF-8 #%zu rejected", k);
        tap_is_str(mp_errmsg(), bad[k].msg, "invalid UTF-8 #%zu message", k);
        mp_decref(v);
    }
    tap_is_str(mp__exc_type(), "ValueError", "invalid UTF-8 is ValueError");
    mp_value *ok = mp_str("\xf4\x8f\xbf\xbf\xed\x9f\xbf\xee\x80\x80");
    TAP_OK(ok && mp_len(ok) == 3, "U+10FFFF, U+D7FF and U+E000 accepted");
    mp_decref(ok);
    TAP_OK(mp_str(NULL) == NULL, "mp_str(NULL) fails");
}

/* What builders return and record; test_leaks checks what they free. */
static void test_ownership(void)
{
    mp_value *t = mp_tuple_of("bob", mp_int(3));
    TAP_OK(t && mp_len(t) == 2 && mp_as_int(mp_item(t, 1)) == 3, "tuple_of builds ('bob', 3)");
    mp_decref(t);

    mp_value *x = mp_int(7);
    mp_value *l = mp_list_of(mp_incref(x), mp_incref(x), 1.5, "s", true);
    mp_decref(l);
    TAP_OK(mp_as_int(x) == 7, "a value outlives a list that held two references");
    mp_decref(x);

    /* A lent value (const mp_value *) stays the caller's: the builder takes
     * a reference of its own, and lets go of it with the container. */
    x = mp_str("lent");
    const mp_value *lent = x;
    l = mp_list_of(lent, lent);
    TAP_OK(l && mp_item(l, 0) == lent && x->refs == 3, "list_of takes a reference of its own to a lent value");
    mp_decref(l);
    TAP_OK(x->refs == 1 && strcmp(mp_as_str(x), "lent") == 0, "and lets go of it with the list");
    mp_decref(x);

    t = mp_tuple_of("a", mp_str("\xff"), mp_int(5), mp_list_of(1, 2));
    TAP_OK(t == NULL, "tuple_of given NULL returns NULL");
    tap_is_str(mp__exc_type(), "ValueError", "the NULL's error stays recorded");

    l = mp_list_of(mp_int(1), (unsigned long long)UINT64_MAX, mp_int(2));
    TAP_OK(l == NULL && strcmp(mp__exc_type(), "OverflowError") == 0 &&
           strstr(mp_errmsg(), "18446744073709551615"),
           "list_of: an unsigned beyond int64 is an overflow");

    l = mp_list_new();
    tap_is_int(mp_list_append(l, mp_str("\xc0")), MP_EVALUE,
               "list_append(NULL item) returns the recorded ValueError");
    tap_is_int(mp_list_append(l, mp_bytes(NULL, 5)), MP_ETYPE,
               "list_append(NULL item) returns the recorded TypeError");
    tap_is_int((long long)mp_len(l), 0, "the list is unchanged");
    TAP_OK(mp_list_append(NULL, mp_int(1)) < 0, "list_append to NULL fails");
    TAP_OK(mp_list_append(mp_none(), mp_int(1)) == MP_ETYPE, "list_append to None is TypeError");
    mp_value *d = mp_dict_new();
    TAP_OK(mp_dict_set(d, NULL, mp_int(1)) < 0 && mp_dict_set(d, mp_int(1), NULL) < 0,
           "dict_set with a NULL key or value fails");
    tap_is_int(mp_dict_set(d, mp_list_of(1), mp_int(1)), MP_ETYPE, "a list key is TypeError");
    tap_is_str(mp_errmsg(), "unhashable type: 'list'", "with Python's message");
    tap_is_int(mp_dict_set(d, mp_tuple_of(1, mp_dict_new()), mp_int(1)), MP_ETYPE,
               "a tuple holding a dict is TypeError");
    tap_is_str(mp_errmsg(), "unhashable type: 'dict'", "naming the dict");
    tap_is_int((long long)mp_len(d), 0, "the dict is unchanged");
    t = mp_tuple_new(2);
    tap_is_int(mp_tuple_set(t, 2, mp_int(1)), MP_EINDEX, "tuple_set past the end is IndexError");
    tap_is_str(mp_errmsg(), "tuple index out of range", "with Python's message");
    TAP_OK(mp_tuple_set(t, 0, mp_int(1)) == 0 && mp_tuple_set(t, 0, mp_str("x")) == 0,
           "tuple_set replaces an item");
    check_repr(t, "('x', None)", "of a tuple whose item was replaced");
    mp_decref(l), mp_decref(d);

    TAP_OK(mp_value_from_arg(MP_ARG((const struct mp_process *)NULL)) == NULL &&
           strcmp(mp__exc_type(), "TypeError") == 0 && strstr(mp_errmsg(), "Pickling"),
           "a process cannot become a value (TypeError)");
    mp_value *v = mp_value_from_arg(MP_ARG((unsigned long long)INT64_MAX));
    TAP_OK(mp_as_int(v) == INT64_MAX, "an unsigned up to INT64_MAX converts");
    mp_decref(v);
    v = mp_value_from_arg(MP_ARG((const char *)NULL));
    TAP_OK(v == mp_none(), "a NULL C string becomes None");
}

/* ---- operations for check_no_leak: ownership rules, failures included ---- */

static void op_tuple_of(void)
{
    mp_decref(mp_tuple_of("bob", mp_int(3), mp_list_of(1.5, "x"), mp_bytes("b", 1)));
}

static void op_shared_item(void)
{
    mp_value *x = mp_int(7);
    mp_decref(mp_list_of(mp_incref(x), mp_incref(x), 1.5, "s"));
    mp_decref(mp_tuple_of(x));
}

static void op_lent_argument(void)
{
    mp_value *x = mp_str("lent");
    const mp_value *lent = x;
    mp_decref(mp_tuple_of(lent, mp_list_of(lent, 1), mp_incref(lent)));
    mp_decref(x);
}

static void op_null_argument(void)
{
    mp_decref(mp_tuple_of("a", mp_str("\xff"), mp_int(5), mp_list_of(1, 2)));
    mp_decref(mp_list_of(mp_int(1), (mp_value *)NULL, mp_str("x")));
    mp_decref(mp_list_of(mp_int(1), (unsigned long long)UINT64_MAX, mp_int(2)));
}

static void op_builder_failures(void)
{
    mp_value *l = mp_list_new(), *d = mp_dict_new(), *t = mp_tuple_new(2);
    mp_list_append(l, NULL);
    mp_list_append(NULL, mp_int(1));
    mp_list_append(t, mp_int(1));
    mp_dict_set(d, NULL, mp_int(1));
    mp_dict_set(d, mp_int(1), NULL);
    mp_dict_set(NULL, mp_int(1), mp_int(2));
    mp_dict_set(d, mp_list_of(1), mp_int(1));
    mp_dict_set(d, mp_tuple_of(1, mp_dict_new()), mp_str("v"));
    mp_dict_set(l, mp_int(1), mp_int(2));
    mp_tuple_set(t, 2, mp_int(1));
    mp_tuple_set(t, 0, NULL);
    mp_tuple_set(l, 0, mp_int(1));
    mp_tuple_set(t, 0, mp_int(1));
    mp_tuple_set(t, 0, mp_str("replaced"));
    mp_decref(l), mp_decref(d), mp_decref(t);
}

static void op_dict_replace(void)
{
    mp_value *d = mp_dict_new();
    for (int i = 0; i < 50; i++) {
        mp_dict_set(d, mp_int(i % 7), mp_list_of(i));
        mp_dict_set(d, mp_float(i % 5), mp_str("f"));
        mp_dict_set(d, mp_tuple_of(i % 3, "k"), mp_none());
    }
    mp_decref(d);
}

static void op_repr(void)
{
    mp_value *v = mp_list_of(mp_tuple_of(0.1, "it's"), mp_bytes("\xff", 1), mp_dict_new());
    free(mp_repr(v));
    free(mp_tostring(v));
    mp_decref(v);
}

static void op_deep(void)
{
    mp_value *v = mp_list_new();
    for (int i = 0; i < 3000; i++)
        v = mp_list_of(v);
    free(mp_repr(v));
    mp_decref(v);
}

static void op_cycle_broken(void)
{
    mp_value *l = mp_list_new(), *t = mp_tuple_new(1);
    mp_tuple_set(t, 0, mp_incref(l));
    mp_list_append(l, mp_incref(t));
    free(mp_repr(l));
    mp_tuple_set(t, 0, mp_none());
    mp_decref(t), mp_decref(l);
}

static void test_leaks(void)
{
    check_no_leak(op_tuple_of, "tuple_of and list_of steal their value arguments");
    check_no_leak(op_shared_item, "incref and decref balance");
    check_no_leak(op_lent_argument, "builders give back the references they took to lent values");
    check_no_leak(op_null_argument, "builders release the rest after a NULL or overflow");
    check_no_leak(op_builder_failures, "builders release what they steal when they fail");
    check_no_leak(op_dict_replace, "dict replacement frees the new key and old value");
    check_no_leak(op_repr, "repr and str free their buffers");
    check_no_leak(op_deep, "deep nesting is freed (and too-deep repr cleans up)");
    check_no_leak(op_cycle_broken, "a broken cycle is freed");
}

static void test_deep(void)
{
    /* Deeper than any C stack could recurse: freeing must be iterative. */
    mp_value *v = mp_list_new();
    for (int i = 0; i < 300000 && v; i++)
        v = mp_list_of(v);
    TAP_OK(v != NULL, "built a list nested 300000 deep");
    char *r = mp_repr(v);
    TAP_OK(r == NULL, "its repr fails rather than overflow the stack");
    tap_is_str(mp__exc_type(), "RuntimeError", "as RuntimeError");
    TAP_OK(strstr(mp_errmsg(), "maximum recursion depth exceeded") != NULL, "recursion message");
    mp_decref(v);

    /* Cycles: l = []; t = (l,); l.append(t).  The tuple lets us break it. */
    mp_value *l = mp_list_new(), *t = mp_tuple_new(1);
    mp_tuple_set(t, 0, mp_incref(l));
    mp_list_append(l, mp_incref(t));
    check_repr(mp_incref(l), "[([...],)]", "of a list inside itself");
    check_repr(mp_incref(t), "([(...)],)", "of a tuple inside itself");
    TAP_OK(mp_equal(l, l), "a list inside itself equals itself (identity first)");
    mp_tuple_set(t, 0, mp_none());
    mp_decref(t), mp_decref(l);
    mp_value *d = mp_dict_new();
    mp_dict_set(d, mp_str("me"), mp_incref(d));
    check_repr(mp_incref(d), "{'me': {...}}", "of a dict inside itself");
    mp_dict_set(d, mp_str("me"), mp_none());
    mp_decref(d);
}

static void test_dict(void)
{
    mp_value *d = mp_dict_new();
    mp_dict_set(d, mp_int(1), mp_str("int"));
    mp_dict_set(d, mp_float(1.0), mp_str("float"));
    mp_dict_set(d, mp_bool(true), mp_str("bool"));
    tap_is_int((long long)mp_len(d), 1, "1, 1.0 and True are one key");
    check_repr(mp_incref(d), "{1: 'bool'}", "keeps the first key, the last value");

    mp_dict_set(d, mp_str("x"), mp_int(10));
    mp_dict_set(d, mp_float(-0.0), mp_int(20));
    mp_dict_set(d, mp_int(0), mp_int(21));
    mp_dict_set(d, mp_bool(false), mp_int(22));
    mp_dict_set(d, mp_str("x"), mp_int(11));
    mp_dict_set(d, mp_tuple_of(1, "a"), mp_none());
    mp_dict_set(d, mp_tuple_of(1.0, "a"), mp_int(3));
    mp_dict_set(d, mp_bytes("x", 1), mp_int(4));
    check_repr(mp_incref(d), "{1: 'bool', 'x': 11, -0.0: 22, (1, 'a'): 3, b'x': 4}",
               "replacement keeps insertion order");
    mp_value *k = mp_float(0.0);
    const mp_value *v = mp_dict_get(d, k);
    TAP_OK(mp_as_int(v) == 22, "get 0.0 finds -0.0's entry");
    mp_decref(k);
    k = mp_tuple_of(true, "a");
    TAP_OK(mp_as_int(mp_dict_get(d, k)) == 3, "get (True, 'a') finds (1, 'a')");
    mp_decref(k);
    k = mp_str("y");
    TAP_OK(mp_dict_get(d, k) == NULL, "a missing key gives NULL");
    mp_decref(k);
    k = mp_list_new();
    TAP_OK(mp_dict_get(d, k) == NULL && strcmp(mp_errmsg(), "unhashable type: 'list'") == 0,
           "get with a list key is TypeError");
    mp_decref(k);
    const mp_value *key, *val;
    TAP_OK(mp_dict_entry(d, 2, &key, &val) == 0 && mp_typeof(key) == MP_T_FLOAT &&
           mp_as_int(val) == 22, "dict_entry gives the i-th entry");
    tap_is_int(mp_dict_entry(d, 5, &key, &val), MP_EINDEX, "dict_entry past the end");
    k = mp_list_new();
    tap_is_int(mp_dict_entry(k, 0, &key, &val), MP_ETYPE, "dict_entry of a list is TypeError");
    mp_decref(k);
    mp_decref(d);

    /* nan is not equal to itself: only the very same object finds its entry. */
    d = mp_dict_new();
    mp_value *nan = mp_float(NAN);
    mp_dict_set(d, mp_incref(nan), mp_int(1));
    mp_dict_set(d, mp_incref(nan), mp_int(2));
    mp_dict_set(d, mp_float(NAN), mp_int(3));
    tap_is_int((long long)mp_len(d), 2, "the same nan is one key, another nan a new one");
    TAP_OK(mp_as_int(mp_dict_get(d, nan)) == 2, "a nan key finds itself");
    mp_decref(nan);
    check_repr(d, "{nan: 2, nan: 3}", "of nan keys");

    /* Many keys: the index must keep lookups fast and right. */
    d = mp_dict_new();
    const int n = 200000;
    int bad = 0;
    for (int i = 0; i < n; i++)
        if (mp_dict_set(d, mp_int((int64_t)i * 7919), mp_int(i)) != 0)
            bad++;
    for (int i = 0; i < n; i++)
        if (mp_dict_set(d, mp_float((double)i * 7919), mp_int(-i)) != 0)
            bad++;
    for (int i = 0; i < n; i++) {
        mp_value *key2 = mp_int((int64_t)i * 7919);
        if (mp_as_int(mp_dict_get(d, key2)) != -i)
            bad++;
        mp_decref(key2);
    }
    TAP_OK(bad == 0 && mp_len(d) == (size_t)n, "200000 int keys, replaced through float keys");
    mp_dict_entry(d, (size_t)n - 1, &key, &val);
    TAP_OK(mp_typeof(key) == MP_T_INT && mp_as_int(val) == -(n - 1), "the last entry is still last");
    mp_decref(d);
}

static void test_equal(void)
{
    mp_value *one = mp_int(1), *onef = mp_float(1.0), *nan = mp_float(NAN);
    TAP_OK(mp_equal(one, onef) && mp_equal(onef, mp_bool(true)) && mp_equal(one, mp_bool(true)),
           "1 == 1.0 == True");
    TAP_OK(!mp_equal(nan, nan), "nan != nan");
    mp_value *a = mp_list_of(mp_incref(nan)), *b = mp_list_of(mp_incref(nan));
    TAP_OK(mp_equal(a, b), "[x] == [x] for the same nan x (identity first)");
    mp_decref(a), mp_decref(b);
    a = mp_list_of(NAN), b = mp_list_of(NAN);
    TAP_OK(!mp_equal(a, b), "[nan] != [nan] for two nans");
    mp_decref(a), mp_decref(b);
    a = mp_tuple_of(1, 2), b = mp_list_of(1, 2);
    TAP_OK(!mp_equal(a, b), "(1, 2) != [1, 2]");
    mp_decref(a), mp_decref(b);
    a = mp_str("a"), b = mp_bytes("a", 1);
    TAP_OK(!mp_equal(a, b), "'a' != b'a'");
    mp_decref(a), mp_decref(b);
    a = mp_int(((int64_t)1 << 53) + 1), b = mp_float(0x1p53);
    TAP_OK(!mp_equal(a, b), "2**53 + 1 != 2.0**53 (exact comparison)");
    mp_decref(a), mp_decref(b);
    a = mp_int(INT64_MAX), b = mp_float(0x1p63);
    TAP_OK(!mp_equal(a, b), "2**63 - 1 != 2.0**63");
    mp_decref(a), mp_decref(b);
    a = mp_int(INT64_MIN), b = mp_float(-0x1p63);
    TAP_OK(mp_equal(a, b), "-2**63 == -2.0**63");
    mp_decref(a), mp_decref(b);
    a = mp_dict_new(), b = mp_dict_new();
    mp_dict_set(a, mp_str("x"), mp_int(1));
    mp_dict_set(a, mp_int(2), mp_list_of(1.0));
    mp_dict_set(b, mp_float(2.0), mp_list_of(true));
    mp_dict_set(b, mp_str("x"), mp_float(1.0));
    TAP_OK(mp_equal(a, b), "dicts compare regardless of order");
    mp_dict_set(b, mp_str("y"), mp_none());
    TAP_OK(!mp_equal(a, b), "a dict with one more key differs");
    mp_decref(a), mp_decref(b);
    a = mp_str("x"), b = mp_str("x");
    TAP_OK(mp_equal(a, b) && !mp_equal(a, NULL) && !mp_equal(mp_none(), mp_bool(false)),
           "str equality; None is not False; NULL equals nothing");
    mp_decref(a), mp_decref(b);
    mp_decref(one), mp_decref(onef), mp_decref(nan);
}

static void test_repr(void)
{
    check_repr(mp_str("it"), "'it'", "'it'");
    check_repr(mp_str("it's"), "\"it's\"", "\"it's\"");
    check_repr(mp_str("a'\"b"), "'a\\'\"b'", "with both quotes");
    check_repr(mp_str("\\"), "'\\\\'", "of a backslash");
    check_repr(mp_str("\n\r\t\a"), "'\\n\\r\\t\\x07'", "of control characters");
    check_repr(mp_str("\x7f\xc2\x80\xc2\xa0\xc2\xad"), "'\\x7f\\x80\\xa0\\xad'", "of Latin-1 non-printables");
    check_repr(mp_str("e\xcc\x81"), "'e\xcc\x81'", "of a combining mark");
    check_repr(mp_str("\xe2\x80\x8b\xe2\x80\xa8\xef\xbb\xbf\xef\xbf\xbf"),
               "'\\u200b\\u2028\\ufeff\\uffff'", "of BMP non-printables");
    check_repr(mp_str("\xf0\x9f\x98\x80\xf3\xa0\x80\x81\xf4\x8f\xbf\xbf"),
               "'\xf0\x9f\x98\x80\\U000e0001\\U0010ffff'", "of astral code points");
    check_repr(mp_bytes("it's", 4), "b\"it's\"", "of bytes with a quote");
    check_repr(mp_bytes("\0\xff'\"", 4), "b'\\x00\\xff\\'\"'", "of bytes with both quotes");
    check_repr(mp_bytes("\\\t\x7f ~", 5), "b'\\\\\\t\\x7f ~'", "of bytes escapes");

    static const struct { double d; const char *want; } floats[] = {
        {0.1, "0.1"}, {1e16, "1e+16"}, {1e-5, "1e-05"}, {3.1415927, "3.1415927"},
        {-0.0, "-0.0"}, {INFINITY, "inf"}, {-INFINITY, "-inf"}, {NAN, "nan"},
        {1.0, "1.0"}, {123456789012345.0, "123456789012345.0"},
        {1.2345678901234568e+16, "1.2345678901234568e+16"}, {1e22, "1e+22"},
        {5e-324, "5e-324"}, {DBL_MIN, "2.2250738585072014e-308"},
        {DBL_MAX, "1.7976931348623157e+308"}, {0.0001, "0.0001"},
        {0x1.9f3c70c996b77p-14, "9.900000000000001e-05"}, {0x1p53, "9007199254740992.0"},
        {1e23, "1e+23"}, {1.5e-323, "1.5e-323"}, {2.0 / 3, "0.6666666666666666"},
        {1e15, "1000000000000000.0"}, {9999999999999998.0, "9999999999999998.0"},
        {100.0, "100.0"}, {1.5e-7, "1.5e-07"}, {0x1p-1017, "7.120236347223045e-307"},
    };
    for (size_t k = 0; k < sizeof floats / sizeof floats[0]; k++)
        check_repr(mp_float(floats[k].d), floats[k].want, floats[k].want);

    check_repr(mp_tuple_of(1), "(1,)", "of a 1-tuple");
    check_repr(mp_tuple_new(0), "()", "of the empty tuple");
    check_repr(mp_list_new(), "[]", "of the empty list");
    check_repr(mp_dict_new(), "{}", "of the empty dict");
    mp_value *d = mp_dict_new();
    mp_dict_set(d, mp_float(0.25), mp_none());
    mp_dict_set(d, mp_int(1), mp_str("1"));
    mp_dict_set(d, mp_str("2"), mp_int(2));
    check_repr(mp_incref(d), "{0.25: None, 1: '1', '2': 2}", "of a dict");
    check_str(d, "{0.25: None, 1: '1', '2': 2}", "of a dict shows its items' repr");
    check_repr(mp_list_of(mp_none(), (bool)true, (bool)false, -7, mp_bytes("", 0), mp_tuple_new(0)),
               "[None, True, False, -7, b'', ()]", "of a list of scalars");
    check_str(mp_str("it's\n"), "it's\n", "of a str is itself");
    check_str(mp_int(INT64_MIN), "-9223372036854775808", "of INT64_MIN");
    check_str(mp_bytes("a", 1), "b'a'", "of bytes is its repr");
    check_repr(NULL, "<NULL>", "of NULL");

    /* Long output: the buffer grows geometrically. */
    mp_value *l = mp_list_new();
    for (int i = 0; i < 100000; i++)
        mp_list_append(l, mp_int(i % 10));
    char *r = mp_repr(l);
    tap_is_int(r ? (long long)strlen(r) : -1, 2 + 100000 + 2 * 99999, "repr of a 100000-item list");
    free(r);
    mp_decref(l);

    mp__buf b = {0};
    for (int i = 0; i < 100; i++)
        mp__buf_printf(&b, "%0*d|", 50, i);
    mp__buf_repr_str(&b, "bad\xff", 4);
    r = mp__buf_finish(&b);
    TAP_OK(r && strlen(r) == 5100 + 11 && strcmp(r + 5100, "'bad\\udcff'") == 0,
           "buffer printf grows; invalid UTF-8 shows as \\udcXX");
    free(r);
    r = mp__buf_finish(&b);
    tap_is_str(r, "", "an untouched buffer finishes as \"\"");
    free(r);
}

static void test_print(void)
{
    mp_value *s = mp_str("caf\xc3\xa9"), *l = mp_list_of("a", 1.5, mp_none());
    CHECK_PRINT("Worker: 3\n", "default sep and end", ((mp_print_opts){0}), "Worker:", 3);
    CHECK_PRINT("caf\xc3\xa9-['a', 1.5, None]-True-False-0.1-1e+16-18446744073709551615-x!",
                "sep and end", ((mp_print_opts){.sep = "-", .end = "!"}), s, l, (bool)true, (bool)false,
                0.1, 1e16, (unsigned long long)UINT64_MAX, (const char *)"x");
    CHECK_PRINT("-5 -2.5 None\r\n", "flush, NULL C string as None",
                ((mp_print_opts){.end = "\r\n", .flush = true}), -5, -2.5f, (const char *)NULL);
    CHECK_PRINT("1<NULL>2\n", "empty sep, NULL value", ((mp_print_opts){.sep = ""}),
                1, (mp_value *)NULL, 2);
    mp_decref(s), mp_decref(l);
    s = mp_str_n("a\0b", 3);
    CHECK_PRINT("a\0b\n", "a str holding U+0000 whole", ((mp_print_opts){0}), s);
    mp_decref(s);

    /* With no file, print goes to stdout: catch it through a temp file. */
    FILE *f = tmpfile();
    fflush(stdout);
    int saved = dup(1);
    dup2(fileno(f), 1);
    mp_print("to", "stdout", 1.0);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    check_file(f, "to stdout 1.0\n", 14, "to stdout by default");

    /* A process prints as its repr (process.c makes that). */
    mp_process *p = mp_process_new(&(mp_process_opts){.name = "it's"});
    char *r = p ? mp_process_repr(p) : NULL;
    TAP_OK(r != NULL, "made a process and its repr");
    if (r) {
        mp__buf want = {0};
        mp__buf_printf(&want, "%s <NULL>", r);
        char *w = mp__buf_finish(&want);
        f = tmpfile();
        mp_print_ex(((mp_print_opts){.file = f, .end = ""}), p, (mp_process *)NULL);
        check_file(f, w, strlen(w), "a process as its repr, a NULL one as <NULL>");
        free(w);
    }
    free(r);
    mp_process_free(p);
}

static int run_unit_tests(void)
{
    test_scalars();
    test_utf8();
    test_ownership();
    test_deep();
    test_dict();
    test_equal();
    test_repr();
    test_print();
    test_leaks();
    return tap_done();
}

/* ------------------------------------------------------------------------ */
/* The generator                                                            */
/* ------------------------------------------------------------------------ */

typedef struct gen {
    uint64_t state;             /* splitmix64 */
    mp__buf enc;
} gen;

static uint64_t rnd(gen *g)
{
    uint64_t z = (g->state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t below(gen *g, uint64_t n)
{
    return rnd(g) % n;
}

static void enc_token(gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void enc_token(gen *g, const char *fmt, ...)
{
    char tok[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tok, sizeof tok, fmt, ap);
    va_end(ap);
    if (g->enc.len)
        mp__buf_putn(&g->enc, " ", 1);
    mp__buf_puts(&g->enc, tok);
}

static void enc_hex(gen *g, char tag, const void *data, size_t len)
{
    const uint8_t *p = data;
    enc_token(g, "%c", tag);
    for (size_t i = 0; i < len; i++)
        mp__buf_printf(&g->enc, "%02x", p[i]);
}

/* Floats Python's repr has to get exactly right. */
static const double special_floats[] = {
    0.1, 1e16, 1e-5, 3.1415927, -0.0, 0.0, INFINITY, -INFINITY, NAN, 1.0,
    123456789012345.0, 1.2345678901234568e+16, 9999999999999998.0, 1e22, 1e23,
    5e-324, -5e-324, 1.5e-323, DBL_MIN, DBL_MAX, -DBL_MAX, 0.0001, 0.001, 1e-4 * 0.99,
    0x1p53, 0x1p53 + 2, 0x1p63, -0x1p63, 1e15, 1e17, 0.3, 2.0 / 3, 100.0, 1.5e-7,
    2.5, -1.5, 0x1p-1022, 0x1p-1074 * 12345, 1e300, 1e-300, 0x1.fffffffffffffp-1,
    /* powers of two whose shortest repr is not the nearest 16-digit decimal */
    0x1p-1017, 0x1p-957, 0x1p-1007,
};

static mp_value *gen_float(gen *g)
{
    double d;
    uint64_t bits;
    switch (below(g, 6)) {
    case 0:
        d = special_floats[below(g, sizeof special_floats / sizeof special_floats[0])];
        break;
    case 1:                                         /* any bit pattern */
        bits = rnd(g);
        memcpy(&d, &bits, sizeof d);
        break;
    case 2:                                         /* subnormal */
        bits = rnd(g) & 0x800fffffffffffffULL;
        memcpy(&d, &bits, sizeof d);
        break;
    case 3:                                         /* a power of two or its neighbour */
        d = ldexp(1.0, (int)below(g, 2098) - 1074);
        d = below(g, 3) == 0 ? nextafter(d, 0) : below(g, 2) ? nextafter(d, INFINITY) : d;
        break;
    case 4:                                         /* a short decimal */
        d = (double)((int64_t)below(g, 2000001) - 1000000) / pow(10, (double)below(g, 25));
        break;
    default:                                        /* an integer, maybe past 2**53 */
        d = (double)(int64_t)(rnd(g) >> below(g, 64));
        break;
    }
    enc_token(g, "f%a", d);
    return mp_float(d);
}

static mp_value *gen_int(gen *g)
{
    static const int64_t special[] = {
        0, 1, -1, INT64_MIN, INT64_MAX, INT64_MIN + 1, (int64_t)1 << 53,
        ((int64_t)1 << 53) + 1, -((int64_t)1 << 53) - 1, (int64_t)1 << 62, 1000000007,
    };
    int64_t i;
    switch (below(g, 3)) {
    case 0: i = special[below(g, sizeof special / sizeof special[0])]; break;
    case 1: i = (int64_t)below(g, 2001) - 1000; break;
    default: i = (int64_t)(rnd(g) >> below(g, 64)) * (below(g, 2) ? 1 : -1); break;
    }
    enc_token(g, "i%" PRId64, i);
    return mp_int(i);
}

/* A code point chosen to stress repr: quotes, escapes, controls, Latin-1's
 * non-printables, combining marks, format characters, astral planes. */
static uint32_t gen_code_point(gen *g, bool allow_nul)
{
    static const uint32_t tricky[] = {
        '\'', '"', '\\', '\t', '\n', '\r', 0x07, 0x1b, 0x7f, 0x80, 0x9f, 0xa0, 0xad,
        0xe9, 0x301, 0x34f, 0x200b, 0x200d, 0x2028, 0x2029, 0x3000, 0xfeff, 0xfffd,
        0xfffe, 0xffff, 0xe000, 0x4e2d, 0x1f600, 0x1f3f3, 0xe0001, 0xe0100, 0xf0000,
        0x10ffff, 0x10000, 0x1d11e, 0x0378, 0x0600, 0x061c, 0x1680, 0xd7ff,
    };
    uint32_t c;
    switch (below(g, 6)) {
    case 0:
    case 1: c = (uint32_t)(' ' + below(g, 95)); break;
    case 2: c = tricky[below(g, sizeof tricky / sizeof tricky[0])]; break;
    case 3: c = (uint32_t)below(g, 0x800); break;
    case 4: c = (uint32_t)below(g, 0x10000); break;
    default: c = (uint32_t)below(g, 0x110000); break;
    }
    if (c >= 0xD800 && c <= 0xDFFF)
        c = 0xFFFD;
    if (c == 0 && !allow_nul)
        c = '0';
    return c;
}

static size_t put_utf8(char *out, uint32_t c)
{
    if (c < 0x80)
        return out[0] = (char)c, 1;
    if (c < 0x800)
        return out[0] = (char)(0xC0 | c >> 6), out[1] = (char)(0x80 | (c & 0x3F)), 2;
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | c >> 12);
        out[1] = (char)(0x80 | (c >> 6 & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | c >> 18);
    out[1] = (char)(0x80 | (c >> 12 & 0x3F));
    out[2] = (char)(0x80 | (c >> 6 & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

static mp_value *gen_str(gen *g, bool allow_nul)
{
    char s[16 * 4];
    size_t len = 0, n = below(g, 4) == 0 ? below(g, 3) : below(g, 16);
    for (size_t i = 0; i < n; i++)
        len += put_utf8(s + len, gen_code_point(g, allow_nul));
    enc_hex(g, 's', s, len);
    return mp_str_n(s, len);
}

static mp_value *gen_bytes(gen *g)
{
    static const char tricky[] = "'\"\\\t\n\r\x7f\x80\xff\0 ~";
    uint8_t b[16];
    size_t n = below(g, 16);
    for (size_t i = 0; i < n; i++)
        b[i] = below(g, 2) ? (uint8_t)tricky[below(g, sizeof tricky)] : (uint8_t)rnd(g);
    enc_hex(g, 'b', b, n);
    return mp_bytes(b, n);
}

/* Keys from a small pool of values that are often equal across types. */
static mp_value *gen_collider(gen *g)
{
    switch (below(g, 9)) {
    case 0: enc_token(g, "i1"); return mp_int(1);
    case 1: enc_token(g, "T"); return mp_bool(true);
    case 2: enc_token(g, "f%a", 1.0); return mp_float(1.0);
    case 3: enc_token(g, "F"); return mp_bool(false);
    case 4: enc_token(g, "f%a", -0.0); return mp_float(-0.0);
    case 5: enc_token(g, "i0"); return mp_int(0);
    case 6: enc_token(g, "s61"); return mp_str("a");
    case 7: enc_token(g, "t1 i2"); return mp_tuple_of(2);
    default: enc_token(g, "t1 f%a", 2.0); return mp_tuple_of(2.0);
    }
}

static mp_value *gen_value(gen *g, int depth, bool hashable);

static mp_value *gen_seq(gen *g, int depth, bool tuple, bool hashable)
{
    size_t n = below(g, 3) == 0 ? below(g, 2) : below(g, 5);
    enc_token(g, "%c%zu", tuple ? 't' : 'l', n);
    mp_value *v = tuple ? mp_tuple_new(n) : mp_list_new();
    for (size_t i = 0; i < n; i++) {
        mp_value *item = gen_value(g, depth + 1, hashable);
        if ((tuple ? mp_tuple_set(v, i, item) : mp_list_append(v, item)) < 0) {
            mp_decref(v);
            return NULL;
        }
    }
    return v;
}

static mp_value *gen_dict(gen *g, int depth)
{
    size_t n = below(g, 3) == 0 ? below(g, 2) : below(g, 6);
    enc_token(g, "d%zu", n);
    mp_value *d = mp_dict_new();
    for (size_t i = 0; i < n; i++) {
        mp_value *k = below(g, 2) ? gen_collider(g) : gen_value(g, depth + 1, true);
        if (mp_dict_set(d, k, gen_value(g, depth + 1, false)) < 0) {
            mp_decref(d);
            return NULL;
        }
    }
    return d;
}

/* A random value; hashable ones only (for dict keys) if asked. */
static mp_value *gen_value(gen *g, int depth, bool hashable)
{
    unsigned kinds = depth >= 3 ? 7 : hashable ? 8 : 10;
    switch (below(g, kinds)) {
    case 0: enc_token(g, "N"); return mp_none();
    case 1: {
        bool b = below(g, 2);
        enc_token(g, "%s", b ? "T" : "F");
        return mp_bool(b);
    }
    case 2: return gen_int(g);
    case 3: return gen_float(g);
    case 4:
    case 5: return gen_str(g, depth > 0);
    case 6: return gen_bytes(g);
    case 7: return gen_seq(g, depth, true, hashable);
    case 8: return gen_seq(g, depth, false, false);
    default: return gen_dict(g, depth);
    }
}

/* Write s with \ TAB LF CR NUL escaped, as the header comment describes. */
static void put_escaped(const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '\\': fputs("\\\\", stdout); break;
        case '\t': fputs("\\t", stdout); break;
        case '\n': fputs("\\n", stdout); break;
        case '\r': fputs("\\r", stdout); break;
        default: putchar(*s); break;
        }
    }
}

static int run_generator(uint64_t seed, long n)
{
    gen g = {.state = seed};
    size_t nspecial = sizeof special_floats / sizeof special_floats[0];
    for (long i = 0; i < n; i++) {
        mp_value *v;
        if ((size_t)i < nspecial) {     /* every special float at least once */
            enc_token(&g, "f%a", special_floats[i]);
            v = mp_float(special_floats[i]);
        } else {
            v = gen_value(&g, 0, false);
        }
        char *enc = mp__buf_finish(&g.enc);
        char *r = mp_repr(v), *s = mp_tostring(v);
        if (!v || !enc || !r || !s) {
            fprintf(stderr, "test_values: value %ld: %s: %s\n", i,
                    mp_errname(MP_ENOMEM), mp_errmsg());
            return 1;
        }
        fputs(enc, stdout);
        putchar('\t');
        put_escaped(r);
        putchar('\t');
        put_escaped(s);
        putchar('\n');
        free(enc), free(r), free(s);
        mp_decref(v);
    }
    return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 1)
        return run_unit_tests();
    if (strcmp(argv[1], "--gen") == 0 && argc <= 4) {
        char *end = "";
        uint64_t seed = 20231122;
        long n = 600;
        if (argc > 2)
            seed = strtoull(argv[2], &end, 0);
        if (argc > 3 && !*end)
            n = strtol(argv[3], &end, 0);
        if (!*end && n >= 0)
            return run_generator(seed, n);
    }
    fprintf(stderr, "usage: %s [--gen [SEED [N]]]\n", argv[0]);
    return 2;
}

/* fuzz_unpickle.c - libFuzzer target: mp_pickle_loads on any bytes gives a whole value or a named error, and never crashes, leaks or hangs. */
#include "mp.h"
#include "managers/managers.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * Besides what the sanitizers catch (memory errors, undefined behaviour,
 * leaks), each input checks two properties and aborts when one fails:
 *   - a failure returns a known negative code and leaves *out NULL;
 *   - a value that loads is whole: its repr can be made, and it pickles and
 *     loads back to the same value (so every value the reader makes, the
 *     writer can write).
 * repr and == walk a value as a tree, which a small pickle can make huge by
 * sharing one tuple many times over; those checks are skipped for values
 * with more than LIMIT nodes counted that way.
 */
#define LIMIT 100000

/* A registered class, so that instances (STACK_GLOBAL, NEWOBJ, BUILD) are
 * fuzzed too; the corpus has CPython's pickles of __main__.C objects. */
static const mp_class C = {.name = "C"};
MP_CLASS(C);

/* The attribute names the corpus's objects have (the API has no view of
 * an object's whole dict; these are what `same` compares). */
static const char *const names[] = {"a", "b", "name", "items", NULL};

/* Nodes of v counted as a tree, stopping once past limit. */
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
    for (const char *const *k = names; t == MP_T_OBJECT && *k && n <= limit; k++) {
        const mp_value *a = mp_getattr(v, *k);
        n += a ? nodes(a, limit - n) : 0;
    }
    return n;
}

/* The same value, types kept, nan equal to nan, dict order kept. */
static int same(const mp_value *a, const mp_value *b)
{
    if (mp_typeof(a) != mp_typeof(b))
        return 0;
    switch (mp_typeof(a)) {
    case MP_T_FLOAT: {
        double x = mp_as_float(a), y = mp_as_float(b);
        return (isnan(x) && isnan(y)) || (x == y && signbit(x) == signbit(y));
    }
    case MP_T_TUPLE:
    case MP_T_LIST:
        if (mp_len(a) != mp_len(b))
            return 0;
        for (size_t i = 0; i < mp_len(a); i++)
            if (!same(mp_item(a, i), mp_item(b, i)))
                return 0;
        return 1;
    case MP_T_DICT:
        if (mp_len(a) != mp_len(b))
            return 0;
        for (size_t i = 0; i < mp_len(a); i++) {
            const mp_value *ka, *va, *kb, *vb;
            mp_dict_entry(a, i, &ka, &va);
            mp_dict_entry(b, i, &kb, &vb);
            if (!same(ka, kb) || !same(va, vb))
                return 0;
        }
        return 1;
    case MP_T_OBJECT:
        /* Objects compare by identity; a copy is the same class with the
         * same attributes (the API has no dict view, so look up each key
         * the original was given: the corpus uses these names). */
        if (mp_class_of(a) != mp_class_of(b))
            return 0;
        for (const char *const *k = names; *k; k++) {
            const mp_value *x = mp_getattr(a, *k), *y = mp_getattr(b, *k);
            if ((x == NULL) != (y == NULL) || (x && !same(x, y)))
                return 0;
        }
        return 1;
    default:
        return mp_equal(a, b);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A manager's proxy read from a pickle connects to the address in its
 * token to take a reference, as CPython's does: the fuzzer, which
 * invents addresses, rebuilds them without connecting. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    mp__proxy_rebuild_offline(true);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mp_value *v = (mp_value *)&v;           /* must be overwritten */
    int rc = mp_pickle_loads(data, size, NULL, &v);
    if (rc < 0) {
        if (v != NULL || strcmp(mp_errname(rc), "?") == 0 || (rc != MP_ENOMEM && !mp_errmsg()[0]))
            abort();
        return 0;
    }
    if (rc != 0 || !v)
        abort();
    if (nodes(v, LIMIT) <= LIMIT) {
        char *r = mp_repr(v);
        if (!r)
            abort();
        free(r);
    }
    /* Write it, read it back: no error but running out of memory. */
    uint8_t *out;
    size_t len;
    rc = mp_pickle_dumps(v, NULL, &out, &len);
    if (rc == 0) {
        mp_value *back = NULL;
        rc = mp_pickle_loads(out, len, NULL, &back);
        if (rc != 0 && rc != MP_ENOMEM)
            abort();
        if (rc == 0 && nodes(v, LIMIT) <= LIMIT && !same(v, back))
            abort();
        mp_decref(back);
        free(out);
    } else if (rc != MP_ENOMEM) {
        abort();
    }
    mp_decref(v);
    return 0;
}

/* test_sharedctypes.c - unit tests for Value, Array, RawValue, RawArray, copy and synchronized: every typecode, reprs and errors in CPython 3.11's words, the heap's arenas, children under every start method, and 8 x 100,000 increments under the lock.
 *
 * Usage: test_sharedctypes   prints TAP.  The binary is also the program
 * spawn and forkserver re-run for their children.  Uses mp.h alone: the
 * heap's arenas are counted in /proc/self/maps (memfd:forklore-heap).
 */
#include <mp.h>

#include "sync_tests.h"
#include "tap.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef struct { double x, y; } point;
static const mp_cfield point_fields[] = {{"x", &mp_c_double, offsetof(point, x)},
                                         {"y", &mp_c_double, offsetof(point, y)}};
static const mp_ctype Point = {.name = "Point", .size = sizeof(point), .fields = point_fields, .nfields = 2};
MP_CTYPE(Point);

/* A value's repr as text. */
static const char *vrep(mp_value *v)
{
    static char buf[512];
    char *r = mp_repr(v);
    snprintf(buf, sizeof buf, "%s", r ? r : "(null)");
    free(r);
    mp_decref(v);
    return buf;
}

static void check(int rc)
{
    if (rc < 0)
        tap_diag("failed: %s: %s", mp_errname(rc), mp_errmsg());
}
/* The value a call put in out, the call's failure said (the comma
 * operator reads out after the call). */
#define got(call, out) (check(call), (out))

/* The heap's arenas mapped in this process. */
static int arenas(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    int n = 0;
    while (f && fgets(line, sizeof line, f))
        n += strstr(line, "memfd:forklore-heap") != NULL;
    if (f)
        fclose(f);
    return n;
}

/* Replace the hex address of "at 0x..." by 0x0, as the suite normalises. */
static const char *noaddr(const char *s)
{
    static char buf[512];
    size_t j = 0;
    for (size_t i = 0; s[i] && j + 1 < sizeof buf; i++) {
        if (s[i] == '0' && s[i + 1] == 'x') {
            buf[j++] = '0';
            buf[j++] = 'x';
            buf[j++] = '0';
            for (i += 2; s[i] && strchr("0123456789abcdef", s[i]); i++)
                ;
            i--;
        } else {
            buf[j++] = s[i];
        }
    }
    buf[j] = 0;
    return buf;
}

static void test_typecodes(void)
{
    static const struct { const char *code, *zero, *set, *after; } t[] = {
        {"c", "c_char(b'\\x00')", "b'A'", "c_char(b'A')"},
        {"u", "c_wchar('\\x00')", "'\xc3\xa9'", "c_wchar('\xc3\xa9')"},
        {"b", "c_byte(0)", "300", "c_byte(44)"},
        {"B", "c_ubyte(0)", "-1", "c_ubyte(255)"},
        {"h", "c_short(0)", "-2", "c_short(-2)"},
        {"H", "c_ushort(0)", "65537", "c_ushort(1)"},
        {"i", "c_int(0)", "1099511627776", "c_int(0)"},
        {"I", "c_uint(0)", "-1", "c_uint(4294967295)"},
        {"l", "c_long(0)", "-5", "c_long(-5)"},
        {"L", "c_ulong(0)", "5", "c_ulong(5)"},
        {"q", "c_long(0)", "-9223372036854775807", "c_long(-9223372036854775807)"},
        {"Q", "c_ulong(0)", "7", "c_ulong(7)"},
        {"f", "c_float(0.0)", "0.1", "c_float(0.10000000149011612)"},
        {"d", "c_double(0.0)", "3.1415927", "c_double(3.1415927)"},
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        mp_shared *v = mp_shared_value_new(mp_typecode(t[i].code), NULL, NULL);
        char want[128];
        snprintf(want, sizeof want, "<Synchronized wrapper for %s>", t[i].zero);
        tap_is_str(rep(v), want, "Value('%s') repr", t[i].code);
        mp_shared *r = mp_raw_value_new(mp_typecode(t[i].code), NULL);
        tap_is_str(rep(r), t[i].zero, "RawValue('%s') repr", t[i].code);
        /* Set from the Python literal, read back. */
        mp_value *x;
        const char *s = t[i].set;
        if (s[0] == 'b')
            x = mp_bytes(s + 2, 1);
        else if (s[0] == '\'')
            x = mp_str_n(s + 1, strlen(s) - 2);
        else if (strchr(s, '.'))
            x = mp_float(strtod(s, NULL));
        else
            x = mp_int(strtoll(s, NULL, 10));
        tap_is_int(mp_shared_set(r, x), 0, "RawValue('%s').value = %s", t[i].code, s);
        tap_is_str(rep(r), t[i].after, "... round-trips");
        mp_value *back;
        tap_is_int(mp_shared_get(v, &back), 0, "Value('%s').value", t[i].code);
        mp_decref(back);
        mp_shared_free(v);
        mp_shared_free(r);
    }
    mp_shared *q = mp_raw_value_new(&mp_c_ulonglong, mp_tuple_of(-1));
    mp_value *out;
    TAP_OK(err_is(mp_shared_get(q, &out), MP_EOVERFLOW, "c_ulong value 18446744073709551615 is beyond a 64-bit int"),
           "a 'Q' beyond the value model's int: OverflowError");
    mp_shared_free(q);
    TAP_OK(mp_typecode("x") == NULL && err_is(mp_errcode(), MP_ETYPE, "this type has no size"),
           "Value('x'): TypeError this type has no size");
    TAP_OK(mp_shared_value_new(mp_typecode("ii"), mp_tuple_of(0), NULL) == NULL &&
           err_is(mp_errcode(), MP_ETYPE, "this type has no size"), "Value('ii', 0)");
    static const struct { const char *code; const char *msg; } bad[] = {
        {"i", "'float' object cannot be interpreted as an integer"},
        {"c", "one character bytes, bytearray or integer expected"},
        {"u", "unicode string expected instead of float instance"},
    };
    for (size_t i = 0; i < 3; i++)
        TAP_OK(mp_shared_value_new(mp_typecode(bad[i].code), mp_tuple_of(1.5), NULL) == NULL &&
               err_is(mp_errcode(), MP_ETYPE, bad[i].msg), "Value('%s', 1.5): TypeError", bad[i].code);
    TAP_OK(mp_shared_value_new(&mp_c_double, mp_tuple_of("x"), NULL) == NULL &&
           err_is(mp_errcode(), MP_ETYPE, "must be real number, not str"), "Value('d', 'x')");
    TAP_OK(mp_shared_value_new(&mp_c_int, mp_tuple_of(1, 2), NULL) == NULL &&
           err_is(mp_errcode(), MP_ETYPE, "__init__ expected at most 1 argument, got 2"), "Value('i', 1, 2)");
    TAP_OK(mp_shared_value_new(&mp_c_char, mp_tuple_of(mp_bytes("ab", 2)), NULL) == NULL &&
           err_is(mp_errcode(), MP_ETYPE, "one character bytes, bytearray or integer expected"),
           "Value('c', b'ab')");
    TAP_OK(mp_shared_value_new(&mp_c_wchar, mp_tuple_of("ab"), NULL) == NULL &&
           err_is(mp_errcode(), MP_ETYPE, "one character unicode string expected"), "Value('u', 'ab')");
    mp_shared *c = mp_shared_value_new(&mp_c_char, mp_tuple_of(65), NULL);
    tap_is_str(rep(c), "<Synchronized wrapper for c_char(b'A')>", "Value('c', 65)");
    mp_shared_free(c);
}

static void test_locks(void)
{
    mp_shared *v = mp_shared_value_new(&mp_c_int, mp_tuple_of(3), NULL);
    tap_is_str(rep(v), "<Synchronized wrapper for c_int(3)>", "Value('i', 3)");
    tap_is_str(rep(mp_shared_get_lock(v)), "<RLock(None, 0)>", "its get_lock() is a new RLock");
    tap_is_str(rep(mp_shared_get_obj(v)), "c_int(3)", "its get_obj() is the raw c_int");
    mp_shared *raw = mp_shared_value_new(&mp_c_int, mp_tuple_of(0), &(mp_shared_opts){.lock = MP_NO});
    tap_is_str(rep(raw), "c_int(0)", "Value('i', 0, lock=False) is the raw object");
    TAP_OK(mp_shared_get_lock(raw) == NULL &&
           err_is(mp_errcode(), MP_EATTR, "'c_int' object has no attribute 'get_lock'"),
           "its get_lock(): AttributeError");
    TAP_OK(mp_shared_get_obj(raw) == NULL &&
           err_is(mp_errcode(), MP_EATTR, "'c_int' object has no attribute 'get_obj'"), "its get_obj()");
    mp_lock *l = mp_lock_new();
    mp_shared *w = mp_shared_value_new(&mp_c_int, NULL, &(mp_shared_opts){.lock = MP_YES, .use_lock = l});
    TAP_OK(mp_shared_get_lock(w) == l, "lock=Lock(): that lock");
    /* The lock is the wrapper's: held elsewhere, .value waits; a timed
     * acquire shows it. */
    tap_is_int(mp_lock_acquire(mp_shared_get_lock(w)), 1, "acquire the wrapper's lock");
    tap_is_str(rep(l), "<Lock(owner=MainProcess)>", "the passed Lock is the one held");
    mp_lock_release(l);
    mp_shared_free(w);
    mp_lock *rl = mp_rlock_new();
    mp_shared *rw = mp_shared_array_new(&mp_c_int, mp_int(2), &(mp_shared_opts){.use_lock = rl});
    mp_lock_acquire(rl);
    mp_value *out;
    tap_is_int(mp_shared_item(rw, 0, &out), 0, "an RLock held by this thread: item taken again at once");
    mp_decref(out);
    mp_lock_release(rl);
    mp_shared_free(rw);
    mp_lock_free(rl);
    mp_lock_free(l);
    mp_shared_free(v);
    mp_shared_free(raw);
}

static void test_arrays(void)
{
    mp_value *init = mp_list_new();
    for (int i = 0; i < 10; i++)
        mp_list_append(init, mp_int(i));
    mp_shared *a = mp_shared_array_new(mp_typecode("i"), init, NULL);
    tap_is_str(noaddr(rep(a)),
               "<SynchronizedArray wrapper for <multiprocessing.sharedctypes.c_int_Array_10 object at 0x0>>",
               "Array('i', range(10)) repr");
    tap_is_int(mp_shared_len(a), 10, "len");
    mp_value *out;
    tap_is_str(vrep(got(mp_shared_slice(a, MP_ALL, MP_ALL, MP_ALL, &out), out)),
               "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]", "a[:]");
    tap_is_str(vrep(got(mp_shared_slice(a, MP_ALL, MP_ALL, -3, &out), out)), "[9, 6, 3, 0]", "a[::-3]");
    tap_is_str(vrep(got(mp_shared_slice(a, 2, 100, 2, &out), out)), "[2, 4, 6, 8]", "a[2:100:2]");
    tap_is_str(vrep(got(mp_shared_slice(a, -2, MP_ALL, MP_ALL, &out), out)), "[8, 9]", "a[-2:]");
    tap_is_str(vrep(got(mp_shared_item(a, -1, &out), out)), "9", "a[-1]");
    TAP_OK(err_is(mp_shared_item(a, 10, &out), MP_EINDEX, "invalid index"), "a[10]: IndexError");
    TAP_OK(err_is(mp_shared_item(a, -11, &out), MP_EINDEX, "invalid index"), "a[-11]: IndexError");
    TAP_OK(err_is(mp_shared_set_item(a, 10, mp_int(1)), MP_EINDEX, "invalid index"), "a[10] = 1");
    TAP_OK(err_is(mp_shared_set_item(a, 0, mp_str("x")), MP_ETYPE,
                  "'str' object cannot be interpreted as an integer"), "a[0] = 'x'");
    TAP_OK(err_is(mp_shared_slice(a, 0, 1, 0, &out), MP_EVALUE, "slice step cannot be zero"), "a[::0]");
    TAP_OK(err_is(mp_shared_set_slice(a, 0, 2, MP_ALL, mp_list_of(1)), MP_EVALUE,
                  "Can only assign sequence of same size"), "a[0:2] = [1]");
    TAP_OK(err_is(mp_shared_set_slice(a, 0, 2, MP_ALL, mp_int(5)), MP_EVALUE,
                  "Can only assign sequence of same size"), "a[0:2] = 5");
    tap_is_int(mp_shared_set_slice(a, MP_ALL, MP_ALL, 3, mp_list_of(-1, -2, -3, -4)), 0, "a[::3] = [...]");
    tap_is_str(vrep(got(mp_shared_slice(a, MP_ALL, MP_ALL, MP_ALL, &out), out)),
               "[-1, 1, 2, -2, 4, 5, -3, 7, 8, -4]", "... written");
    TAP_OK(err_is(mp_shared_get(a, &out), MP_EATTR, "'SynchronizedArray' object has no attribute 'value'"),
           "an int Array has no .value");
    mp_shared *v = mp_shared_value_new(&mp_c_int, NULL, NULL);
    TAP_OK(err_is((int)mp_shared_len(v), MP_ETYPE, "object of type 'Synchronized' has no len()"),
           "len(Value)");
    TAP_OK(err_is(mp_shared_item(v, 0, &out), MP_ETYPE, "'Synchronized' object is not subscriptable"),
           "Value[0]");
    mp_shared_free(v);
    mp_shared_free(a);

    TAP_OK(mp_shared_array_new(&mp_c_int, mp_int(-1), NULL) == NULL &&
           err_is(mp_errcode(), MP_EVALUE, "Array length must be >= 0, not -1"), "Array('i', -1)");
    TAP_OK(mp_shared_array_new(&mp_c_int, mp_str("abc"), NULL) == NULL &&
           err_is(mp_errcode(), MP_ETYPE, "'str' object cannot be interpreted as an integer"),
           "Array('i', 'abc')");
    mp_shared *raw = mp_raw_array_new(&mp_c_double, mp_list_of(1, 2, 3));
    tap_is_str(noaddr(rep(raw)), "<multiprocessing.sharedctypes.c_double_Array_3 object at 0x0>", "RawArray('d', [1, 2, 3])");
    tap_is_str(vrep(got(mp_shared_slice(raw, MP_ALL, MP_ALL, MP_ALL, &out), out)), "[1.0, 2.0, 3.0]", "its items");
    mp_shared *z = mp_shared_array_new(&mp_c_double, mp_int(0), NULL);
    tap_is_str(noaddr(rep(z)),
               "<SynchronizedArray wrapper for <multiprocessing.sharedctypes.c_double_Array_0 object at 0x0>>",
               "Array('d', 0)");
    tap_is_str(vrep(got(mp_shared_slice(z, MP_ALL, MP_ALL, MP_ALL, &out), out)), "[]", "empty slice");
    mp_shared_free(z);
    mp_shared_free(raw);
}

static void test_strings(void)
{
    mp_shared *s = mp_shared_array_new(&mp_c_char, mp_bytes("hello world", 11), NULL);
    tap_is_str(noaddr(rep(s)),
               "<SynchronizedString wrapper for <multiprocessing.sharedctypes.c_char_Array_11 object at 0x0>>",
               "Array('c', b'hello world')");
    mp_value *out;
    tap_is_str(vrep(got(mp_shared_get(s, &out), out)), "b'hello world'", ".value");
    tap_is_int(mp_shared_set(s, mp_bytes("hi", 2)), 0, ".value = b'hi'");
    tap_is_str(vrep(got(mp_shared_get(s, &out), out)), "b'hi'", ".value stops at the NUL");
    tap_is_str(vrep(got(mp_shared_get_raw(s, &out), out)), "b'hi\\x00lo world'", ".raw has it all");
    TAP_OK(err_is(mp_shared_set(s, mp_bytes("123456789012", 12)), MP_EVALUE, "byte string too long"),
           ".value too long");
    TAP_OK(err_is(mp_shared_set(s, mp_str("x")), MP_ETYPE, "bytes expected instead of str instance"),
           ".value = 'x'");
    tap_is_int(mp_shared_set_raw(s, mp_bytes("HEL", 3)), 0, ".raw = b'HEL'");
    tap_is_str(vrep(got(mp_shared_get_raw(s, &out), out)), "b'HELlo world'", ".raw written in place, no NUL added");
    tap_is_str(vrep(got(mp_shared_item(s, 0, &out), out)), "b'H'", "s[0]");
    tap_is_int(mp_shared_set_item(s, 0, mp_int(74)), 0, "s[0] = 74");
    tap_is_str(vrep(got(mp_shared_slice(s, 0, 3, MP_ALL, &out), out)), "b'JEL'", "s[0:3] is bytes");
    mp_shared *u = mp_raw_array_new(&mp_c_wchar, mp_str("hi\xc3\xa9"));
    tap_is_str(vrep(got(mp_shared_get(u, &out), out)), "'hi\xc3\xa9'", "RawArray('u', ...).value");
    tap_is_str(vrep(got(mp_shared_slice(u, MP_ALL, MP_ALL, MP_ALL, &out), out)), "'hi\xc3\xa9'", "its slice is a str");
    mp_shared *su = mp_shared_synchronized(u, NULL);
    TAP_OK(err_is(mp_shared_get(su, &out), MP_EATTR, "'SynchronizedArray' object has no attribute 'value'"),
           "a synchronized 'u' array has no .value, as CPython's");
    mp_shared *i = mp_raw_array_new(&mp_c_int, mp_int(2));
    TAP_OK(err_is(mp_shared_get_raw(i, &out), MP_EATTR, "'c_int_Array_2' object has no attribute 'raw'"),
           "an int array has no .raw");
    mp_shared_free(i);
    mp_shared_free(su);
    mp_shared_free(u);
    mp_shared_free(s);
}

static void test_structs(void)
{
    mp_shared *p = mp_shared_value_new(&Point, mp_tuple_of(1, 2), NULL);
    tap_is_str(noaddr(rep(p)), "<SynchronizedPoint wrapper for <__main__.Point object at 0x0>>", "Value(Point, 1, 2)");
    mp_value *out;
    tap_is_str(vrep(got(mp_shared_getattr(p, "x", &out), out)), "1.0", "p.x");
    tap_is_int(mp_shared_setattr(p, "y", mp_float(-6.25)), 0, "p.y = -6.25");
    tap_is_str(vrep(got(mp_shared_getattr(p, "y", &out), out)), "-6.25", "p.y");
    TAP_OK(err_is(mp_shared_getattr(p, "z", &out), MP_EATTR, "'SynchronizedPoint' object has no attribute 'z'"),
           "p.z");
    TAP_OK(err_is(mp_shared_get(p, &out), MP_EATTR, "'SynchronizedPoint' object has no attribute 'value'"),
           "p.value");
    TAP_OK(mp_shared_value_new(&Point, mp_tuple_of(1, 2, 3), NULL) == NULL &&
           err_is(mp_errcode(), MP_ETYPE, "too many initializers"), "Value(Point, 1, 2, 3)");
    TAP_OK(mp_shared_value_new(&Point, mp_tuple_of("a"), NULL) == NULL &&
           err_is(mp_errcode(), MP_ETYPE, "must be real number, not str"), "Value(Point, 'a')");
    mp_shared *a = mp_shared_array_new(&Point, mp_list_of(mp_tuple_of(1.875, -6.25), mp_tuple_of(-5.75, 2.0)), NULL);
    tap_is_str(noaddr(rep(a)),
               "<SynchronizedArray wrapper for <multiprocessing.sharedctypes.Point_Array_2 object at 0x0>>",
               "Array(Point, [...])");
    point *pts = mp_shared_ptr(a);
    TAP_OK(pts[1].x == -5.75 && pts[0].y == -6.25, "mp_shared_ptr is the C struct array");
    tap_is_str(vrep(got(mp_shared_item(a, 1, &out), out)), "(-5.75, 2.0)", "an item is the tuple of its fields");
    TAP_OK(mp_shared_array_new(&Point, mp_list_of(1), NULL) == NULL &&
           err_is(mp_errcode(), MP_ETYPE, "expected Point instance, got int"), "Array(Point, [1])");
    mp_shared *raw = mp_raw_value_new(&Point, NULL);
    tap_is_str(noaddr(rep(raw)), "<__main__.Point object at 0x0>", "RawValue(Point)");
    mp_shared_free(raw);
    mp_shared_free(a);
    mp_shared_free(p);
}

static void test_copy_synchronized(void)
{
    mp_shared *r = mp_raw_value_new(&mp_c_int, mp_tuple_of(5));
    mp_shared *c = mp_shared_copy(r);
    tap_is_str(rep(c), "c_int(5)", "copy(RawValue('i', 5))");
    *(int *)mp_shared_ptr(r) = 6;
    tap_is_str(rep(c), "c_int(5)", "the copy has memory of its own");
    mp_shared *v = mp_shared_value_new(&mp_c_int, mp_tuple_of(5), NULL);
    TAP_OK(mp_shared_copy(v) == NULL && err_is(mp_errcode(), MP_ETYPE, "this type has no size"),
           "copy(Value(...)): TypeError, as CPython's");
    mp_shared *s = mp_shared_synchronized(r, NULL);
    tap_is_str(rep(s), "<Synchronized wrapper for c_int(6)>", "synchronized(RawValue)");
    TAP_OK(mp_shared_get_obj(s) == r, "its get_obj() is the object wrapped");
    TAP_OK(mp_shared_synchronized(v, NULL) == NULL &&
           err_is(mp_errcode(), MP_EASSERT, "object already synchronized"), "synchronized(a wrapper)");
    mp_shared *ca = mp_raw_array_new(&mp_c_char, mp_bytes("ab", 2));
    mp_shared *cc = mp_shared_copy(ca);
    mp_value *out;
    tap_is_str(vrep(got(mp_shared_get(cc, &out), out)), "b'ab'", "copy(RawArray('c', b'ab')).value");
    mp_shared *sc = mp_shared_synchronized(cc, mp_lock_new());
    tap_is_str(rep(mp_shared_get_lock(sc)), "<Lock(owner=None)>", "synchronized(obj, Lock())");
    mp_lock_free(mp_shared_get_lock(sc));   /* the lock made in the call above */
    mp_shared_free(sc);
    mp_shared_free(cc);
    mp_shared_free(ca);
    mp_shared_free(s);
    mp_shared_free(v);
    mp_shared_free(c);
    mp_shared_free(r);
}

static void test_not_picklable(void)
{
    mp_queue *q = mp_queue_new(0);
    mp_shared *objs[] = {mp_shared_value_new(&mp_c_int, NULL, NULL), mp_raw_value_new(&mp_c_int, NULL),
                         mp_raw_array_new(&mp_c_int, mp_int(3)), mp_shared_array_new(&mp_c_char, mp_int(3), NULL),
                         mp_shared_value_new(&Point, NULL, NULL)};
    const char *names[] = {"Synchronized", "c_int", "c_int_Array_3", "SynchronizedString", "SynchronizedPoint"};
    for (int i = 0; i < 5; i++) {
        char want[160];
        snprintf(want, sizeof want, "%s objects should only be shared between processes through inheritance",
                 names[i]);
        uint8_t *buf;
        size_t len;
        mp_value *v = mp_value_from_arg(MP_ARG(objs[i]));
        TAP_OK(err_is(mp_pickle_dumps(v, NULL, &buf, &len), MP_ERUNTIME, want), "pickling a %s", names[i]);
        mp_decref(v);
        mp_shared_free(objs[i]);
    }
    mp_connection *a, *b;
    mp_pipe(&a, &b, NULL);
    mp_shared *v = mp_shared_value_new(&mp_c_int, NULL, NULL);
    TAP_OK(err_is(mp_connection_send(a, v), MP_ERUNTIME,
                  "Synchronized objects should only be shared between processes through inheritance"),
           "Pipe send of a Value: RuntimeError");
    mp_shared_free(v);
    mp_connection_free(a);
    mp_connection_free(b);
    mp_queue_free(q);
}

static void test_heap(void)
{
    int before = arenas();
    enum { N = 200 };
    mp_shared *v[N];
    for (int i = 0; i < N; i++)
        v[i] = mp_raw_value_new(&mp_c_double, mp_tuple_of((double)i));
    int during = arenas();
    tap_ok(during - before >= 1 && during - before <= 2, "200 RawValues share %d arena(s)", during - before);
    bool intact = true;
    for (int i = 0; i < N; i++)
        intact &= *(double *)mp_shared_ptr(v[i]) == (double)i;
    TAP_OK(intact, "each keeps its own value");
    for (int i = 0; i < N; i += 2)
        mp_shared_free(v[i]);
    mp_shared *again = mp_raw_value_new(&mp_c_double, NULL);
    TAP_OK(arenas() == during, "a freed block is used again, no new arena");
    for (int i = 1; i < N; i += 2)
        mp_shared_free(v[i]);
    mp_shared_free(again);
    tap_is_int(arenas(), before, "freeing every block unmaps its arena");
    mp_shared *big = mp_raw_array_new(&mp_c_char, mp_int(10 << 20));
    TAP_OK(big && arenas() == before + 1, "a 10 MiB array gets an arena of its own");
    mp_shared_free(big);
    tap_is_int(arenas(), before, "and gives it back");
}

/* ---- children ------------------------------------------------------------------- */

/* args: (n, a): the documentation's f(n, a): n.value = 3.1415927, a negated. */
static int negate(const mp_value *args)
{
    mp_shared *n = mp_as_shared(mp_item(args, 0)), *a = mp_as_shared(mp_item(args, 1));
    int rc = mp_shared_set(n, mp_float(3.1415927));
    for (ptrdiff_t i = 0; rc == 0 && i < mp_shared_len(a); i++) {
        mp_value *x;
        if ((rc = mp_shared_item(a, i, &x)) == 0)
            rc = mp_shared_set_item(a, i, mp_int(-mp_as_int(x)));
        mp_decref(x);
    }
    return rc;
}
MP_TARGET(negate);

/* args: (counter, n, locked): n times counter.value += 1, as Python
 * does it (a get and a set, each under the wrapper's lock), with
 * get_lock() held around the pair or not. */
static int increment(const mp_value *args)
{
    mp_shared *c = mp_as_shared(mp_item(args, 0));
    int64_t n = mp_as_int(mp_item(args, 1));
    bool locked = mp_as_bool(mp_item(args, 2));
    mp_lock *l = locked ? mp_shared_get_lock(c) : NULL;
    for (int64_t i = 0; i < n; i++) {
        mp_value *x;
        if (l && mp_lock_acquire(l) != 1)
            return mp_sys_exit(3);
        int rc = mp_shared_get(c, &x);
        if (rc == 0)
            rc = mp_shared_set(c, mp_int(mp_as_int(x) + 1));
        mp_decref(x);
        if (l)
            mp_lock_release(l);
        if (rc < 0)
            return rc;
    }
    return 0;
}
MP_TARGET(increment);

/* args: (A,): the seed's `for a in A: a.x **= 2; a.y **= 2`, through the
 * C struct, under the wrapper's lock. */
static int square_points(const mp_value *args)
{
    mp_shared *a = mp_as_shared(mp_item(args, 0));
    point *p = mp_shared_ptr(a);
    if (!p || mp_lock_acquire(mp_shared_get_lock(a)) != 1)
        return mp_sys_exit(2);
    for (ptrdiff_t i = 0; i < mp_shared_len(a); i++) {
        p[i].x *= p[i].x;
        p[i].y *= p[i].y;
    }
    return mp_lock_release(mp_shared_get_lock(a));
}
MP_TARGET(square_points);

/* args: (a, b), two objects of one arena: exits with 20 + how many heap
 * arenas this child maps (a spawn or forkserver child maps the arena
 * once, however many of its objects it receives). */
static int count_arenas(const mp_value *args)
{
    if (!mp_as_shared(mp_item(args, 0)) || !mp_as_shared(mp_item(args, 1)))
        return mp_sys_exit(2);
    return mp_sys_exit(20 + arenas());
}
MP_TARGET(count_arenas);

/* args: (v,): takes v's lock and ends holding it. */
static int die_holding(const mp_value *args)
{
    mp_shared *v = mp_as_shared(mp_item(args, 0));
    return mp_sys_exit(mp_lock_acquire(mp_shared_get_lock(v)) == 1 ? 0 : 2);
}
MP_TARGET(die_holding);

static int run_child(mp_context *ctx, mp_target_fn fn, mp_value *args)
{
    mp_process *p = mp_context_process(ctx, &(mp_process_opts){.target = fn, .args = args});
    if (!p || mp_process_start(p) < 0 || mp_process_join(p, MP_WAIT_FOREVER) < 0) {
        tap_diag("child: %s: %s", mp_errname(mp_errcode()), mp_errmsg());
        mp_process_free(p);
        return -1;
    }
    int code = mp_process_exitcode(p);
    mp_process_free(p);
    return code;
}

static void test_children(void)
{
    for (int m = 0; m < 3; m++) {
        mp_context *ctx = mp_get_context(methods[m]);
        int before = arenas();
        mp_value *range = mp_list_new();
        for (int i = 0; i < 10; i++)
            mp_list_append(range, mp_int(i));
        mp_shared *n = mp_context_value(ctx, mp_typecode("d"), mp_tuple_of(0.0), NULL);
        mp_shared *a = mp_context_array(ctx, mp_typecode("i"), range, NULL);
        tap_is_int(run_child(ctx, negate, mp_tuple_of(n, a)), 0, "%s: f(n, a) in a child", methods[m]);
        mp_value *out;
        tap_is_str(vrep(got(mp_shared_get(n, &out), out)), "3.1415927", "%s: n.value", methods[m]);
        tap_is_str(vrep(got(mp_shared_slice(a, MP_ALL, MP_ALL, MP_ALL, &out), out)),
                   "[0, -1, -2, -3, -4, -5, -6, -7, -8, -9]", "%s: a[:]", methods[m]);
        mp_shared *raw = mp_context_raw_array(ctx, &Point, mp_int(2));
        mp_shared *sp = mp_shared_synchronized(raw, NULL);
        mp_shared *rv = mp_context_raw_value(ctx, &mp_c_int, NULL);
        tap_is_int(run_child(ctx, increment, mp_tuple_of(rv, 5, (bool)false)), 0, "%s: a RawValue in args",
                   methods[m]);
        tap_is_str(rep(rv), "c_int(5)", "%s: its value set by the child", methods[m]);
        mp_shared_set_item(sp, 1, mp_tuple_of(1.5, -2.0));
        tap_is_int(run_child(ctx, square_points, mp_tuple_of(sp)), 0, "%s: an Array of Points in args",
                   methods[m]);
        tap_is_str(vrep(got(mp_shared_slice(sp, MP_ALL, MP_ALL, MP_ALL, &out), out)), "[(0.0, 0.0), (2.25, 4.0)]",
                   "%s: the child squared them in place", methods[m]);
        mp_shared_free(rv);
        if (m > 0)
            tap_is_int(run_child(ctx, count_arenas, mp_tuple_of(n, a)), 21,
                       "%s: two objects of one arena: the child maps it once", methods[m]);
        mp_shared_free(sp);
        mp_shared_free(raw);
        mp_shared_free(n);
        mp_shared_free(a);
        tap_is_int(arenas(), before, "%s: the arenas are gone once the objects are freed", methods[m]);
    }
}

/* A child dies holding a wrapper's lock: the next access reports it once,
 * touches nothing, and the one after works. */
static void test_holder_died(void)
{
    for (int m = 0; m < 3; m++) {
        mp_context *ctx = mp_get_context(methods[m]);
        mp_shared *v = mp_shared_value_new(&mp_c_int, mp_tuple_of(7), NULL);
        tap_is_int(run_child(ctx, die_holding, mp_tuple_of(v)), 0, "%s: a child ends holding the lock", methods[m]);
        mp_value *out = NULL;
        int rc = mp_shared_get(v, &out);
        TAP_OK(rc == MP_EOWNERDEAD && out == NULL, "%s: the next .value reports the death", methods[m]);
        tap_is_str(vrep(got(mp_shared_get(v, &out), out)), "7", "%s: and the one after reads", methods[m]);
        mp_shared_free(v);
    }
}

/* 8 processes x 100,000 increments: exact under the lock; without it
 * updates are lost (said, not asserted: it is a race). */
static void test_stress(void)
{
    enum { PROCS = 8, N = 100000 };
    for (int locked = 1; locked >= 0; locked--) {
        mp_shared *c = mp_shared_value_new(&mp_c_int, mp_tuple_of(0), NULL);
        mp_process *p[PROCS];
        for (int i = 0; i < PROCS; i++) {
            p[i] = mp_process_new(&(mp_process_opts){.target = increment,
                                                     .args = mp_tuple_of(c, N, (bool)locked)});
            mp_process_start(p[i]);
        }
        bool ok = true;
        for (int i = 0; i < PROCS; i++) {
            mp_process_join(p[i], MP_WAIT_FOREVER);
            ok &= mp_process_exitcode(p[i]) == 0;
            mp_process_free(p[i]);
        }
        mp_value *out;
        mp_shared_get(c, &out);
        long long total = mp_as_int(out);
        mp_decref(out);
        if (locked)
            tap_ok(ok && total == (long long)PROCS * N, "8 x 100000 increments under get_lock(): %lld", total);
        else
            tap_diag("without the lock: %lld of %d increments (%s)", total, PROCS * N,
                     total < PROCS * N ? "updates were lost" : "none lost this time");
        mp_shared_free(c);
    }
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    test_typecodes();
    test_locks();
    test_arrays();
    test_strings();
    test_structs();
    test_copy_synchronized();
    test_not_picklable();
    test_heap();
    test_children();
    test_holder_died();
    test_stress();
    return tap_done();
}

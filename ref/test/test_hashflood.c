/* test_hashflood.c - keys a peer picks to collide load as fast as random ones: dicts of crafted int keys or of nans, and crafted memo indexes, within a small factor of random input of the same size. */

/*
 * Usage:
 *   test_hashflood            the tests, as TAP on stdout; exit 1 if any fail
 *   test_hashflood FILE...    load each file with mp_pickle_loads and print
 *                             the best of three times (for the pickles
 *                             ref/test/hashflood.py writes, so the same bytes
 *                             can be timed here, in an older build and in
 *                             CPython)
 *
 * The crafted inputs target the tables as they were before their hash was
 * keyed: an int key hashed by splitmix64's finalizer, a memo index by
 * Fibonacci hashing, a nan by its bits, all probed linearly.  Both functions
 * can be inverted, so it takes no search to find keys whose hashes all end
 * in 24 zero bits, which put every key on one chain of a table of up to 16
 * million slots; every nan had the same hash.  Each insertion then walked
 * every earlier key, and loading was quadratic.  hashflood.py builds the
 * same pickles for CPython and the fuzzer's corpus.
 *
 * Only mp.h is used, so this file also builds against an older libmp.a,
 * where it fails.  It compares times, but not as a benchmark: each crafted
 * pickle must load in at most FACTOR times what a random pickle of the
 * same size and shape takes, both the best of several runs taken in turn,
 * where the old tables took a hundred times longer or more.
 */
#include "mp.h"
#include "tap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FACTOR 10.0
#define RUNS 5

/* ---- the old hashes, inverted ------------------------------------------- */

/* x such that x ^ (x >> s) == y. */
static uint64_t unxorshift(uint64_t y, int s)
{
    uint64_t x = y;
    for (int i = 0; i < 64 / s + 1; i++)
        x = y ^ (x >> s);
    return x;
}

/* The inverse of odd a modulo 2**64 (Newton's iteration doubles the bits
 * that are right each time; a is right to 3 bits to start with). */
static uint64_t inverse(uint64_t a)
{
    uint64_t x = a;
    for (int i = 0; i < 5; i++)
        x *= 2 - a * x;
    return x;
}

/* The int whose old hash, splitmix64's finalizer
 *     x ^= x >> 30; x *= C1; x ^= x >> 27; x *= C2; x ^= x >> 31
 * is j << 24. */
static int64_t crafted_int(uint64_t j)
{
    uint64_t x = unxorshift(j << 24, 31);
    x *= inverse(0x94d049bb133111ebULL);
    x = unxorshift(x, 27);
    x *= inverse(0xbf58476d1ce4e5b9ULL);
    return (int64_t)unxorshift(x, 30);
}

/* The j-th memo index whose old slot, h ^ (h >> 29) with h = (index + 1)
 * times 2**64 / golden ratio, ends in 24 zero bits; indexes past 2**63 (not
 * a PUT argument) are skipped, so *next says where to go on. */
static uint64_t crafted_index(uint64_t *next)
{
    for (;;) {
        uint64_t h = unxorshift(++*next << 24, 29);
        uint64_t index = h * inverse(0x9E3779B97F4A7C15ULL) - 1;
        if (index < (uint64_t)1 << 63)
            return index;
    }
}

/* ---- pickles ----------------------------------------------------------- */

typedef struct {
    uint8_t *p;
    size_t n, cap;
} buf;

static void put(buf *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

#define PUTS(b, literal) put((b), (literal), sizeof(literal) - 1)

static void put_le(buf *b, uint64_t x, int n)
{
    for (int i = 0; i < n; i++)
        put(b, &(uint8_t){(uint8_t)(x >> 8 * i)}, 1);
}

static uint64_t rng = 0x2545F4914F6CDD1DULL;

static uint64_t random64(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

enum kind { INTS, NANS, MEMO };
static const char *const kind_names[] = {"int keys", "nan keys", "memo indexes"};

/*
 * A pickle of n keys of the kind, crafted or random, of one size either way:
 *   INTS  {k: None, ...}, each k an 8-byte LONG1 (protocol 2, SETITEMS by
 *         thousands, as CPython writes it);
 *   NANS  {nan: None, ...}, each nan its own object as in a pickle of CPython's
 *         dict of float('nan') keys; the random twin has random floats;
 *   MEMO  None, then n PUTs of it (protocol 0, 19 digits each).
 */
static buf make(enum kind kind, size_t n, bool crafted)
{
    buf b = {0};
    uint64_t next = 0;
    if (kind == MEMO) {
        put(&b, "N", 1);
        for (size_t i = 0; i < n; i++) {
            char line[32];
            uint64_t index = crafted ? crafted_index(&next) : random64() >> 1;
            put(&b, line, (size_t)snprintf(line, sizeof line, "p%019llu\n", (unsigned long long)index));
        }
        put(&b, ".", 1);
        return b;
    }
    put(&b, "\x80\x02}", 3);
    for (size_t i = 0; i < n; i++) {
        if (i % 1000 == 0)
            put(&b, "(", 1);
        if (kind == INTS) {
            put(&b, "\x8a\x08", 2);
            put_le(&b, crafted ? (uint64_t)crafted_int(i + 1) : random64(), 8);
        } else {
            double d = crafted ? NAN : (double)(random64() >> 11) / 1024.0 + 0.5;
            uint64_t bits;
            memcpy(&bits, &d, sizeof bits);
            put(&b, "G", 1);
            for (int k = 7; k >= 0; k--)
                put(&b, &(uint8_t){(uint8_t)(bits >> 8 * k)}, 1);
        }
        put(&b, "N", 1);
        if (i % 1000 == 999 || i == n - 1)
            put(&b, "u", 1);
    }
    put(&b, ".", 1);
    return b;
}

/* ---- timing ------------------------------------------------------------ */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Load b once: seconds taken; *rc and, for a dict, *len of what loaded. */
static double load_once(const buf *b, int *rc, size_t *len)
{
    mp_value *v;
    double t = now();
    *rc = mp_pickle_loads(b->p, b->n, NULL, &v);
    t = now() - t;
    *len = *rc == 0 && mp_typeof(v) == MP_T_DICT ? mp_len(v) : 0;
    mp_decref(v);
    return t;
}

/* Too slow to pass whatever the remaining runs give: stop, so that an old
 * build fails in seconds rather than minutes. */
static bool hopeless(double best_bad, double best_good, int runs)
{
    return runs >= 2 && best_bad > 20 * FACTOR * best_good;
}

/*
 * One kind at n keys: the best of RUNS loads of the random pickle, and of
 * the crafted one, taken in turn so that both see the same machine.
 */
static void check(enum kind kind, size_t n)
{
    buf good = make(kind, n, false), bad = make(kind, n, true);
    double best_good = 1e9, best_bad = 1e9;
    int rc_good = 0, rc_bad = 0;
    size_t len_good = 0, len_bad = 0;
    for (int r = 0; r < RUNS; r++) {
        double t = load_once(&good, &rc_good, &len_good);
        best_good = t < best_good ? t : best_good;
        if (hopeless(best_bad, best_good, r))
            continue;
        t = load_once(&bad, &rc_bad, &len_bad);
        best_bad = t < best_bad ? t : best_bad;
    }
    tap_diag("%s, %zu of them (%zu bytes): random %.2f ms, crafted %.2f ms (%.1fx)", kind_names[kind],
             n, bad.n, best_good * 1e3, best_bad * 1e3, best_bad / best_good);
    TAP_OK(good.n == bad.n, "%s: the crafted pickle and its random twin are the same size", kind_names[kind]);
    TAP_OK(rc_good == 0 && rc_bad == 0, "%s: both load", kind_names[kind]);
    if (kind != MEMO)
        TAP_OK(len_bad == n && len_good == n, "%s: a dict of %zu keys each time", kind_names[kind], n);
    TAP_OK(best_bad <= FACTOR * best_good, "%s: crafted keys load within %.0fx the time of random ones",
           kind_names[kind], FACTOR);
    free(good.p);
    free(bad.p);
}

/* The keys really collide under the old hashes (else the test proves nothing). */
static void check_generator(void)
{
    bool ok = true;
    for (uint64_t j = 1; j <= 1000 && ok; j++) {
        uint64_t x = (uint64_t)crafted_int(j);
        x ^= x >> 30;
        x *= 0xbf58476d1ce4e5b9ULL;
        x ^= x >> 27;
        x *= 0x94d049bb133111ebULL;
        x ^= x >> 31;
        ok = x == j << 24;
    }
    TAP_OK(ok, "crafted ints: splitmix64's finalizer of each is j << 24");
    uint64_t next = 0;
    ok = true;
    for (int j = 0; j < 1000 && ok; j++) {
        uint64_t h = (crafted_index(&next) + 1) * 0x9E3779B97F4A7C15ULL;
        ok = ((h ^ (h >> 29)) & 0xffffff) == 0;
    }
    TAP_OK(ok, "crafted memo indexes: their old slots all end in 24 zero bits");
}

/* Dict lookups of crafted keys cost what lookups of random ones do. */
static void check_lookups(size_t n)
{
    double best[2] = {1e9, 1e9};
    for (int crafted = 0; crafted < 2; crafted++) {
        mp_value *d = mp_dict_new(), **keys = malloc(n * sizeof *keys);
        for (size_t i = 0; i < n; i++) {
            keys[i] = mp_int(crafted ? crafted_int(i + 1) : (int64_t)random64());
            mp_dict_set(d, mp_incref(keys[i]), mp_none());
        }
        for (int r = 0; r < RUNS; r++) {
            size_t found = 0;
            double t = now();
            for (size_t i = 0; i < n; i++)
                found += mp_dict_get(d, keys[i]) != NULL;
            t = now() - t;
            best[crafted] = t < best[crafted] && found == n ? t : best[crafted];
            if (crafted && hopeless(best[1], best[0], r + 1))
                break;
        }
        for (size_t i = 0; i < n; i++)
            mp_decref(keys[i]);
        free(keys);
        mp_decref(d);
    }
    tap_diag("lookups of %zu int keys: random %.2f ms, crafted %.2f ms", n, best[0] * 1e3, best[1] * 1e3);
    TAP_OK(best[1] <= FACTOR * best[0], "mp_dict_get of crafted int keys: within %.0fx of random ones", FACTOR);
}

/*
 * The memo keeps the indexes a pickler writes in an array and any other in
 * a map; an index is found in either, and a PUT to an index already stored
 * replaces it where it is.  Here 3000 goes to the map (no entries yet), the
 * array then grows past 3000 for 3100, GET 3000 still finds the map's, and
 * the second PUT 3000 replaces it rather than adding one (MEMOIZE numbers
 * the next entry 1102, len(memo)).  CPython 3.11 loads it as (7, 7, 9, 9, 8).
 */
static void check_memo_places(void)
{
    buf b = {0};
    PUTS(&b, "\x80\x04(K\x07p3000\n");
    for (int i = 0; i < 1100; i++)
        PUTS(&b, "N\x94" "0");            /* memo entries 1 to 1100 */
    PUTS(&b, "K\x08p3100\n0g3000\nK\x09p3000\n0g3000\n\x94j\x4e\x04\x00\x00g3100\nt.");
    mp_value *v;
    int rc = mp_pickle_loads(b.p, b.n, NULL, &v);
    char *r = rc == 0 ? mp_repr(v) : NULL;
    tap_is_str(r, "(7, 7, 9, 9, 8)", "memo indexes far apart and near: each found where it was put, replaced there");
    free(r);
    mp_decref(v);
    free(b.p);
}

/* The file mode: time each pickle given (see the usage above). */
static int time_files(int argc, char **argv)
{
    int status = 0;
    for (int a = 1; a < argc; a++) {
        FILE *f = fopen(argv[a], "rb");
        buf b = {0};
        char chunk[65536];
        size_t got;
        while (f && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
            put(&b, chunk, got);
        if (!f) {
            printf("%s: cannot open\n", argv[a]);
            status = 1;
            continue;
        }
        fclose(f);
        double best = 1e9;
        int rc = 0;
        size_t len = 0;
        for (int r = 0; r < 3; r++) {
            double t = load_once(&b, &rc, &len);
            best = t < best ? t : best;
            if (t > 5)
                break;              /* the old reader: one run says enough */
        }
        printf("%s: %zu bytes, %.3f ms, %s%s%s\n", argv[a], b.n, best * 1e3,
               rc == 0 ? "loaded" : mp_errname(rc), rc == 0 ? "" : ": ", rc == 0 ? "" : mp_errmsg());
        free(b.p);
    }
    return status;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return time_files(argc, argv);
    check_memo_places();
    check_generator();
    check(INTS, 20000);
    check(NANS, 20000);
    check(MEMO, 20000);
    check_lookups(20000);
    return tap_done();
}

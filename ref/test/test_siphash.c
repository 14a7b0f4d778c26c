/* test_siphash.c - the keyed hash of dicts and the reader's memo: SipHash-1-3 as CPython computes it, a key from getrandom() (or the kernel's AT_RANDOM bytes, never a fixed key), shared with forked children, and dict semantics unchanged. */
#include "mp.h"
#include "core/siphash.h"
#include "tap.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * This program defines getrandom() itself, so the library's call reaches
 * this one (a definition in the executable comes first).  While `refuse` is
 * set it fails as a kernel without the call would; otherwise it asks the
 * kernel and keeps a copy of the last bytes it gave.
 */
static int refuse;
static int calls;
static uint8_t last[16];

ssize_t getrandom(void *buf, size_t len, unsigned flags)
{
    calls++;
    if (refuse) {
        errno = ENOSYS;
        return -1;
    }
    long r = syscall(SYS_getrandom, buf, len, flags);
    if (r > 0)
        memcpy(last, buf, (size_t)r < sizeof last ? (size_t)r : sizeof last);
    return (ssize_t)r;
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t x = 0;
    for (int i = 7; i >= 0; i--)
        x = x << 8 | p[i];
    return x;
}

/* ---- SipHash-1-3 against CPython --------------------------------------- */

/*
 * hash(bytes(range(n))) in CPython 3.11 (sys.hash_info.algorithm is
 * 'siphash13'), masked to 64 bits, under PYTHONHASHSEED=0 (a zero key) and
 * PYTHONHASHSEED=1; recorded with
 *     PYTHONHASHSEED=S python3 -c "print(hex(hash(bytes(range(N))) & (2**64-1)))"
 */
static const struct {
    int seed;
    size_t n;
    uint64_t hash;
} vectors[] = {
    {0, 1, 0x68a914128e01e473ULL},  {0, 7, 0x2f098ab0c751325aULL},  {0, 8, 0xead411e67ebe2eeaULL},
    {0, 9, 0x75927f9d95124362ULL},  {0, 15, 0xf30eb725bb91c9eaULL}, {0, 16, 0x8972188433a5c5b7ULL},
    {0, 17, 0x4883c49a2c009c1dULL}, {0, 63, 0x385d3e39e5f37359ULL}, {0, 64, 0x75e05fd5bbc870c6ULL},
    {0, 100, 0x1c6a66e1506e7908ULL},
    {1, 1, 0xecd3e5afcecda4b9ULL},  {1, 7, 0xfd15e78052a69ddfULL},  {1, 8, 0xc0b5739e7e28dd01ULL},
    {1, 9, 0x208a1a5a0cbbf778ULL},  {1, 15, 0xfa87985f39e97a53ULL}, {1, 16, 0x12e9d283f9f37002ULL},
    {1, 17, 0x9f5bb4237f61907fULL}, {1, 63, 0x542052345bc68274ULL}, {1, 64, 0x7e644b6edc375dc8ULL},
    {1, 100, 0x84ac259fc754e778ULL},
};

/* CPython's key for PYTHONHASHSEED=seed: its secret's first 16 bytes, made
 * by the linear congruential generator of Python/bootstrap_hash.c (seed 0
 * turns randomization off: a zero key). */
static mp__sipkey cpython_key(unsigned seed)
{
    uint8_t b[16] = {0};
    unsigned x = seed;
    for (int i = 0; seed && i < 16; i++) {
        x = x * 214013u + 2531011u;
        b[i] = (uint8_t)(x >> 16);
    }
    return (mp__sipkey){le64(b), le64(b + 8)};
}

static void check_vectors(void)
{
    uint8_t data[256];
    for (int i = 0; i < 256; i++)
        data[i] = (uint8_t)i;
    size_t bad = 0;
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        mp__sipkey k = cpython_key((unsigned)vectors[i].seed);
        uint64_t h = mp__siphash13(&k, data, vectors[i].n);
        if (h != vectors[i].hash) {
            tap_diag("seed %d, %zu bytes: got %016llx, CPython %016llx", vectors[i].seed, vectors[i].n,
                     (unsigned long long)h, (unsigned long long)vectors[i].hash);
            bad++;
        }
    }
    TAP_OK(bad == 0, "SipHash-1-3 of 1 to 100 bytes is CPython's hash() of them, under two keys");
}

/* mp__hash_u64 is the unrolled SipHash of the word's 8 bytes. */
static void check_u64(void)
{
    bool same = true;
    uint64_t x = 0x0123456789abcdefULL;
    for (int i = 0; i < 1000 && same; i++, x = x * 6364136223846793005ULL + 1442695040888963407ULL) {
        uint8_t b[8];
        for (int k = 0; k < 8; k++)
            b[k] = (uint8_t)(x >> 8 * k);
        same = mp__hash_u64(x) == mp__siphash13(mp__hash_key(), b, 8);
    }
    TAP_OK(same, "mp__hash_u64(x) is SipHash-1-3 of x's 8 bytes, least significant first");
}

/* ---- the key ------------------------------------------------------------ */

/* What siphash.c derives from the kernel's AT_RANDOM bytes when getrandom()
 * fails, repeated here. */
static mp__sipkey at_random_key(void)
{
    const uint8_t *r = (const uint8_t *)getauxval(AT_RANDOM);
    mp__sipkey seed = {le64(r), le64(r + 8)};
    return (mp__sipkey){mp__siphash13(&seed, "forklore hash k0", 16),
                        mp__siphash13(&seed, "forklore hash k1", 16)};
}

/* Run fn in a forked child; its exit status 0 is a pass. */
static bool in_child(bool (*fn)(void))
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        _exit(fn() ? 0 : 1);
    int status;
    return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Without getrandom(): a dict still works, keyed from AT_RANDOM. */
static bool without_getrandom(void)
{
    refuse = 1;
    mp_value *d = mp_dict_new(), *k = mp_str("k");
    int rc = mp_dict_set(d, mp_incref(k), mp_int(1));
    bool ok = rc == 0 && mp_dict_get(d, k) != NULL;
    mp_decref(k);
    mp_decref(d);
    mp__sipkey want = at_random_key();
    return ok && calls > 0 && atomic_load(&mp__hash_ready) && mp__hash_secret.k0 == want.k0 &&
           mp__hash_secret.k1 == want.k1 && (want.k0 | want.k1) != 0;
}

static bool child_shares_key(void)
{
    mp__sipkey before = mp__hash_secret;
    int before_calls = calls;
    mp_value *d = mp_dict_new(), *k = mp_int(7);
    bool ok = mp_dict_set(d, mp_incref(k), mp_none()) == 0 && mp_dict_get(d, k) != NULL;
    mp_decref(k);
    mp_decref(d);
    return ok && calls == before_calls && mp__hash_secret.k0 == before.k0 &&
           mp__hash_secret.k1 == before.k1;
}

static void check_key(void)
{
    /* Nothing has been hashed yet in this process: the children start
     * without a key too, and draw their own. */
    TAP_OK(!atomic_load(&mp__hash_ready), "no key before the first hash");
    TAP_OK(in_child(without_getrandom),
           "getrandom() failing: the key comes from the kernel's AT_RANDOM bytes, not a fixed one");

    calls = 0;
    mp_value *d = mp_dict_new();
    mp_dict_set(d, mp_str("first"), mp_none());
    mp_decref(d);
    TAP_OK(calls == 1 && mp__hash_secret.k0 == le64(last) && mp__hash_secret.k1 == le64(last + 8),
           "the first hash draws the key: 16 bytes from one getrandom()");
    d = mp_dict_new();
    mp_dict_set(d, mp_str("second"), mp_none());
    mp_decref(d);
    TAP_OK(calls == 1, "  and only once");
    TAP_OK(in_child(child_shares_key), "a forked child keeps its parent's key (its dicts were placed with it)");
}

/* ---- dicts keep Python's semantics -------------------------------------- */

static void check_dicts(void)
{
    mp_value *d = mp_dict_new();
    mp_dict_set(d, mp_int(1), mp_str("int"));
    mp_dict_set(d, mp_float(1.0), mp_str("float"));
    mp_dict_set(d, mp_bool(true), mp_str("bool"));
    mp_dict_set(d, mp_float(-0.0), mp_str("zero"));
    mp_dict_set(d, mp_int(0), mp_str("int zero"));
    mp_dict_set(d, mp_float(9007199254740993.0), mp_str("2**53"));   /* rounds to 2**53 */
    mp_dict_set(d, mp_int(9007199254740993LL), mp_str("2**53 + 1"));
    char *r = mp_repr(d);
    tap_is_str(r, "{1: 'bool', -0.0: 'int zero', 9007199254740992.0: '2**53', 9007199254740993: '2**53 + 1'}",
               "1, 1.0 and True are one key, so are -0.0 and 0; 2**53 + 1 is not 2.0**53; first keys stay");
    free(r);
    mp_decref(d);

    /* Each nan is its own key, and finds itself. */
    d = mp_dict_new();
    mp_value *nan = mp_float(NAN);
    mp_dict_set(d, mp_incref(nan), mp_int(1));
    mp_dict_set(d, mp_float(NAN), mp_int(2));
    mp_dict_set(d, mp_incref(nan), mp_int(3));
    r = mp_repr(d);
    tap_is_str(r, "{nan: 3, nan: 2}", "two nan objects are two keys; the same one is one");
    free(r);
    const mp_value *got = mp_dict_get(d, nan);
    TAP_OK(got && mp_as_int(got) == 3, "  and a nan key is found by the same nan");
    mp_value *other = mp_float(NAN);
    TAP_OK(mp_dict_get(d, other) == NULL, "  not by another");
    mp_decref(other);
    mp_decref(nan);
    mp_decref(d);

    /* Many keys of every hashable type, through several resizes: all found,
     * in insertion order. */
    d = mp_dict_new();
    enum { N = 50000 };
    bool ok = true;
    for (int i = 0; i < N; i++) {
        char s[32];
        snprintf(s, sizeof s, "k%d", i);
        mp_value *k = i % 4 == 0 ? mp_int(i) : i % 4 == 1 ? mp_str(s)
                    : i % 4 == 2 ? mp_tuple_of(i, s) : mp_float(i + 0.5);
        ok &= mp_dict_set(d, k, mp_int(i)) == 0;
    }
    for (int i = 0; i < N && ok; i++) {
        char s[32];
        snprintf(s, sizeof s, "k%d", i);
        mp_value *k = i % 4 == 0 ? mp_int(i) : i % 4 == 1 ? mp_str(s)
                    : i % 4 == 2 ? mp_tuple_of(i, s) : mp_float(i + 0.5);
        got = mp_dict_get(d, k);
        const mp_value *key, *val;
        mp_dict_entry(d, (size_t)i, &key, &val);
        ok = got && mp_as_int(got) == i && mp_as_int(val) == i && mp_equal(key, k);
        mp_decref(k);
    }
    TAP_OK(ok && mp_len(d) == N, "%d keys of four types: each found, in the order set", N);
    mp_decref(d);
}

int main(void)
{
    check_key();
    check_vectors();
    check_u64();
    check_dicts();
    return tap_done();
}

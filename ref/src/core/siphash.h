/* siphash.h - the keyed hash of every table whose keys a peer can choose: SipHash-1-3 under a secret key drawn once per process. */
#ifndef MP_SIPHASH_H
#define MP_SIPHASH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Why.  A dict, and the reader's memo, put keys that came off the wire into
 * open-addressing tables.  With a hash anyone can compute, a peer picks keys
 * that all land on one chain and makes each insertion walk every earlier
 * one: a 1.76 MB pickle of 160000 int keys kept recv() busy for 15 s
 * (ref/test/hashflood.py makes it).  A hash keyed with a secret makes that
 * choice a guess.
 *
 * The function is SipHash (Aumasson and Bernstein, "SipHash: a fast
 * short-input PRF", 2012), with one compression round per 8-byte word and
 * three finalization rounds: SipHash-1-3, the variant CPython 3.11 hashes
 * str and bytes with (sys.hash_info.algorithm).  Written from the paper's
 * description; test_siphash.c checks it against CPython's hash() of bytes.
 *
 * The key: 16 bytes from getrandom(), drawn on the first hash the process
 * makes, never again.  If getrandom() fails (a kernel older than 3.17, a
 * seccomp filter that refuses the call), the key is derived from the 16
 * random bytes the kernel gives every program at exec (getauxval(AT_RANDOM),
 * which glibc also seeds its stack protector with), through SipHash keyed
 * with them, so the key reveals nothing of those bytes: as unpredictable,
 * and never a fixed key.  Were both missing (not on Linux), the process
 * stops with a message rather than hash with a key anyone knows; CPython,
 * too, refuses to start without random bytes for its hash.
 *
 * A child made by fork shares the parent's key, as CPython's forked children
 * share their hash secret: it already holds the parent's dicts, whose slots
 * were placed with that key.  A child started by spawn is a new program and
 * draws its own; under forkserver, children are forked from the server and
 * share its key.  Hash values never leave the process: no call of mp.h
 * returns one, and pickles carry entries in insertion order.
 */

typedef struct mp__sipkey {
    uint64_t k0, k1;
} mp__sipkey;

/* SipHash-1-3 of data[0..len) under key k. */
uint64_t mp__siphash13(const mp__sipkey *k, const void *data, size_t len);

/* The process's key, drawn by mp__hash_seed() on first use, and a word
 * derived from it for mp__hash_addr. */
extern mp__sipkey mp__hash_secret;
extern uint64_t mp__hash_addr_key;
extern atomic_bool mp__hash_ready;
void mp__hash_seed(void);

static inline const mp__sipkey *mp__hash_key(void)
{
    if (__builtin_expect(!atomic_load_explicit(&mp__hash_ready, memory_order_acquire), 0))
        mp__hash_seed();
    return &mp__hash_secret;
}

/* SipHash-1-3 of data[0..len) under the process's key. */
static inline uint64_t mp__hash_bytes(const void *data, size_t len)
{
    return mp__siphash13(mp__hash_key(), data, len);
}

#define MP__ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))
#define MP__SIPROUND(v0, v1, v2, v3)                                                          \
    do {                                                                                      \
        v0 += v1; v1 = MP__ROTL(v1, 13); v1 ^= v0; v0 = MP__ROTL(v0, 32);                     \
        v2 += v3; v3 = MP__ROTL(v3, 16); v3 ^= v2;                                            \
        v0 += v3; v3 = MP__ROTL(v3, 21); v3 ^= v0;                                            \
        v2 += v1; v1 = MP__ROTL(v1, 17); v1 ^= v2; v2 = MP__ROTL(v2, 32);                     \
    } while (0)

/*
 * SipHash-1-3 under the process's key of the 8 bytes of x, least
 * significant first: mp__hash_bytes of those bytes, unrolled, since ints and
 * memo indexes are hashed one word at a time (a dozen nanoseconds).
 */
static inline uint64_t mp__hash_u64(uint64_t x)
{
    const mp__sipkey *k = mp__hash_key();
    uint64_t v0 = k->k0 ^ 0x736f6d6570736575ULL, v1 = k->k1 ^ 0x646f72616e646f6dULL;
    uint64_t v2 = k->k0 ^ 0x6c7967656e657261ULL, v3 = k->k1 ^ 0x7465646279746573ULL;
    const uint64_t last = (uint64_t)8 << 56;   /* no bytes left; the length, 8, on top */
    v3 ^= x;
    MP__SIPROUND(v0, v1, v2, v3);
    v0 ^= x;
    v3 ^= last;
    MP__SIPROUND(v0, v1, v2, v3);
    v0 ^= last;
    v2 ^= 0xff;
    MP__SIPROUND(v0, v1, v2, v3);
    MP__SIPROUND(v0, v1, v2, v3);
    MP__SIPROUND(v0, v1, v2, v3);
    return v0 ^ v1 ^ v2 ^ v3;
}

/*
 * A cheaper keyed hash, for keys a peer does not choose but may steer: the
 * addresses of what this process allocated while reading the peer's data
 * (the sizes and order of its strs decide where the next list lands).
 * splitmix64's finalizer, a bijection that spreads every bit, of the
 * address xored with a secret word: differences between addresses are all
 * the peer can arrange, and which slots they lead to depends on the secret.
 * A few instructions, where SipHash takes a hundred: the reader looks a
 * container up in its map several times as it fills it.  The word is
 * SipHash of a constant under the key, so it reveals nothing of the key.
 */
static inline uint64_t mp__hash_addr(uint64_t a)
{
    mp__hash_key();                     /* draws the key, and the word, on first use */
    uint64_t x = a ^ mp__hash_addr_key;
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/*
 * The next slot of a probe sequence in a table of mask + 1 slots (a power
 * of two), as CPython's dict probes: i = 5i + 1 + perturb, with perturb
 * starting as the hash and shifted right 5 bits each step.  Keys whose
 * hashes share their low bits part after a step or two, as the high bits
 * come in; once perturb is 0 the recurrence visits every slot, so a table
 * with an empty slot always ends the search.
 */
static inline size_t mp__probe_next(size_t i, uint64_t *perturb, size_t mask)
{
    *perturb >>= 5;
    return (size_t)(i * 5 + *perturb + 1) & mask;
}

#endif

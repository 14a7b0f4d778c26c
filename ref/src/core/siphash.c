/* siphash.c - SipHash-1-3, and the process's secret key for it (siphash.h says why). */
#include "core.h"
#include "siphash.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/types.h>

/* 8 bytes, least significant first, whatever the machine's byte order. */
static uint64_t le64(const uint8_t *p)
{
    uint64_t x = 0;
    for (int i = 7; i >= 0; i--)
        x = x << 8 | p[i];
    return x;
}

/*
 * The paper's algorithm: four words of state from the key and four
 * constants; each 8-byte word m of the message is xored into v3, stirred by
 * one SipRound, and xored into v0.  The last word holds the 0 to 7 bytes
 * left over and, in its top byte, the length modulo 256, so there is always
 * one.  Then 0xff into v2, three SipRounds, and the xor of the four words.
 */
uint64_t mp__siphash13(const mp__sipkey *k, const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t v0 = k->k0 ^ 0x736f6d6570736575ULL, v1 = k->k1 ^ 0x646f72616e646f6dULL;
    uint64_t v2 = k->k0 ^ 0x6c7967656e657261ULL, v3 = k->k1 ^ 0x7465646279746573ULL;
    size_t whole = len & ~(size_t)7;
    for (size_t i = 0; i < whole; i += 8) {
        uint64_t m = le64(p + i);
        v3 ^= m;
        MP__SIPROUND(v0, v1, v2, v3);
        v0 ^= m;
    }
    uint64_t m = (uint64_t)(len & 0xff) << 56;
    for (size_t i = whole; i < len; i++)
        m |= (uint64_t)p[i] << (8 * (i - whole));
    v3 ^= m;
    MP__SIPROUND(v0, v1, v2, v3);
    v0 ^= m;
    v2 ^= 0xff;
    MP__SIPROUND(v0, v1, v2, v3);
    MP__SIPROUND(v0, v1, v2, v3);
    MP__SIPROUND(v0, v1, v2, v3);
    return v0 ^ v1 ^ v2 ^ v3;
}

/* ---- the key ----------------------------------------------------------- */

mp__sipkey mp__hash_secret;
uint64_t mp__hash_addr_key;
atomic_bool mp__hash_ready;
static pthread_once_t seeded = PTHREAD_ONCE_INIT;

/* The key from the kernel's 16 exec-time random bytes, through SipHash
 * keyed with them (test_siphash.c repeats this derivation). */
static bool from_at_random(mp__sipkey *key)
{
    const uint8_t *r = (const uint8_t *)getauxval(AT_RANDOM);
    if (!r)
        return false;
    mp__sipkey seed = {le64(r), le64(r + 8)};
    key->k0 = mp__siphash13(&seed, "forklore hash k0", 16);
    key->k1 = mp__siphash13(&seed, "forklore hash k1", 16);
    return true;
}

/* Once per process (pthread_once: two threads hashing their first keys at
 * once still agree on one key; glibc runs it again in a child forked while
 * another thread was in the middle of it). */
static void seed_once(void)
{
    int saved = errno;
    uint8_t b[16];
    mp__sipkey key;
    if (mp__random_bytes(b, sizeof b)) {
        key = (mp__sipkey){le64(b), le64(b + 8)};
    } else if (!from_at_random(&key)) {
        fprintf(stderr, "Fatal error: no random bytes to key the hash of dicts with "
                        "(getrandom() failed and the kernel gave no AT_RANDOM)\n");
        abort();
    }
    mp__hash_secret = key;
    mp__hash_addr_key = mp__siphash13(&key, "forklore address", 16);
    atomic_store_explicit(&mp__hash_ready, true, memory_order_release);
    errno = saved;
}

void mp__hash_seed(void)
{
    pthread_once(&seeded, seed_once);
}

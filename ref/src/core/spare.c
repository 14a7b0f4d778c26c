/* spare.c - the large receive buffer a connection or queue keeps for its next message, so that a stream of large pickles does not remap or regrow the heap for each. */
#include "core.h"

#include <malloc.h>
#include <stdlib.h>

/*
 * Why.  A pickled message is read whole into a buffer, unpickled into a
 * new value of about its size, and the buffer freed.  Two blocks of a
 * megabyte or so per message is the pattern glibc handles worst: in a
 * process that has not yet raised its mmap threshold (any spawned or
 * forkserver child) each one is mapped and unmapped, and later the heap's
 * top grows past the trim threshold and is given back, so every message
 * costs a few hundred page faults.  Under spawn, 1 MiB pickles through a
 * Pipe ran at 1.1 GB/s, against 10 GB/s for the same bytes received with
 * recv_bytes (one block per message).  Keeping the buffer for the next
 * message leaves one block per message, which glibc settles on without
 * system calls.
 *
 * At most one spare per object, of at least MP__SPARE_MIN and at most
 * MP__SPARE_MAX bytes, taken and given back with atomic exchanges: two
 * threads receiving on one queue never share a buffer (the second simply
 * allocates).  The newest buffer given back is kept.
 */

uint8_t *mp__spare_take(mp__spare *s, size_t n)
{
    if (n < MP__SPARE_MIN)
        return NULL;
    uint8_t *p = __atomic_exchange_n(&s->p, NULL, __ATOMIC_ACQUIRE);
    if (p && malloc_usable_size(p) >= n)
        return p;
    free(p);
    return NULL;
}

void mp__spare_give(mp__spare *s, uint8_t *p)
{
    size_t cap = p ? malloc_usable_size(p) : 0;
    if (cap < MP__SPARE_MIN || cap > MP__SPARE_MAX) {
        free(p);
        return;
    }
    free(__atomic_exchange_n(&s->p, p, __ATOMIC_ACQ_REL));
}

void mp__spare_free(mp__spare *s)
{
    free(__atomic_exchange_n(&s->p, NULL, __ATOMIC_ACQUIRE));
}

/* ring.h - what SimpleQueue's ring (simple_queue.c) and a Pipe's lanes (connection_lane.c) share: copying bytes in and out across the ring's end, spinning politely, and sleeping on a counter. */
#ifndef MP_RING_H
#define MP_RING_H

#include "core/core.h"
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* The one message a process died moving (writing it, when sender, or
 * reading it), dropped by the reader that meets it and reported to it,
 * once: both rings say it in the same words. */
static inline int mp__ring_lost(bool sender)
{
    return sender ? mp__fail(MP_EOWNERDEAD, "a process died while it was sending this message; "
                             "what came of it is dropped")
                  : mp__fail(MP_EOWNERDEAD, "a process died while it was taking a message from here; "
                             "that message is lost");
}

/* Spin rounds before sleeping: a reader that keeps up with its writer
 * would otherwise sleep after every message, and make each write a
 * wake-up call.  Every MP__YIELD_EVERY-th round gives the CPU away, so
 * that when both ends share one CPU the other end runs instead of the
 * spin (pinned to one CPU, bench/queue_ints went from 4.6x CPython to 32x). */
#define MP__SPINS 2000
#define MP__YIELD_EVERY 64

/* Round i of a spin. */
static inline void mp__spin(int i)
{
    if (i % MP__YIELD_EVERY == 0) {
        sched_yield();
        return;
    }
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Spin while *word is seen: true when it moved within the spin. */
static inline bool mp__ring_spin(_Atomic uint32_t *word, uint32_t seen)
{
    for (int i = 1; i <= MP__SPINS; i++) {
        if (atomic_load_explicit(word, memory_order_acquire) != seen)
            return true;
        mp__spin(i);
    }
    return false;
}

/* Sleep once on *word (a futex shared between processes) while it is
 * seen, for at most ts (NULL: no limit); callers look again and loop.  A
 * sleeper first says so in a counter its waker reads (mp__ring_wake).  If
 * futex itself is refused (a sandbox), this yields the CPU instead. */
static inline void mp__ring_sleep(_Atomic uint32_t *word, uint32_t seen, const struct timespec *ts)
{
    if (syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT, seen, ts, NULL, 0) < 0 &&
        errno != EAGAIN && errno != EINTR && errno != ETIMEDOUT)
        sched_yield();
}

/* After moving *word: wake its sleepers, if any said so in *waiting. */
static inline void mp__ring_wake(_Atomic uint32_t *word, _Atomic uint32_t *waiting)
{
    if (atomic_load(waiting))
        syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/* Copy as much of the two segments (from segment *s, byte *at) as room
 * allows into a ring of size bytes (a power of two) at head, moving *s and
 * *at on: the new head. */
static inline uint32_t mp__ring_fill(uint8_t *data, size_t size, uint32_t head, size_t room,
                                     const uint8_t *const segs[2], const size_t lens[2],
                                     size_t *s, size_t *at)
{
    while (*s < 2 && room > 0) {
        size_t k = lens[*s] - *at < room ? lens[*s] - *at : room;
        size_t off = head % size, first = k < size - off ? k : size - off;
        memcpy(data + off, segs[*s] + *at, first);
        memcpy(data, segs[*s] + *at + first, k - first);
        head += (uint32_t)k, room -= k, *at += k;
        if (*at == lens[*s])
            (*s)++, *at = 0;
    }
    return head;
}

/* Copy k bytes at tail out of the ring into dst. */
static inline void mp__ring_copy_out(uint8_t *dst, const uint8_t *data, size_t size, uint32_t tail,
                                     size_t k)
{
    size_t off = tail % size, first = k < size - off ? k : size - off;
    memcpy(dst, data + off, first);
    memcpy(dst + first, data, k - first);
}

#endif

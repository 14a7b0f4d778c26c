/* sleepers.c - a condition's waiters: a queue of slots in shared memory, each a futex word its waiter sleeps on, so notify(n) wakes exactly the n oldest without waiting for them (synchronize.py's Condition counters). */
#include "synchronize.h"

#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/*
 * A slot's life: FREE, taken by announce (WAITING, queued at the tail);
 * then either marked NOTIFIED by a notify, which the waiter turns into
 * DONE when it sees it, or turned into CANCELLED by its own waiter when
 * the deadline passes (or a SIGINT comes) first.  The two ends race for a
 * WAITING slot with one compare-and-swap, so a waiter is either notified
 * or timed out, never both, and a notify counts only waiters it woke.
 * Announce and notify, which run with the condition's lock held, take
 * DONE and CANCELLED slots out of the queue and free them: their waiters
 * never touch them again.
 *
 * Every change to the queue is ordered so that a holder killed in the
 * middle of one (the lock then goes to the next acquirer as a death)
 * leaves at worst a slot that is never freed, never a queue that loops or
 * a slot in two places.  A waiter killed asleep leaves its slot WAITING:
 * a later notify wakes it, which wakes nobody alive (CPython's notify
 * waits for it to come back, for ever).
 */
enum { FREE, WAITING, NOTIFIED, DONE, CANCELLED };

static uint32_t state(const mp__sleepers *s, int i) { return __atomic_load_n(&s->word[i], __ATOMIC_ACQUIRE); }

static bool swap(mp__sleepers *s, int i, uint32_t from, uint32_t to)
{
    return __atomic_compare_exchange_n(&s->word[i], &from, to, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

int mp__sleepers_init(mp__sleepers *s)
{
    s->waiting = 0;
    s->head = s->tail = 0;
    for (int i = 0; i < MP__SLEEPERS; i++) {
        s->word[i] = FREE;
        s->next[i] = i + 1 < MP__SLEEPERS ? (uint16_t)(i + 2) : 0;
    }
    s->free = 1;
    /* CPython makes three semaphores here and logs each; the log lines
     * are part of what a DEBUG run prints, so they stay, naming the
     * fields that do their work. */
    mp_debug("created semlock with handle %lu", (unsigned long)(uintptr_t)&s->waiting);
    mp_debug("created semlock with handle %lu", (unsigned long)(uintptr_t)&s->head);
    mp_debug("created semlock with handle %lu", (unsigned long)(uintptr_t)&s->free);
    return 0;
}

void mp__sleepers_attached(const mp__sleepers *s)
{
    mp_debug("recreated blocker with handle %lu", (unsigned long)(uintptr_t)&s->waiting);
    mp_debug("recreated blocker with handle %lu", (unsigned long)(uintptr_t)&s->head);
    mp_debug("recreated blocker with handle %lu", (unsigned long)(uintptr_t)&s->free);
}

/* Walk the queue oldest first: free the slots whose waiters have left,
 * and mark up to n waiting ones NOTIFIED, waking each (n = 0 only
 * sweeps).  The number marked. */
static int walk(mp__sleepers *s, int n)
{
    int woken = 0, prev = -1;
    for (int i = s->head - 1; i >= 0;) {
        int next = s->next[i] - 1;
        uint32_t st = state(s, i);
        if (st == WAITING && woken < n && swap(s, i, WAITING, NOTIFIED)) {
            __atomic_fetch_sub(&s->waiting, 1, __ATOMIC_RELAXED);
            /* Not FUTEX_PRIVATE: the waiter may be another process. */
            syscall(SYS_futex, &s->word[i], FUTEX_WAKE, 1, NULL, NULL, 0);
            woken++;
            st = NOTIFIED;
        }
        if (st == DONE || st == CANCELLED) {
            /* The tail first: see the comment at the top. */
            if (s->tail == i + 1)
                s->tail = (uint16_t)(prev + 1);
            if (prev < 0)
                s->head = (uint16_t)(next + 1);
            else
                s->next[prev] = (uint16_t)(next + 1);
            __atomic_store_n(&s->word[i], FREE, __ATOMIC_RELAXED);
            s->next[i] = s->free;
            s->free = (uint16_t)(i + 1);
        } else {
            prev = i;
        }
        i = next;
    }
    return woken;
}

int mp__sleepers_announce(mp__sleepers *s)
{
    walk(s, 0);
    int i = s->free - 1;
    if (i < 0)
        return mp__fail(MP_EOS, "more than %d processes and threads waiting on one condition",
                        MP__SLEEPERS);
    s->free = s->next[i];
    s->next[i] = 0;
    __atomic_store_n(&s->word[i], WAITING, __ATOMIC_RELEASE);
    if (s->tail)
        s->next[s->tail - 1] = (uint16_t)(i + 1);
    else
        s->head = (uint16_t)(i + 1);
    s->tail = (uint16_t)(i + 1);
    __atomic_fetch_add(&s->waiting, 1, __ATOMIC_RELAXED);
    return i;
}

static bool passed(const struct timespec *at)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return at->tv_sec < now.tv_sec || (at->tv_sec == now.tv_sec && at->tv_nsec <= now.tv_nsec);
}

int mp__sleepers_sleep(mp__sleepers *s, int slot, const mp__deadline *d)
{
    int rc = 0;
    for (;;) {
        if (state(s, slot) == NOTIFIED)
            break;
        if (d->kind == MP__NOW || (d->kind == MP__AT && passed(&d->at)))
            goto cancel;
        /* A SIGINT before or while waiting is KeyboardInterrupt, as a
         * blocking wait raises it in CPython. */
        if ((rc = mp__interrupted()) < 0)
            goto cancel;
        /* On CLOCK_MONOTONIC, as every wait here; a wake, a timeout, a
         * signal or a word no longer WAITING all come back to look. */
        syscall(SYS_futex, &s->word[slot], FUTEX_WAIT_BITSET, WAITING, d->kind == MP__AT ? &d->at : NULL,
                NULL, FUTEX_BITSET_MATCH_ANY);
    }
    __atomic_store_n(&s->word[slot], DONE, __ATOMIC_RELEASE);
    return 1;
cancel:
    if (swap(s, slot, WAITING, CANCELLED)) {
        __atomic_fetch_sub(&s->waiting, 1, __ATOMIC_RELAXED);
        return rc;
    }
    /* Notified at the last moment: the notify counted this waiter, so
     * the wait says so (unless a SIGINT outranks it). */
    __atomic_store_n(&s->word[slot], DONE, __ATOMIC_RELEASE);
    return rc < 0 ? rc : 1;
}

int mp__sleepers_notify(mp__sleepers *s, int n)
{
    walk(s, n);
    return 0;
}

int mp__sleepers_count(const mp__sleepers *s)
{
    return (int)__atomic_load_n(&s->waiting, __ATOMIC_RELAXED);
}

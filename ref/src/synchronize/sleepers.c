/* sleepers.c - a condition's waiters: a queue of slots in shared memory, each a futex word its waiter sleeps on, so notify(n) wakes exactly the n oldest without waiting for them (synchronize.py's Condition counters). */
#include "synchronize.h"

#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/*
 * A slot's life: FREE, taken by announce (WAITING, queued at the tail);
 * then either marked NOTIFIED (or MOVED: its sleep moved onto the lock's
 * word) by a notify, which the waiter turns into DONE when it sees it, or
 * turned into CANCELLED by its own waiter when
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
enum { FREE, WAITING, NOTIFIED, DONE, CANCELLED, MOVED };

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

/* Wake slot i's waiter, or move it onto lock_word's sleepers: the word
 * says someone sleeps there first, so that the lock's release wakes it.
 * A waiter not asleep yet finds its word changed and does not sleep.  Not
 * FUTEX_PRIVATE: the waiter may be another process. */
static void rouse(mp__sleepers *s, int i, uint32_t *lock_word)
{
    if (!lock_word) {
        syscall(SYS_futex, &s->word[i], FUTEX_WAKE, 1, NULL, NULL, 0);
        return;
    }
    __atomic_fetch_or(lock_word, MP__FUTEX_WAITERS, __ATOMIC_RELAXED);
    /* Wake none, move one, if the word still says MOVED. */
    syscall(SYS_futex, &s->word[i], FUTEX_CMP_REQUEUE, 0, (void *)1L, lock_word, MOVED);
}

/* Walk the queue oldest first: free the slots whose waiters have left,
 * and mark up to n waiting ones NOTIFIED (MOVED with a lock_word), rousing
 * each (n = 0 only sweeps).  The number marked. */
static int walk(mp__sleepers *s, int n, uint32_t *lock_word)
{
    int woken = 0, prev = -1;
    uint32_t mark = lock_word ? MOVED : NOTIFIED;
    for (int i = s->head - 1; i >= 0;) {
        int next = s->next[i] - 1;
        uint32_t st = state(s, i);
        if (st == WAITING && woken < n && swap(s, i, WAITING, mark)) {
            __atomic_fetch_sub(&s->waiting, 1, __ATOMIC_RELAXED);
            rouse(s, i, lock_word);
            woken++;
            st = mark;
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
    walk(s, 0, NULL);
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

/* When a sliced sleep looks again: a tenth of a second from now, or the
 * deadline if sooner.  NULL: no limit. */
static const struct timespec *until(const mp__deadline *d, bool sliced, struct timespec *buf)
{
    if (!sliced)
        return d->kind == MP__AT ? &d->at : NULL;
    *buf = mp__deadline_slice(d, 100000000L, NULL);
    return buf;
}

int mp__sleepers_sleep(mp__sleepers *s, int slot, const mp__deadline *d, bool sliced)
{
    int rc = 0;
    uint32_t st;
    struct timespec buf;
    for (;;) {
        if ((st = state(s, slot)) == NOTIFIED || st == MOVED)
            break;
        if (mp__deadline_ms(d) == 0)    /* only a try, or the deadline passed */
            goto cancel;
        /* A SIGINT before or while waiting is KeyboardInterrupt, as a
         * blocking wait raises it in CPython. */
        if ((rc = mp__interrupted()) < 0)
            goto cancel;
        /* On CLOCK_MONOTONIC, as every wait here; a wake, a timeout, a
         * signal or a word no longer WAITING all come back to look. */
        syscall(SYS_futex, &s->word[slot], FUTEX_WAIT_BITSET, WAITING, until(d, sliced, &buf), NULL,
                FUTEX_BITSET_MATCH_ANY);
    }
    __atomic_store_n(&s->word[slot], DONE, __ATOMIC_RELEASE);
    return st == MOVED ? MP__MOVED : 1;
cancel:
    if (swap(s, slot, WAITING, CANCELLED)) {
        __atomic_fetch_sub(&s->waiting, 1, __ATOMIC_RELAXED);
        return rc;
    }
    /* Notified at the last moment: the notify counted this waiter, so
     * the wait says so (unless a SIGINT outranks it). */
    st = state(s, slot);
    __atomic_store_n(&s->word[slot], DONE, __ATOMIC_RELEASE);
    return rc < 0 ? rc : st == MOVED ? MP__MOVED : 1;
}

int mp__sleepers_notify(mp__sleepers *s, int n, uint32_t *lock_word)
{
    walk(s, n, lock_word);
    return 0;
}

int mp__sleepers_count(const mp__sleepers *s)
{
    return (int)__atomic_load_n(&s->waiting, __ATOMIC_RELAXED);
}

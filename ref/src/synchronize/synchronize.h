/* synchronize.h - the floor of synchronize.py: process-shared semaphores, locks and conditions in shared memory (semlock.c), and the byte ring (ring.h). */
#ifndef MP_SYNCHRONIZE_H
#define MP_SYNCHRONIZE_H

#include "reduction/reduction.h"
#include "util/util.h"

#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>

/* What a lock says when its previous holder died holding it: the caller
 * now holds it, and what it protects may be half changed. */
#define MP__HOLDER_DIED 2

/* ---- a lock that knows when its holder died (futexlock.c) ------------------ */

/* A Lock's (and an RLock's) state, in shared memory: the word is the
 * holding thread's id, with WAITERS (bit 31) when someone sleeps on it, or
 * 0 when free; tid, pid and start say which process the holder is (pid
 * and start time) and are valid while tid equals the word's holder.
 * owned, set once when it is made: only the holding thread may let it go
 * (an RLock), so a holding thread that ends, its process alive, is a
 * death too (nobody else could ever release it). */
typedef struct mp__futexlock {
    uint32_t word;
    uint32_t tid;
    int pid;
    uint32_t owned;
    unsigned long long start;
} mp__futexlock;

/* Take it by the deadline: 1, MP__HOLDER_DIED (taken; the process that
 * held it died), 0 (not by the deadline), MP_EINTERRUPT (a SIGINT before
 * or while waiting; never when deaf). */
int mp__futexlock_acquire(mp__futexlock *f, const mp__deadline *d, bool deaf);
bool mp__futexlock_is_mine(const mp__futexlock *f);
enum { MP__HELD_BY_NOBODY, MP__HELD_BY_ME, MP__HELD_BY_OTHER_THREAD, MP__HELD_BY_OTHER_PROCESS };
int mp__futexlock_holder(const mp__futexlock *f);
/* Take it back for good after a condition's notify moved the caller's
 * sleep onto this word (mp__sleepers_notify): others may sleep on the word
 * with it, so it is taken as a woken sleeper takes it, saying someone may
 * wait.  Without limit and deaf to SIGINT: 1 or MP__HOLDER_DIED. */
int mp__futexlock_acquire_woken(mp__futexlock *f);
/* The word's bit saying someone sleeps on it. */
#define MP__FUTEX_WAITERS 0x80000000u
/* The calling thread's kernel id and its process's pid, cached (renewed
 * in a forked child): asking the kernel each time costs a system call. */
uint32_t mp__self_tid(void);
int mp__self_pid(void);

/* A process's start time (field 22 of /proc/PID/stat), 0 when unknown;
 * and whether the process (or thread) id has ended: no entry, a zombie
 * its parent has not reaped, or another process now (its start time not
 * the recorded one, when one was).  One reading of "the holder died" for
 * the locks and for a manager's clients. */
unsigned long long mp__process_start(int pid);
bool mp__process_gone(int id, unsigned long long recorded);

/* The fast paths, inline: an uncontended acquire and release are then a
 * compare-and-swap and an exchange in the caller's own function, the cost
 * a benchmark of Lock against a raw futex measures (bench/sync.c).  They
 * read the caches of mp__self_tid and mp__self_pid in place (futexlock.c
 * owns them; 0 until first asked, and in a forked child). */
extern _Thread_local uint32_t mp__my_tid;
extern int mp__my_pid;
extern unsigned long long mp__my_start;

/* The calling thread's id from the cache, the kernel asked only the
 * first time. */
static inline uint32_t mp__tid_now(void)
{
    uint32_t tid = mp__my_tid;
    return tid ? tid : mp__self_tid();
}

/* Record the caller, who just took the word, as the holder: its process
 * beside the word, tid last, so a reader that finds tid equal to the
 * word's holder reads the pid and start written with it. */
static inline void mp__futexlock_own(mp__futexlock *f, uint32_t me)
{
    int pid = __atomic_load_n(&mp__my_pid, __ATOMIC_ACQUIRE);
    if (!pid)
        pid = mp__self_pid();
    __atomic_store_n(&f->pid, pid, __ATOMIC_RELAXED);
    __atomic_store_n(&f->start, __atomic_load_n(&mp__my_start, __ATOMIC_RELAXED), __ATOMIC_RELAXED);
    __atomic_store_n(&f->tid, me, __ATOMIC_RELEASE);
}

/* Take it if it is free, nothing more (no death looked for): the fast
 * path of an acquire, before its deadline is worked out. */
static inline bool mp__futexlock_try(mp__futexlock *f)
{
    uint32_t me = mp__tid_now(), v = 0;
    if (!__atomic_compare_exchange_n(&f->word, &v, me, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return false;
    mp__futexlock_own(f, me);
    return true;
}

/* The rest of a release, given what the word held: a free word's error,
 * or the wake of a sleeper. */
int mp__futexlock_released(mp__futexlock *f, uint32_t was);

/* Let it go, whoever holds it: 0, or MP_EVALUE "semaphore or lock
 * released too many times" when it is free.  One exchange: a free word
 * stays free, and says so. */
static inline int mp__futexlock_release(mp__futexlock *f)
{
    uint32_t was = __atomic_exchange_n(&f->word, 0, __ATOMIC_RELEASE);
    return was != 0 && !(was & MP__FUTEX_WAITERS) ? 0 : mp__futexlock_released(f, was);
}

/* ---- locks that only their holder releases (mutex.c) ----------------------- */

/* The internal locks of the queues, the Pipe's lanes and the semaphores'
 * conditions: the futex lock above, marked owned, so that "the holder
 * died" has one implementation in the library, the Lock's.  To be placed
 * in shared memory. */
typedef struct mp__mutex {
    mp__futexlock f;
} mp__mutex;

/* 0 (it cannot fail: kept for the callers' shape). */
int mp__mutex_init(mp__mutex *m);
/* Take it by the deadline: 1, MP__HOLDER_DIED (taken; the holder before
 * died), 0 (not by the deadline), MP_EINTERRUPT (a SIGINT, before or
 * while waiting). */
int mp__mutex_lock(mp__mutex *m, const mp__deadline *d);
/* The same without limit and deaf to SIGINT (1, MP__HOLDER_DIED): for a
 * lock that must be taken whatever comes. */
int mp__mutex_lock_always(mp__mutex *m);
void mp__mutex_unlock(mp__mutex *m);

/*
 * CPython's queues are built from SemLocks: named POSIX semaphores that a
 * spawned child opens again by name.  Here they are unnamed semaphores
 * (sem_init with pshared) placed in a block of memory made with
 * memfd_create and mapped MAP_SHARED: a forked child shares the mapping as
 * it is, and a spawn or forkserver child receives the memfd descriptor and
 * maps it again, so nothing is left behind in /dev/shm if a process dies.
 *
 * Like CPython's, these are plain counters: nothing records which process
 * holds a lock, so one that dies holding it leaves it held.  A lock that
 * must survive its holder is an mp__mutex (below).
 */

/* _multiprocessing.SemLock.SEM_VALUE_MAX on Linux: the size an unbounded
 * Queue reports as its maxsize. */
#define MP__SEM_VALUE_MAX INT_MAX

/* A semaphore with the bound of a BoundedSemaphore (a Lock is one whose
 * bound is 1; an unbounded Semaphore has MP__SEM_VALUE_MAX). */
typedef struct mp__sem {
    sem_t sem;
    int maxvalue;
} mp__sem;

/* Initialise a semaphore that lives in shared memory.  Logs CPython's
 * "created semlock with handle N".  0 or MP_EOS. */
int mp__sem_init(mp__sem *s, int value, int maxvalue);

/* Log CPython's "recreated blocker with handle N" for a semaphore a child
 * found in a mapping it received. */
void mp__sem_attached(const mp__sem *s);

/* acquire(block, timeout) as SemLock does it, until the deadline (&mp__now
 * only tries, &mp__forever waits without limit).  1 when acquired, 0 when
 * not; MP_EOS on a system error.  Interrupted waits are resumed. */
int mp__sem_acquire(mp__sem *s, const mp__deadline *d);
/* The same, without limit and deaf to SIGINT: for a wait that must end
 * holding the semaphore (a condition taking its lock back, a notify
 * waiting for its sleepers).  1, or MP_EOS. */
int mp__sem_take(mp__sem *s);

/* release(): MP_EVALUE "semaphore or lock released too many times" past
 * the bound, as CPython's BoundedSemaphore and Lock say. */
int mp__sem_release(mp__sem *s);

/* _get_value() and _is_zero(). */
int mp__sem_value(const mp__sem *s);
bool mp__sem_is_zero(const mp__sem *s);

/*
 * The waiters of a condition (sleepers.c), shared by the queues' condition
 * (mp__cond, below) and the public Condition (condition.c), whose lock is a
 * Lock or RLock object.  CPython counts them with three semaphores, and
 * its notify waits until each waiter it woke has come back, so that a
 * later wait cannot take a wake-up meant for an earlier one; that makes
 * each notify a round trip between the processes.  Here each waiter has a
 * slot of its own, queued oldest first, with a futex word it sleeps on:
 * notify(n) marks the n oldest slots still waiting and wakes exactly
 * those, and returns at once.  A waiter never wakes without a notify (or
 * its timeout), as in CPython.  Every call but sleep is made with the
 * condition's lock held.
 */
#define MP__SLEEPERS 1024       /* waiters at once on one condition */

typedef struct mp__sleepers {
    uint32_t waiting;           /* slots asleep: the repr's count (atomic) */
    uint16_t head, tail;        /* the queue of slots, oldest first: slot + 1, 0 for none */
    uint16_t free;              /* the free slots, a stack: slot + 1, 0 for none */
    uint16_t next[MP__SLEEPERS];
    uint32_t word[MP__SLEEPERS]; /* each slot's state; its waiter's futex */
} mp__sleepers;

int mp__sleepers_init(mp__sleepers *s);
void mp__sleepers_attached(const mp__sleepers *s);
/* A wait, in three steps: announce it with the lock held (so a notify
 * that comes in between counts this waiter): its slot, or MP_EOS when
 * MP__SLEEPERS wait already; let the lock go; then sleep on the slot:
 * 1 notified, MP__MOVED notified by a notify that moved the sleep onto
 * the lock's word (take the lock back with mp__futexlock_acquire_woken),
 * 0 the deadline passed, MP_EINTERRUPT; the lock is then the caller's to
 * take back.  sliced: wake each tenth of a second to look again, as the
 * caller must when its notify moves sleeps onto a lock's word: a notifier
 * that dies holding the lock never wakes a sleep it moved there, and the
 * sleeper must find out (taking the lock back, as any waiter for it). */
#define MP__MOVED 2
int mp__sleepers_announce(mp__sleepers *s);
int mp__sleepers_sleep(mp__sleepers *s, int slot, const mp__deadline *d, bool sliced);
/* notify(n) with the lock held; n = INT_MAX is notify_all().  lock_word:
 * the futex word of the lock the caller holds when it is an
 * mp__futexlock, or NULL.  Given, the waiters notified are not woken but
 * moved to sleep on that word (FUTEX_CMP_REQUEUE), so that the release of
 * the lock wakes them: woken at once, they would only run into the lock
 * the notifier still holds and sleep again, two more context switches
 * each. */
int mp__sleepers_notify(mp__sleepers *s, int n, uint32_t *lock_word);
/* Waiters asleep now, as Condition's repr counts them. */
int mp__sleepers_count(const mp__sleepers *s);

typedef struct mp__cond {
    mp__mutex lock;             /* knows its holder, where CPython's is a SemLock */
    mp__sleepers s;
} mp__cond;

int mp__cond_init(mp__cond *c);
void mp__cond_attached(const mp__cond *c);
/* The condition's lock (without limit; 0, MP_EINTERRUPT or MP_EOS; a
 * holder that died leaves nothing half done here: the counts are
 * semaphores) and its release. */
int mp__cond_acquire(mp__cond *c);
int mp__cond_release(mp__cond *c);
/* wait(timeout), with the lock held: 1 notified, 0 the deadline passed.
 * The lock is held again on return. */
int mp__cond_wait(mp__cond *c, const mp__deadline *d);
/* notify(n) with the lock held; n = INT_MAX is notify_all(). */
int mp__cond_notify(mp__cond *c, int n);

/* ---- the public primitives (lock.c, semaphore.c, condition.c, event.c, barrier.c) */

/*
 * Each lives in a shared block of its own (mp__shm below), which a forked
 * child shares as it is and a spawn or forkserver child receives by
 * descriptor (reduce/rebuild, as a Queue's).  Lock and RLock are one type,
 * mp_lock.  Both are an mp__futexlock: a Lock, which any thread or process
 * may release, as CPython's; an RLock, released only by its owner, the
 * same lock marked owned, with its depth beside it.  Either way a holder's
 * death reaches the next acquirer and every waiter as MP_EOWNERDEAD.
 */
typedef struct mp__lockshared {
    mp__futexlock f;
    /* An RLock's depth: written by the holder, read by anyone without the
     * lock (repr), so always through __atomic. */
    int count;
} mp__lockshared;

struct mp__shm;
/* The deadline of acquire(block, timeout): block MP_NO only tries; a NaN
 * timeout only tries too, and sets *nan, since CPython tries before it
 * waits and only a wait meets the NaN (OSError EINVAL, mp__fail_nan).
 * opts may be NULL (block, no limit). */
void mp__acquire_deadline(const mp_acquire_opts *opts, mp__deadline *d, bool *nan);
int mp__fail_nan(void);

/* Is l held by the calling thread? */
bool mp__lock_is_mine(const mp_lock *l);
/* acquire with a deadline: 1, 0 (not by the deadline), MP_EOWNERDEAD (held
 * now; the holder before died), MP_EINTERRUPT, MP_EOS. */
int mp__lock_acquire(mp_lock *l, const mp__deadline *d);
/* For Condition.wait: let go of every hold this thread has (an RLock's
 * depth), returning how many; then take them back, without limit and deaf
 * to SIGINT (0, MP_EOWNERDEAD, MP_EOS); woken: the sleep ended MP__MOVED. */
int mp__lock_release_all(mp_lock *l);
int mp__lock_restore(mp_lock *l, int count, bool woken);
/* The futex word of l's lock, for mp__sleepers_notify. */
uint32_t *mp__lock_word(mp_lock *l);

/* Condition.wait until a deadline, the lock held by the caller (who
 * checked): 1 notified, 0 the deadline passed; MP_EOWNERDEAD (taking the
 * lock back, its holder had died), MP_EINTERRUPT, MP_EOS.  The lock is
 * held again on every return.  Event and Barrier wait with it. */
int mp__condition_wait_until(mp_condition *c, const mp__deadline *d);

/* The Barrier's action, a registered target, goes to a spawn or
 * forkserver child by name: the process floor, which keeps the names,
 * hands in how to ask. */
void mp__barrier_set_targets(const char *(*name_of)(mp_target_fn), mp_target_fn (*find)(const char *));

/* ---- the shared block ---------------------------------------------------- */

typedef struct mp__shm {
    int fd;                     /* the memfd; -1 once closed */
    void *addr;                 /* the mapping; NULL once unmapped */
    size_t size;
} mp__shm;

/* A new zeroed block of at least size bytes.  0 or MP_EOS. */
int mp__shm_create(mp__shm *m, const char *name, size_t size);
/* Map a block received as fd (taken, even on failure), which must hold at
 * least size bytes: MP_EUNPICKLE if it does not. */
int mp__shm_attach(mp__shm *m, int fd, size_t size);
/* Unmap and close; idempotent. */
void mp__shm_close(mp__shm *m);

/* An object whose whole state is one shared block, at offset shm_at of
 * it (a Lock, a Semaphore): its pickled state is (index of the block's
 * descriptor,), passed only to a spawn or forkserver child.  reduce gives
 * that tuple; rebuild makes a cls object with the block mapped (size
 * bytes at least), or NULL with MP_EUNPICKLE for a bad state. */
mp_value *mp__shm_object_reduce(mp__object *o, const mp__shm *shm);
mp__object *mp__shm_object_rebuild(const mp_class *cls, const mp_value *state, size_t shm_at, size_t size);

#endif

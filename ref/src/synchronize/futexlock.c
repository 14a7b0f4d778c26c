/* futexlock.c - a lock that learns when its holder died: a futex word naming the holding thread, the holder's process beside it (the Lock and the RLock of lock.c, the library's own locks of mutex.c). */
#include "synchronize.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/*
 * CPython's Lock is a semaphore of one: any thread or process may release
 * it, and a holder that dies leaves it held for ever.  A robust mutex
 * knows when its holder dies, but belongs to the thread that locked it, so
 * nobody else may unlock it.  This lock keeps both: a 32-bit futex word
 * holds the holding thread's kernel id (0 when free, never 0 when held;
 * thread ids fit in 22 bits) and a bit saying someone sleeps on it, as the
 * kernel's own robust futexes do; beside it, the holder's process: its pid
 * and its start time (field 22 of /proc/PID/stat), which together name a
 * process for good where a pid alone may be reused.
 *
 * Taking a free lock is one compare-and-swap that writes the holder into
 * the word, then plain stores of the process beside it; letting it go is
 * one compare-and-swap back to 0, and a futex wake only when someone
 * sleeps.  No system call otherwise: the caller's ids are cached (per
 * thread, per process, renewed in a forked child).  A blocked acquirer
 * sleeps on the word in slices and, when a slice ends without a wake,
 * reads /proc to see whether the holder's process still lives.  The waiter
 * that first sees it dead takes the lock over with a compare-and-swap from
 * the dead holder's word to its own, so exactly one is told: the others
 * find a living holder in the word and wait on.  A thread that ends with
 * its process alive leaves a Lock held, as in CPython: it may have meant
 * another thread to release it.  An owned lock (an RLock) is released by
 * its holding thread only, so there that thread's end is a death too.
 */

#define WAITERS MP__FUTEX_WAITERS
/* How long a blocked acquirer sleeps before looking at the holder: the
 * longest it takes a waiter to learn of a death (plus reading /proc). */
#define SLICE_NS 100000000L
/* How many times a blocked acquirer looks at the word before it sleeps. */
#define SPINS 100

/* ---- who the caller is, without a system call ---------------------------- */

/* Thread ids and the pid are system calls; a forked child renews them in
 * its one thread (the others did not follow it), before any code of its
 * own runs.  Plain reads and writes of one process's values: two threads
 * filling them at once write the same numbers, hence the relaxed atomics. */
_Thread_local uint32_t mp__my_tid;
int mp__my_pid;
unsigned long long mp__my_start;
static pthread_once_t forget_once = PTHREAD_ONCE_INIT;

static void forget(void)
{
    mp__my_tid = 0;
    __atomic_store_n(&mp__my_pid, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&mp__my_start, 0ULL, __ATOMIC_RELAXED);
}

static void watch_forks(void)
{
    pthread_atfork(NULL, NULL, forget);
}

/* Field 22 of /proc/ID/stat (the start time, in clock ticks since boot),
 * and whether the process is dead: a zombie or dying (a killed holder
 * stays a zombie until its parent reaps it) with no thread left (field
 * 20; a process whose main thread ended while others run shows as a
 * zombie too, with them counted).  False when there is no such entry. */
static bool read_stat(int id, unsigned long long *start, bool *dead)
{
    char path[40], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", id);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return false;
    buf[n] = '\0';
    /* The name, field 2, is in parentheses and may hold anything: count
     * from the last ')'.  Then " S ..." is field 3, the state. */
    char *p = strrchr(buf, ')');
    if (!p || p[1] != ' ')
        return false;
    bool zombie = p[2] == 'Z' || p[2] == 'X' || p[2] == 'x';
    long threads = 0;
    /* p on the space before field 3, then before field + 1 each turn. */
    p++;
    for (int field = 3; field < 22 && p; field++) {
        p = strchr(p + 1, ' ');
        if (p && field + 1 == 20)
            threads = strtol(p + 1, NULL, 10);
    }
    if (!p)
        return false;
    *dead = zombie && threads <= 1;
    *start = strtoull(p + 1, NULL, 10);
    return true;
}

uint32_t mp__self_tid(void)
{
    if (!mp__my_tid) {
        pthread_once(&forget_once, watch_forks);
        mp__my_tid = (uint32_t)gettid();
    }
    return mp__my_tid;
}

int mp__self_pid(void)
{
    int pid = __atomic_load_n(&mp__my_pid, __ATOMIC_RELAXED);
    if (!pid) {
        pthread_once(&forget_once, watch_forks);
        unsigned long long start = 0;
        bool dead;
        pid = (int)getpid();
        /* Without /proc the start stays 0: such a holder is then judged
         * by its pid alone. */
        if (!read_stat(pid, &start, &dead))
            start = 0;
        __atomic_store_n(&mp__my_start, start, __ATOMIC_RELAXED);
        __atomic_store_n(&mp__my_pid, pid, __ATOMIC_RELEASE);   /* the start first */
    }
    return pid;
}

/* ---- the holder ------------------------------------------------------------ */

static uint32_t word(const mp__futexlock *f) { return __atomic_load_n(&f->word, __ATOMIC_RELAXED); }

static bool take(mp__futexlock *f, uint32_t *expected, uint32_t desired)
{
    return __atomic_compare_exchange_n(&f->word, expected, desired, false, __ATOMIC_ACQUIRE,
                                       __ATOMIC_RELAXED);
}

unsigned long long mp__process_start(int pid)
{
    unsigned long long start;
    bool dead;
    return read_stat(pid, &start, &dead) ? start : 0;
}

/* Is the thread or process id gone (no entry, or a zombie), or another
 * process now (start time not the one recorded, when one was)? */
bool mp__process_gone(int id, unsigned long long recorded)
{
    unsigned long long start;
    bool dead;
    if (!read_stat(id, &start, &dead))
        return kill(id, 0) < 0 && errno == ESRCH;   /* no /proc: the pid alone */
    return dead || (recorded && start != recorded);
}

/* Has the holder named by v (the word as last read) died?  Its process,
 * when the record beside the word is its own; otherwise the holder took
 * the word and had not yet written the record (or died in between): then
 * its thread, which lives as long as it may still write it. */
static bool holder_died(const mp__futexlock *f, uint32_t v)
{
    uint32_t tid = v & ~WAITERS;
    if (__atomic_load_n(&f->tid, __ATOMIC_ACQUIRE) != tid)
        return mp__process_gone((int)tid, 0);
    int pid = __atomic_load_n(&f->pid, __ATOMIC_RELAXED);
    unsigned long long start = __atomic_load_n(&f->start, __ATOMIC_RELAXED);
    /* Rewritten meanwhile: the lock changed hands, the holder is alive. */
    if (__atomic_load_n(&f->tid, __ATOMIC_RELAXED) != tid)
        return false;
    if (pid != mp__self_pid() && mp__process_gone(pid, start))
        return true;
    /* An owned lock's holder is its thread: one that ended, its process
     * alive, can never let it go.  tgkill finds the thread only in that
     * process, so a thread id reused elsewhere does not pass for it. */
    return __atomic_load_n(&f->owned, __ATOMIC_RELAXED) &&
           syscall(SYS_tgkill, pid, (int)tid, 0) < 0 && errno == ESRCH;
}

bool mp__futexlock_is_mine(const mp__futexlock *f)
{
    return (word(f) & ~WAITERS) == mp__tid_now();
}

int mp__futexlock_holder(const mp__futexlock *f)
{
    uint32_t tid = word(f) & ~WAITERS;
    if (!tid)
        return MP__HELD_BY_NOBODY;
    if (tid == mp__self_tid())
        return MP__HELD_BY_ME;
    bool recorded = __atomic_load_n(&f->tid, __ATOMIC_ACQUIRE) == tid;
    bool here = recorded ? __atomic_load_n(&f->pid, __ATOMIC_RELAXED) == mp__self_pid()
                         : syscall(SYS_tgkill, mp__self_pid(), (int)tid, 0) == 0;
    return here ? MP__HELD_BY_OTHER_THREAD : MP__HELD_BY_OTHER_PROCESS;
}

/* ---- acquire and release ------------------------------------------------ */

/* Sleep while the word is v, until the slice or the deadline ends: true
 * when the slice ran out (time to look at the holder). */
static bool sleep_on(mp__futexlock *f, uint32_t v, const mp__deadline *d)
{
    struct timespec until = mp__deadline_slice(d, SLICE_NS, NULL);
    /* Not FUTEX_PRIVATE: the word is shared between processes.  The
     * absolute time is on CLOCK_MONOTONIC, as every wait here. */
    long r = syscall(SYS_futex, &f->word, FUTEX_WAIT_BITSET, v, &until, NULL, FUTEX_BITSET_MATCH_ANY);
    return r < 0 && errno == ETIMEDOUT;
}

/* Contended: sleep in slices, looking at the holder after each that ends
 * without a wake (a try, which does not sleep, looks at once).  Not before
 * the first: reading /proc costs tens of microseconds, more than most
 * holds last, and a death is still seen within a slice.  Having slept, take the lock with
 * WAITERS set, since others may sleep too: the release wakes one. */
static int wait_for(mp__futexlock *f, uint32_t me, uint32_t v, const mp__deadline *d, bool deaf)
{
    bool look = d->kind == MP__NOW;
    for (;;) {
        if (v == 0) {
            if (take(f, &v, me | WAITERS)) {
                mp__futexlock_own(f, me);
                return 1;
            }
            continue;
        }
        if (look && holder_died(f, v)) {
            if (take(f, &v, me | WAITERS)) {
                mp__futexlock_own(f, me);
                return MP__HOLDER_DIED;
            }
            continue;
        }
        if (mp__deadline_ms(d) == 0)    /* only a try, or the deadline passed */
            return 0;
        /* A SIGINT before or while waiting is KeyboardInterrupt, as a
         * blocking acquire raises it in CPython. */
        int rc = deaf ? 0 : mp__interrupted();
        if (rc < 0)
            return rc;
        if (!(v & WAITERS) &&
            !__atomic_compare_exchange_n(&f->word, &v, v | WAITERS, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            continue;
        look = sleep_on(f, v | WAITERS, d);
        v = word(f);
    }
}

/* One turn of a spin: tells the CPU this is a wait (it saves power and
 * lets the other hyperthread run). */
static inline void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

int mp__futexlock_acquire(mp__futexlock *f, const mp__deadline *d, bool deaf)
{
    uint32_t me = mp__tid_now(), v = 0;
    if (take(f, &v, me)) {
        mp__futexlock_own(f, me);
        return 1;
    }
    /* Most holds last nanoseconds (a counter's increment): watching the
     * word for a few microseconds before sleeping saves the two system
     * calls and two context switches of a futex wait and wake.  Taken
     * without WAITERS, as the first try: a sleeper that a release woke
     * and that finds it taken sets the bit again before it sleeps. */
    for (int i = 0; i < SPINS && d->kind != MP__NOW; i++) {
        relax();
        v = word(f);
        if (v == 0 && take(f, &v, me)) {
            mp__futexlock_own(f, me);
            return 1;
        }
    }
    return wait_for(f, me, v, d, deaf);
}

int mp__futexlock_acquire_woken(mp__futexlock *f)
{
    uint32_t me = mp__tid_now(), v = 0;
    if (take(f, &v, me | WAITERS)) {
        mp__futexlock_own(f, me);
        return 1;
    }
    return wait_for(f, me, v, &mp__forever, true);
}

int mp__futexlock_released(mp__futexlock *f, uint32_t was)
{
    if (was == 0)
        return mp__fail(MP_EVALUE, "semaphore or lock released too many times");
    syscall(SYS_futex, &f->word, FUTEX_WAKE, 1, NULL, NULL, 0);
    return 0;
}

/* mutex.c - a lock in shared memory that knows when its holder died: robust, process-shared pthread mutexes. */
#include "synchronize.h"

#include <errno.h>
#include <time.h>

/* ThreadSanitizer follows pthread_mutex_lock but not pthread_mutex_clocklock,
 * so a mutex taken by the sliced wait below would look unlocked when it is
 * let go; under TSan that wait says what it does. */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TSAN 1
#endif
#endif
#ifdef TSAN
#include <sanitizer/tsan_interface.h>
#define TSAN_PRE(m) __tsan_mutex_pre_lock((m), __tsan_mutex_try_lock)
#define TSAN_POST(m, e) \
    __tsan_mutex_post_lock((m), __tsan_mutex_try_lock | ((e) == 0 || (e) == EOWNERDEAD ? 0 : __tsan_mutex_try_lock_failed), 0)
#else
#define TSAN_PRE(m) ((void)0)
#define TSAN_POST(m, e) ((void)0)
#endif

/*
 * CPython's locks are counters: a process killed while it holds one leaves
 * every other waiting for ever, the most common way a multiprocessing
 * program hangs.  These are robust mutexes instead: the kernel knows the
 * holder, and when it dies (killed, crashed, exited) the next process to
 * lock gets the lock together with word of the death (EOWNERDEAD), and a
 * process already waiting is woken with it.  Whoever gets that word marks
 * the mutex consistent again and decides what the death means for what
 * the lock protects (a Pipe's lanes drop a torn message; a queue reports
 * it).  Every lock of the library that only its holder may release is one
 * of these; a Lock, which anyone may release, learns of a death its own
 * way (futexlock.c).
 */

int mp__mutex_init(mp__mutex *m)
{
    pthread_mutexattr_t a;
    int e = pthread_mutexattr_init(&a);
    if (!e)
        e = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    if (!e)
        e = pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    if (!e)
        e = pthread_mutex_init(&m->m, &a);
    pthread_mutexattr_destroy(&a);
    if (e) {
        errno = e;
        return mp__fail_errno("pthread_mutex_init");
    }
    return 0;
}

/* pthread's answer as ours: got it (1), got it from a dead holder
 * (MP__HOLDER_DIED, made consistent again), not now (0), or an error. */
static int answer(mp__mutex *m, int e)
{
    if (e == 0)
        return 1;
    if (e == EOWNERDEAD) {
        pthread_mutex_consistent(&m->m);
        return MP__HOLDER_DIED;
    }
    if (e == EBUSY || e == ETIMEDOUT)
        return 0;
    errno = e;
    return mp__fail_errno("pthread_mutex_lock");
}

int mp__mutex_lock(mp__mutex *m, const mp__deadline *d)
{
    /* A free mutex is taken at once, without reading the clock or looking
     * for a SIGINT (CPython's acquire of a free lock raises nothing
     * either): the lanes of a Pipe take one per message. */
    int e = pthread_mutex_trylock(&m->m);
    if (e != EBUSY || d->kind == MP__NOW)
        return answer(m, e);
    /*
     * A mutex wait is not cut short by a signal, so it is taken in slices
     * of a tenth of a second, looking for a pending SIGINT between them
     * (KeyboardInterrupt, as a blocking acquire raises it in CPython).
     * Taking a free or briefly held mutex costs no more than before.
     */
    for (;;) {
        int rc = mp__interrupted();
        if (rc < 0)
            return rc;
        struct timespec slice;
        clock_gettime(CLOCK_MONOTONIC, &slice);
        slice.tv_nsec += 100000000L;
        if (slice.tv_nsec >= 1000000000L) {
            slice.tv_sec++;
            slice.tv_nsec -= 1000000000L;
        }
        bool last = d->kind == MP__AT && (d->at.tv_sec < slice.tv_sec ||
                                          (d->at.tv_sec == slice.tv_sec && d->at.tv_nsec <= slice.tv_nsec));
        TSAN_PRE(&m->m);
        e = pthread_mutex_clocklock(&m->m, CLOCK_MONOTONIC, last ? &d->at : &slice);
        TSAN_POST(&m->m, e);
        rc = answer(m, e);
        if (rc != 0 || last)
            return rc;
    }
}

int mp__mutex_lock_always(mp__mutex *m)
{
    return answer(m, pthread_mutex_lock(&m->m));
}

void mp__mutex_unlock(mp__mutex *m)
{
    pthread_mutex_unlock(&m->m);
}

/* semlock.c - process-shared semaphores and conditions over POSIX unnamed semaphores in a memfd (semaphore.c, synchronize.py). */
#include "../semlock.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- semaphores ----------------------------------------------------------- */

int mp__sem_init(mp__sem *s, int value, int maxvalue)
{
    if (sem_init(&s->sem, 1, (unsigned)value) < 0)
        return mp__fail_errno("sem_init");
    s->maxvalue = maxvalue;
    /* CPython logs the sem_t pointer as the handle; so do we. */
    mp_debug("created semlock with handle %lu", (unsigned long)(uintptr_t)&s->sem);
    return 0;
}

void mp__sem_attached(const mp__sem *s)
{
    mp_debug("recreated blocker with handle %lu", (unsigned long)(uintptr_t)&s->sem);
}

double mp__monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The absolute monotonic time timeout seconds from now, saturating far in
 * the future rather than overflowing time_t. */
static struct timespec deadline_after(double timeout)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (timeout > 1e9)
        timeout = 1e9;
    double whole = floor(timeout);
    long nsec = now.tv_nsec + (long)((timeout - whole) * 1e9);
    struct timespec d = {now.tv_sec + (time_t)whole, nsec};
    if (d.tv_nsec >= 1000000000L) {
        d.tv_sec++;
        d.tv_nsec -= 1000000000L;
    }
    return d;
}

/* sem_clockwait measures on CLOCK_MONOTONIC, so setting the wall clock
 * neither shortens nor stretches a timeout (sem_timedwait would). */
int mp__sem_acquire(mp__sem *s, double timeout)
{
    int r;
    if (timeout == 0) {
        while ((r = sem_trywait(&s->sem)) < 0 && errno == EINTR)
            ;
    } else if (timeout < 0) {
        while ((r = sem_wait(&s->sem)) < 0 && errno == EINTR)
            ;
    } else {
        struct timespec d = deadline_after(timeout);
        while ((r = sem_clockwait(&s->sem, CLOCK_MONOTONIC, &d)) < 0 && errno == EINTR)
            ;
    }
    if (r == 0)
        return 1;
    if (errno == EAGAIN || errno == ETIMEDOUT)
        return 0;
    return mp__fail_errno("sem_wait");
}

int mp__sem_release(mp__sem *s)
{
    /* As CPython on Linux: the bound is checked against the value, which
     * another process may change at the same moment; the check is a guard
     * against misuse, not a synchronisation. */
    int v;
    if (sem_getvalue(&s->sem, &v) < 0)
        return mp__fail_errno("sem_getvalue");
    if (v >= s->maxvalue)
        return mp__fail(MP_EVALUE, "semaphore or lock released too many times");
    if (sem_post(&s->sem) < 0)
        return mp__fail_errno("sem_post");
    return 0;
}

int mp__sem_value(mp__sem *s)
{
    int v = 0;
    sem_getvalue(&s->sem, &v);
    /* glibc never reports waiters as a negative value; clamp anyway, as
     * CPython does, so qsize cannot exceed maxsize. */
    return v < 0 ? 0 : v;
}

bool mp__sem_is_zero(mp__sem *s)
{
    return mp__sem_value(s) == 0;
}

/* ---- conditions ----------------------------------------------------------- */

/* CPython creates the lock (an RLock) first, then the three counters. */
int mp__cond_init(mp__cond *c)
{
    int rc;
    if ((rc = mp__sem_init(&c->lock, 1, 1)) < 0 ||
        (rc = mp__sem_init(&c->sleeping, 0, MP__SEM_VALUE_MAX)) < 0 ||
        (rc = mp__sem_init(&c->woken, 0, MP__SEM_VALUE_MAX)) < 0)
        return rc;
    return mp__sem_init(&c->wait, 0, MP__SEM_VALUE_MAX);
}

void mp__cond_attached(const mp__cond *c)
{
    mp__sem_attached(&c->lock);
    mp__sem_attached(&c->sleeping);
    mp__sem_attached(&c->woken);
    mp__sem_attached(&c->wait);
}

int mp__cond_acquire(mp__cond *c)
{
    int rc = mp__sem_acquire(&c->lock, -1);
    return rc < 0 ? rc : 0;
}

int mp__cond_release(mp__cond *c)
{
    return mp__sem_release(&c->lock);
}

/* Announce the sleep before giving up the lock, so a notify that comes in
 * between still counts this waiter and posts a wake-up it will find. */
int mp__cond_wait(mp__cond *c, double timeout)
{
    int rc;
    if ((rc = mp__sem_release(&c->sleeping)) < 0)
        return rc;
    if ((rc = mp__sem_release(&c->lock)) < 0)
        return rc;
    int got = mp__sem_acquire(&c->wait, timeout);
    /* Whether notified or not, tell a notifier counting wake-ups. */
    if ((rc = mp__sem_release(&c->woken)) < 0 && got >= 0)
        got = rc;
    if ((rc = mp__sem_acquire(&c->lock, -1)) < 0)
        return rc;
    return got;
}

int mp__cond_notify(mp__cond *c, int n)
{
    int rc;
    /* Waiters that timed out since the last notify came back without a
     * wake-up: take them off the sleeping count first. */
    while ((rc = mp__sem_acquire(&c->woken, 0)) == 1)
        if ((rc = mp__sem_acquire(&c->sleeping, 0)) < 0)
            return rc;
    if (rc < 0)
        return rc;
    int sleepers = 0;
    while (sleepers < n && (rc = mp__sem_acquire(&c->sleeping, 0)) == 1) {
        if ((rc = mp__sem_release(&c->wait)) < 0)
            return rc;
        sleepers++;
    }
    if (rc < 0)
        return rc;
    /* Wait for each one woken to come back, so a later wait cannot take a
     * wake-up meant for an earlier waiter. */
    for (int i = 0; i < sleepers; i++)
        if ((rc = mp__sem_acquire(&c->woken, -1)) < 0)
            return rc;
    /* A waiter that timed out just as it was posted left its wake-up
     * behind; take it back. */
    if (sleepers)
        while ((rc = mp__sem_acquire(&c->wait, 0)) == 1)
            ;
    return rc < 0 ? rc : 0;
}

/* ---- the shared block ------------------------------------------------------ */

int mp__shm_create(mp__shm *m, const char *name, size_t size)
{
    *m = (mp__shm){-1, NULL, 0};
    long page = sysconf(_SC_PAGESIZE);
    size_t psz = page > 0 ? (size_t)page : 4096;
    size = (size + psz - 1) / psz * psz;
    int fd = memfd_create(name, MFD_CLOEXEC);
    if (fd < 0)
        return mp__fail_errno("memfd_create");
    if (ftruncate(fd, (off_t)size) < 0) {
        int rc = mp__fail_errno("ftruncate");
        close(fd);
        return rc;
    }
    void *a = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (a == MAP_FAILED) {
        int rc = mp__fail_errno("mmap");
        close(fd);
        return rc;
    }
    *m = (mp__shm){fd, a, size};
    return 0;
}

int mp__shm_attach(mp__shm *m, int fd, size_t size)
{
    *m = (mp__shm){-1, NULL, 0};
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int rc = mp__fail_errno("fstat");
        close(fd);
        return rc;
    }
    /* The descriptor came with a pickle: check it is a block of the size
     * the semaphores need before touching it. */
    if (!S_ISREG(st.st_mode) || st.st_size < 0 || (size_t)st.st_size < size) {
        close(fd);
        return mp__fail(MP_EUNPICKLE, "shared memory of a queue is too small");
    }
    void *a = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (a == MAP_FAILED) {
        int rc = mp__fail_errno("mmap");
        close(fd);
        return rc;
    }
    *m = (mp__shm){fd, a, (size_t)st.st_size};
    return 0;
}

void mp__shm_close(mp__shm *m)
{
    if (m->addr)
        munmap(m->addr, m->size);
    if (m->fd >= 0)
        close(m->fd);
    *m = (mp__shm){-1, NULL, 0};
}

/* ---- helpers ---------------------------------------------------------------- */

int mp__queue_timeout(int block, double timeout, double *out)
{
    if (block == MP_NO) {
        *out = 0;
        return 0;
    }
    if (isnan(timeout))
        return mp__fail(MP_EVALUE, "Invalid value NaN (not a number)");
    /* 0 is None; a negative timeout is clamped to 0 (just try), as
     * CPython's SemLock.acquire and poll do. */
    *out = timeout == 0 ? -1.0 : timeout < 0 ? 0.0 : timeout;
    return 0;
}

/* The marker: a finalizer of the highest priority runs first in the exit
 * function, before the queues' own (priority 10), as util._exiting is set
 * before any of them runs.  armed_pid says which process armed it: a forked
 * child inherits the parent's, which will not run there. */
static bool exiting;
static pid_t armed_pid;

static void mark_exiting(void *arg)
{
    (void)arg;
    __atomic_store_n(&exiting, true, __ATOMIC_RELEASE);
}

void mp__exiting_watch(void)
{
    pid_t me = getpid(), seen = __atomic_load_n(&armed_pid, __ATOMIC_ACQUIRE);
    if (seen == me)
        return;
    if (!__atomic_compare_exchange_n(&armed_pid, &seen, me, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
        return;                 /* another thread of this process armed it */
    __atomic_store_n(&exiting, false, __ATOMIC_RELEASE);
    if (!mp__finalize_register(mark_exiting, NULL, INT_MAX))
        __atomic_store_n(&armed_pid, 0, __ATOMIC_RELEASE);
}

bool mp__is_exiting(void)
{
    return __atomic_load_n(&exiting, __ATOMIC_ACQUIRE);
}

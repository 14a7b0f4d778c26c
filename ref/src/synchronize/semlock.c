/* semlock.c - process-shared semaphores and conditions over POSIX unnamed semaphores in a memfd (semaphore.c, synchronize.py). */
#include "synchronize.h"

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

/* sem_clockwait measures on CLOCK_MONOTONIC, so setting the wall clock
 * neither shortens nor stretches a timeout (sem_timedwait would). */
int mp__sem_acquire(mp__sem *s, const mp__deadline *d)
{
    int r;
    if (d->kind == MP__NOW) {
        while ((r = sem_trywait(&s->sem)) < 0 && errno == EINTR)
            ;
    } else {
        /* A SIGINT before or during the wait is KeyboardInterrupt, as a
         * blocking acquire raises it in CPython. */
        do {
            if ((r = mp__interrupted()) < 0)
                return r;
            r = d->kind == MP__NEVER ? sem_wait(&s->sem)
                                     : sem_clockwait(&s->sem, CLOCK_MONOTONIC, &d->at);
        } while (r < 0 && errno == EINTR);
    }
    if (r == 0)
        return 1;
    if (errno == EAGAIN || errno == ETIMEDOUT)
        return 0;
    return mp__fail_errno("sem_wait");
}

int mp__sem_take(mp__sem *s)
{
    int r;
    while ((r = sem_wait(&s->sem)) < 0 && errno == EINTR)
        ;
    return r < 0 ? mp__fail_errno("sem_wait") : 1;
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

int mp__sem_value(const mp__sem *s)
{
    int v = 0;
    /* sem_getvalue only reads, but its prototype says otherwise. */
    sem_getvalue((sem_t *)&s->sem, &v);
    /* glibc never reports waiters as a negative value; clamp anyway, as
     * CPython does, so qsize cannot exceed maxsize. */
    return v < 0 ? 0 : v;
}

bool mp__sem_is_zero(const mp__sem *s)
{
    return mp__sem_value(s) == 0;
}

/* ---- the queues' condition ----------------------------------------------- */

/* CPython creates the lock (an RLock) first, then the three counters. */
int mp__cond_init(mp__cond *c)
{
    int rc;
    if ((rc = mp__mutex_init(&c->lock)) < 0)
        return rc;
    mp_debug("created semlock with handle %lu", (unsigned long)(uintptr_t)&c->lock);
    return mp__sleepers_init(&c->s);
}

void mp__cond_attached(const mp__cond *c)
{
    mp_debug("recreated blocker with handle %lu", (unsigned long)(uintptr_t)&c->lock);
    mp__sleepers_attached(&c->s);
}

int mp__cond_acquire(mp__cond *c)
{
    int rc = mp__mutex_lock(&c->lock, &mp__forever);
    return rc < 0 ? rc : 0;
}

int mp__cond_release(mp__cond *c)
{
    mp__mutex_unlock(&c->lock);
    return 0;
}

int mp__cond_wait(mp__cond *c, const mp__deadline *d)
{
    int rc, slot;
    if ((slot = mp__sleepers_announce(&c->s)) < 0)
        return slot;
    mp__mutex_unlock(&c->lock);
    int got = mp__sleepers_sleep(&c->s, slot, d, false);
    if ((rc = mp__mutex_lock_always(&c->lock)) < 0)
        return rc;
    return got;
}

int mp__cond_notify(mp__cond *c, int n)
{
    return mp__sleepers_notify(&c->s, n, NULL);
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

mp_value *mp__shm_object_reduce(mp__object *o, const mp__shm *shm)
{
    int i = mp__reduce_fd(o, shm->fd);
    return i < 0 ? NULL : mp_tuple_of(i);
}

mp__object *mp__shm_object_rebuild(const mp_class *cls, const mp_value *state, size_t shm_at, size_t size)
{
    if (mp_typeof(state) != MP_T_TUPLE || mp_len(state) != 1 ||
        mp_typeof(mp_item(state, 0)) != MP_T_INT) {
        mp__fail(MP_EUNPICKLE, "bad state for a %s", cls->name);
        return NULL;
    }
    int fd = mp__rebuild_fd(mp_as_int(mp_item(state, 0)));
    if (fd < 0)
        return NULL;
    mp__object *o = mp__object_alloc(cls);
    if (!o) {
        close(fd);
        return NULL;
    }
    if (mp__shm_attach((mp__shm *)((char *)o + shm_at), fd, size) < 0) {
        mp_decref(&o->h);
        return NULL;
    }
    return o;
}

/* semaphore.c - Semaphore and BoundedSemaphore: a counter in shared memory, owned by nobody (synchronize.py's Semaphore and BoundedSemaphore). */
#include "synchronize.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

struct mp_semaphore {
    mp__object ob;
    mp__shm shm;
    mp__sem *sem;
};

static const mp_class sem_class, bounded_class;

static void finalize(mp__object *o)
{
    mp__shm_close(&((mp_semaphore *)o)->shm);
}

static mp_value *reduce(mp__object *o)
{
    return mp__shm_object_reduce(o, &((mp_semaphore *)o)->shm);
}

static mp__object *rebuild(const mp_class *cls, const mp_value *state)
{
    mp_semaphore *s = (mp_semaphore *)mp__shm_object_rebuild(cls, state, offsetof(mp_semaphore, shm), sizeof(mp__sem));
    if (!s)
        return NULL;
    s->sem = s->shm.addr;
    mp__sem_attached(s->sem);
    return &s->ob;
}

static mp__object *rebuild_sem(const mp_value *st) { return rebuild(&sem_class, st); }
static mp__object *rebuild_bounded(const mp_value *st) { return rebuild(&bounded_class, st); }

static bool repr_sem(const mp__object *o, mp__buf *b)
{
    mp__buf_printf(b, "<Semaphore(value=%d)>", mp__sem_value(((const mp_semaphore *)o)->sem));
    return true;
}

static bool repr_bounded(const mp__object *o, mp__buf *b)
{
    const mp_semaphore *s = (const mp_semaphore *)o;
    mp__buf_printf(b, "<BoundedSemaphore(value=%d, maxvalue=%d)>", mp__sem_value(s->sem),
                   s->sem->maxvalue);
    return true;
}

static const mp__native sem_native = {.size = sizeof(mp_semaphore), .finalize = finalize,
    .reduce = reduce, .rebuild = rebuild_sem, .repr = repr_sem};
static const mp__native bounded_native = {.size = sizeof(mp_semaphore), .finalize = finalize,
    .reduce = reduce, .rebuild = rebuild_bounded, .repr = repr_bounded};
static const mp_class sem_class = {
    .name = "Semaphore", .module = "multiprocessing.synchronize", .native = &sem_native};
static const mp_class bounded_class = {
    .name = "BoundedSemaphore", .module = "multiprocessing.synchronize", .native = &bounded_native};
MP_CLASS(sem_class);
MP_CLASS(bounded_class);

static mp_semaphore *sem_new(const mp_class *cls, int value)
{
    /* CPython's sem_open refuses a negative value so. */
    if (value < 0) {
        mp__fail_os(EINVAL, "[Errno %d] %s", EINVAL, strerror(EINVAL));
        return NULL;
    }
    mp_semaphore *s = (mp_semaphore *)mp__object_alloc(cls);
    if (!s)
        return NULL;
    int max = cls == &bounded_class ? value : MP__SEM_VALUE_MAX;
    if (mp__shm_create(&s->shm, "forklore-semaphore", sizeof(mp__sem)) < 0 ||
        mp__sem_init(s->shm.addr, value, max) < 0) {
        mp_decref(&s->ob.h);
        return NULL;
    }
    s->sem = s->shm.addr;
    return s;
}

mp_semaphore *mp_semaphore_new(int value) { return sem_new(&sem_class, value); }
mp_semaphore *mp_bounded_semaphore_new(int value) { return sem_new(&bounded_class, value); }
mp_semaphore *mp_context_semaphore(mp_context *ctx, int value)
{
    (void)ctx;
    return mp_semaphore_new(value);
}
mp_semaphore *mp_context_bounded_semaphore(mp_context *ctx, int value)
{
    (void)ctx;
    return mp_bounded_semaphore_new(value);
}

mp_semaphore *mp_as_semaphore(const mp_value *v)
{
    const mp_class *c = mp_class_of(v);
    return c == &sem_class || c == &bounded_class ? (mp_semaphore *)v : NULL;
}

void mp_semaphore_free(mp_semaphore *s)
{
    if (s)
        mp_decref(&s->ob.h);
}

int mp__semaphore_acquire_opts(mp_semaphore *s, const mp_acquire_opts *opts)
{
    if (!s)
        return mp__fail(MP_ETYPE, "expected a Semaphore, got NULL");
    mp__deadline d;
    bool nan;
    mp__acquire_deadline(opts, &d, &nan);
    int rc = mp__sem_acquire(s->sem, &d);
    if (rc == 0 && nan)
        rc = mp__fail_nan();
    if (MP__TRACING && rc >= 0)
        mp__trace_result("acquire", &s->ob, rc > 0);
    return rc;
}

int mp_semaphore_acquire(mp_semaphore *s) { return mp__semaphore_acquire_opts(s, NULL); }

int mp_semaphore_release(mp_semaphore *s)
{
    if (!s)
        return mp__fail(MP_ETYPE, "expected a Semaphore, got NULL");
    int rc = mp__sem_release(s->sem);
    if (MP__TRACING && rc == 0)
        mp__trace_obj_event("release", s->ob.cls->name, &s->ob);
    return rc;
}

int mp_semaphore_get_value(const mp_semaphore *s)
{
    return s ? mp__sem_value(s->sem) : 0;
}

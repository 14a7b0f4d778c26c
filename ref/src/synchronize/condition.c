/* condition.c - Condition: a Lock or RLock and a queue of sleepers, waking exactly as many waiters as notify asks (synchronize.py's Condition). */
#include "synchronize.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

struct mp_condition {
    mp__object ob;
    mp__shm shm;
    mp__sleepers *s;            /* in shm */
    mp_lock *lock;              /* one reference */
};

static const mp_class cond_class;

static void finalize(mp__object *o)
{
    mp_condition *c = (mp_condition *)o;
    mp__shm_close(&c->shm);
    mp_lock_free(c->lock);
}

/* The counters' memfd first, so that outside a child's description the
 * error names the Condition, as CPython's assert_spawning does; the lock
 * goes as itself. */
static mp_value *reduce(mp__object *o)
{
    mp_condition *c = (mp_condition *)o;
    int i = mp__reduce_fd(o, c->shm.fd);
    return i < 0 ? NULL : mp_tuple_of(c->lock, i);
}

static mp__object *rebuild(const mp_value *state)
{
    mp_lock *lock = mp_as_lock(mp_item(state, 0));
    if (mp_typeof(state) != MP_T_TUPLE || mp_len(state) != 2 || !lock ||
        mp_typeof(mp_item(state, 1)) != MP_T_INT) {
        mp__fail(MP_EUNPICKLE, "bad state for a Condition");
        return NULL;
    }
    int fd = mp__rebuild_fd(mp_as_int(mp_item(state, 1)));
    if (fd < 0)
        return NULL;
    mp_condition *c = (mp_condition *)mp__object_alloc(&cond_class);
    if (!c) {
        close(fd);
        return NULL;
    }
    c->lock = (mp_lock *)mp_incref((const mp_value *)lock);
    if (mp__shm_attach(&c->shm, fd, sizeof(mp__sleepers)) < 0) {
        mp_decref(&c->ob.h);
        return NULL;
    }
    c->s = c->shm.addr;
    mp__sleepers_attached(c->s);
    return &c->ob;
}

/* <Condition(<RLock(None, 0)>, 0)>: the lock's repr and the sleepers. */
static bool repr(const mp__object *o, mp__buf *b)
{
    const mp_condition *c = (const mp_condition *)o;
    char *lr = mp_repr((const mp_value *)c->lock);
    if (!lr)
        return false;
    mp__buf_printf(b, "<Condition(%s, %d)>", lr, mp__sleepers_count(c->s));
    free(lr);
    return true;
}

static const mp__native native = {.size = sizeof(mp_condition), .finalize = finalize,
    .reduce = reduce, .rebuild = rebuild, .repr = repr};
static const mp_class cond_class = {
    .name = "Condition", .module = "multiprocessing.synchronize", .native = &native};
MP_CLASS(cond_class);

mp_condition *mp_condition_new(mp_lock *lock)
{
    mp_condition *c = (mp_condition *)mp__object_alloc(&cond_class);
    if (!c)
        return NULL;
    c->lock = lock ? (mp_lock *)mp_incref((const mp_value *)lock) : mp_rlock_new();
    if (!c->lock || mp__shm_create(&c->shm, "forklore-condition", sizeof(mp__sleepers)) < 0 ||
        mp__sleepers_init(c->shm.addr) < 0) {
        mp_decref(&c->ob.h);
        return NULL;
    }
    c->s = c->shm.addr;
    return c;
}

mp_condition *mp_context_condition(mp_context *ctx, mp_lock *lock)
{
    (void)ctx;
    return mp_condition_new(lock);
}

mp_condition *mp_as_condition(const mp_value *v)
{
    return mp_class_of(v) == &cond_class ? (mp_condition *)v : NULL;
}

void mp_condition_free(mp_condition *c)
{
    if (c)
        mp_decref(&c->ob.h);
}

mp_lock *mp_condition_lock(const mp_condition *c)
{
    return c ? c->lock : NULL;
}

static int no_condition(void)
{
    return mp__fail(MP_ETYPE, "expected a Condition, got NULL");
}

int mp__condition_acquire_opts(mp_condition *c, const mp_acquire_opts *opts)
{
    return c ? mp__lock_acquire_opts(c->lock, opts) : no_condition();
}

int mp_condition_acquire(mp_condition *c) { return mp__condition_acquire_opts(c, NULL); }

int mp_condition_release(mp_condition *c)
{
    return c ? mp_lock_release(c->lock) : no_condition();
}

/* ---- wait and notify ------------------------------------------------------ */

/* Condition.wait until a deadline, the lock held (checked by the caller).
 * Announce, let every hold go, sleep, take the holds back: the lock is
 * held again on every return.  A death met taking it back outranks the
 * wait's answer; an interrupt in the sleep outranks both. */
int mp__condition_wait_until(mp_condition *c, const mp__deadline *d)
{
    int slot = mp__sleepers_announce(c->s);
    if (slot < 0)
        return slot;
    int count = mp__lock_release_all(c->lock);
    int got = mp__sleepers_sleep(c->s, slot, d, true);
    int rc = mp__lock_restore(c->lock, count, got == MP__MOVED);
    return got < 0 ? got : rc < 0 ? rc : got > 0;
}

static int wait_deadline(mp_condition *c, mp_timeout t, mp__deadline *d, bool *nan)
{
    if (!c)
        return no_condition();
    if (!mp__lock_is_mine(c->lock))
        return mp__fail(MP_EASSERT, "must acquire() condition before using wait()");
    mp__acquire_deadline(&(mp_acquire_opts){.timeout = t}, d, nan);
    return 0;
}

int mp_condition_wait(mp_condition *c, mp_timeout timeout)
{
    mp__deadline d;
    bool nan;
    int rc = wait_deadline(c, timeout, &d, &nan);
    if (rc < 0)
        return rc;
    if (MP__TRACING)
        mp__trace_obj_event("wait.begin", "Condition", &c->ob);
    rc = mp__condition_wait_until(c, &d);
    if (MP__TRACING)
        mp__trace_result("wait.end", &c->ob, rc > 0);
    return rc == 0 && nan ? mp__fail_nan() : rc;
}

static int wait_for(mp_condition *c, bool (*predicate)(void *arg), void *arg, const mp__deadline *d,
                    bool nan);

/* CPython's wait_for: one deadline for all the waits, the predicate asked
 * before the first and after each. */
int mp_condition_wait_for(mp_condition *c, bool (*predicate)(void *arg), void *arg, mp_timeout timeout)
{
    if (!c)
        return no_condition();
    if (predicate(arg))
        return 1;
    mp__deadline d;
    bool nan;
    int rc = wait_deadline(c, timeout, &d, &nan);
    if (rc < 0)
        return rc;
    if (MP__TRACING)
        mp__trace_obj_event("wait.begin", "Condition", &c->ob);
    rc = wait_for(c, predicate, arg, &d, nan);
    if (MP__TRACING)
        mp__trace_result("wait.end", &c->ob, rc > 0);
    return rc;
}

/* wait_for's loop: 1 the predicate holds, 0 the deadline passed first. */
static int wait_for(mp_condition *c, bool (*predicate)(void *arg), void *arg, const mp__deadline *d,
                    bool nan)
{
    int rc;
    for (;;) {
        rc = mp__condition_wait_until(c, d);
        if (rc < 0)
            return rc;
        if (rc == 0 && nan)
            return mp__fail_nan();
        if (predicate(arg))
            return 1;
        if (rc == 0)
            return 0;       /* the deadline passed */
    }
}

int mp_condition_notify(mp_condition *c, int n)
{
    if (!c)
        return no_condition();
    if (!mp__lock_is_mine(c->lock))
        return mp__fail(MP_EASSERT, "lock is not owned");
    if (MP__TRACING)
        mp__trace_obj_event("notify", "Condition", &c->ob);
    return n <= 0 ? 0 : mp__sleepers_notify(c->s, n, mp__lock_word(c->lock));
}

int mp_condition_notify_all(mp_condition *c)
{
    return mp_condition_notify(c, INT_MAX);
}

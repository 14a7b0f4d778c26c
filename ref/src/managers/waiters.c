/* waiters.c - a managed Queue and the synchronization objects: the library's own (mp_dummy()'s), which wait between the server's threads without its lock. */
#include "managers.h"

#include <stdlib.h>
#include <string.h>

/* ---- the library's queues and synchronization objects ------------------- */

static const char *const queue_public[] = {
    "empty", "full", "get", "get_nowait", "join", "put", "put_nowait", "qsize", "task_done",
    NULL};

/* queue.Queue(maxsize): the library's JoinableQueue, which has all of
 * queue.Queue's methods and works between the server's threads. */
static int queue_make(const mp_value *args, const mp_value *kwds, mp_value **out)
{
    const mp_value *max = mp__ref_arg(args, kwds, 0, "maxsize");
    mp_queue *q = mp_context_joinable_queue(mp_dummy(), max ? (int)mp_as_int(max) : 0);
    *out = (mp_value *)q;
    return q ? 0 : mp_errcode();
}

static int queue_call(mp_value *self, const char *m, const mp_value *args, const mp_value *kwds,
                      mp_value **res)
{
    mp_queue *q = mp_as_queue(self);
    bool put = strncmp(m, "put", 3) == 0;
    if (put || strncmp(m, "get", 3) == 0) {
        bool nowait = strstr(m, "nowait") != NULL;
        const mp_value *blk = nowait ? NULL : mp__ref_arg(args, kwds, put ? 1 : 0, "block");
        const mp_value *t = nowait ? NULL : mp__ref_arg(args, kwds, put ? 2 : 1, "timeout");
        mp_queue_opts o = {.block = nowait || (blk && !mp_as_bool(blk)) ? MP_NO : 0,
                           .timeout = mp__ref_timeout(t)};
        if (put) {
            const mp_value *x = mp__ref_arg(args, kwds, 0, "item");
            if (!x)
                return mp__fail(MP_ETYPE, "Queue.put() missing 1 required positional argument: "
                                "'item'");
            return mp__queue_put(q, mp__arg_borrowed(x), &o);
        }
        return mp_queue_get_ex(q, res, &o);
    }
    if (strcmp(m, "qsize") == 0) {
        int n = mp_queue_qsize(q);
        *res = n < 0 ? NULL : mp_int(n);
        return n < 0 ? n : 0;
    }
    if (strcmp(m, "empty") == 0 || strcmp(m, "full") == 0) {
        *res = mp_bool(m[0] == 'e' ? mp_queue_empty(q) : mp_queue_full(q));
        return 0;
    }
    if (strcmp(m, "task_done") == 0)
        return mp_joinable_queue_task_done(q);
    if (strcmp(m, "join") == 0)
        return mp_joinable_queue_join(q);
    return mp__ref_no_method(self, m);
}

static const char *const event_public[] = {"clear", "is_set", "isSet", "set", "wait", NULL};

static int event_make(const mp_value *args, const mp_value *kwds, mp_value **out)
{
    (void)args;
    (void)kwds;
    *out = (mp_value *)mp_context_event(mp_dummy());
    return *out ? 0 : mp_errcode();
}

static int event_call(mp_value *self, const char *m, const mp_value *args, const mp_value *kwds,
                      mp_value **res)
{
    mp_event *e = mp_as_event(self);
    if (strcmp(m, "is_set") == 0 || strcmp(m, "isSet") == 0) {
        *res = mp_bool(mp_event_is_set(e));
        return 0;
    }
    if (strcmp(m, "set") == 0)
        return mp_event_set(e);
    if (strcmp(m, "clear") == 0)
        return mp_event_clear(e);
    if (strcmp(m, "wait") == 0) {
        int rc = mp_event_wait(e, mp__ref_timeout(mp__ref_arg(args, kwds, 0, "timeout")));
        *res = rc < 0 ? NULL : mp_bool(rc > 0);
        return rc < 0 ? rc : 0;
    }
    return mp__ref_no_method(self, m);
}

static const char *const lock_public[] = {"acquire", "locked", "release", NULL};

static mp_acquire_opts acquire_opts(const mp_value *args, const mp_value *kwds);
static int bool_result(int rc, mp_value **res);

static int lock_make(const mp_value *args, const mp_value *kwds, mp_value **out)
{
    (void)args;
    (void)kwds;
    *out = (mp_value *)mp_context_lock(mp_dummy());
    return *out ? 0 : mp_errcode();
}

static int rlock_make(const mp_value *args, const mp_value *kwds, mp_value **out)
{
    (void)args;
    (void)kwds;
    *out = (mp_value *)mp_context_rlock(mp_dummy());
    return *out ? 0 : mp_errcode();
}

static int lock_call(mp_value *self, const char *m, const mp_value *args, const mp_value *kwds,
                     mp_value **res)
{
    mp_lock *l = mp_as_lock(self);
    if (strcmp(m, "acquire") == 0) {
        mp_acquire_opts o = acquire_opts(args, kwds);
        return bool_result(mp__lock_acquire_opts(l, &o), res);
    }
    if (strcmp(m, "release") == 0)
        return mp_lock_release(l);
    return mp__ref_no_method(self, m);
}

/* acquire(blocking=True, timeout=None) of a Lock, Semaphore or Condition:
 * True, or False when a non-blocking or timed acquire did not get it. */
static mp_acquire_opts acquire_opts(const mp_value *args, const mp_value *kwds)
{
    const mp_value *blk = mp__ref_arg(args, kwds, 0, "blocking"), *t = mp__ref_arg(args, kwds, 1, "timeout");
    return (mp_acquire_opts){.block = blk && !mp_as_bool(blk) ? MP_NO : 0,
                             .timeout = t && mp_as_float(t) >= 0 ? mp__ref_timeout(t) : MP_WAIT_FOREVER};
}

static int bool_result(int rc, mp_value **res)
{
    *res = rc < 0 ? NULL : mp_bool(rc > 0);
    return rc < 0 ? rc : 0;
}

static const char *const semaphore_public[] = {"acquire", "release", NULL};

static int semaphore_make_as(const mp_value *args, const mp_value *kwds, mp_value **out,
                             bool bounded)
{
    const mp_value *v = mp__ref_arg(args, kwds, 0, "value");
    int n = v ? (int)mp_as_int(v) : 1;
    mp_semaphore *s = bounded ? mp_context_bounded_semaphore(mp_dummy(), n)
                              : mp_context_semaphore(mp_dummy(), n);
    *out = (mp_value *)s;
    return s ? 0 : mp_errcode();
}

static int semaphore_make(const mp_value *args, const mp_value *kwds, mp_value **out)
{
    return semaphore_make_as(args, kwds, out, false);
}

static int bounded_make(const mp_value *args, const mp_value *kwds, mp_value **out)
{
    return semaphore_make_as(args, kwds, out, true);
}

static int semaphore_call(mp_value *self, const char *m, const mp_value *args,
                          const mp_value *kwds, mp_value **res)
{
    mp_semaphore *s = mp_as_semaphore(self);
    if (strcmp(m, "acquire") == 0) {
        mp_acquire_opts o = acquire_opts(args, kwds);
        return bool_result(mp__semaphore_acquire_opts(s, &o), res);
    }
    if (strcmp(m, "release") == 0)
        return mp_semaphore_release(s);
    return mp__ref_no_method(self, m);
}

static const char *const condition_public[] = {"acquire", "notify", "notify_all", "release",
                                               "wait", "wait_for", NULL};

static int condition_make(const mp_value *args, const mp_value *kwds, mp_value **out)
{
    const mp_value *l = mp__ref_arg(args, kwds, 0, "lock");
    if (l && mp_typeof(l) != MP_T_NONE && !mp_as_lock(l))
        return mp__fail(MP_ETYPE, "Condition() wants a Lock or RLock of the server's, not '%s'",
                        mp_type_name(l));
    *out = (mp_value *)mp_context_condition(mp_dummy(), l ? mp_as_lock(l) : NULL);
    return *out ? 0 : mp_errcode();
}

static int condition_call(mp_value *self, const char *m, const mp_value *args,
                          const mp_value *kwds, mp_value **res)
{
    mp_condition *c = mp_as_condition(self);
    if (strcmp(m, "acquire") == 0) {
        mp_acquire_opts o = acquire_opts(args, kwds);
        return bool_result(mp__condition_acquire_opts(c, &o), res);
    }
    if (strcmp(m, "release") == 0)
        return mp_condition_release(c);
    if (strcmp(m, "wait") == 0)
        return bool_result(mp_condition_wait(c, mp__ref_timeout(mp__ref_arg(args, kwds, 0, "timeout"))), res);
    if (strcmp(m, "notify") == 0) {
        const mp_value *n = mp__ref_arg(args, kwds, 0, "n");
        return mp_condition_notify(c, n ? (int)mp_as_int(n) : 1);
    }
    if (strcmp(m, "notify_all") == 0)
        return mp_condition_notify_all(c);
    return mp__ref_no_method(self, m);
}

static const char *const barrier_public[] = {"abort", "reset", "wait", NULL};

static int barrier_make(const mp_value *args, const mp_value *kwds, mp_value **out)
{
    const mp_value *parties = mp__ref_arg(args, kwds, 0, "parties"), *action = mp__ref_arg(args, kwds, 1, "action");
    const mp_value *t = mp__ref_arg(args, kwds, 2, "timeout");
    if (!parties)
        return mp__fail(MP_ETYPE, "Barrier.__init__() missing 1 required positional argument: "
                        "'parties'");
    if (action && mp_typeof(action) != MP_T_NONE)
        return mp__fail(MP_ETYPE, "a managed Barrier's action cannot be sent to the server");
    *out = (mp_value *)mp_context_barrier(mp_dummy(), (int)mp_as_int(parties),
                                          &(mp_barrier_opts){.timeout = mp__ref_timeout(t)});
    return *out ? 0 : mp_errcode();
}

static int barrier_call(mp_value *self, const char *m, const mp_value *args, const mp_value *kwds,
                        mp_value **res)
{
    mp_barrier *b = mp_as_barrier(self);
    if (strcmp(m, "wait") == 0) {
        const mp_value *t = mp__ref_arg(args, kwds, 0, "timeout");
        int rc = t && mp_typeof(t) != MP_T_NONE ? mp_barrier_wait(b, mp__ref_timeout(t))
                                                : mp_barrier_wait(b, MP_WAIT_FOREVER);
        *res = rc < 0 ? NULL : mp_int(rc);
        return rc < 0 ? rc : 0;
    }
    if (strcmp(m, "abort") == 0)
        return mp_barrier_abort(b);
    if (strcmp(m, "reset") == 0)
        return mp_barrier_reset(b);
    if (strcmp(m, "__getattribute__") == 0) {
        const char *name = mp_as_str(mp__ref_arg(args, NULL, 0, NULL));
        if (name && strcmp(name, "parties") == 0)
            *res = mp_int(mp_barrier_parties(b));
        else if (name && strcmp(name, "n_waiting") == 0)
            *res = mp_int(mp_barrier_n_waiting(b));
        else if (name && strcmp(name, "broken") == 0)
            *res = mp_bool(mp_barrier_broken(b));
        else
            return mp__fail(MP_EATTR, "'Barrier' object has no attribute '%s'", name ? name : "?");
        return 0;
    }
    return mp__ref_no_method(self, m);
}

const mp__kind mp__queue_kind = {"Queue", queue_public, queue_make, queue_call, false};
const mp__kind mp__event_kind = {"Event", event_public, event_make, event_call, false};
const mp__kind mp__lock_kind = {"Lock", lock_public, lock_make, lock_call, false};
const mp__kind mp__rlock_kind = {"RLock", lock_public, rlock_make, lock_call, false};
const mp__kind mp__semaphore_kind = {"Semaphore", semaphore_public, semaphore_make, semaphore_call, false};
const mp__kind mp__bounded_kind = {"BoundedSemaphore", semaphore_public, bounded_make, semaphore_call,
                                   false};
const mp__kind mp__condition_kind = {"Condition", condition_public, condition_make, condition_call, false};
const mp__kind mp__barrier_kind = {"Barrier", barrier_public, barrier_make, barrier_call, false};

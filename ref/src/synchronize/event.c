/* event.c - Event: a flag (a Semaphore of 0 or 1) guarded by a Condition over a Lock (synchronize.py's Event). */
#include "synchronize.h"

#include <limits.h>

struct mp_event {
    mp__object ob;
    mp_condition *cond;         /* one reference each */
    mp_semaphore *flag;
};

static const mp_class event_class;

static void finalize(mp__object *o)
{
    mp_event *e = (mp_event *)o;
    mp_condition_free(e->cond);
    mp_semaphore_free(e->flag);
}

/* Its two parts as themselves: outside a child's description the
 * Condition's reduce fails first, in CPython's words for an Event. */
static mp_value *reduce(mp__object *o)
{
    mp_event *e = (mp_event *)o;
    return mp_tuple_of(e->cond, e->flag);
}

static mp__object *rebuild(const mp_value *state)
{
    mp_condition *c = mp_as_condition(mp_item(state, 0));
    mp_semaphore *f = mp_as_semaphore(mp_item(state, 1));
    if (mp_typeof(state) != MP_T_TUPLE || mp_len(state) != 2 || !c || !f) {
        mp__fail(MP_EUNPICKLE, "bad state for an Event");
        return NULL;
    }
    mp_event *e = (mp_event *)mp__object_alloc(&event_class);
    if (!e)
        return NULL;
    e->cond = (mp_condition *)mp_incref((const mp_value *)c);
    e->flag = (mp_semaphore *)mp_incref((const mp_value *)f);
    return &e->ob;
}

static bool repr(const mp__object *o, mp__buf *b)
{
    mp__buf_printf(b, "<Event at %p %s>", (const void *)o,
                   mp_semaphore_get_value(((const mp_event *)o)->flag) ? "set" : "unset");
    return true;
}

static const mp__native native = {.size = sizeof(mp_event), .finalize = finalize,
    .reduce = reduce, .rebuild = rebuild, .repr = repr};
static const mp_class event_class = {
    .name = "Event", .module = "multiprocessing.synchronize", .native = &native};
MP_CLASS(event_class);

/* CPython's order: the Condition (its Lock first), then the flag. */
mp_event *mp_event_new(void)
{
    mp_event *e = (mp_event *)mp__object_alloc(&event_class);
    if (!e)
        return NULL;
    mp_lock *l = mp_lock_new();
    e->cond = l ? mp_condition_new(l) : NULL;
    mp_lock_free(l);
    if (!e->cond || !(e->flag = mp_semaphore_new(0))) {
        mp_decref(&e->ob.h);
        return NULL;
    }
    /* MP_TRACE: the Event's own lines only, not its parts'. */
    mp__trace_off((mp__object *)e->cond);
    mp__trace_off((mp__object *)mp_condition_lock(e->cond));
    mp__trace_off((mp__object *)e->flag);
    return e;
}

mp_event *mp_context_event(mp_context *ctx)
{
    (void)ctx;
    return mp_event_new();
}

mp_event *mp_as_event(const mp_value *v)
{
    return mp_class_of(v) == &event_class ? (mp_event *)v : NULL;
}

void mp_event_free(mp_event *e)
{
    if (e)
        mp_decref(&e->ob.h);
}

/* `with self._cond:`.  A holder that died inside an Event call left
 * nothing half done (the flag changes in one step), so its death is no
 * error here: the lock is simply ours. */
static int enter(mp_event *e)
{
    if (!e)
        return mp__fail(MP_ETYPE, "expected an Event, got NULL");
    int rc = mp__lock_acquire(mp_condition_lock(e->cond), &mp__forever);
    return rc == MP_EOWNERDEAD ? 1 : rc;
}

static void leave(mp_event *e)
{
    mp_lock_release(mp_condition_lock(e->cond));
}

/* The flag is 1 or 0: take it to look, and put it back if it was there. */
static bool peek(mp_event *e)
{
    if (mp_semaphore_acquire_ex(e->flag, .block = MP_NO) != 1)
        return false;
    mp_semaphore_release(e->flag);
    return true;
}

bool mp_event_is_set(mp_event *e)
{
    if (enter(e) < 0)
        return false;
    bool set = peek(e);
    leave(e);
    return set;
}

int mp_event_set(mp_event *e)
{
    int rc = enter(e);
    if (rc < 0)
        return rc;
    mp_semaphore_acquire_ex(e->flag, .block = MP_NO);
    rc = mp_semaphore_release(e->flag);
    if (rc == 0)
        rc = mp_condition_notify_all(e->cond);
    leave(e);
    if (MP__TRACING && rc == 0)
        mp__trace_obj_event("set", "Event", &e->ob);
    return rc;
}

int mp_event_clear(mp_event *e)
{
    int rc = enter(e);
    if (rc < 0)
        return rc;
    mp_semaphore_acquire_ex(e->flag, .block = MP_NO);
    leave(e);
    return 0;
}

/* One wait, as CPython's: set() notifies every waiter. */
int mp_event_wait(mp_event *e, mp_timeout timeout)
{
    mp__deadline d;
    bool nan;
    mp__acquire_deadline(&(mp_acquire_opts){.timeout = timeout}, &d, &nan);
    int rc = enter(e);
    if (rc < 0)
        return rc;
    if (MP__TRACING)
        mp__trace_obj_event("wait.begin", "Event", &e->ob);
    if (!peek(e)) {
        rc = mp__condition_wait_until(e->cond, &d);
        if (rc == MP_EOWNERDEAD)
            rc = 0;
        if (rc == 0 && nan)
            rc = mp__fail_nan();
        if (rc >= 0)
            rc = peek(e);
    } else {
        rc = 1;
    }
    leave(e);
    if (MP__TRACING)
        mp__trace_result("wait.end", &e->ob, rc > 0);
    return rc;
}

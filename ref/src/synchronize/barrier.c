/* barrier.c - Barrier: threading.Barrier's algorithm over a shared Condition and two shared ints (synchronize.py's Barrier). */
#include "synchronize.h"

#include <limits.h>
#include <stdint.h>
#include <unistd.h>

/* threading.Barrier's states. */
enum { FILLING = 0, DRAINING = 1, RESETTING = -1, BROKEN = -2 };

typedef struct shared {
    int state, count;           /* changed under the lock; read through __atomic */
} shared;

struct mp_barrier {
    mp__object ob;
    mp__shm shm;
    shared *sh;
    mp_condition *cond;         /* one reference */
    int parties;
    mp_target_fn action;
    mp_timeout timeout;
};

static const mp_class barrier_class;

static const char *(*target_name)(mp_target_fn);
static mp_target_fn (*target_find)(const char *);

void mp__barrier_set_targets(const char *(*name_of)(mp_target_fn), mp_target_fn (*find)(const char *))
{
    target_name = name_of;
    target_find = find;
}

static int get(const int *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
static void put(int *p, int v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }

static void finalize(mp__object *o)
{
    mp_barrier *b = (mp_barrier *)o;
    mp__shm_close(&b->shm);
    mp_condition_free(b->cond);
}

/* (parties, action's name or None, timeout or None, cond, the ints'
 * memfd), CPython's state in its order: so outside a child's description
 * the Condition's reduce fails first, in CPython's words. */
static mp_value *reduce(mp__object *o)
{
    mp_barrier *b = (mp_barrier *)o;
    const char *name = NULL;
    if (b->action && !(name = target_name ? target_name(b->action) : NULL)) {
        mp__fail(MP_EPICKLE, "Can't pickle the Barrier's action: it is not registered with MP_TARGET");
        return NULL;
    }
    /* The condition's name in the error, as CPython's state meets it first. */
    int i = mp__reduce_fd((const mp__object *)(const void *)b->cond, b->shm.fd);
    if (i < 0)
        return NULL;
    /* A NULL name is None. */
    return mp_tuple_of(b->parties, name, b->timeout.given ? mp_float(b->timeout.seconds) : mp_none(),
                       b->cond, i);
}

static mp__object *rebuild(const mp_value *state)
{
    const mp_value *name = mp_item(state, 1), *t = mp_item(state, 2);
    mp_condition *cond = mp_as_condition(mp_item(state, 3));
    mp_target_fn action = NULL;
    if (mp_typeof(state) != MP_T_TUPLE || mp_len(state) != 5 || !cond ||
        mp_typeof(mp_item(state, 0)) != MP_T_INT || mp_typeof(mp_item(state, 4)) != MP_T_INT ||
        (mp_typeof(name) != MP_T_NONE &&
         (mp_typeof(name) != MP_T_STR || !target_find || !(action = target_find(mp_as_str(name))))) ||
        (mp_typeof(t) != MP_T_NONE && mp_typeof(t) != MP_T_FLOAT)) {
        mp__fail(MP_EUNPICKLE, "bad state for a Barrier");
        return NULL;
    }
    int fd = mp__rebuild_fd(mp_as_int(mp_item(state, 4)));
    if (fd < 0)
        return NULL;
    mp_barrier *b = (mp_barrier *)mp__object_alloc(&barrier_class);
    if (!b) {
        close(fd);
        return NULL;
    }
    b->cond = (mp_condition *)mp_incref((const mp_value *)cond);
    b->parties = (int)mp_as_int(mp_item(state, 0));
    b->action = action;
    b->timeout = mp_typeof(t) == MP_T_NONE ? MP_WAIT_FOREVER : MP_TIMEOUT(mp_as_float(t));
    if (mp__shm_attach(&b->shm, fd, sizeof(shared)) < 0) {
        mp_decref(&b->ob.h);
        return NULL;
    }
    b->sh = b->shm.addr;
    return &b->ob;
}

/* threading.Barrier's repr, with multiprocessing's class. */
static bool repr(const mp__object *o, mp__buf *b)
{
    const mp_barrier *br = (const mp_barrier *)o;
    if (mp_barrier_broken(br))
        mp__buf_printf(b, "<multiprocessing.synchronize.Barrier at %p: broken>", (const void *)o);
    else
        mp__buf_printf(b, "<multiprocessing.synchronize.Barrier at %p: waiters=%d/%d>",
                       (const void *)o, mp_barrier_n_waiting(br), br->parties);
    return true;
}

static const mp__native native = {.size = sizeof(mp_barrier), .finalize = finalize,
    .reduce = reduce, .rebuild = rebuild, .repr = repr};
static const mp_class barrier_class = {
    .name = "Barrier", .module = "multiprocessing.synchronize", .native = &native};
MP_CLASS(barrier_class);

mp_barrier *mp_barrier_new(int parties, const mp_barrier_opts *opts)
{
    mp_barrier *b = (mp_barrier *)mp__object_alloc(&barrier_class);
    if (!b)
        return NULL;
    b->parties = parties;
    if (opts) {
        b->action = opts->action;
        b->timeout = opts->timeout;
    }
    if (mp__shm_create(&b->shm, "forklore-barrier", sizeof(shared)) < 0 ||
        !(b->cond = mp_condition_new(NULL))) {
        mp_decref(&b->ob.h);
        return NULL;
    }
    mp__trace_off((mp__object *)b->cond);        /* MP_TRACE: a part of the Barrier */
    mp__trace_off((mp__object *)mp_condition_lock(b->cond));
    b->sh = b->shm.addr;
    return b;
}

mp_barrier *mp_context_barrier(mp_context *ctx, int parties, const mp_barrier_opts *opts)
{
    (void)ctx;
    return mp_barrier_new(parties, opts);
}

mp_barrier *mp_as_barrier(const mp_value *v)
{
    return mp_class_of(v) == &barrier_class ? (mp_barrier *)v : NULL;
}

void mp_barrier_free(mp_barrier *b)
{
    if (b)
        mp_decref(&b->ob.h);
}

int mp_barrier_parties(const mp_barrier *b) { return b ? b->parties : 0; }

int mp_barrier_n_waiting(const mp_barrier *b)
{
    return b && get(&b->sh->state) == FILLING ? get(&b->sh->count) : 0;
}

bool mp_barrier_broken(const mp_barrier *b)
{
    return b && get(&b->sh->state) == BROKEN;
}

/* ---- the algorithm, under the condition's lock ---------------------------- */

static int broken_error(void)
{
    return mp__fail(MP_EBROKENBARRIER, "%s", "");
}

/* _break(): broken for good, every waiter told. */
static void break_it(mp_barrier *b)
{
    put(&b->sh->state, BROKEN);
    mp_condition_notify_all(b->cond);
}

/* `with self._cond:`.  A holder that died inside a Barrier call may have
 * left the count wrong, so the barrier breaks: every party learns it. */
static int enter(mp_barrier *b)
{
    if (!b)
        return mp__fail(MP_ETYPE, "expected a Barrier, got NULL");
    int rc = mp__lock_acquire(mp_condition_lock(b->cond), &mp__forever);
    if (rc == MP_EOWNERDEAD) {
        break_it(b);
        return 1;
    }
    return rc;
}

static void leave(mp_barrier *b)
{
    mp_lock_release(mp_condition_lock(b->cond));
}

static bool settled(void *arg)
{
    return get(&((mp_barrier *)arg)->sh->state) != FILLING;
}

/* _enter(): wait while the barrier drains or resets. */
static int enter_filling(mp_barrier *b)
{
    int rc = 0;
    while (rc >= 0 && (get(&b->sh->state) == DRAINING || get(&b->sh->state) == RESETTING))
        rc = mp__condition_wait_until(b->cond, &mp__forever);
    if (rc == MP_EOWNERDEAD)
        break_it(b);
    else if (rc < 0)
        return rc;
    return get(&b->sh->state) < 0 ? broken_error() : 0;
}

/* _release(): the last party runs the action, then lets everyone go. */
static int release_all(mp_barrier *b)
{
    if (b->action) {
        mp_value *args = mp_tuple_new(0);
        int rc = args ? b->action(args) : MP_ENOMEM;
        mp_decref(args);
        if (rc < 0) {
            break_it(b);
            return rc;
        }
    }
    put(&b->sh->state, DRAINING);
    return mp_condition_notify_all(b->cond);
}

/* _wait(): until the state leaves FILLING, or the deadline breaks it. */
static int wait_release(mp_barrier *b, const mp__deadline *d)
{
    int rc = 1;
    while (!settled(b) && rc == 1)
        rc = mp__condition_wait_until(b->cond, d);
    if (rc == MP_EOWNERDEAD)
        break_it(b);
    else if (rc < 0)
        return rc;
    if (!settled(b)) {
        break_it(b);
        return broken_error();
    }
    return get(&b->sh->state) < 0 ? broken_error() : 0;
}

/* _exit(): the last one out of a drain or a reset refills the barrier. */
static void exit_one(mp_barrier *b)
{
    if (get(&b->sh->count) == 0) {
        int s = get(&b->sh->state);
        if (s == RESETTING || s == DRAINING) {
            put(&b->sh->state, FILLING);
            mp_condition_notify_all(b->cond);
        }
    }
}

int mp_barrier_wait(mp_barrier *b, mp_timeout timeout)
{
    mp__deadline d;
    bool nan;
    mp__acquire_deadline(&(mp_acquire_opts){.timeout = timeout.given || !b ? timeout : b->timeout},
                         &d, &nan);
    int rc = enter(b);
    if (rc < 0)
        return rc;
    if ((rc = enter_filling(b)) < 0) {
        leave(b);
        return rc;
    }
    int index = get(&b->sh->count);
    put(&b->sh->count, index + 1);
    if (index + 1 == b->parties)
        rc = release_all(b);
    else
        rc = wait_release(b, &d);
    if (rc == MP_EBROKENBARRIER && nan)
        rc = mp__fail_nan();
    put(&b->sh->count, get(&b->sh->count) - 1);
    exit_one(b);
    leave(b);
    return rc < 0 ? rc : index;
}

int mp_barrier_reset(mp_barrier *b)
{
    int rc = enter(b);
    if (rc < 0)
        return rc;
    int s = get(&b->sh->state);
    if (get(&b->sh->count) > 0) {
        if (s == FILLING || s == BROKEN)
            put(&b->sh->state, RESETTING);
    } else {
        put(&b->sh->state, FILLING);
    }
    rc = mp_condition_notify_all(b->cond);
    leave(b);
    return rc;
}

int mp_barrier_abort(mp_barrier *b)
{
    int rc = enter(b);
    if (rc < 0)
        return rc;
    break_it(b);
    leave(b);
    return 0;
}

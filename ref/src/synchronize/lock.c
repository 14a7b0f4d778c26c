/* lock.c - Lock and RLock (synchronize.py's) on one futex lock (futexlock.c): a Lock any thread or process may release, an RLock only its owner, with a depth; either way a holder's death reaches the next acquirer. */
#include "synchronize.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

struct mp_lock {
    mp__object ob;
    mp__shm shm;
    mp__lockshared *sh;
};

static const mp_class lock_class, rlock_class;

static bool recursive(const mp_lock *l)
{
    return l->ob.cls == &rlock_class;
}

/* ---- acquire's deadline (shared with semaphore.c and condition.c) ------- */

void mp__acquire_deadline(const mp_acquire_opts *opts, mp__deadline *d, bool *nan)
{
    *nan = false;
    if (opts && opts->block == MP_NO) {
        *d = mp__now;
        return;
    }
    mp_timeout t = opts ? opts->timeout : MP_WAIT_FOREVER;
    if (t.given && isnan(t.seconds)) {
        *nan = true;
        *d = mp__now;
        return;
    }
    mp__deadline_set(d, t);
}

int mp__fail_nan(void)
{
    return mp__fail_os(EINVAL, "[Errno %d] %s", EINVAL, strerror(EINVAL));
}

/* ---- the holder ------------------------------------------------------------ */

/* The holder is in the futex word, as the holding thread's kernel id:
 * unique among living threads, so a forked child never mistakes its
 * parent's hold for its own.  An RLock's depth is beside it. */
static int depth(const mp_lock *l) { return __atomic_load_n(&l->sh->count, __ATOMIC_RELAXED); }
static void set_depth(mp_lock *l, int n) { __atomic_store_n(&l->sh->count, n, __ATOMIC_RELAXED); }

bool mp__lock_is_mine(const mp_lock *l)
{
    return mp__futexlock_is_mine(&l->sh->f);
}

static int holder_died(const mp_lock *l)
{
    return mp__fail(MP_EOWNERDEAD, "the previous holder died holding this %s; it is yours now, "
                    "and what it protected may be half changed", l->ob.cls->name);
}

/* What taking the futex lock said, as acquire says it: an RLock newly
 * taken is one deep. */
static int took(mp_lock *l, int rc)
{
    if (rc <= 0)
        return rc;
    if (recursive(l))
        set_depth(l, 1);
    return rc == MP__HOLDER_DIED ? holder_died(l) : 1;
}

int mp__lock_acquire(mp_lock *l, const mp__deadline *d)
{
    if (recursive(l) && mp__lock_is_mine(l)) {
        set_depth(l, depth(l) + 1);
        return 1;
    }
    return took(l, mp__futexlock_acquire(&l->sh->f, d, false));
}

uint32_t *mp__lock_word(mp_lock *l)
{
    return &l->sh->f.word;
}

int mp__lock_release_all(mp_lock *l)
{
    int count = recursive(l) ? depth(l) : 1;
    if (recursive(l))
        set_depth(l, 0);
    mp__futexlock_release(&l->sh->f);
    return count;
}

int mp__lock_restore(mp_lock *l, int count, bool woken)
{
    int rc = woken ? mp__futexlock_acquire_woken(&l->sh->f) : mp__futexlock_acquire(&l->sh->f, &mp__forever, true);
    if (rc <= 0)
        return rc;
    if (recursive(l))
        set_depth(l, count);
    return rc == MP__HOLDER_DIED ? holder_died(l) : 0;
}

/* ---- the object ------------------------------------------------------------ */

static void finalize(mp__object *o)
{
    mp__shm_close(&((mp_lock *)o)->shm);
}

/* Passed to a spawn or forkserver child as its memfd; outside a child's
 * description mp__reduce_fd fails with CPython's assert_spawning words. */
static mp_value *reduce(mp__object *o)
{
    return mp__shm_object_reduce(o, &((mp_lock *)o)->shm);
}

static mp__object *rebuild(const mp_class *cls, const mp_value *state)
{
    mp_lock *l = (mp_lock *)mp__shm_object_rebuild(cls, state, offsetof(mp_lock, shm), sizeof(mp__lockshared));
    if (!l)
        return NULL;
    l->sh = l->shm.addr;
    mp_debug("recreated blocker with handle %lu", (unsigned long)(uintptr_t)&l->sh->f);
    return &l->ob;
}

static mp__object *rebuild_lock(const mp_value *s) { return rebuild(&lock_class, s); }
static mp__object *rebuild_rlock(const mp_value *s) { return rebuild(&rlock_class, s); }

/* Who holds it, in CPython's words: this process's name (and, in
 * CPython, "|Thread-N" from a thread other than the main one: threads
 * have no names here), SomeOtherThread, SomeOtherProcess or None. */
static const char *holder(const mp_lock *l)
{
    int who = mp__futexlock_holder(&l->sh->f);
    switch (who) {
    case MP__HELD_BY_ME:
        return mp__current_process_name();
    case MP__HELD_BY_OTHER_THREAD:
        return "SomeOtherThread";
    case MP__HELD_BY_OTHER_PROCESS:
        return "SomeOtherProcess";
    default:
        return "None";
    }
}

static bool repr_lock(const mp__object *o, mp__buf *b)
{
    mp__buf_printf(b, "<Lock(owner=%s)>", holder((const mp_lock *)o));
    return true;
}

static bool repr_rlock(const mp__object *o, mp__buf *b)
{
    const mp_lock *l = (const mp_lock *)o;
    const char *who = holder(l);
    if (mp__lock_is_mine(l))
        mp__buf_printf(b, "<RLock(%s, %d)>", who, depth(l));
    else
        mp__buf_printf(b, "<RLock(%s, %s)>", who, strcmp(who, "None") ? "nonzero" : "0");
    return true;
}

static const mp__native lock_native = {.size = sizeof(mp_lock), .finalize = finalize,
    .reduce = reduce, .rebuild = rebuild_lock, .repr = repr_lock};
static const mp__native rlock_native = {.size = sizeof(mp_lock), .finalize = finalize,
    .reduce = reduce, .rebuild = rebuild_rlock, .repr = repr_rlock};
static const mp_class lock_class = {
    .name = "Lock", .module = "multiprocessing.synchronize", .native = &lock_native};
static const mp_class rlock_class = {
    .name = "RLock", .module = "multiprocessing.synchronize", .native = &rlock_native};
MP_CLASS(lock_class);
MP_CLASS(rlock_class);

static mp_lock *lock_new(const mp_class *cls)
{
    mp_lock *l = (mp_lock *)mp__object_alloc(cls);
    if (!l)
        return NULL;
    /* The futex word starts zeroed: free. */
    if (mp__shm_create(&l->shm, "forklore-lock", sizeof(mp__lockshared)) < 0) {
        mp_decref(&l->ob.h);
        return NULL;
    }
    l->sh = l->shm.addr;
    l->sh->f.owned = cls == &rlock_class;
    mp_debug("created semlock with handle %lu", (unsigned long)(uintptr_t)&l->sh->f);
    return l;
}

mp_lock *mp_lock_new(void) { return lock_new(&lock_class); }
mp_lock *mp_rlock_new(void) { return lock_new(&rlock_class); }
mp_lock *mp_context_lock(mp_context *ctx) { (void)ctx; return mp_lock_new(); }
mp_lock *mp_context_rlock(mp_context *ctx) { (void)ctx; return mp_rlock_new(); }

mp_lock *mp_as_lock(const mp_value *v)
{
    const mp_class *c = mp_class_of(v);
    return c == &lock_class || c == &rlock_class ? (mp_lock *)v : NULL;
}

void mp_lock_free(mp_lock *l)
{
    if (l)
        mp_decref(&l->ob.h);
}

/* ---- acquire and release ------------------------------------------------ */

int mp__lock_acquire_opts(mp_lock *l, const mp_acquire_opts *opts)
{
    if (!l)
        return mp__fail(MP_ETYPE, "expected a Lock, got NULL");
    /* A free lock is taken whatever the options say (CPython tries before
     * it looks at the timeout): no deadline to work out then.  The try
     * comes before an RLock's "is it mine?" (in mp__lock_acquire): its
     * compare-and-swap takes the word's cache line for writing at once,
     * where reading it first would fetch it twice when another process
     * has just used it. */
    int rc;
    if (mp__futexlock_try(&l->sh->f)) {
        rc = took(l, 1);
    } else {
        mp__deadline d;
        bool nan;
        mp__acquire_deadline(opts, &d, &nan);
        rc = mp__lock_acquire(l, &d);
        if (rc == 0 && nan)
            rc = mp__fail_nan();
    }
    /* OwnerDiedError is an acquire too: the caller holds the lock now. */
    if (MP__TRACING && (rc >= 0 || rc == MP_EOWNERDEAD))
        mp__trace_result("acquire", &l->ob, rc != 0);
    return rc;
}

int mp_lock_acquire(mp_lock *l) { return mp__lock_acquire_opts(l, NULL); }

int mp_lock_release(mp_lock *l)
{
    if (!l)
        return mp__fail(MP_ETYPE, "expected a Lock, got NULL");
    /* A Lock is let go by whoever asks, as CPython's; an RLock only by
     * its owner. */
    int rc;
    if (!recursive(l)) {
        rc = mp__futexlock_release(&l->sh->f);
    } else {
        if (!mp__lock_is_mine(l))
            return mp__fail(MP_EASSERT, "attempt to release recursive lock not owned by thread");
        int count = depth(l);
        set_depth(l, count - 1);
        rc = count > 1 ? 0 : mp__futexlock_release(&l->sh->f);
    }
    if (MP__TRACING && rc == 0)
        mp__trace_obj_event("release", l->ob.cls->name, &l->ob);
    return rc;
}

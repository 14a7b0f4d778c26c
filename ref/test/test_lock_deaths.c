/* test_lock_deaths.c - a process killed while it holds a Lock, an RLock or a Condition's lock (an RLock or a Lock): the next acquirer, and every waiter already blocked, gets the lock with MP_EOWNERDEAD, under every start method.
 *
 * Usage: test_lock_deaths   prints TAP.  The binary is also the program
 * spawn and forkserver re-run.  Uses mp.h alone.  Every waiter must finish
 * within 1 s of the kill; the check allows 10 s, so a loaded machine does
 * not fail it, and reports the time it took.
 */
#include <mp.h>

#include "sync_tests.h"
#include "tap.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WAITERS 3

static bool held_elsewhere(const void *o)
{
    char *r = mp_repr(o);
    bool yes = r && strstr(r, "SomeOtherProcess");
    free(r);
    return yes;
}

/* args: (lock or condition, depth, started).  Takes the lock depth times,
 * says so on the semaphore, and sleeps until killed. */
static int hold_forever(const mp_value *args)
{
    mp_lock *l = mp_as_lock(mp_item(args, 0));
    mp_condition *c = mp_as_condition(mp_item(args, 0));
    for (int64_t i = 0; i < mp_as_int(mp_item(args, 1)); i++)
        if ((l ? mp_lock_acquire(l) : mp_condition_acquire(c)) != 1)
            return mp_sys_exit(2);
    mp_semaphore_release(mp_as_semaphore(mp_item(args, 2)));
    for (;;)
        pause();
}
MP_TARGET(hold_forever);

/* args: (lock or condition, ready).  Blocks on the lock; exit 3 if it got
 * it with MP_EOWNERDEAD, 4 if plainly, and lets it go once (an RLock the
 * dead held twice is then free: the death gave one hold). */
static int wait_for_it(const mp_value *args)
{
    mp_lock *l = mp_as_lock(mp_item(args, 0));
    mp_condition *c = mp_as_condition(mp_item(args, 0));
    mp_semaphore_release(mp_as_semaphore(mp_item(args, 1)));
    int rc = l ? mp_lock_acquire(l) : mp_condition_acquire(c);
    if (rc != 1 && rc != MP_EOWNERDEAD)
        return mp_sys_exit(5);
    if ((l ? mp_lock_release(l) : mp_condition_release(c)) < 0)
        return mp_sys_exit(6);
    return mp_sys_exit(rc == MP_EOWNERDEAD ? 3 : 4);
}
MP_TARGET(wait_for_it);

/* args: (condition, ready).  Waits on the condition (never notified) with
 * a timeout (1.5 s) that ends while the dead holds the lock: taking it back is
 * MP_EOWNERDEAD (exit 3), with the lock held again. */
static int wait_on_condition(const mp_value *args)
{
    mp_condition *c = mp_as_condition(mp_item(args, 0));
    if (mp_condition_acquire(c) != 1)
        return mp_sys_exit(2);
    mp_semaphore_release(mp_as_semaphore(mp_item(args, 1)));
    int rc = mp_condition_wait(c, MP_TIMEOUT(1.5));
    if (mp_condition_release(c) < 0)
        return mp_sys_exit(6);
    return mp_sys_exit(rc == MP_EOWNERDEAD ? 3 : rc == 0 ? 4 : 5);
}
MP_TARGET(wait_on_condition);

static mp_process *start(mp_context *ctx, mp_target_fn fn, mp_value *args)
{
    mp_process *p = mp_context_process(ctx, &(mp_process_opts){.target = fn, .args = args});
    if (p && mp_process_start(p) == 0)
        return p;
    tap_diag("start: %s %s", mp_errname(mp_errcode()), mp_errmsg());
    mp_process_free(p);
    return NULL;
}

/* kind: 0 Lock, 1 RLock held twice, 2 Condition, 3 Condition(Lock()). */
static void one(const char *method, int kind)
{
    static const char *const names[] = {"Lock", "RLock held twice", "Condition's lock", "Condition(Lock())'s lock"};
    mp_context *ctx = mp_get_context(method);
    mp_lock *l = kind == 1 ? mp_rlock_new() : kind == 0 ? mp_lock_new() : NULL;
    mp_lock *under = kind == 3 ? mp_lock_new() : NULL;
    mp_condition *c = kind >= 2 ? mp_condition_new(under) : NULL;
    mp_lock_free(under);        /* the condition keeps its own reference */
    mp_semaphore *started = mp_semaphore_new(0), *ready = mp_semaphore_new(0);
    mp_value *obj = l ? mp_value_from_arg(MP_ARG(l)) : mp_value_from_arg(MP_ARG(c));
    mp_process *holder = start(ctx, hold_forever, mp_tuple_of(mp_incref(obj), kind == 1 ? 2 : 1, started));
    mp_semaphore_acquire(started);
    mp_process *w[WAITERS] = {0};
    for (int i = 0; i < WAITERS; i++)
        w[i] = start(ctx, wait_for_it, mp_tuple_of(mp_incref(obj), ready));
    for (int i = 0; i < WAITERS; i++)
        mp_semaphore_acquire(ready);
    /* They have said they are about to block; give them a moment to be
     * in the wait, not only before it (either way must work). */
    usleep(100 * 1000);
    bool still_held = held_elsewhere(l ? (const void *)l : (const void *)mp_condition_lock(c));
    double t0 = now();
    mp_process_kill(holder);
    int dead = 0, plain = 0, other = 0;
    double last = 0;
    for (int i = 0; i < WAITERS; i++) {
        mp_process_join(w[i], MP_TIMEOUT(10));
        int code = mp_process_exitcode(w[i]);
        double t = now() - t0;
        if (code != MP_EXITCODE_NONE && t > last)
            last = t;
        if (code == 3)
            dead++;
        else if (code == 4)
            plain++;
        else
            other++;
        if (code == MP_EXITCODE_NONE)
            mp_process_kill(w[i]);
        mp_process_join(w[i], MP_WAIT_FOREVER);
        mp_process_free(w[i]);
    }
    mp_process_join(holder, MP_WAIT_FOREVER);
    tap_ok(still_held && dead == 1 && plain == WAITERS - 1 && other == 0,
           "%s: %s: killed holder; of %d blocked waiters one got OwnerDiedError, the others the lock"
           " (dead %d, plain %d, other %d)", method, names[kind], WAITERS, dead, plain, other);
    tap_ok(other == 0 && last < 10, "%s: %s: every waiter finished %.3f s after the kill (want < 1 s)",
           method, names[kind], last);
    int rc = l ? mp_lock_acquire_ex(l, .block = MP_NO) : mp_condition_acquire_ex(c, .block = MP_NO);
    tap_is_int(rc, 1, "%s: %s: free again, no death left to report", method, names[kind]);
    if (rc == 1)
        l ? mp_lock_release(l) : mp_condition_release(c);
    mp_process_free(holder);
    mp_decref(obj);
    mp_semaphore_free(started);
    mp_semaphore_free(ready);
    mp_lock_free(l);
    mp_condition_free(c);
}

/* A waiter inside Condition.wait when the holder dies: its timeout ends,
 * and taking the lock back reports the death.  The condition's lock is an
 * RLock, or a Lock (plain). */
static void in_wait(const char *method, bool plain)
{
    mp_context *ctx = mp_get_context(method);
    mp_lock *lock = plain ? mp_lock_new() : NULL;
    mp_condition *c = mp_condition_new(lock);
    mp_lock_free(lock);
    mp_semaphore *ready = mp_semaphore_new(0);
    mp_process *w = start(ctx, wait_on_condition, mp_tuple_of(c, ready));
    /* Made after the fork, so that a forked waiter inherits nothing it
     * does not hold (valgrind would count it lost there). */
    mp_semaphore *started = mp_semaphore_new(0);
    mp_semaphore_acquire(ready);
    double t_ready = now();
    /* The waiter let go of the lock in wait: the holder takes it. */
    mp_process *holder = start(ctx, hold_forever, mp_tuple_of(c, 1, started));
    mp_semaphore_acquire(started);
    /* A holder slower to start than the waiter's timeout (valgrind) finds
     * the lock taken back: nothing to test then. */
    bool in_time = now() - t_ready < 1.3;
    if (in_time)
        usleep((useconds_t)((t_ready + 1.7 - now()) * 1e6));  /* the waiter now waits for the lock */
    double t0 = now();
    mp_process_kill(holder);
    mp_process_join(w, MP_TIMEOUT(10));
    double t = now() - t0;
    int code = mp_process_exitcode(w);
    if (in_time)
        tap_ok(code == 3 && t < 10, "%s: a Condition(%s).wait whose holder died meanwhile returns OwnerDiedError,"
               " %.3f s after the kill (exit %d)", method, plain ? "Lock()" : "", t, code);
    else
        tap_skip("the holder started after the waiter's timeout", "%s: a Condition(%s).wait whose holder died",
                 method, plain ? "Lock()" : "");
    if (code == MP_EXITCODE_NONE)
        mp_process_kill(w);
    mp_process_join(w, MP_WAIT_FOREVER);
    mp_process_join(holder, MP_WAIT_FOREVER);
    mp_process_free(w);
    mp_process_free(holder);
    mp_semaphore_free(started);
    mp_semaphore_free(ready);
    mp_condition_free(c);
}

/* args: (condition, ready).  Waits on the condition without a timeout:
 * exit 3 if the wait ended with MP_EOWNERDEAD, 4 if plainly notified. */
static int wait_forever(const mp_value *args)
{
    mp_condition *c = mp_as_condition(mp_item(args, 0));
    if (mp_condition_acquire(c) != 1)
        return mp_sys_exit(2);
    mp_semaphore_release(mp_as_semaphore(mp_item(args, 1)));
    int rc = mp_condition_wait(c, MP_WAIT_FOREVER);
    if (mp_condition_release(c) < 0)
        return mp_sys_exit(6);
    return mp_sys_exit(rc == MP_EOWNERDEAD ? 3 : rc == 1 ? 4 : 5);
}
MP_TARGET(wait_forever);

/* args: (condition, started).  Takes the lock, notifies one waiter, says
 * so, and sleeps until killed, the lock held. */
static int notify_and_hold(const mp_value *args)
{
    mp_condition *c = mp_as_condition(mp_item(args, 0));
    if (mp_condition_acquire(c) != 1 || mp_condition_notify(c, 1) < 0)
        return mp_sys_exit(2);
    mp_semaphore_release(mp_as_semaphore(mp_item(args, 1)));
    for (;;)
        pause();
}
MP_TARGET(notify_and_hold);

/* A waiter notified by a holder that then dies before it lets the lock
 * go: the notify moved the waiter's sleep onto the lock's word (see
 * sleepers.c), where only a release would wake it; it must still learn of
 * the death, as a waiter for the lock does, and not sleep for ever. */
static void notified_then_holder_dies(const char *method, bool plain)
{
    mp_context *ctx = mp_get_context(method);
    mp_lock *lock = plain ? mp_lock_new() : NULL;
    mp_condition *c = mp_condition_new(lock);
    mp_lock_free(lock);
    mp_semaphore *ready = mp_semaphore_new(0);
    mp_process *w = start(ctx, wait_forever, mp_tuple_of(c, ready));
    mp_semaphore *started = mp_semaphore_new(0);
    mp_semaphore_acquire(ready);
    /* ready is given before the wait lets the lock go: the holder's
     * acquire waits for that, so its notify finds the waiter asleep. */
    mp_process *holder = start(ctx, notify_and_hold, mp_tuple_of(c, started));
    mp_semaphore_acquire(started);
    usleep(100 * 1000);
    double t0 = now();
    mp_process_kill(holder);
    mp_process_join(w, MP_TIMEOUT(10));
    double t = now() - t0;
    int code = mp_process_exitcode(w);
    tap_ok(code == 3 && t < 10, "%s: a Condition(%s).wait notified by a holder that died holding the lock"
           " returns OwnerDiedError, %.3f s after the kill (exit %d)", method, plain ? "Lock()" : "", t, code);
    if (code == MP_EXITCODE_NONE)
        mp_process_kill(w);
    mp_process_join(w, MP_WAIT_FOREVER);
    mp_process_join(holder, MP_WAIT_FOREVER);
    mp_process_free(w);
    mp_process_free(holder);
    mp_semaphore_free(started);
    mp_semaphore_free(ready);
    mp_condition_free(c);
}

/* Nobody waiting: the next acquire, in this process, gets the news once. */
static void next_acquirer(const char *method)
{
    mp_context *ctx = mp_get_context(method);
    mp_lock *l = mp_lock_new();
    mp_semaphore *started = mp_semaphore_new(0);
    mp_process *holder = start(ctx, hold_forever, mp_tuple_of(l, 1, started));
    mp_semaphore_acquire(started);
    mp_process_kill(holder);
    mp_process_join(holder, MP_WAIT_FOREVER);
    tap_is_str(mp_errname(mp_lock_acquire(l)), "OwnerDiedError", "%s: the next acquire after the death",
               method);
    tap_ok(strstr(mp_errmsg(), "died holding this Lock") != NULL, "%s: its message: %s", method, mp_errmsg());
    char *r = mp_repr((const mp_value *)(const void *)l);
    tap_is_str(r, "<Lock(owner=MainProcess)>", "%s: and the lock is held by the caller", method);
    free(r);
    tap_is_int(mp_lock_release(l), 0, "%s: which releases it", method);
    tap_is_int(mp_lock_acquire(l), 1, "%s: the death is reported once", method);
    mp_lock_release(l);
    mp_process_free(holder);
    mp_semaphore_free(started);
    mp_lock_free(l);
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    for (size_t m = 0; m < 3; m++) {
        next_acquirer(methods[m]);
        for (int kind = 0; kind < 4; kind++)
            one(methods[m], kind);
        in_wait(methods[m], false);
        in_wait(methods[m], true);
        notified_then_holder_dies(methods[m], false);
        notified_then_holder_dies(methods[m], true);
    }
    return tap_done();
}

/* test_condition.c - unit tests for Condition and Event: reprs and errors in CPython 3.11's words, wait/wait_for/notify(n)/notify_all, timeouts, threads, and children under every start method.
 *
 * Usage: test_condition   prints TAP; also the program spawn and
 * forkserver re-run.  Uses mp.h alone.
 */
#include <mp.h>

#include "sync_tests.h"
#include "tap.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- targets ----------------------------------------------------------------- */

/* args: (cond, sem): with the lock, say so on sem, wait for a notify: 10. */
static int cond_waiter(const mp_value *args)
{
    mp_condition *c = mp_as_condition(mp_item(args, 0));
    if (mp_condition_acquire(c) != 1)
        return mp_sys_exit(2);
    mp_semaphore_release(mp_as_semaphore(mp_item(args, 1)));
    int rc = mp_condition_wait(c, MP_WAIT_FOREVER);
    mp_condition_release(c);
    return mp_sys_exit(rc == 1 ? 10 : 3);
}
MP_TARGET(cond_waiter);

/* args: (event,): wait for it, then clear it: 11. */
static int event_waiter(const mp_value *args)
{
    mp_event *e = mp_as_event(mp_item(args, 0));
    if (mp_event_wait(e, MP_WAIT_FOREVER) != 1 || !mp_event_is_set(e))
        return mp_sys_exit(3);
    return mp_sys_exit(mp_event_clear(e) == 0 ? 11 : 4);
}
MP_TARGET(event_waiter);

/* ---- Condition ------------------------------------------------------------------ */

static bool never(void *arg) { (void)arg; return false; }
static bool flag_set(void *arg) { return *(volatile int *)arg != 0; }

static void test_condition_basics(void)
{
    mp_condition *c = mp_condition_new(NULL);
    tap_is_str(rep(c), "<Condition(<RLock(None, 0)>, 0)>", "Condition()'s repr");
    TAP_OK(err_is(mp_condition_wait(c, MP_TIMEOUT(0)), MP_EASSERT, "must acquire() condition before using wait()"),
           "wait without the lock: AssertionError");
    TAP_OK(err_is(mp_condition_wait_for(c, never, NULL, MP_TIMEOUT(0)), MP_EASSERT,
                  "must acquire() condition before using wait()"), "wait_for without the lock");
    TAP_OK(err_is(mp_condition_notify(c, 1), MP_EASSERT, "lock is not owned"), "notify without the lock");
    TAP_OK(err_is(mp_condition_notify_all(c), MP_EASSERT, "lock is not owned"), "notify_all without the lock");
    TAP_OK(err_is(mp_condition_release(c), MP_EASSERT, "attempt to release recursive lock not owned by thread"),
           "release without the lock: the RLock's AssertionError");
    tap_is_int(mp_condition_acquire(c), 1, "acquire()");
    tap_is_str(rep(c), "<Condition(<RLock(MainProcess, 1)>, 0)>", "held");
    tap_is_int(mp_condition_notify(c, 1), 0, "notify() with nobody waiting");
    double t0 = now();
    int rc = mp_condition_wait(c, MP_TIMEOUT(0.2));
    double took = now() - t0;
    tap_ok(rc == 0 && took >= 0.2, "wait(0.2) with no notify is False after %.3f s", took);
    t0 = now();
    rc = mp_condition_wait_for(c, never, NULL, MP_TIMEOUT(0.2));
    took = now() - t0;
    tap_ok(rc == 0 && took >= 0.2, "wait_for(never, 0.2) is False after %.3f s", took);
    int yes = 1;
    tap_is_int(mp_condition_wait_for(c, flag_set, &yes, MP_TIMEOUT(0)), 1, "wait_for a true predicate");
    TAP_OK(err_is(mp_condition_wait(c, MP_TIMEOUT(NAN)), MP_EOS, "[Errno 22] Invalid argument"),
           "wait(nan): OSError EINVAL");
    tap_is_str(rep(c), "<Condition(<RLock(MainProcess, 1)>, 0)>", "the lock is held again after each wait");
    mp_condition_acquire(c);
    tap_is_int(mp_condition_wait(c, MP_TIMEOUT(0.01)), 0, "wait with an RLock held twice");
    tap_is_str(rep(c), "<Condition(<RLock(MainProcess, 2)>, 0)>", "both holds are back");
    mp_condition_release(c);
    mp_condition_release(c);
    TAP_OK(err_is(mp_condition_acquire(NULL), MP_ETYPE, "expected a Condition, got NULL"), "acquire(NULL)");
    mp_value *t = mp_tuple_of(c);
    uint8_t *out;
    size_t len;
    TAP_OK(err_is(mp_pickle_dumps(t, NULL, &out, &len), MP_ERUNTIME,
                  "Condition objects should only be shared between processes through inheritance"),
           "pickling a Condition: RuntimeError");
    mp_decref(t);
    mp_condition_free(c);

    mp_lock *l = mp_lock_new();
    c = mp_condition_new(l);
    tap_is_str(rep(c), "<Condition(<Lock(owner=None)>, 0)>", "Condition(Lock())'s repr");
    TAP_OK(mp_condition_lock(c) == l, "its lock is the one given");
    mp_lock_free(l);
    mp_condition_acquire(c);
    tap_is_int(mp_condition_wait(c, MP_TIMEOUT(0.01)), 0, "wait over a Lock");
    tap_is_str(rep(c), "<Condition(<Lock(owner=MainProcess)>, 0)>", "held again");
    mp_condition_release(c);
    mp_condition_free(c);
}

/* Threads waiting: notify(n) wakes n of them, notify_all the rest. */
struct twait { mp_condition *c; int woken; int waiting; pthread_mutex_t mu; };

static void *thread_wait(void *arg)
{
    struct twait *w = arg;
    mp_condition_acquire(w->c);
    pthread_mutex_lock(&w->mu);
    w->waiting++;
    pthread_mutex_unlock(&w->mu);
    int rc = mp_condition_wait(w->c, MP_WAIT_FOREVER);
    mp_condition_release(w->c);
    pthread_mutex_lock(&w->mu);
    if (rc == 1)
        w->woken++;
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

static int count(struct twait *w, int *field)
{
    pthread_mutex_lock(&w->mu);
    int n = *field;
    pthread_mutex_unlock(&w->mu);
    return n;
}

/* Over an RLock (the default) or a Lock (plain), whose release_all and
 * restore differ. */
static void test_condition_threads(bool plain)
{
    mp_lock *lock = plain ? mp_lock_new() : NULL;
    struct twait w = {mp_condition_new(lock), 0, 0, PTHREAD_MUTEX_INITIALIZER};
    mp_lock_free(lock);
    const char *over = plain ? "Lock()" : "";
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, thread_wait, &w);
    /* Waiting is counted under the condition's lock before wait lets it go. */
    while (count(&w, &w.waiting) < 4)
        usleep(1000);
    mp_condition_acquire(w.c);
    tap_is_str(rep(w.c),
               plain ? "<Condition(<Lock(owner=MainProcess)>, 4)>" : "<Condition(<RLock(MainProcess, 1)>, 4)>",
               "Condition(%s): four waiters in the repr", over);
    tap_is_int(mp_condition_notify(w.c, 2), 0, "Condition(%s): notify(2)", over);
    mp_condition_release(w.c);
    while (count(&w, &w.woken) < 2)
        usleep(1000);
    usleep(50 * 1000);
    tap_is_int(count(&w, &w.woken), 2, "Condition(%s): notify(2) woke exactly two", over);
    mp_condition_acquire(w.c);
    tap_is_int(mp_condition_notify_all(w.c), 0, "Condition(%s): notify_all()", over);
    mp_condition_release(w.c);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    tap_is_int(w.woken, 4, "Condition(%s): notify_all woke the other two", over);
    mp_condition_free(w.c);
}

static void test_condition_children(void)
{
    for (size_t m = 0; m < 3; m++) {
        mp_context *ctx = mp_get_context(methods[m]);
        mp_condition *c = mp_context_condition(ctx, NULL);
        mp_semaphore *s = mp_semaphore_new(0);
        mp_process *p = mp_context_process(ctx, &(mp_process_opts){.target = cond_waiter, .args = mp_tuple_of(c, s)});
        mp_process_start(p);
        mp_semaphore_acquire(s);
        /* The child announced itself under the lock: once we hold it, the
         * child is asleep in wait. */
        mp_condition_acquire(c);
        mp_condition_notify(c, 1);
        mp_condition_release(c);
        mp_process_join(p, MP_WAIT_FOREVER);
        tap_is_int(mp_process_exitcode(p), 10, "%s: a child waiting on a Condition is notified", methods[m]);
        mp_process_free(p);
        mp_semaphore_free(s);
        mp_condition_free(c);
    }
}

/* Timed waits that end without a notify leave nothing behind: many more
 * of them than a Condition has room for sleepers, beside one thread that
 * waits all along and is still the one a notify wakes. */
static void test_condition_timeouts_leave(void)
{
    struct twait w = {mp_condition_new(NULL), 0, 0, PTHREAD_MUTEX_INITIALIZER};
    pthread_t t;
    pthread_create(&t, NULL, thread_wait, &w);
    while (count(&w, &w.waiting) < 1)
        usleep(1000);
    mp_condition_acquire(w.c);
    int timed_out = 0;
    for (int i = 0; i < 3000; i++)
        timed_out += mp_condition_wait(w.c, MP_TIMEOUT(0)) == 0;
    tap_is_int(timed_out, 3000, "3000 wait(0) with nobody notifying: each False");
    timed_out = 0;
    for (int i = 0; i < 20; i++)
        timed_out += mp_condition_wait(w.c, MP_TIMEOUT(0.001)) == 0;
    tap_is_int(timed_out, 20, "20 wait(0.001): each False");
    tap_is_str(rep(w.c), "<Condition(<RLock(MainProcess, 1)>, 1)>", "the one thread waiting all along is counted");
    tap_is_int(mp_condition_notify(w.c, 1), 0, "notify()");
    mp_condition_release(w.c);
    pthread_join(t, NULL);
    tap_is_int(w.woken, 1, "the notify woke the thread that waited all along");
    mp_condition_free(w.c);
}

/* Beyond CPython: a waiter killed asleep costs one wake-up, and the
 * notify that meets it returns (CPython's waits for it for ever).  The
 * next notify reaches the next waiter. */
static void test_condition_dead_waiter(void)
{
    for (size_t m = 0; m < 3; m++) {
        mp_context *ctx = mp_get_context(methods[m]);
        mp_condition *c = mp_context_condition(ctx, NULL);
        mp_semaphore *s = mp_semaphore_new(0);
        mp_process *dead = mp_context_process(ctx, &(mp_process_opts){.target = cond_waiter, .args = mp_tuple_of(c, s)});
        mp_process *live = mp_context_process(ctx, &(mp_process_opts){.target = cond_waiter, .args = mp_tuple_of(c, s)});
        mp_process_start(dead);
        mp_semaphore_acquire(s);
        /* Once we hold the lock, the first child is asleep in wait. */
        mp_condition_acquire(c);
        mp_condition_release(c);
        mp_process_kill(dead);
        mp_process_join(dead, MP_WAIT_FOREVER);
        mp_process_start(live);
        mp_semaphore_acquire(s);
        mp_condition_acquire(c);
        /* A hang guard only: a notify that waited for the dead would
         * never return. */
        alarm(60);
        tap_is_int(mp_condition_notify(c, 1), 0, "%s: notify() with a killed waiter first returns", methods[m]);
        tap_is_int(mp_condition_notify(c, 1), 0, "%s: a second notify()", methods[m]);
        alarm(0);
        mp_condition_release(c);
        mp_process_join(live, MP_WAIT_FOREVER);
        tap_is_int(mp_process_exitcode(live), 10, "%s: the second notify reached the living waiter", methods[m]);
        mp_process_free(dead);
        mp_process_free(live);
        mp_semaphore_free(s);
        mp_condition_free(c);
    }
}

/* ---- Event ---------------------------------------------------------------------- */

static void test_event(void)
{
    mp_event *e = mp_event_new();
    char want[64];
    snprintf(want, sizeof want, "<Event at %p unset>", (void *)e);
    tap_is_str(rep(e), want, "Event()'s repr");
    TAP_OK(!mp_event_is_set(e), "is_set() is False");
    double t0 = now();
    int rc = mp_event_wait(e, MP_TIMEOUT(0.2));
    double took = now() - t0;
    tap_ok(rc == 0 && took >= 0.2, "wait(0.2) on an unset Event is False after %.3f s", took);
    TAP_OK(err_is(mp_event_wait(e, MP_TIMEOUT(NAN)), MP_EOS, "[Errno 22] Invalid argument"),
           "wait(nan) on an unset Event: OSError EINVAL");
    tap_is_int(mp_event_set(e), 0, "set()");
    snprintf(want, sizeof want, "<Event at %p set>", (void *)e);
    tap_is_str(rep(e), want, "a set Event's repr");
    TAP_OK(mp_event_is_set(e), "is_set() is True");
    tap_is_int(mp_event_wait(e, MP_WAIT_FOREVER), 1, "wait() on a set Event is True");
    tap_is_int(mp_event_set(e), 0, "set() twice");
    tap_is_int(mp_event_clear(e), 0, "clear()");
    TAP_OK(!mp_event_is_set(e), "cleared");
    TAP_OK(err_is(mp_event_set(NULL), MP_ETYPE, "expected an Event, got NULL"), "set(NULL)");
    mp_value *t = mp_tuple_of(e);
    uint8_t *out;
    size_t len;
    TAP_OK(err_is(mp_pickle_dumps(t, NULL, &out, &len), MP_ERUNTIME,
                  "Condition objects should only be shared between processes through inheritance"),
           "pickling an Event: CPython's RuntimeError names its Condition");
    mp_decref(t);
    mp_event_free(e);
    for (size_t m = 0; m < 3; m++) {
        mp_context *ctx = mp_get_context(methods[m]);
        e = mp_context_event(ctx);
        mp_process *p = mp_context_process(ctx, &(mp_process_opts){.target = event_waiter, .args = mp_tuple_of(e)});
        mp_process_start(p);
        usleep(50 * 1000);
        mp_event_set(e);
        mp_process_join(p, MP_WAIT_FOREVER);
        tap_is_int(mp_process_exitcode(p), 11, "%s: a child waits for the Event and clears it", methods[m]);
        TAP_OK(!mp_event_is_set(e), "%s: the parent sees it cleared", methods[m]);
        mp_process_free(p);
        mp_event_free(e);
    }
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    test_condition_basics();
    test_condition_threads(false);
    test_condition_threads(true);
    test_condition_children();
    test_condition_timeouts_leave();
    test_condition_dead_waiter();
    test_event();
    return tap_done();
}

/* test_lock.c - unit tests for Lock and RLock: reprs and errors in CPython 3.11's words, block=False, timeouts, and sharing with children under every start method.
 *
 * Usage: test_lock   prints TAP.  The binary is also the program spawn and
 * forkserver re-run for their children.  Uses mp.h alone.  A timed wait is
 * only asked to have waited at least its timeout, never at most.
 */
#include <mp.h>

#include "sync_tests.h"
#include "tap.h"

#include <math.h>
#include <stdint.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- targets: the exit code says what the child saw ---------------------- */

/* args: (lock,).  The parent holds it: 10 if a non-blocking acquire
 * failed, the repr named another process and release was refused (an
 * RLock: only its owner may release it).  A Lock is not released here:
 * release_it does that. */
static int probe_held(const mp_value *args)
{
    mp_lock *l = mp_as_lock(mp_item(args, 0));
    if (!l)
        return mp_sys_exit(2);
    bool rlock = strncmp(rep(l), "<RLock", 6) == 0;
    if (mp_lock_acquire_ex(l, .block = MP_NO) != 0)
        return mp_sys_exit(3);
    if (strcmp(rep(l), rlock ? "<RLock(SomeOtherProcess, nonzero)>" : "<Lock(owner=SomeOtherProcess)>"))
        return mp_sys_exit(4);
    if (rlock && mp_lock_release(l) != MP_EASSERT)
        return mp_sys_exit(5);
    return mp_sys_exit(10);
}
MP_TARGET(probe_held);

/* args: (lock,).  Takes it (waiting for the parent to let go), checks it
 * holds it, and lets it go: 11. */
static int take_it(const mp_value *args)
{
    mp_lock *l = mp_as_lock(mp_item(args, 0));
    if (!l)
        return mp_sys_exit(2);
    if (mp_lock_acquire(l) != 1)
        return mp_sys_exit(3);
    char want[128];
    const char *me = mp_process_name(mp_current_process());
    if (strncmp(rep(l), "<RLock", 6) == 0)
        snprintf(want, sizeof want, "<RLock(%s, 1)>", me);
    else
        snprintf(want, sizeof want, "<Lock(owner=%s)>", me);
    bool named = strcmp(rep(l), want) == 0;
    int rc = mp_lock_release(l);
    return mp_sys_exit(rc < 0 ? 5 : named ? 11 : 4);
}
MP_TARGET(take_it);

/* args: (lock,).  The parent holds the Lock: releasing it here succeeds,
 * as CPython's (any process may release a Lock): 12. */
static int release_it(const mp_value *args)
{
    mp_lock *l = mp_as_lock(mp_item(args, 0));
    if (!l)
        return mp_sys_exit(2);
    if (mp_lock_release(l) != 0)
        return mp_sys_exit(3);
    return mp_sys_exit(12);
}
MP_TARGET(release_it);

/* args: (lock,).  Takes the Lock and ends holding it, as a process that
 * hands it to its parent: 13. */
static int take_and_keep(const mp_value *args)
{
    mp_lock *l = mp_as_lock(mp_item(args, 0));
    if (!l)
        return mp_sys_exit(2);
    return mp_sys_exit(mp_lock_acquire(l) == 1 ? 13 : 3);
}
MP_TARGET(take_and_keep);

/* ---- in one process --------------------------------------------------------- */

static void test_lock_basics(void)
{
    mp_lock *l = mp_lock_new();
    TAP_OK(l != NULL, "Lock()");
    tap_is_str(rep(l), "<Lock(owner=None)>", "a free Lock's repr");
    TAP_OK(err_is(mp_lock_release(l), MP_EVALUE, "semaphore or lock released too many times"),
           "releasing a free Lock: ValueError");
    tap_is_int(mp_lock_acquire(l), 1, "acquire() is True");
    tap_is_str(rep(l), "<Lock(owner=MainProcess)>", "a held Lock's repr");
    tap_is_int(mp_lock_acquire_ex(l, .block = MP_NO), 0, "acquire(False) on a held Lock is False");
    tap_is_int(mp_lock_acquire_ex(l, .block = MP_NO, .timeout = MP_TIMEOUT(5)), 0,
               "block=False ignores the timeout");
    double t0 = now();
    int rc = mp_lock_acquire_ex(l, .timeout = MP_TIMEOUT(0.2));
    double took = now() - t0;
    tap_ok(rc == 0 && took >= 0.2, "acquire(timeout=0.2) on a held Lock is False after %.3f s", took);
    tap_is_int(mp_lock_acquire_ex(l, .timeout = MP_TIMEOUT(-1)), 0, "a negative timeout only tries");
    TAP_OK(err_is(mp_lock_acquire_ex(l, .timeout = MP_TIMEOUT(NAN)), MP_EOS, "[Errno 22] Invalid argument"),
           "a NaN timeout that must wait: OSError EINVAL");
    tap_is_int(mp_lock_release(l), 0, "release()");
    tap_is_int(mp_lock_acquire_ex(l, .timeout = MP_TIMEOUT(NAN)), 1, "a NaN timeout on a free Lock takes it");
    mp_lock_release(l);
    TAP_OK(err_is(mp_lock_acquire(NULL), MP_ETYPE, "expected a Lock, got NULL"), "acquire(NULL)");
    TAP_OK(err_is(mp_lock_release(NULL), MP_ETYPE, "expected a Lock, got NULL"), "release(NULL)");
    TAP_OK(mp_as_lock((const mp_value *)(const void *)l) == l, "mp_as_lock of a Lock");
    mp_value *i = mp_int(1);
    TAP_OK(mp_as_lock(i) == NULL, "mp_as_lock of an int is NULL");
    mp_decref(i);
    mp_lock_free(l);
    mp_lock_free(NULL);
}

static void test_rlock_basics(void)
{
    mp_lock *r = mp_rlock_new();
    tap_is_str(rep(r), "<RLock(None, 0)>", "a free RLock's repr");
    TAP_OK(err_is(mp_lock_release(r), MP_EASSERT, "attempt to release recursive lock not owned by thread"),
           "releasing a free RLock: AssertionError");
    tap_is_int(mp_lock_acquire(r), 1, "acquire()");
    tap_is_int(mp_lock_acquire_ex(r, .block = MP_NO), 1, "acquire(False) again by its holder");
    tap_is_str(rep(r), "<RLock(MainProcess, 2)>", "a twice-held RLock's repr");
    tap_is_int(mp_lock_release(r), 0, "release() once");
    tap_is_str(rep(r), "<RLock(MainProcess, 1)>", "still held once");
    tap_is_int(mp_lock_release(r), 0, "release() twice");
    tap_is_str(rep(r), "<RLock(None, 0)>", "free again");
    mp_lock_free(r);
    mp_lock_free(mp_context_rlock(NULL));
}

/* Another thread of this process holds the lock. */
struct holder { mp_lock *l; int phase; pthread_mutex_t mu; pthread_cond_t cv; };

static void *hold(void *arg)
{
    struct holder *h = arg;
    mp_lock_acquire(h->l);
    pthread_mutex_lock(&h->mu);
    h->phase = 1;
    pthread_cond_broadcast(&h->cv);
    while (h->phase != 2)
        pthread_cond_wait(&h->cv, &h->mu);
    pthread_mutex_unlock(&h->mu);
    mp_lock_release(h->l);
    return NULL;
}

static void test_other_thread(void)
{
    for (int k = 0; k < 2; k++) {
        struct holder h = {k ? mp_rlock_new() : mp_lock_new(), 0, PTHREAD_MUTEX_INITIALIZER,
                           PTHREAD_COND_INITIALIZER};
        const char *name = k ? "RLock" : "Lock";
        pthread_t t;
        pthread_create(&t, NULL, hold, &h);
        pthread_mutex_lock(&h.mu);
        while (h.phase != 1)
            pthread_cond_wait(&h.cv, &h.mu);
        pthread_mutex_unlock(&h.mu);
        tap_is_str(rep(h.l), k ? "<RLock(SomeOtherThread, nonzero)>" : "<Lock(owner=SomeOtherThread)>",
                   "%s held by another thread: repr", name);
        tap_is_int(mp_lock_acquire_ex(h.l, .block = MP_NO), 0, "%s held by another thread: acquire(False)", name);
        if (k)
            TAP_OK(err_is(mp_lock_release(h.l), MP_EASSERT, "attempt to release recursive lock not owned by thread"),
                   "RLock held by another thread: release is AssertionError");
        pthread_mutex_lock(&h.mu);
        h.phase = 2;
        pthread_cond_broadcast(&h.cv);
        pthread_mutex_unlock(&h.mu);
        tap_is_int(mp_lock_acquire(h.l), 1, "%s: a blocking acquire gets it once the thread lets go", name);
        mp_lock_release(h.l);
        pthread_join(t, NULL);
        mp_lock_free(h.l);
    }
}

/* As threading.Lock's: "release() can be called from any thread, not
 * only the thread which has acquired the lock". */
static void *release_from_thread(void *l)
{
    return (void *)(intptr_t)mp_lock_release(l);
}

static void *acquire_from_thread(void *l)
{
    return (void *)(intptr_t)mp_lock_acquire(l);
}

/* An RLock is released by its owning thread only, so one that ends
 * holding it, its process alive, leaves a lock nobody could ever let go
 * (CPython waits for ever there): the next acquirer, a try included, gets
 * it with MP_EOWNERDEAD, and a waiter already blocked is woken with it. */
static void *rlock_twice_from_thread(void *l)
{
    int rc = mp_lock_acquire(l);
    return (void *)(intptr_t)(rc == 1 ? mp_lock_acquire(l) : rc);
}

struct held {
    mp_lock *l;
    int *taken;
};

static void *hold_briefly(void *arg)
{
    struct held *h = arg;
    mp_lock_acquire(h->l);
    __atomic_store_n(h->taken, 1, __ATOMIC_RELEASE);
    usleep(50 * 1000);
    return NULL;
}

static void test_rlock_thread_ends(void)
{
    mp_lock *l = mp_rlock_new();
    pthread_t t;
    void *rc;
    pthread_create(&t, NULL, rlock_twice_from_thread, l);
    pthread_join(t, &rc);
    tap_is_int((int)(intptr_t)rc, 1, "a thread takes an RLock twice and ends holding it");
    TAP_OK(err_is(mp_lock_acquire_ex(l, .block = MP_NO), MP_EOWNERDEAD,
                  "the previous holder died holding this RLock; it is yours now, and what it protected may be half changed"),
           "acquire(False) then: the RLock with MP_EOWNERDEAD");
    tap_is_str(rep(l), "<RLock(MainProcess, 1)>", "held once, by this thread");
    tap_is_int(mp_lock_release(l), 0, "released once, it is free");
    tap_is_str(rep(l), "<RLock(None, 0)>", "free: <RLock(None, 0)>");

    /* A waiter already blocked when the holding thread ends. */
    int taken = 0;
    struct held h = {l, &taken};
    pthread_create(&t, NULL, hold_briefly, &h);
    while (!__atomic_load_n(&taken, __ATOMIC_ACQUIRE))
        usleep(1000);
    TAP_OK(err_is(mp_lock_acquire(l), MP_EOWNERDEAD,
                  "the previous holder died holding this RLock; it is yours now, and what it protected may be half changed"),
           "a blocked acquire is woken with MP_EOWNERDEAD when the holding thread ends");
    pthread_join(t, NULL);
    tap_is_int(mp_lock_release(l), 0, "released");
    mp_lock_free(l);
}

static void test_release_by_another_thread(void)
{
    mp_lock *l = mp_lock_new();
    pthread_t t;
    void *rc;
    mp_lock_acquire(l);
    pthread_create(&t, NULL, release_from_thread, l);
    pthread_join(t, &rc);
    tap_is_int((int)(intptr_t)rc, 0, "another thread releases a Lock this thread holds");
    tap_is_str(rep(l), "<Lock(owner=None)>", "the Lock is free then");
    tap_is_int(mp_lock_acquire_ex(l, .block = MP_NO), 1, "and can be taken again");
    mp_lock_release(l);

    pthread_create(&t, NULL, acquire_from_thread, l);
    pthread_join(t, &rc);
    tap_is_int((int)(intptr_t)rc, 1, "a thread takes the Lock and ends holding it");
    tap_is_str(rep(l), "<Lock(owner=SomeOtherThread)>", "it stays held, as in CPython");
    tap_is_int(mp_lock_acquire_ex(l, .block = MP_NO), 0, "acquire(False) is False: its process lives");
    tap_is_int(mp_lock_release(l), 0, "this thread releases it");
    tap_is_str(rep(l), "<Lock(owner=None)>", "free again");

    /* A blocked acquirer is woken by a release from a third thread. */
    mp_lock_acquire(l);
    pthread_create(&t, NULL, acquire_from_thread, l);
    usleep(50 * 1000);
    pthread_t r;
    pthread_create(&r, NULL, release_from_thread, l);
    pthread_join(r, &rc);
    tap_is_int((int)(intptr_t)rc, 0, "a third thread releases the Lock while another waits for it");
    pthread_join(t, &rc);
    tap_is_int((int)(intptr_t)rc, 1, "the waiter gets it");
    mp_lock_release(l);
    TAP_OK(err_is(mp_lock_release(l), MP_EVALUE, "semaphore or lock released too many times"),
           "then releasing the free Lock: ValueError");
    mp_lock_free(l);
}

/* A process whose main thread ends holding a Lock while another thread
 * runs on: the kernel shows its main thread as a zombie, but the process
 * lives, so the Lock stays held; once the last thread ends, the next
 * acquire is told of the death.  A plain fork(), so that the child's main
 * thread can end on its own; its cached ids must be its own, not the
 * parent's, or the parent would take it for one of its threads. */
static void *end_process_later(void *arg)
{
    (void)arg;
    usleep(600 * 1000);
    _exit(0);
}

static void test_main_thread_ends(void)
{
    mp_lock *l = mp_lock_new();
    pid_t pid = fork();
    if (pid == 0) {
        pthread_t t;
        if (mp_lock_acquire(l) != 1 || pthread_create(&t, NULL, end_process_later, NULL) != 0)
            _exit(1);
        pthread_exit(NULL);
    }
    usleep(200 * 1000);
    tap_is_str(rep(l), "<Lock(owner=SomeOtherProcess)>", "a child's main thread ended holding the Lock: held");
    tap_is_int(mp_lock_acquire_ex(l, .timeout = MP_TIMEOUT(0.25)), 0,
               "its other thread runs on: acquire(timeout=0.25) is False, no death");
    int status;
    waitpid(pid, &status, 0);
    TAP_OK(err_is(mp_lock_acquire(l), MP_EOWNERDEAD,
                  "the previous holder died holding this Lock; it is yours now, and what it protected may be half changed"),
           "once the child has ended: OwnerDiedError");
    tap_is_int(mp_lock_release(l), 0, "released");
    mp_lock_free(l);
}

/* Outside a child's description a lock cannot be pickled. */
static void test_not_picklable(void)
{
    mp_lock *l = mp_lock_new(), *r = mp_rlock_new();
    uint8_t *out = NULL;
    size_t len;
    mp_value *t = mp_tuple_of(l);
    TAP_OK(err_is(mp_pickle_dumps(t, NULL, &out, &len), MP_ERUNTIME,
                  "Lock objects should only be shared between processes through inheritance"),
           "pickling a Lock: RuntimeError");
    mp_decref(t);
    t = mp_tuple_of(r);
    TAP_OK(err_is(mp_pickle_dumps(t, NULL, &out, &len), MP_ERUNTIME,
                  "RLock objects should only be shared between processes through inheritance"),
           "pickling an RLock: RuntimeError");
    mp_decref(t);
    mp_simple_queue *q = mp_simple_queue_new();
    TAP_OK(err_is(mp_simple_queue_put(q, mp_tuple_of(l)), MP_ERUNTIME,
                  "Lock objects should only be shared between processes through inheritance"),
           "putting a Lock in a SimpleQueue: RuntimeError");
    mp_connection *a, *b;
    mp_pipe(&a, &b, NULL);
    TAP_OK(err_is(mp_connection_send(a, l), MP_ERUNTIME,
                  "Lock objects should only be shared between processes through inheritance"),
           "sending a Lock through a Pipe: RuntimeError");
    mp_connection_free(a);
    mp_connection_free(b);
    mp_simple_queue_free(q);
    mp_lock_free(l);
    mp_lock_free(r);
}

/* ---- with children ------------------------------------------------------------ */

static int run_child(mp_context *ctx, mp_target_fn fn, mp_value *args)
{
    mp_process *p = mp_context_process(ctx, &(mp_process_opts){.target = fn, .args = args});
    if (!p || mp_process_start(p) < 0) {
        tap_diag("start: %s %s", mp_errname(mp_errcode()), mp_errmsg());
        mp_process_free(p);
        return -1;
    }
    mp_process_join(p, MP_WAIT_FOREVER);
    int code = mp_process_exitcode(p);
    mp_process_free(p);
    return code;
}

static void test_children(void)
{
    for (size_t m = 0; m < 3; m++) {
        mp_context *ctx = mp_get_context(methods[m]);
        for (int k = 0; k < 2; k++) {
            mp_lock *l = k ? mp_context_rlock(ctx) : mp_context_lock(ctx);
            const char *name = k ? "RLock" : "Lock";
            mp_lock_acquire(l);
            tap_is_int(run_child(ctx, probe_held, mp_tuple_of(l)), 10,
                       "%s: a %s the parent holds, seen from a child (acquire(False), repr, release)",
                       methods[m], name);
            mp_lock_release(l);
            tap_is_int(run_child(ctx, take_it, mp_tuple_of(l)), 11,
                       "%s: a child takes and lets go of a free %s", methods[m], name);
            tap_is_int(mp_lock_acquire_ex(l, .block = MP_NO), 1, "%s: the %s is free after the child",
                       methods[m], name);
            mp_lock_release(l);
            if (!k) {
                /* Any process may release a Lock, as CPython's. */
                mp_lock_acquire(l);
                tap_is_int(run_child(ctx, release_it, mp_tuple_of(l)), 12,
                           "%s: a child releases a Lock its parent acquired", methods[m]);
                tap_is_str(rep(l), "<Lock(owner=None)>", "%s: the Lock is free after that child", methods[m]);
                tap_is_int(run_child(ctx, take_and_keep, mp_tuple_of(l)), 13,
                           "%s: a child acquires the Lock and exits holding it", methods[m]);
                tap_is_int(mp_lock_release(l), 0, "%s: the parent releases the Lock the child left held",
                           methods[m]);
                tap_is_int(mp_lock_acquire_ex(l, .block = MP_NO), 1, "%s: it is free then, no death reported",
                           methods[m]);
                mp_lock_release(l);
            }
            mp_lock_free(l);
        }
    }
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    test_lock_basics();
    test_rlock_basics();
    test_other_thread();
    test_release_by_another_thread();
    test_rlock_thread_ends();
    test_main_thread_ends();
    test_not_picklable();
    test_children();
    return tap_done();
}

/* test_thread_pool.c - ThreadPool and multiprocessing.dummy (mp_thread_pool_new, mp_dummy()): the Pool API over threads, unregistered functions, CPython's errors, terminate, and the dummy Process, Queue, Lock and Event between threads.
 *
 * Usage: test_thread_pool   prints TAP.  Uses mp.h alone.  The thread pool
 * starts no process, so one run covers every start method; the last test
 * checks that under spawn too.  Timeouts are checked from below only; the
 * one upper bound is the alarm that ends a hung run.
 */
#include <mp.h>

#include "pool_tests.h"
#include "sync_tests.h"
#include "tap.h"

#include <pthread.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- the tasks: none is registered, as a ThreadPool needs none ------------- */

static int sq(const mp_value *args, mp_value **result)
{
    int64_t x = mp_as_int(mp_item(args, 0));
    *result = mp_int(x * x);
    return 0;
}

static int add(const mp_value *args, mp_value **result)
{
    *result = mp_int(mp_as_int(mp_item(args, 0)) + mp_as_int(mp_item(args, 1)));
    return 0;
}

static int inverse(const mp_value *args, mp_value **result)
{
    int64_t x = mp_as_int(mp_item(args, 0));
    if (x == 5)
        return mp_raise("ZeroDivisionError", "division by zero");
    *result = mp_float(1.0 / (double)(x - 5));
    return 0;
}

/* (the worker thread's pthread id as an int, the pid): which thread ran it. */
static int whoami(const mp_value *args, mp_value **result)
{
    (void)args;
    *result = mp_tuple_of((int64_t)(uintptr_t)pthread_self(), (int64_t)getpid());
    return 0;
}

static void sleep_s(double s)
{
    struct timespec t = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&t, &t) != 0)
        ;
}

/* Sleeps args[0] seconds, then returns args[1]. */
static int nap(const mp_value *args, mp_value **result)
{
    sleep_s(mp_as_float(mp_item(args, 0)));
    *result = mp_incref(mp_item(args, 1));
    return 0;
}

/* A task that says it has started and then waits to be let go: so the
 * test knows its thread is busy, however loaded the machine is. */
static mp_event *task_started, *task_go;
static int held(const mp_value *args, mp_value **result)
{
    mp_event_set(task_started);
    mp_event_wait(task_go, MP_WAIT_FOREVER);
    *result = mp_incref(mp_item(args, 0));
    return 0;
}

/* The initializer: counts its runs (each worker thread runs it once). */
static _Atomic int inits;
static int initializer(const mp_value *args)
{
    if (strcmp(mp_as_str(mp_item(args, 0)), "hello") == 0)
        atomic_fetch_add(&inits, 1);
    return 0;
}

/* ---- the Pool API over threads --------------------------------------------------- */

/* The producer of 0, 1, 2, 3, 4 (data: the next one). */
static int count_to_5(void *data, mp_value **item)
{
    int64_t *n = data;
    if (*n >= 5)
        return 0;
    *item = mp_int((*n)++);
    return 1;
}

static void basics(void)
{
    mp_pool *p = mp_thread_pool_new(&(mp_pool_opts){.processes = 3});
    if (!TAP_OK(p != NULL, "ThreadPool(3)")) {
        tap_diag("%s: %s", mp_errname(mp_errcode()), mp_errmsg());
        return;
    }
    tap_is_str(pool_repr(p), "<multiprocessing.pool.ThreadPool state=RUN pool_size=3>", "repr while running");
    mp_value *v = NULL, *r10 = range(10), *r50 = range(50);
    int rc = mp_pool_apply(p, sq, &(mp_pool_call_opts){.args = mp_tuple_of(7)}, &v);
    tap_ok(rc == 0 && mp_as_int(v) == 49, "apply of an unregistered function: 49");
    mp_decref(v);
    rc = mp_pool_map(p, sq, r10, NULL, &v);
    tap_is_str(rc == 0 ? rep(v) : mp_errmsg(), "[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]", "map in order");
    mp_decref(v);
    /* imap over a producer: the function is sent by address here too. */
    int64_t next = 0;
    mp_imap_iterator *stream = mp_pool_imap_iter(p, sq, count_to_5, &next, NULL);
    char got[64] = "";
    for (mp_value *x = NULL; stream && mp_imap_iterator_next(stream, MP_WAIT_FOREVER, &x) == 0; mp_decref(x), x = NULL)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%lld", got[0] ? " " : "", (long long)mp_as_int(x));
    tap_is_str(stream ? got : mp_errmsg(), "0 1 4 9 16", "imap_iter of an unregistered function: in order");
    mp_imap_iterator_free(stream);
    mp_value *pairs = mp_list_of(mp_tuple_of(1, 2), mp_tuple_of(3, 4), mp_tuple_of(10, -1));
    rc = mp_pool_starmap(p, add, pairs, NULL, &v);
    tap_is_str(rc == 0 ? rep(v) : mp_errmsg(), "[3, 7, 9]", "starmap");
    mp_decref(v);
    mp_async_result *ar = mp_pool_starmap_async(p, add, pairs, &(mp_pool_call_opts){.chunksize = 2});
    rc = mp_async_result_get(ar, MP_WAIT_FOREVER, &v);
    tap_is_str(rc == 0 ? rep(v) : mp_errmsg(), "[3, 7, 9]", "starmap_async, chunksize 2");
    mp_decref(v);
    tap_is_int(mp_async_result_successful(ar), 1, "successful() once ready");
    mp_async_result_free(ar);
    mp_decref(pairs);
    ar = mp_pool_map_async(p, sq, r50, NULL);
    rc = mp_async_result_get(ar, MP_WAIT_FOREVER, &v);
    tap_ok(rc == 0 && mp_len(v) == 50 && mp_as_int(mp_item(v, 49)) == 49 * 49, "map_async of 50 items");
    mp_decref(v);
    mp_async_result_free(ar);

    for (size_t cs = 1; cs <= 7; cs += 6)
        tap_ok(imap_gives_squares(p, sq, r50, cs), "imap, chunksize %zu: 50 squares in order, then StopIteration", cs);
    mp_imap_iterator *it = mp_pool_imap_unordered(p, sq, r50, &(mp_pool_call_opts){.chunksize = 4});
    int64_t sum = 0, count = 0;
    while (it && mp_imap_iterator_next(it, MP_WAIT_FOREVER, &v) == 0) {
        sum += mp_as_int(v);
        count++;
        mp_decref(v);
    }
    tap_ok(count == 50 && sum == 40425, "imap_unordered gives the 50 squares");
    mp_imap_iterator_free(it);

    /* The workers are threads of this process, none of them this thread. */
    rc = mp_pool_map(p, whoami, r50, &(mp_pool_call_opts){.chunksize = 1}, &v);
    bool threads = rc == 0 && mp_len(v) == 50;
    for (size_t i = 0; threads && i < 50; i++)
        threads = mp_as_int(mp_item(mp_item(v, i), 1)) == getpid() &&
                  mp_as_int(mp_item(mp_item(v, i), 0)) != (int64_t)(uintptr_t)pthread_self();
    tap_ok(threads, "every task ran in a thread of this process, not the caller's");
    mp_decref(v);

    mp_pool_close(p);
    tap_is_str(pool_repr(p), "<multiprocessing.pool.ThreadPool state=CLOSE pool_size=3>", "repr after close");
    tap_ok(err_is(mp_pool_apply(p, sq, &(mp_pool_call_opts){.args = mp_tuple_of(1)}, &v), MP_EVALUE,
                  "Pool not running"), "apply after close: ValueError 'Pool not running'");
    tap_is_int(mp_pool_join(p), 0, "join after close");
    tap_is_int(mp_pool_join(p), 0, "join again");
    mp_pool_free(p);
    mp_decref(r10);
    mp_decref(r50);
}

/* The worker threads' names, Thread-N (worker), numbered with every other
 * thread's: three more for the pool's own threads, as CPython's. */
static void names(void)
{
    mp_process *d = mp_context_process(mp_dummy(), NULL);
    int first = 0;
    sscanf(d ? mp_process_name(d) : "", "Thread-%d", &first);
    mp_process_free(d);
    mp_pool *p = mp_thread_pool_new(&(mp_pool_opts){.processes = 2});
    mp_process *after = mp_context_process(mp_dummy(), NULL);
    char want[64];
    snprintf(want, sizeof want, "Thread-%d", first + 6);
    tap_ok(first > 0 && after && strcmp(mp_process_name(after), want) == 0,
           "after Thread-%d, ThreadPool(2) takes two numbers for its workers and three for its threads: %s",
           first, after ? mp_process_name(after) : "?");
    mp_process_free(after);
    tap_ok(p && mp_pool_terminate(p) == 0 && strcmp(pool_repr(p), "<multiprocessing.pool.ThreadPool state=TERMINATE pool_size=2>") == 0,
           "terminate an idle ThreadPool: repr says TERMINATE");
    mp_pool_free(p);
}

static void callbacks_and_errors(void)
{
    mp_pool *p = mp_thread_pool_new(&(mp_pool_opts){.processes = 2});
    if (!p)
        return (void)tap_ok(false, "ThreadPool for callbacks");
    seen_cb s = {.mu = PTHREAD_MUTEX_INITIALIZER, .main = pthread_self()};
    mp_value *v = NULL, *r5 = range(5), *r10 = range(10);
    mp_async_result *r = mp_pool_map_async(p, sq, r5, &(mp_pool_call_opts){.callback = on_result, .data = &s});
    mp_async_result_wait(r, MP_WAIT_FOREVER);
    pthread_mutex_lock(&s.mu);
    tap_ok(s.calls == 1 && strcmp(s.result, "[0, 1, 4, 9, 16]") == 0 && s.other_thread,
           "map_async's callback got the list, in another thread");
    pthread_mutex_unlock(&s.mu);
    mp_async_result_free(r);
    r = mp_pool_map_async(p, inverse, r10, &(mp_pool_call_opts){.error_callback = on_error, .data = &s});
    int rc = mp_async_result_get(r, MP_WAIT_FOREVER, &v);
    tap_ok(rc == MP_EEXCEPTION && strcmp(mp_errname(rc), "ZeroDivisionError") == 0 &&
           strcmp(mp_errmsg(), "division by zero") == 0, "map_async of 1/(x-5): get raises ZeroDivisionError");
    pthread_mutex_lock(&s.mu);
    tap_ok(s.calls == 2 && strcmp(s.name, "ZeroDivisionError") == 0, "its error_callback got ZeroDivisionError");
    pthread_mutex_unlock(&s.mu);
    tap_is_int(mp_async_result_successful(r), 0, "successful() is False");
    mp_async_result_free(r);
    rc = mp_pool_apply(p, inverse, &(mp_pool_call_opts){.args = mp_tuple_of(5)}, &v);
    tap_ok(rc == MP_EEXCEPTION && strcmp(mp_errname(rc), "ZeroDivisionError") == 0, "apply re-raises it");
    tap_ok(mp_pool_apply(p, sq, &(mp_pool_call_opts){.args = mp_tuple_of(3)}, &v) == 0 && mp_as_int(v) == 9,
           "the pool works on after the errors");
    mp_decref(v);
    mp_decref(r5);
    mp_decref(r10);
    mp_pool_free(p);
}

/* The options: CPython's ThreadPool has no maxtasksperchild. */
static void options(void)
{
    atomic_store(&inits, 0);
    mp_pool *p = mp_thread_pool_new(&(mp_pool_opts){.processes = 3, .initializer = initializer,
                                                    .initargs = mp_tuple_of("hello")});
    mp_value *v = NULL, *r6 = range(6);
    int rc = p ? mp_pool_map(p, sq, r6, NULL, &v) : -1;
    mp_pool_close(p);
    mp_pool_join(p);
    tap_ok(rc == 0 && atomic_load(&inits) == 3, "an unregistered initializer ran once in each of the 3 threads");
    mp_decref(v);
    mp_pool_free(p);
    mp_decref(r6);
    p = mp_thread_pool_new(&(mp_pool_opts){.processes = 2, .maxtasksperchild = 2});
    tap_ok(!p && err_is(mp_errcode(), MP_ETYPE,
                        "ThreadPool.__init__() got an unexpected keyword argument 'maxtasksperchild'"),
           "maxtasksperchild: TypeError, as CPython's ThreadPool takes none");
    p = mp_thread_pool_new(&(mp_pool_opts){.processes = -1});
    tap_ok(!p && err_is(mp_errcode(), MP_EVALUE, "Number of processes must be at least 1"),
           "processes=-1: ValueError");
    p = mp_thread_pool_new(&(mp_pool_opts){.initargs = mp_list_of(1)});
    tap_ok(!p && err_is(mp_errcode(), MP_ETYPE, "initargs must be a tuple, not list"), "initargs a list: TypeError");
    p = mp_context_pool(mp_dummy(), &(mp_pool_opts){.processes = 1});
    tap_is_str(p ? pool_repr(p) : mp_errmsg(), "<multiprocessing.pool.ThreadPool state=RUN pool_size=1>",
               "mp_context_pool(mp_dummy()) is a ThreadPool (dummy.Pool)");
    mp_pool_free(p);
    p = mp_thread_pool_new(NULL);
    char want[128];
    snprintf(want, sizeof want, "<multiprocessing.pool.ThreadPool state=RUN pool_size=%d>", mp_cpu_count());
    tap_is_str(p ? pool_repr(p) : mp_errmsg(), want, "ThreadPool() has cpu_count() threads");
    mp_pool_free(p);
}

/* Timeouts, and terminate: a thread cannot be stopped, so it finishes the
 * task it runs; the tasks not taken are dropped and stay unready. */
static void timeouts_and_terminate(void)
{
    mp_pool *p = mp_thread_pool_new(&(mp_pool_opts){.processes = 1});
    if (!p)
        return (void)tap_ok(false, "ThreadPool for timeouts");
    mp_value *v = NULL;
    /* The one thread is inside `held` until the test lets it go, so the
     * second task is still queued when terminate comes (with a nap
     * instead, a loaded machine could let the thread finish the first
     * and take the second before terminate). */
    task_started = mp_event_new();
    task_go = mp_event_new();
    mp_async_result *r = mp_pool_apply_async(p, held, &(mp_pool_call_opts){.args = mp_tuple_of("late")});
    mp_event_wait(task_started, MP_WAIT_FOREVER);
    double t0 = now();
    int rc = mp_async_result_get(r, MP_TIMEOUT(0.1), &v);
    double took = now() - t0;
    tap_ok(rc == MP_ETIMEOUT && strcmp(mp_errname(rc), "multiprocessing.context.TimeoutError") == 0 && took >= 0.1,
           "get(0.1) of a task still running: TimeoutError after %.3f s", took);
    mp_async_result *queued = mp_pool_apply_async(p, nap, &(mp_pool_call_opts){.args = mp_tuple_of(0.0, "never")});
    tap_is_int(mp_pool_terminate(p), 0, "terminate with a task running and one queued");
    mp_event_set(task_go);
    tap_is_int(mp_pool_join(p), 0, "join waits for the thread to finish its task");
    tap_ok(mp_async_result_ready(r) || !mp_async_result_ready(queued),
           "the task that was not taken is not run");
    tap_ok(!mp_async_result_ready(queued) && mp_async_result_get(queued, MP_TIMEOUT(0), &v) == MP_ETIMEOUT,
           "its result stays unready, as CPython's");
    mp_async_result_free(r);
    mp_async_result_free(queued);
    mp_pool_free(p);
    mp_event_free(task_started);
    mp_event_free(task_go);

    /* terminate while the task handler waits for room in the task queue
     * (20000 tasks behind two naps) and the worker threads read beside
     * the drain: it returns, and join once the naps are done. */
    p = mp_thread_pool_new(&(mp_pool_opts){.processes = 2});
    t0 = now();
    mp_async_result *naps[2];
    for (int i = 0; i < 2; i++)
        naps[i] = mp_pool_apply_async(p, nap, &(mp_pool_call_opts){.args = mp_tuple_of(0.3, i)});
    mp_value *many = range(20000);
    mp_async_result *rm = mp_pool_map_async(p, sq, many, &(mp_pool_call_opts){.chunksize = 1});
    mp_async_result_wait(rm, MP_TIMEOUT(0.1));
    tap_ok(mp_pool_terminate(p) == 0 && mp_pool_join(p) == 0 && !mp_async_result_ready(rm),
           "terminate with the task queue full, then join: both return; the map stays unready");
    took = now() - t0;
    tap_ok(took >= 0.3, "join waited for the two 0.3 s naps the threads were running (%.3f s)", took);
    mp_pool_free(p);
    mp_async_result_free(naps[0]);
    mp_async_result_free(naps[1]);
    mp_async_result_free(rm);
    mp_decref(many);

    /* Leaving `with`: free with a task running waits for it. */
    p = mp_thread_pool_new(&(mp_pool_opts){.processes = 2});
    r = mp_pool_apply_async(p, nap, &(mp_pool_call_opts){.args = mp_tuple_of(0.3, 1)});
    mp_async_result_wait(r, MP_TIMEOUT(0.05));
    mp_pool_free(p);
    tap_ok(true, "mp_pool_free with a task running returns once it is done");
    mp_async_result_free(r);
}

/* ---- the dummy module ------------------------------------------------------------- */

typedef struct shared {
    mp_lock *lock;
    mp_event *go;
    mp_queue *q;
    int counter;        /* guarded by lock */
} shared;

static shared sh;

/* Waits for go, then adds 1000 to the counter under the lock and puts its
 * name on the queue. */
static int bump(const mp_value *args)
{
    mp_event_wait(sh.go, MP_WAIT_FOREVER);
    for (int i = 0; i < 1000; i++) {
        mp_lock_acquire(sh.lock);
        sh.counter++;
        mp_lock_release(sh.lock);
    }
    return mp_queue_put(sh.q, mp_incref((mp_value *)mp_item(args, 0)));
}
MP_TARGET(bump);

static int failing(const mp_value *args)
{
    (void)args;
    return mp_raise("ValueError", "bad");
}

static void dummy_module(void)
{
    mp_context *mp = mp_dummy();
    tap_is_str(mp_context_get_start_method(mp), "dummy", "mp_dummy()'s method is \"dummy\"");
    tap_ok(!mp_get_context("dummy") && mp_errcode() == MP_EVALUE, "get_context('dummy') does not know it");
    sh.lock = mp_context_lock(mp);
    sh.go = mp_context_event(mp);
    sh.q = mp_context_queue(mp, 0);
    sh.counter = 0;
    mp_process *ps[4];
    int first = 0;
    for (int i = 0; i < 4; i++) {
        ps[i] = mp_context_process(mp, &(mp_process_opts){.target = bump, .args = mp_tuple_of(i)});
        if (i == 0)
            sscanf(ps[0] ? mp_process_name(ps[0]) : "", "Thread-%d", &first);
    }
    char want[64];
    snprintf(want, sizeof want, "Thread-%d (bump)", first + 3);
    tap_ok(ps[3] && strcmp(mp_process_name(ps[3]), want) == 0, "a dummy Process is named Thread-N (target): %s",
           ps[3] ? mp_process_name(ps[3]) : "?");
    tap_is_int(mp_process_exitcode(ps[0]), MP_EXITCODE_NONE, "exitcode is None before start");
    bool started = true;
    for (int i = 0; i < 4; i++)
        started = started && mp_process_start(ps[i]) == 0;
    tap_ok(started && mp_process_is_alive(ps[0]), "four started, alive while they wait for the Event");
    tap_is_int(mp_active_children(NULL, 0), 0, "they are not active_children() (threads, not processes)");
    tap_ok(err_is(mp_process_terminate(ps[0]), MP_EATTR, "'DummyProcess' object has no attribute 'terminate'"),
           "terminate: AttributeError, as DummyProcess has none");
    tap_ok(mp_process_join(ps[0], MP_TIMEOUT(0.1)) == 0 && mp_process_is_alive(ps[0]),
           "join(0.1) returns with the thread still waiting");
    mp_event_set(sh.go);
    int seen = 0;
    for (int i = 0; i < 4; i++) {
        mp_value *v = NULL;
        if (mp_queue_get(sh.q, &v) == 0)
            seen |= 1 << mp_as_int(v);
        mp_decref(v);
    }
    bool ended = true;
    for (int i = 0; i < 4; i++) {
        ended = ended && mp_process_join(ps[i], MP_WAIT_FOREVER) == 0 && !mp_process_is_alive(ps[i]) &&
                mp_process_exitcode(ps[i]) == 0;
        mp_process_free(ps[i]);
    }
    tap_ok(ended && seen == 15, "each put its name on the Queue and ended with exitcode 0");
    tap_is_int(sh.counter, 4000, "4 x 1000 increments under the Lock: 4000");
    mp_lock_free(sh.lock);
    mp_event_free(sh.go);
    mp_queue_free(sh.q);

    /* An unregistered target works; its error is reported as a thread's,
     * and the exitcode is 0 all the same. */
    mp_process *f = mp_context_process(mp, &(mp_process_opts){.target = failing, .daemon = MP_YES});
    tap_ok(f && strncmp(mp_process_name(f), "Thread-", 7) == 0 && !strchr(mp_process_name(f), '(') &&
           mp_process_daemon(f), "an unregistered target: named Thread-N, daemon as asked");
    fflush(stderr);
    int saved = dup(2), devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 2);
    int rc = mp_process_start(f);
    if (rc == 0)
        rc = mp_process_join(f, MP_WAIT_FOREVER);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(devnull);
    tap_ok(rc == 0 && mp_process_exitcode(f) == 0, "a target that fails: the thread ends, exitcode 0");
    mp_process_free(f);

    /* A Process made after dummy ones takes the next process number. */
    mp_process *real = mp_process_new(NULL);
    mp_process *d = mp_context_process(mp, NULL);
    mp_process *real2 = mp_process_new(NULL);
    int a = 0, b = 0;
    sscanf(real ? mp_process_name(real) : "", "Process-%d", &a);
    sscanf(real2 ? mp_process_name(real2) : "", "Process-%d", &b);
    tap_ok(a > 0 && b == a + 1, "a dummy Process uses no Process number (Process-%d, then Process-%d)", a, b);
    mp_process_free(real);
    mp_process_free(real2);
    mp_process_free(d);
}

/* A ThreadPool inside a daemonic Pool worker, which may start threads
 * though not processes (DummyProcess.start does not ask). */
static int inner(const mp_value *args, mp_value **result)
{
    (void)args;
    mp_pool *p = mp_thread_pool_new(&(mp_pool_opts){.processes = 2});
    if (!p)
        return mp_errcode();
    mp_value *items = range(4);
    int rc = mp_pool_map(p, sq, items, NULL, result);
    mp_decref(items);
    mp_pool_free(p);
    return rc;
}
MP_TASK(inner);

static void inside_a_worker(void)
{
    for (size_t i = 0; i < 3; i++) {
        mp_pool *p = mp_context_pool(mp_get_context(methods[i]), &(mp_pool_opts){.processes = 1});
        mp_value *v = NULL;
        int rc = p ? mp_pool_apply(p, inner, NULL, &v) : mp_errcode();
        tap_is_str(rc == 0 ? rep(v) : mp_errmsg(), "[0, 1, 4, 9]", "%s: a ThreadPool inside a daemonic Pool worker",
                   methods[i]);
        mp_decref(v);
        mp_pool_free(p);
    }
}

/* Under spawn the thread pool still starts no process. */
static void under_spawn(void)
{
    mp_set_start_method("spawn", true);
    mp_pool *p = mp_thread_pool_new(&(mp_pool_opts){.processes = 2});
    mp_value *v = NULL, *r4 = range(4);
    int rc = p ? mp_pool_map(p, sq, r4, NULL, &v) : -1;
    tap_ok(rc == 0 && strcmp(rep(v), "[0, 1, 4, 9]") == 0 && mp_active_children(NULL, 0) == 0,
           "under spawn: map of an unregistered function, and no child process");
    mp_decref(v);
    mp_decref(r4);
    mp_pool_free(p);
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    alarm(300);     /* a hang fails the run instead of stopping the suite */
    basics();
    names();
    callbacks_and_errors();
    options();
    timeouts_and_terminate();
    dummy_module();
    inside_a_worker();
    under_spawn();
    return tap_done();
}

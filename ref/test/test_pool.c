/* test_pool.c - Pool, AsyncResult and IMapIterator under every start method: each method, the chunksize rule and the orders, callbacks, initializer, maxtasksperchild, errors in CPython's words, timeouts, close/terminate/join, repr.
 *
 * Usage: test_pool   prints TAP.  The binary is also the program spawn
 * and forkserver re-run.  Uses mp.h alone.  Timeouts are checked from
 * below only (a wait lasts at least its timeout); the one upper bound is
 * the alarm that ends a hung run.
 */
#include <mp.h>

#include "pool_tasks.h"
#include "pool_tests.h"
#include "sync_tests.h"
#include "tap.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- the tasks ------------------------------------------------------------ */

static int add(const mp_value *args, mp_value **result)
{
    *result = mp_int(mp_as_int(mp_item(args, 0)) + mp_as_int(mp_item(args, 1)));
    return 0;
}
MP_TASK(add);

/* (name, pid) of the worker running it. */
static int whoami(const mp_value *args, mp_value **result)
{
    (void)args;
    *result = mp_tuple_of(mp_process_name(mp_current_process()), (int64_t)getpid());
    return 0;
}
MP_TASK(whoami);

/* A library call's own error, returned as it came. */
static int out_of_range(const mp_value *args, mp_value **result)
{
    const mp_value *v = mp_item(args, 7);
    if (!v)
        return mp_errcode();
    *result = mp_incref(v);
    return 0;
}
MP_TASK(out_of_range);

/* Sleeps args[0] seconds, then returns args[1]. */
static int nap(const mp_value *args, mp_value **result)
{
    double s = mp_as_float(mp_item(args, 0));
    struct timespec t = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&t, &t) != 0)
        ;
    *result = mp_incref(mp_item(args, 1));
    return 0;
}
MP_TASK(nap);

/* nap for imap, whose items come one to a call: args[0] is (seconds, value). */
static int nap_item(const mp_value *args, mp_value **result)
{
    return nap(mp_item(args, 0), result);
}
MP_TASK(nap_item);

/* What the initializer left in the worker. */
static mp_value *init_seen;
static int initializer(const mp_value *args)
{
    init_seen = mp_tuple_of(mp_incref(mp_item(args, 0)), mp_process_name(mp_current_process()));
    return 0;
}
MP_TARGET(initializer);

static int get_init(const mp_value *args, mp_value **result)
{
    (void)args;
    *result = init_seen ? mp_incref(init_seen) : mp_none();
    return 0;
}
MP_TASK(get_init);

/* Registered only in main's body: a worker never has it. */
static int late(const mp_value *args, mp_value **result)
{
    (void)args;
    *result = mp_none();
    return 0;
}
static mp_task_entry late_entry = {"late", late, NULL};

/* Not registered at all. */
static int unregistered(const mp_value *args, mp_value **result)
{
    (void)args;
    (void)result;
    return 0;
}

/* ---- helpers ---------------------------------------------------------------- */

static const char *prefix_of(const char *method)
{
    return strcmp(method, "fork") == 0 ? "ForkPoolWorker-"
         : strcmp(method, "spawn") == 0 ? "SpawnPoolWorker-" : "ForkServerPoolWorker-";
}

/* ---- each call ---------------------------------------------------------------- */

static void basics(const char *m, mp_context *ctx)
{
    mp_pool *p = mp_context_pool(ctx, &(mp_pool_opts){.processes = 3});
    if (!TAP_OK(p != NULL, "%s: Pool(3)", m)) {
        tap_diag("%s: %s", mp_errname(mp_errcode()), mp_errmsg());
        return;
    }
    tap_is_str(pool_repr(p), "<multiprocessing.pool.Pool state=RUN pool_size=3>", "%s: repr while running", m);
    mp_value *v = NULL, *r10 = range(10), *r50 = range(50);
    int rc = mp_pool_apply(p, sq, &(mp_pool_call_opts){.args = mp_tuple_of(7)}, &v);
    tap_ok(rc == 0 && mp_as_int(v) == 49, "%s: apply(sq, (7,)) is 49", m);
    mp_decref(v);
    rc = mp_pool_map(p, sq, r10, NULL, &v);
    tap_is_str(rc == 0 ? rep(v) : mp_errmsg(), "[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]", "%s: map in order", m);
    mp_decref(v);
    mp_value *pairs = mp_list_of(mp_tuple_of(1, 2), mp_tuple_of(3, 4), mp_tuple_of(10, -1));
    rc = mp_pool_starmap(p, add, pairs, NULL, &v);
    tap_is_str(rc == 0 ? rep(v) : mp_errmsg(), "[3, 7, 9]", "%s: starmap", m);
    mp_decref(v);
    mp_async_result *ar = mp_pool_starmap_async(p, add, pairs, &(mp_pool_call_opts){.chunksize = 2});
    rc = mp_async_result_get(ar, MP_WAIT_FOREVER, &v);
    tap_is_str(rc == 0 ? rep(v) : mp_errmsg(), "[3, 7, 9]", "%s: starmap_async, chunksize 2", m);
    mp_decref(v);
    tap_is_int(mp_async_result_successful(ar), 1, "%s: successful() once ready", m);
    mp_async_result_free(ar);
    mp_decref(pairs);

    /* imap: in order, whatever the chunksize. */
    for (size_t cs = 1; cs <= 7; cs += 3)
        tap_ok(imap_gives_squares(p, sq, r50, cs), "%s: imap, chunksize %zu: 50 squares in order, then StopIteration",
               m, cs);
    /* imap_unordered: the same values, in any order. */
    mp_imap_iterator *it = mp_pool_imap_unordered(p, sq, r50, &(mp_pool_call_opts){.chunksize = 4});
    bool seen[50] = {0};
    int count = 0;
    while (it && mp_imap_iterator_next(it, MP_WAIT_FOREVER, &v) == 0) {
        int64_t x = mp_as_int(v);
        for (int k = 0; k < 50; k++)
            if (k * k == x && !seen[k]) {
                seen[k] = true;
                count++;
            }
        mp_decref(v);
    }
    tap_is_int(count, 50, "%s: imap_unordered gives each of the 50 squares once", m);
    mp_imap_iterator_free(it);

    /* Empty input. */
    mp_value *empty = mp_list_new();
    rc = mp_pool_map(p, sq, empty, NULL, &v);
    tap_is_str(rc == 0 ? rep(v) : mp_errmsg(), "[]", "%s: map over [] is []", m);
    mp_decref(v);
    it = mp_pool_imap(p, sq, empty, NULL);
    tap_is_int(mp_imap_iterator_next(it, MP_WAIT_FOREVER, &v), MP_ESTOPITERATION, "%s: imap over [] stops at once", m);
    mp_imap_iterator_free(it);
    mp_decref(empty);

    /* The workers' names. */
    rc = mp_pool_map(p, whoami, r50, &(mp_pool_call_opts){.chunksize = 1}, &v);
    bool named = rc == 0 && mp_len(v) == 50;
    for (size_t i = 0; named && i < 50; i++)
        named = strncmp(mp_as_str(mp_item(mp_item(v, i), 0)), prefix_of(m), strlen(prefix_of(m))) == 0;
    tap_ok(named, "%s: every worker is named %sN", m, prefix_of(m));
    if (!named && v)
        tap_diag("%s", rep(v));
    mp_decref(v);

    mp_pool_close(p);
    tap_is_str(pool_repr(p), "<multiprocessing.pool.Pool state=CLOSE pool_size=3>", "%s: repr after close", m);
    tap_ok(err_is(mp_pool_apply(p, sq, &(mp_pool_call_opts){.args = mp_tuple_of(1)}, &v), MP_EVALUE,
                  "Pool not running"), "%s: apply after close: ValueError", m);
    tap_ok(!mp_pool_imap(p, sq, r10, NULL) && err_is(mp_errcode(), MP_EVALUE, "Pool not running"),
           "%s: imap after close: ValueError", m);
    tap_is_int(mp_pool_join(p), 0, "%s: join after close", m);
    tap_is_int(mp_pool_join(p), 0, "%s: join again", m);
    mp_pool_free(p);
    mp_decref(r10);
    mp_decref(r50);
}

/* map's default chunksize, len / (4 * processes) rounded up: with one
 * task per worker, each chunk is the work of one pid. */
static void chunks(const char *m, mp_context *ctx)
{
    static const struct { int processes; int64_t n; size_t chunksize, want; } cases[] = {
        {2, 20, 0, 3}, {3, 50, 0, 5}, {2, 16, 0, 2}, {2, 7, 3, 3}};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        mp_pool *p = mp_context_pool(ctx, &(mp_pool_opts){.processes = cases[c].processes, .maxtasksperchild = 1});
        mp_value *items = range(cases[c].n), *v = NULL;
        int rc = p ? mp_pool_map(p, whoami, items, &(mp_pool_call_opts){.chunksize = cases[c].chunksize}, &v) : -1;
        bool ok = rc == 0 && (int64_t)mp_len(v) == cases[c].n;
        /* Each run of one pid is a chunk: every one but the last is want long. */
        size_t start = 0;
        for (size_t i = 1; ok && i <= mp_len(v); i++) {
            if (i < mp_len(v) && mp_as_int(mp_item(mp_item(v, i), 1)) == mp_as_int(mp_item(mp_item(v, start), 1)))
                continue;
            ok = i - start == cases[c].want || (i == mp_len(v) && i - start < cases[c].want);
            start = i;
        }
        tap_ok(ok, "%s: map of %lld items on %d workers, chunksize %zu: chunks of %zu", m,
               (long long)cases[c].n, cases[c].processes, cases[c].chunksize, cases[c].want);
        if (!ok && v)
            tap_diag("%s", rep(v));
        mp_decref(v);
        mp_decref(items);
        mp_pool_free(p);
    }
}

/* ---- callbacks --------------------------------------------------------------- */

static void callbacks(const char *m, mp_context *ctx)
{
    mp_pool *p = mp_context_pool(ctx, &(mp_pool_opts){.processes = 2});
    if (!p)
        return (void)tap_ok(false, "%s: pool for callbacks", m);
    seen_cb s = {.mu = PTHREAD_MUTEX_INITIALIZER, .main = pthread_self()};
    mp_pool_call_opts cb = {.callback = on_result, .error_callback = on_error, .data = &s};
    mp_value *v = NULL, *r5 = range(5), *r8 = range(8);
    cb.args = mp_tuple_of(6);
    mp_async_result *r = mp_pool_apply_async(p, sq, &cb);
    mp_async_result_get(r, MP_WAIT_FOREVER, &v);
    pthread_mutex_lock(&s.mu);
    tap_ok(s.calls == 1 && strcmp(s.result, "36") == 0 && s.other_thread,
           "%s: apply_async's callback got 36 in another thread before get returned", m);
    pthread_mutex_unlock(&s.mu);
    mp_decref(v);
    mp_async_result_free(r);

    cb.args = NULL;
    r = mp_pool_map_async(p, sq, r5, &cb);
    mp_async_result_wait(r, MP_WAIT_FOREVER);
    pthread_mutex_lock(&s.mu);
    tap_ok(s.calls == 2 && strcmp(s.result, "[0, 1, 4, 9, 16]") == 0, "%s: map_async's callback got the list", m);
    pthread_mutex_unlock(&s.mu);
    mp_async_result_free(r);

    r = mp_pool_map_async(p, inverse, r8, &cb);
    int rc = mp_async_result_get(r, MP_WAIT_FOREVER, &v);
    tap_ok(rc == MP_EEXCEPTION && strcmp(mp_errname(rc), "ZeroDivisionError") == 0 &&
           strcmp(mp_errmsg(), "division by zero") == 0, "%s: map_async of 1/(x-5): ZeroDivisionError", m);
    pthread_mutex_lock(&s.mu);
    tap_ok(s.calls == 3 && s.code == MP_EEXCEPTION && strcmp(s.name, "ZeroDivisionError") == 0 &&
           strcmp(s.msg, "division by zero") == 0 && s.other_thread,
           "%s: its error_callback got ZeroDivisionError 'division by zero'", m);
    pthread_mutex_unlock(&s.mu);
    tap_is_int(mp_async_result_successful(r), 0, "%s: successful() is False", m);
    mp_async_result_free(r);
    mp_decref(r5);
    mp_decref(r8);
    mp_pool_free(p);
}

/* ---- errors -------------------------------------------------------------------- */

static void errors(const char *m, mp_context *ctx)
{
    mp_pool *p = mp_context_pool(ctx, &(mp_pool_opts){.processes = 2});
    if (!p)
        return (void)tap_ok(false, "%s: pool for errors", m);
    mp_value *v = NULL, *r10 = range(10);
    int rc = mp_pool_apply(p, inverse, &(mp_pool_call_opts){.args = mp_tuple_of(5)}, &v);
    tap_ok(rc == MP_EEXCEPTION && strcmp(mp_errname(rc), "ZeroDivisionError") == 0 &&
           strcmp(mp_errmsg(), "division by zero") == 0, "%s: apply re-raises ZeroDivisionError", m);
    rc = mp_pool_map(p, inverse, r10, NULL, &v);
    tap_ok(rc == MP_EEXCEPTION && strcmp(mp_errname(rc), "ZeroDivisionError") == 0 && v == NULL,
           "%s: map re-raises ZeroDivisionError", m);
    rc = mp_pool_apply(p, out_of_range, NULL, &v);
    tap_ok(err_is(rc, MP_EINDEX, "tuple index out of range"), "%s: a library error comes back as IndexError", m);

    /* imap, chunksize 1: the error in its place, the rest after it. */
    mp_imap_iterator *it = mp_pool_imap(p, inverse, r10, NULL);
    int values = 0, errs = 0, at = -1, i = 0;
    while ((rc = mp_imap_iterator_next(it, MP_WAIT_FOREVER, &v)) != MP_ESTOPITERATION && i < 20) {
        if (rc == 0)
            values++;
        else if (rc == MP_EEXCEPTION && strcmp(mp_errname(rc), "ZeroDivisionError") == 0)
            errs++, at = i;
        mp_decref(v);
        i++;
    }
    tap_ok(values == 9 && errs == 1 && at == 5, "%s: imap's next raises at item 5 and goes on (%d values)", m, values);
    mp_imap_iterator_free(it);
    /* imap in chunks of 3: the error ends it, as CPython's generator. */
    it = mp_pool_imap(p, inverse, r10, &(mp_pool_call_opts){.chunksize = 3});
    values = errs = 0;
    while ((rc = mp_imap_iterator_next(it, MP_WAIT_FOREVER, &v)) != MP_ESTOPITERATION && values + errs < 20) {
        rc == 0 ? values++ : errs++;
        mp_decref(v);
    }
    tap_ok(values == 3 && errs == 1, "%s: imap, chunksize 3: 3 values, the error, then StopIteration", m);
    mp_imap_iterator_free(it);

    /* A function the worker does not have, and one nobody registered. */
    mp__task_register(&late_entry);
    rc = mp_pool_apply(p, late, NULL, &v);
    tap_ok(err_is(rc, MP_EATTR, "Can't get attribute 'late' on <module '__main__'>"),
           "%s: a task registered after the workers started: AttributeError", m);
    rc = mp_pool_apply(p, unregistered, NULL, &v);
    tap_ok(rc == MP_EPICKLE && strstr(mp_errmsg(), "it is not registered with MP_TASK"),
           "%s: an unregistered function: PicklingError from get()", m);
    tap_ok(mp_pool_apply(p, sq, &(mp_pool_call_opts){.args = mp_tuple_of(3)}, &v) == 0 && mp_as_int(v) == 9,
           "%s: the pool works on after the errors", m);
    mp_decref(v);
    mp_decref(r10);
    mp_pool_free(p);
}

/* ---- initializer, maxtasksperchild -------------------------------------------- */

static void init_and_max(const char *m, mp_context *ctx)
{
    mp_pool *p = mp_context_pool(ctx, &(mp_pool_opts){.processes = 2, .initializer = initializer,
                                                       .initargs = mp_tuple_of("hello")});
    mp_value *v = NULL, *r6 = range(6);
    int rc = p ? mp_pool_map(p, get_init, r6, &(mp_pool_call_opts){.chunksize = 1}, &v) : -1;
    bool ok = rc == 0 && mp_len(v) == 6;
    for (size_t i = 0; ok && i < 6; i++) {
        const mp_value *t = mp_item(v, i);
        ok = mp_typeof(t) == MP_T_TUPLE && strcmp(mp_as_str(mp_item(t, 0)), "hello") == 0 &&
             strncmp(mp_as_str(mp_item(t, 1)), prefix_of(m), strlen(prefix_of(m))) == 0;
    }
    tap_ok(ok, "%s: the initializer ran in each worker with initargs ('hello',)", m);
    if (!ok && v)
        tap_diag("%s", rep(v));
    mp_decref(v);
    mp_pool_free(p);

    /* maxtasksperchild=2, one worker: a new worker (pid) every two tasks. */
    p = mp_context_pool(ctx, &(mp_pool_opts){.processes = 1, .maxtasksperchild = 2});
    rc = p ? mp_pool_map(p, whoami, r6, &(mp_pool_call_opts){.chunksize = 1}, &v) : -1;
    ok = rc == 0 && mp_len(v) == 6;
    for (size_t i = 0; ok && i < 6; i++) {
        int64_t pid = mp_as_int(mp_item(mp_item(v, i), 1));
        int64_t pair = mp_as_int(mp_item(mp_item(v, i ^ 1), 1));
        int64_t other = mp_as_int(mp_item(mp_item(v, (i + 2) % 6), 1));
        ok = pid == pair && pid != other;
    }
    tap_ok(ok, "%s: maxtasksperchild=2: three workers, two tasks each", m);
    if (!ok && v)
        tap_diag("%s", rep(v));
    mp_decref(v);
    mp_pool_free(p);
    mp_decref(r6);
}

/* ---- timeouts, terminate ---------------------------------------------------------- */

static void timeouts(const char *m, mp_context *ctx)
{
    mp_pool *p = mp_context_pool(ctx, &(mp_pool_opts){.processes = 2});
    if (!p)
        return (void)tap_ok(false, "%s: pool for timeouts", m);
    mp_value *v = NULL;
    mp_async_result *r = mp_pool_apply_async(p, nap, &(mp_pool_call_opts){.args = mp_tuple_of(1.0, "late")});
    char want[128];
    snprintf(want, sizeof want, "<multiprocessing.pool.ApplyResult object at %p> not ready", (void *)r);
    int rc = mp_async_result_successful(r);
    tap_ok(err_is(rc, MP_EVALUE, want), "%s: successful() before ready: ValueError '<...ApplyResult object at 0x...> not ready'", m);
    double t0 = now();
    rc = mp_async_result_get(r, MP_TIMEOUT(0.2), &v);
    double took = now() - t0;
    tap_ok(rc == MP_ETIMEOUT && strcmp(mp_errname(rc), "multiprocessing.context.TimeoutError") == 0 &&
           strcmp(mp_errmsg(), "") == 0 && took >= 0.2,
           "%s: get(0.2) of a 1 s task: multiprocessing.context.TimeoutError after %.3f s", m, took);
    t0 = now();
    rc = mp_async_result_wait(r, MP_TIMEOUT(0.1));
    took = now() - t0;
    tap_ok(rc == 0 && !mp_async_result_ready(r) && took >= 0.1, "%s: wait(0.1) returns, not ready (%.3f s)", m, took);
    tap_ok(mp_async_result_get(r, MP_TIMEOUT(nan("")), &v) == MP_ETIMEOUT, "%s: get(nan) does not wait", m);
    rc = mp_async_result_get(r, MP_WAIT_FOREVER, &v);
    tap_ok(rc == 0 && strcmp(mp_as_str(v), "late") == 0 && mp_async_result_ready(r), "%s: get() then gets it", m);
    mp_decref(v);
    mp_async_result_free(r);


    /* terminate with a task running: the workers go, the result stays unready. */
    r = mp_pool_apply_async(p, nap, &(mp_pool_call_opts){.args = mp_tuple_of(30.0, 1)});
    mp_async_result_wait(r, MP_TIMEOUT(0.3));
    tap_is_int(mp_pool_terminate(p), 0, "%s: terminate with a 30 s task running", m);
    tap_is_str(pool_repr(p), "<multiprocessing.pool.Pool state=TERMINATE pool_size=2>", "%s: repr after terminate", m);
    tap_is_int(mp_pool_join(p), 0, "%s: join after terminate", m);
    tap_ok(!mp_async_result_ready(r) && mp_async_result_get(r, MP_TIMEOUT(0), &v) == MP_ETIMEOUT,
           "%s: its result stays unready, as CPython's", m);
    mp_pool_free(p);
    mp_async_result_free(r);

    /* terminate while the task handler waits for room in the task queue
     * (20000 tasks behind a 30 s one): it is drained, and returns. */
    p = mp_context_pool(ctx, &(mp_pool_opts){.processes = 1});
    r = mp_pool_apply_async(p, nap, &(mp_pool_call_opts){.args = mp_tuple_of(30.0, 1)});
    mp_value *many = range(20000);
    mp_async_result *rm = mp_pool_map_async(p, sq, many, &(mp_pool_call_opts){.chunksize = 1});
    mp_async_result_wait(rm, MP_TIMEOUT(0.3));
    tap_ok(mp_pool_terminate(p) == 0 && !mp_async_result_ready(rm),
           "%s: terminate with the task queue full returns; the map stays unready", m);
    mp_pool_free(p);
    mp_async_result_free(r);
    mp_async_result_free(rm);
    mp_decref(many);

    /* Leaving `with`: free terminates a pool with a task running. */
    p = mp_context_pool(ctx, &(mp_pool_opts){.processes = 1});
    r = mp_pool_apply_async(p, nap, &(mp_pool_call_opts){.args = mp_tuple_of(30.0, 1)});
    t0 = now();
    mp_pool_free(p);
    tap_ok(true, "%s: mp_pool_free with a 30 s task running returns (%.3f s)", m, now() - t0);
    mp_async_result_free(r);
}

/* IMapIterator.next(timeout). */
static void next_timeout(const char *m, mp_context *ctx)
{
    mp_pool *p = mp_context_pool(ctx, &(mp_pool_opts){.processes = 1});
    mp_value *items = mp_list_of(mp_tuple_of(0.0, 1), mp_tuple_of(1.0, 2)), *v = NULL;
    mp_value *args = mp_list_new();
    for (size_t i = 0; i < mp_len(items); i++)
        mp_list_append(args, mp_incref(mp_item(items, i)));
    mp_imap_iterator *it = p ? mp_pool_imap(p, nap_item, args, NULL) : NULL;
    int rc = it ? mp_imap_iterator_next(it, MP_WAIT_FOREVER, &v) : -1;
    tap_ok(rc == 0 && mp_as_int(v) == 1, "%s: imap of naps: next() gives the first", m);
    mp_decref(v);
    double t0 = now();
    rc = it ? mp_imap_iterator_next(it, MP_TIMEOUT(0.2), &v) : -1;
    double took = now() - t0;
    tap_ok(rc == MP_ETIMEOUT && took >= 0.2, "%s: next(0.2) before the 1 s nap ends: TimeoutError after %.3f s", m, took);
    rc = it ? mp_imap_iterator_next(it, MP_WAIT_FOREVER, &v) : -1;
    tap_ok(rc == 0 && mp_as_int(v) == 2, "%s: next() then gives it", m);
    mp_decref(v);
    tap_is_int(it ? mp_imap_iterator_next(it, MP_TIMEOUT(0), &v) : -1, MP_ESTOPITERATION, "%s: then StopIteration", m);
    mp_imap_iterator_free(it);
    mp_decref(items);
    mp_decref(args);
    mp_pool_free(p);
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    alarm(600);     /* a hang fails the run instead of stopping the suite */
    for (size_t i = 0; i < 3; i++) {
        mp_context *ctx = mp_get_context(methods[i]);
        basics(methods[i], ctx);
        chunks(methods[i], ctx);
        callbacks(methods[i], ctx);
        errors(methods[i], ctx);
        init_and_max(methods[i], ctx);
        timeouts(methods[i], ctx);
        next_timeout(methods[i], ctx);
    }
    mp_pool *p = mp_pool_new(&(mp_pool_opts){.processes = 1});
    mp_value *v = NULL;
    tap_ok(p && mp_pool_apply(p, whoami, NULL, &v) == 0 &&
           strncmp(mp_as_str(mp_item(v, 0)), "ForkPoolWorker-", 15) == 0,
           "Pool() uses the default context: fork, ForkPoolWorker-N");
    mp_decref(v);
    mp_pool_free(p);
    return tap_done();
}

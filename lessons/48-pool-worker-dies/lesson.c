/* lesson.c - Lesson 48: a Pool worker killed in the middle of map; Forklore fails that task with WorkerLostError and the pool goes on, where CPython's map waits for ever.

   This lesson differs from its twin on purpose.  A pool of two workers
   maps square over range(8); the task for 3 kills its own worker with
   SIGKILL, as the OOM killer or a crash would.  The other seven tasks
   are done, and say so on a SimpleQueue.  In CPython nobody knows which
   task the dead worker held: the map is never done, and get() and
   close() + join() wait for ever (the twin bounds them with a timeout
   and terminate()).  Here each worker notes in shared memory which task
   it runs, so the pool fails that one task with MP_EWORKERLOST,
   "WorkerLostError: Worker ForkPoolWorker-N (pid N) exited prematurely:
   signal 9 (SIGKILL)", once the other tasks are done; map's get()
   returns it, and close() and join() return.  In both, the dead worker
   is replaced and the pool serves new work.  The lines that start
   "after the death:" are where the two programs differ (README.md).

   Usage:  make lesson-48         build and run this program
           make lesson-48 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py, except in the lines "after the death:".
*/
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "mp.h"

#define VICTIM 3

/* The queue each worker tells the parent its results on, kept by the
   initializer (a reference of its own: the initializer's args are lent). */
static mp_value *done_value;

static int init(const mp_value *args)
{
    done_value = mp_incref(mp_item(args, 0));
    return 0;
}
MP_TARGET(init);

/* x * x, told to the parent too; the task for VICTIM kills its own worker
   instead. */
static int square(const mp_value *args, mp_value **result)
{
    int64_t x = mp_as_int(mp_item(args, 0));
    if (x == VICTIM) {
        kill(getpid(), SIGKILL);
        for (;;)
            pause();
    }
    int rc = mp_simple_queue_put(mp_as_simple_queue(done_value), x * x);
    if (rc < 0)
        return rc;
    *result = mp_int(x * x);
    return 0;
}
MP_TASK(square);

static int twice(const mp_value *args, mp_value **result)
{
    *result = mp_int(2 * mp_as_int(mp_item(args, 0)));
    return 0;
}
MP_TASK(twice);

static int by_value(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* print(label, sorted(done.get() for _ in range(n))) */
static int print_done(mp_simple_queue *done, const char *label, int n)
{
    int64_t got[8];
    int rc = 0;
    for (int i = 0; i < n && rc >= 0; i++) {
        mp_value *v;
        if ((rc = mp_simple_queue_get(done, &v)) >= 0) {
            got[i] = mp_as_int(v);
            mp_decref(v);
        }
    }
    if (rc < 0)
        return rc;
    qsort(got, (size_t)n, sizeof got[0], by_value);
    mp_value *l = mp_list_new();
    for (int i = 0; i < n && rc >= 0; i++)
        rc = mp_list_append(l, mp_int(got[i]));
    if (rc >= 0)
        mp_print(label, l);
    mp_decref(l);
    return rc;
}

/* What is left once the map has failed: the pool goes on. */
static int goes_on(mp_pool *pool)
{
    mp_value *in = mp_list_of(1, 2, 3), *out = NULL;
    int rc = mp_pool_map(pool, twice, in, NULL, &out);
    if (rc >= 0)
        mp_print("the pool goes on: map(twice, [1, 2, 3]) ->", out);
    mp_decref(out);
    mp_decref(in);
    return rc;
}

static int example(mp_pool *pool, mp_simple_queue *done)
{
    mp_print("map_async(square, range(8), chunksize=1): the task for 3 kills its own worker (SIGKILL)");
    mp_value *r8 = mp_list_new();
    int rc = r8 != NULL ? 0 : mp_errcode();
    for (int i = 0; i < 8 && rc >= 0; i++)
        rc = mp_list_append(r8, mp_int(i));
    mp_async_result *result = rc < 0 ? NULL : mp_pool_map_async(pool, square, r8, &(mp_pool_call_opts){.chunksize = 1});
    mp_decref(r8);
    if (result == NULL)
        return rc < 0 ? rc : mp_errcode();
    rc = print_done(done, "the other tasks are done:", 7);

    /* The pool knows which task the dead worker held, and fails it: the
       map fails with that error once its other tasks are in. */
    mp_value *v = NULL;
    if (rc >= 0) {
        rc = mp_async_result_get(result, MP_WAIT_FOREVER, &v);
        if (rc == MP_EWORKERLOST) {
            static const mp_print_opts joined = {.sep = ""};
            mp_print_ex(joined, "after the death: get() -> ", mp_errname(rc), ": ", mp_errmsg());
            rc = 0;
        } else if (rc >= 0) {
            mp_print("after the death: get() ->", v, "(the death was not reported)");
            mp_decref(v);
            rc = mp_raise("RuntimeError", "the dead worker's task did not fail");
        }
    }
    mp_async_result_free(result);

    if (rc >= 0)
        rc = goes_on(pool);
    /* Nothing is left waiting, so close() and join() return. */
    if (rc >= 0 && (rc = mp_pool_close(pool)) >= 0 && (rc = mp_pool_join(pool)) >= 0)
        mp_print("after the death: close(), join() -> returned");
    return rc;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    /* A SimpleQueue: its put writes at once, with no feeder thread that a
       killed worker could take a result down with. */
    mp_simple_queue *done = mp_simple_queue_new();
    if (done == NULL)
        return mp_excepthook(mp_errcode());
    mp_pool *pool = mp_pool_new(&(mp_pool_opts){.processes = 2, .initializer = init, .initargs = mp_tuple_of(done)});
    int rc = pool != NULL ? example(pool, done) : mp_errcode();
    mp_pool_free(pool);
    mp_simple_queue_free(done);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

/* lesson.c - Lesson 47: ThreadPool and multiprocessing.dummy, with starmap and map_async.

   A ThreadPool is the Pool API over threads of this process: starmap
   and map_async (with a callback) as with processes.  mp_dummy() is
   multiprocessing.dummy as a context: its Pool is a ThreadPool, its
   Process a thread, and its Queue and Lock work between threads, so a
   program written against the mp_context_* calls switches from processes
   to threads with the one line that picks the context, as
   `import multiprocessing.dummy as multiprocessing` does in Python.

   Usage:  make lesson-47         build and run this program
           make lesson-47 PY=1    run its Python twin, lesson.py
*/
#include "mp.h"

#include <stdlib.h>

/* Tasks and targets need no MP_TASK or MP_TARGET for threads (nothing is
   pickled); worker is registered only so that its thread is named
   "Thread-N (worker)", as Python names a thread after its target. */
static int mul(const mp_value *args, mp_value **result)
{
    *result = mp_int(mp_as_int(mp_item(args, 0)) * mp_as_int(mp_item(args, 1)));
    return 0;
}

static int square(const mp_value *args, mp_value **result)
{
    int64_t x = mp_as_int(mp_item(args, 0));
    *result = mp_int(x * x);
    return 0;
}

/* map_async's callback: in the pool's result handler thread, before get()
   returns. */
static void collect(const mp_value *results, void *data)
{
    (void)data;
    mp_print("callback got", results);
}

/* def worker(n, q, lock): with lock: q.put((n, square(n))) */
static int worker(const mp_value *args)
{
    int64_t n = mp_as_int(mp_item(args, 0));
    mp_queue *q = mp_as_queue(mp_item(args, 1));
    mp_lock *lock = mp_as_lock(mp_item(args, 2));
    int rc = mp_lock_acquire(lock);
    if (rc < 0)
        return rc;
    rc = mp_queue_put(q, mp_tuple_of(n, n * n));
    int rc2 = mp_lock_release(lock);
    return rc < 0 ? rc : rc2;
}
MP_TARGET(worker);

static void print_pool(const mp_pool *pool)
{
    char *r = mp_pool_repr(pool);
    mp_print(r ? r : "?");
    free(r);
}

/* The ThreadPool part: with ThreadPool(4) as pool. */
static int thread_pool(void)
{
    mp_pool *pool = mp_thread_pool_new(&(mp_pool_opts){.processes = 4});
    if (pool == NULL)
        return mp_errcode();
    print_pool(pool);
    mp_value *pairs = mp_list_of(mp_tuple_of(1, 2), mp_tuple_of(3, 4), mp_tuple_of(5, 6));
    mp_value *range = mp_list_new(), *v = NULL;
    for (int i = 0; i < 10; i++)
        mp_list_append(range, mp_int(i));
    int rc = mp_pool_starmap(pool, mul, pairs, NULL, &v);
    if (rc == 0)
        mp_print("starmap:", v);
    mp_decref(v);
    mp_async_result *result = NULL;
    if (rc == 0) {
        result = mp_pool_map_async(pool, square, range, &(mp_pool_call_opts){.callback = collect});
        rc = result ? mp_async_result_get(result, MP_WAIT_FOREVER, &v) : mp_errcode();
    }
    if (rc == 0) {
        mp_print("map_async:", v);
        mp_decref(v);
        mp_print("successful:", (bool)(mp_async_result_successful(result) == 1));
    }
    mp_async_result_free(result);
    mp_decref(pairs);
    mp_decref(range);
    mp_pool_terminate(pool);        /* the end of the with block */
    print_pool(pool);
    mp_pool_free(pool);
    return rc;
}

/* The dummy part: the same calls a program for processes makes. */
static int dummy(mp_context *mp)
{
    mp_pool *pool = mp_context_pool(mp, &(mp_pool_opts){.processes = 2});
    if (pool == NULL)
        return mp_errcode();
    print_pool(pool);
    mp_value *pairs = mp_list_new(), *v = NULL;
    for (int i = 0; i < 5; i++)
        mp_list_append(pairs, mp_tuple_of(i, i + 1));
    mp_async_result *result = mp_pool_starmap_async(pool, mul, pairs, NULL);
    int rc = result ? mp_async_result_get(result, MP_WAIT_FOREVER, &v) : mp_errcode();
    if (rc == 0)
        mp_print("starmap_async:", v);
    mp_decref(v);
    mp_async_result_free(result);
    mp_decref(pairs);
    mp_pool_close(pool);
    mp_pool_join(pool);
    mp_pool_free(pool);
    if (rc < 0)
        return rc;

    mp_queue *q = mp_context_queue(mp, 0);
    mp_lock *lock = mp_context_lock(mp);
    if (q == NULL || lock == NULL) {
        rc = mp_errcode();
        mp_queue_free(q);
        mp_lock_free(lock);
        return rc;
    }
    mp_process *workers[3] = {0};
    for (int n = 0; n < 3 && rc == 0; n++) {
        workers[n] = mp_context_process(mp, &(mp_process_opts){.target = worker, .args = mp_tuple_of(n, q, lock)});
        if (workers[n] == NULL) {
            rc = mp_errcode();
            break;
        }
        mp_print("starting", mp_process_name(workers[n]));
        rc = mp_process_start(workers[n]);
    }
    for (int n = 0; n < 3; n++) {
        if (workers[n] != NULL && rc == 0 && (rc = mp_process_join(workers[n], MP_WAIT_FOREVER)) == 0)
            mp_print(mp_process_name(workers[n]), "exitcode", mp_process_exitcode(workers[n]));
        mp_process_free(workers[n]);
    }
    /* The threads put in any order: each item goes to its place, which
       is what Python's sorted() gives. */
    mp_value *got[3] = {0};
    for (int i = 0; i < 3 && rc == 0; i++) {
        rc = mp_queue_get(q, &v);
        if (rc == 0 && mp_as_int(mp_item(v, 0)) >= 0 && mp_as_int(mp_item(v, 0)) < 3 && !got[mp_as_int(mp_item(v, 0))])
            got[mp_as_int(mp_item(v, 0))] = v;
        else
            mp_decref(v);
    }
    if (rc == 0) {
        mp_value *sorted = mp_list_of(got[0], got[1], got[2]);   /* takes them over */
        mp_print("queue:", sorted);                              /* only looks */
        mp_decref(sorted);
    } else
        for (int i = 0; i < 3; i++)
            mp_decref(got[i]);
    mp_queue_free(q);
    mp_lock_free(lock);
    return rc;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    mp_context *mp = mp_dummy();    /* the one line: threads, not processes */
    int rc = thread_pool();
    if (rc == 0)
        rc = dummy(mp);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

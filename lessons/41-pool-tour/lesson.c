/* lesson.c - Lesson 41: the documentation's tour of a pool of workers: map, imap_unordered, apply_async, and a get that times out.

   Four workers serve every call: map returns its results in order,
   imap_unordered yields them as they come, apply_async runs one call in
   one worker and returns at once with an AsyncResult, whose get() waits
   for the result.  A get with a timeout that passes first fails with
   multiprocessing.TimeoutError, and the pool stays usable.  Leaving the
   with block terminates the pool, and with it the worker still asleep.

   Usage:  make lesson-41         build and run this program
           make lesson-41 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (the docs' "Using a pool of workers"), which prints
   the pids after "pid:" and waits up to 10 s where the docs wait 1 s for
   a result that must come (README.md).
*/
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "mp.h"

static int f(const mp_value *args, mp_value **result)
{
    int64_t x = mp_as_int(mp_item(args, 0));
    *result = mp_int(x * x);
    return 0;
}
MP_TASK(f);

/* os.getpid, as a task. */
static int os_getpid(const mp_value *args, mp_value **result)
{
    (void)args;
    *result = mp_int(getpid());
    return 0;
}
MP_TASK(os_getpid);

/* time.sleep(seconds), as a task: returns None. */
static int time_sleep(const mp_value *args, mp_value **result)
{
    (void)result;
    struct timespec t = {.tv_sec = (time_t)mp_as_int(mp_item(args, 0))};
    while (nanosleep(&t, &t) != 0)
        ;
    return 0;
}
MP_TASK(time_sleep);

/* list(range(n)) */
static mp_value *range_list(int n)
{
    mp_value *l = mp_list_new();
    for (int i = 0; i < n && l != NULL; i++)
        if (mp_list_append(l, mp_int(i)) < 0) {
            mp_decref(l);
            return NULL;
        }
    return l;
}

/* res = pool.apply_async(func, args); res.get(timeout) into *out. */
static int apply_get(mp_pool *pool, mp_task_fn func, mp_value *args, double timeout, mp_value **out)
{
    mp_async_result *res = mp_pool_apply_async(pool, func, &(mp_pool_call_opts){.args = args});
    if (res == NULL)
        return mp_errcode();
    int rc = mp_async_result_get(res, MP_TIMEOUT(timeout), out);
    mp_async_result_free(res);
    return rc;
}

static int tour(mp_pool *pool)
{
    mp_value *r10 = range_list(10), *v = NULL;
    if (r10 == NULL)
        return mp_errcode();

    /* print "[0, 1, 4,..., 81]" */
    int rc = mp_pool_map(pool, f, r10, NULL, &v);
    if (rc >= 0)
        mp_print(v);
    mp_decref(v);

    /* print same numbers in arbitrary order */
    mp_imap_iterator *it = rc < 0 ? NULL : mp_pool_imap_unordered(pool, f, r10, NULL);
    if (rc >= 0 && it == NULL)
        rc = mp_errcode();
    while (it != NULL && (rc = mp_imap_iterator_next(it, MP_WAIT_FOREVER, &v)) >= 0) {
        mp_print(v);
        mp_decref(v);
    }
    if (rc == MP_ESTOPITERATION)
        rc = 0;
    mp_imap_iterator_free(it);
    mp_decref(r10);

    /* evaluate "f(20)" asynchronously: prints "400" */
    if (rc >= 0 && (rc = apply_get(pool, f, mp_tuple_of(20), 10, &v)) >= 0) {
        mp_print(v);
        mp_decref(v);
    }

    /* evaluate "os.getpid()" asynchronously: prints the PID of that process */
    if (rc >= 0 && (rc = apply_get(pool, os_getpid, NULL, 10, &v)) >= 0) {
        mp_print("pid:", v);
        mp_decref(v);
    }

    /* launching multiple evaluations asynchronously *may* use more processes */
    mp_async_result *multiple_results[4] = {NULL};
    for (int i = 0; i < 4 && rc >= 0; i++)
        if ((multiple_results[i] = mp_pool_apply_async(pool, os_getpid, NULL)) == NULL)
            rc = mp_errcode();
    mp_value *pids[4] = {NULL};
    for (int i = 0; i < 4 && rc >= 0; i++)
        rc = mp_async_result_get(multiple_results[i], MP_TIMEOUT(10), &pids[i]);
    if (rc >= 0) {
        /* print(*['pid: %d' % res.get(timeout=10) ...], sep=', ') */
        char s[4][32];
        for (int i = 0; i < 4; i++)
            snprintf(s[i], sizeof s[i], "pid: %lld", (long long)mp_as_int(pids[i]));
        mp_print_ex((mp_print_opts){.sep = ", "}, s[0], s[1], s[2], s[3]);
    }
    for (int i = 0; i < 4; i++) {
        mp_async_result_free(multiple_results[i]);
        mp_decref(pids[i]);
    }

    /* make a single worker sleep for 10 secs */
    if (rc >= 0) {
        rc = apply_get(pool, time_sleep, mp_tuple_of(10), 1, &v);
        if (rc == MP_ETIMEOUT) {
            mp_print("We lacked patience and got a multiprocessing.TimeoutError");
            rc = 0;
        } else if (rc >= 0) {
            mp_print(v);
            mp_decref(v);
        }
    }
    if (rc >= 0)
        mp_print("For the moment, the pool remains available for more work");
    return rc;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    /* start 4 worker processes */
    mp_pool *pool = mp_pool_new(&(mp_pool_opts){.processes = 4});
    if (pool == NULL)
        return mp_excepthook(mp_errcode());
    int rc = tour(pool);
    mp_pool_free(pool);     /* exiting the 'with'-block: terminate */
    if (rc < 0)
        return mp_excepthook(rc);

    /* exiting the 'with'-block has stopped the pool */
    mp_print("Now the pool is closed and no longer available");
    return 0;
}

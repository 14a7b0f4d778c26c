/* lesson.c - Lesson 42: the documentation's AsyncResult example: apply_async, map, imap with next(timeout), and a get that raises TimeoutError.

   apply_async returns an AsyncResult at once; get(timeout) waits for the
   result.  imap returns an iterator whose next(timeout) waits for the
   next result in order.  The last get waits 1 s for a task that sleeps
   10 s, and fails with multiprocessing.TimeoutError, which the program
   does not catch: it ends with that traceback and exit status 1, after
   leaving the with block has terminated the pool (and the sleeper).

   Usage:  make lesson-42         build and run this program
           make lesson-42 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (the AsyncResult example of the multiprocessing
   docs), which waits up to 10 s where the docs wait 1 s for a result
   that must come (README.md).
*/
#include <time.h>

#include "mp.h"

static int f(const mp_value *args, mp_value **result)
{
    int64_t x = mp_as_int(mp_item(args, 0));
    *result = mp_int(x * x);
    return 0;
}
MP_TASK(f);

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

/* print(result.get(timeout)) for a new AsyncResult, which it frees. */
static int print_get(mp_async_result *result, double timeout)
{
    mp_value *v = NULL;
    int rc = result != NULL ? mp_async_result_get(result, MP_TIMEOUT(timeout), &v) : mp_errcode();
    if (rc >= 0)
        mp_print(v);
    mp_decref(v);
    mp_async_result_free(result);
    return rc;
}

/* print(it.next(timeout)) */
static int print_next(mp_imap_iterator *it, mp_timeout timeout)
{
    mp_value *v = NULL;
    int rc = mp_imap_iterator_next(it, timeout, &v);
    if (rc >= 0)
        mp_print(v);
    mp_decref(v);
    return rc;
}

static int example(mp_pool *pool)
{
    /* evaluate "f(10)" asynchronously in a single process: prints "100" */
    int rc = print_get(mp_pool_apply_async(pool, f, &(mp_pool_call_opts){.args = mp_tuple_of(10)}), 10);

    /* prints "[0, 1, 4,..., 81]" */
    mp_value *r10 = mp_list_new(), *v = NULL;
    for (int i = 0; i < 10 && rc >= 0; i++)
        rc = mp_list_append(r10, mp_int(i));
    if (rc >= 0 && (rc = mp_pool_map(pool, f, r10, NULL, &v)) >= 0)
        mp_print(v);
    mp_decref(v);

    mp_imap_iterator *it = rc < 0 ? NULL : mp_pool_imap(pool, f, r10, NULL);
    if (rc >= 0 && it == NULL)
        rc = mp_errcode();
    if (rc >= 0)
        rc = print_next(it, MP_WAIT_FOREVER);   /* next(it): prints "0" */
    if (rc >= 0)
        rc = print_next(it, MP_WAIT_FOREVER);   /* prints "1" */
    if (rc >= 0)
        rc = print_next(it, MP_TIMEOUT(10));    /* it.next(timeout=10): prints "4" */
    mp_imap_iterator_free(it);
    mp_decref(r10);

    /* raises multiprocessing.TimeoutError */
    if (rc >= 0)
        rc = print_get(mp_pool_apply_async(pool, time_sleep, &(mp_pool_call_opts){.args = mp_tuple_of(10)}), 1);
    return rc;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    /* start 4 worker processes */
    mp_pool *pool = mp_pool_new(&(mp_pool_opts){.processes = 4});
    if (pool == NULL)
        return mp_excepthook(mp_errcode());
    int rc = example(pool);
    mp_pool_free(pool);     /* leaving the with block, as the error does: terminate */
    return rc < 0 ? mp_excepthook(rc) : 0;
}

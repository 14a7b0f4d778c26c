/* lesson.c - Lesson 40: an unguarded Pool(processes=5).map whose workers print squares: fine under fork, a bootstrapping RuntimeError in every worker under spawn and forkserver.

   WRONG ON PURPOSE.  main() does not call mp_main(), the analog of the
   main guard (lesson 17).  Under fork it does not matter: a worker is a
   copy of the parent made inside mp_pool_new, and runs my_func for the
   items it is given, which print their squares.  Under spawn and
   forkserver a worker runs the program again from the top of main(), so
   it reaches mp_pool_new too, whose first start fails with the
   bootstrapping RuntimeError; the worker prints it and exits 1.  The
   pool replaces it with another, which fails the same way, for as long
   as the pool lives, and no item is ever done: map would wait for ever,
   so the program waits at most 5 s for it, as its twin does.

   Usage:  make lesson-40         build and run this program
           make lesson-40 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (the Pool example of a Chinese multiprocessing
   tutorial), which bounds map's wait at 5 s (README.md).
*/
#include "mp.h"

/* def my_func(x): print(x**2) -- returns None. */
static int my_func(const mp_value *args, mp_value **result)
{
    (void)result;
    int64_t x = mp_as_int(mp_item(args, 0));
    mp_print_ex((mp_print_opts){.flush = true}, x * x);   /* print(x**2, flush=True) */
    return 0;
}
MP_TASK(my_func);

int main(void)
{
    /* The missing line: mp_main(argc, argv); */
    mp_pool *pool = mp_pool_new(&(mp_pool_opts){.processes = 5});
    if (pool == NULL)
        return mp_excepthook(mp_errcode());
    mp_value *target = mp_list_new();     /* range(10) */
    int rc = target != NULL ? 0 : mp_errcode();
    for (int i = 0; i < 10 && rc >= 0; i++)
        rc = mp_list_append(target, mp_int(i));

    /* pool.map(my_func, target), waiting at most 5 s */
    mp_async_result *r = rc < 0 ? NULL : mp_pool_map_async(pool, my_func, target, NULL);
    mp_value *out = NULL;
    if (rc >= 0)
        rc = r != NULL ? mp_async_result_get(r, MP_TIMEOUT(5), &out) : mp_errcode();
    if (rc == MP_ETIMEOUT) {
        mp_print("map() had no result after 5 s: no worker could start (CPython waits for ever)");
        rc = 0;
    }
    mp_decref(out);
    mp_async_result_free(r);
    mp_decref(target);
    /* The example leaves the pool to the exit, which terminates it. */
    mp_pool_free(pool);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

/* lesson.c - Lesson 43: PyMOTW's do_calculation over a Pool whose initializer prints each worker's name.

   The built-in way first: do_calculation applied to each input in turn,
   in this process.  Then a Pool of cpu_count() * 2 workers does the same
   in parallel; each worker runs the initializer once, as it starts, which
   prints "Starting" and the worker's name (ForkPoolWorker-N,
   SpawnPoolWorker-N or ForkServerPoolWorker-N).  close() says no more
   tasks will come and join() waits until the workers have ended.  The
   results are the same list either way.

   Usage:  make lesson-43         build and run this program
           make lesson-43 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (PyMOTW-3's Pool example, the first version).
*/
#include "mp.h"

/* def do_calculation(data): return data * 2 -- the plain C function... */
static int64_t do_calculation(int64_t data)
{
    return data * 2;
}

/* ...and the task a worker runs, which calls it on map's item. */
static int calculate(const mp_value *args, mp_value **result)
{
    *result = mp_int(do_calculation(mp_as_int(mp_item(args, 0))));
    return 0;
}
MP_TASK(calculate);

/* The initializer: a registered target, run once in each worker. */
static int start_process(const mp_value *args)
{
    (void)args;
    mp_print("Starting", mp_process_name(mp_current_process()));
    return 0;
}
MP_TARGET(start_process);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_value *inputs = mp_list_new(), *builtin_outputs = mp_list_new();
    int rc = inputs != NULL && builtin_outputs != NULL ? 0 : MP_ENOMEM;
    for (int64_t i = 0; i < 10 && rc >= 0; i++)
        rc = mp_list_append(inputs, mp_int(i));
    if (rc >= 0)
        mp_print("Input :", inputs);

    /* list(map(do_calculation, inputs)) */
    for (int64_t i = 0; i < 10 && rc >= 0; i++)
        rc = mp_list_append(builtin_outputs, mp_int(do_calculation(i)));
    if (rc >= 0)
        mp_print("Built-in:", builtin_outputs);

    int pool_size = mp_cpu_count() * 2;
    mp_pool *pool = NULL;
    mp_value *pool_outputs = NULL;
    if (rc >= 0 && (pool = mp_pool_new(&(mp_pool_opts){
                        .processes = pool_size,
                        .initializer = start_process,
                    })) == NULL)
        rc = mp_errcode();
    if (rc >= 0)
        rc = mp_pool_map(pool, calculate, inputs, NULL, &pool_outputs);
    if (rc >= 0)
        rc = mp_pool_close(pool);   /* no more tasks */
    if (rc >= 0)
        rc = mp_pool_join(pool);    /* wrap up current tasks */
    if (rc >= 0)
        mp_print("Pool :", pool_outputs);

    mp_decref(pool_outputs);
    mp_pool_free(pool);
    mp_decref(builtin_outputs);
    mp_decref(inputs);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

/* lesson.c - Lesson 45: a Pool asked to run a function its workers cannot find; Forklore fails the map with PicklingError, where CPython's workers die and map waits for ever.

   DIFFERENT FROM ITS TWIN ON PURPOSE.  A worker can run only a function
   it can find by name.  In CPython, f defined after Pool(5) has started
   its workers is not in them: each worker that takes a task dies of
   AttributeError, the task is lost with it, and map waits for ever (the
   twin bounds it with a timeout).  In C a task is found by the name
   MP_TASK registers; f here is not registered, so the pool cannot send
   it at all: map fails at once with PicklingError, "Can't pickle
   <function f>: it is not registered with MP_TASK", in the parent, and
   no worker dies.  The fix is the same in both: define (register) the
   function where every worker has it, at the top of the program.

   Usage:  make lesson-45         build and run this program
           make lesson-45 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (the documentation's note on Pool in the
   interactive interpreter), except in its one line of output.
*/
#include "mp.h"

/* def f(x): return x*x -- with no MP_TASK(f); after it: the workers have
   no f by that name. */
static int f(const mp_value *args, mp_value **result)
{
    int64_t x = mp_as_int(mp_item(args, 0));
    *result = mp_int(x * x);
    return 0;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_pool *p = mp_pool_new(&(mp_pool_opts){.processes = 5});
    if (p == NULL)
        return mp_excepthook(mp_errcode());

    /* with p: map_async(f, [1, 2, 3]).get(timeout=5) -- the twin's bound
       on CPython's wait, kept so the two programs are the same calls. */
    mp_value *inputs = mp_list_of(1, 2, 3), *out = NULL;
    mp_async_result *r = mp_pool_map_async(p, f, inputs, NULL);
    int rc = r != NULL ? mp_async_result_get(r, MP_TIMEOUT(5), &out) : mp_errcode();
    if (rc >= 0) {
        mp_print("map(f, [1, 2, 3]) ->", out);
    } else if (rc != MP_ETIMEOUT) {
        static const mp_print_opts joined = {.sep = ""};
        mp_print_ex(joined, "map(f, [1, 2, 3]) -> ", mp_errname(rc), ": ", mp_errmsg());
        rc = 0;
    }
    mp_decref(out);
    mp_async_result_free(r);
    mp_decref(inputs);
    mp_pool_free(p);    /* the end of the with block: terminate */
    return rc < 0 ? mp_excepthook(rc) : 0;
}

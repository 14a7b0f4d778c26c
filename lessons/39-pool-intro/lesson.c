/* lesson.c - Lesson 39: the documentation's first example, a Pool of five workers maps f over [1, 2, 3].

   A Pool starts five worker processes once; map() cuts the list into
   chunks, hands them to whichever workers are free, and puts the results
   back in the order of the input, so the program prints [1, 4, 9]
   whichever worker squared which number.  Leaving the with block
   terminates the pool (mp_pool_free here).

   Usage:  make lesson-39         build and run this program
           make lesson-39 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (the introduction of the multiprocessing docs).
*/
#include "mp.h"

/* def f(x): return x*x -- a task takes its arguments as a tuple, map's
   (item,), and leaves its result in *result. */
static int f(const mp_value *args, mp_value **result)
{
    int64_t x = mp_as_int(mp_item(args, 0));
    *result = mp_int(x * x);
    return 0;
}
MP_TASK(f);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    /* with Pool(5) as p: */
    mp_pool *p = mp_pool_new(&(mp_pool_opts){.processes = 5});
    if (p == NULL)
        return mp_excepthook(mp_errcode());
    mp_value *inputs = mp_list_of(1, 2, 3), *out = NULL;
    int rc = mp_pool_map(p, f, inputs, NULL, &out);
    if (rc >= 0)
        mp_print(out);
    mp_decref(out);
    mp_decref(inputs);
    mp_pool_free(p);    /* the end of the with block: terminate, then join */
    return rc < 0 ? mp_excepthook(rc) : 0;
}

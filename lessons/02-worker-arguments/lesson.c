/* lesson.c - Lesson 02: pass each worker a number through args.

   A target receives the tuple given as args when the process object
   was made, just as Python calls target(*args).  Each child prints the
   number it was given; the children race, so the order varies.

   Usage:  make lesson-2          build and run this program
           make lesson-2 PY=1     run its Python twin, lesson.py

   Mirrors lesson.py (PyMOTW-3's worker with an argument).
*/
#include "mp.h"

static int worker(const mp_value *args)
{
    const mp_value *num = mp_item(args, 0);   /* def worker(num): */
    mp_print("Worker:", num);
    return 0;
}
MP_TARGET(worker);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_process *jobs[5];
    for (int i = 0; i < 5; i++) {
        mp_value *args = mp_tuple_of(i);        /* args=(i,) */
        if (args == NULL)
            return mp_excepthook(mp_errcode());
        mp_process *p = mp_process_new(&(mp_process_opts){
            .target = worker, .args = args});   /* takes args over */
        if (p == NULL)
            return mp_excepthook(mp_errcode());
        jobs[i] = p;
        int rc = mp_process_start(p);
        if (rc < 0)
            return mp_excepthook(rc);
    }

    for (int i = 0; i < 5; i++)
        mp_process_free(jobs[i]);
    return 0;
}

/* lesson.c - Lesson 01: start five processes that each print "Worker".

   The simplest way to run code in another process: create a process
   object with a target function and call start().  The five children
   run at the same time and race for stdout, so nothing fixes which
   of them prints first.

   Usage:  make lesson-1          build and run this program
           make lesson-1 PY=1     run its Python twin, lesson.py

   Mirrors lesson.py (PyMOTW-3's first multiprocessing example).
*/
#include "mp.h"

static int worker(const mp_value *args)
{
    (void)args;                 /* def worker(): takes no arguments */
    mp_print("Worker");
    return 0;
}
MP_TARGET(worker);

int main(int argc, char **argv)
{
    mp_main(argc, argv);        /* if __name__ == '__main__': */

    mp_process *jobs[5];
    for (int i = 0; i < 5; i++) {
        mp_process *p = mp_process_new(&(mp_process_opts){.target = worker});
        if (p == NULL)
            return mp_excepthook(mp_errcode());
        jobs[i] = p;
        int rc = mp_process_start(p);
        if (rc < 0)
            return mp_excepthook(rc);
    }

    /* Dropping our references does not wait for the children: as in
       Python, the library joins them when the main program ends. */
    for (int i = 0; i < 5; i++)
        mp_process_free(jobs[i]);
    return 0;
}

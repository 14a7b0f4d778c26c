/* lesson.c - Lesson 03: the target lives in another compilation unit.

   A child must be able to find its target.  Python finds it by
   importing the module that defines it; here the target is defined in
   lesson03_worker.c, declared in lesson03_worker.h, and linked into
   the program.  The output is Lesson 01's.

   Usage:  make lesson-3          build and run this program
           make lesson-3 PY=1     run its Python twin, lesson.py

   Mirrors lesson.py and lesson03_worker.py (PyMOTW-3's importable
   target functions).
*/
#include "mp.h"

#include "lesson03_worker.h"    /* import lesson03_worker */

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_process *jobs[5];
    for (int i = 0; i < 5; i++) {
        mp_process *p = mp_process_new(&(mp_process_opts){
            .target = worker,   /* lesson03_worker.worker */
        });
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

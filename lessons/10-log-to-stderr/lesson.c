/* lesson.c - Lesson 10: log_to_stderr() shows what the library does inside.

   With the logger at DEBUG, each process reports on stderr as it starts
   the target, shuts down and exits, each line tagged with the level
   and the process's name.  The worker's own output goes to stdout.

   Usage:  make lesson-10         build and run this program
           make lesson-10 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (PyMOTW-3's log_to_stderr example).
*/
#include <stdio.h>

#include "mp.h"

static int worker(const mp_value *args)
{
    (void)args;
    mp_print("Doing some work");
    fflush(stdout);
    return 0;
}
MP_TARGET(worker);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_log_to_stderr(MP_DEBUG);
    mp_process *p = mp_process_new(&(mp_process_opts){.target = worker});
    if (p == NULL)
        return mp_excepthook(mp_errcode());
    int rc;
    if ((rc = mp_process_start(p)) < 0 ||
        (rc = mp_process_join(p, MP_WAIT_FOREVER)) < 0)
        return mp_excepthook(rc);
    mp_process_free(p);
    return 0;
}

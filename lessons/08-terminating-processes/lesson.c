/* lesson.c - Lesson 08: terminate() a child, and watch its state change.

   terminate() sends SIGTERM and returns at once: the child is still
   "started" and alive until join() (or is_alive(), or the repr) reaps
   it.  After join() the repr shows it stopped, with exitcode -SIGTERM.
   The child never gets to print: it is killed with its first line
   still in its stdout buffer.

   Usage:  make lesson-8          build and run this program
           make lesson-8 PY=1     run its Python twin, lesson.py

   Mirrors lesson.py (PyMOTW-3's terminate example).
*/
#include <stdio.h>
#include <time.h>

#include "mp.h"

static int slow_worker(const mp_value *args)
{
    (void)args;
    mp_print("Starting worker");
    nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);  /* 0.1 s */
    mp_print("Finished worker");
    return 0;
}
MP_TARGET(slow_worker);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    int rc;
    mp_process *p = mp_process_new(&(mp_process_opts){.target = slow_worker});
    if (p == NULL)
        return mp_excepthook(mp_errcode());
    mp_print("BEFORE:", p, mp_process_is_alive(p));

    if ((rc = mp_process_start(p)) < 0)
        return mp_excepthook(rc);
    mp_print("DURING:", p, mp_process_is_alive(p));

    if ((rc = mp_process_terminate(p)) < 0)
        return mp_excepthook(rc);
    mp_print("TERMINATED:", p, mp_process_is_alive(p));

    if ((rc = mp_process_join(p, MP_WAIT_FOREVER)) < 0)
        return mp_excepthook(rc);
    mp_print("JOINED:", p, mp_process_is_alive(p));

    mp_process_free(p);
    return 0;
}

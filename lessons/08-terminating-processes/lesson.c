/* lesson.c - Lesson 08: terminate() a child, and watch its state change.

   The child hangs (it never finishes by itself), so only terminate() ends
   it.  terminate() sends SIGTERM and returns at once, while the child is
   still dying; the lesson waits until the child has died and been reaped
   (mp_process_exitcode() reaps it) before it looks again, so every line is
   certain.  The child never gets to print: it is killed with its first
   line still in its stdout buffer.

   Usage:  make lesson-8          build and run this program
           make lesson-8 PY=1     run its Python twin, lesson.py

   Mirrors lesson.py (PyMOTW-3's terminate example).
*/
#include <stdio.h>
#include <time.h>

#include "mp.h"

static int stuck_worker(const mp_value *args)
{
    (void)args;
    mp_print("Starting worker");
    /* Stands for a worker that hangs: it never returns by itself, so its
       end cannot race with the parent's terminate(). */
    for (;;)
        nanosleep(&(struct timespec){.tv_sec = 1}, NULL);
    return 0;  /* never reached; a target must return an int */
}
MP_TARGET(stuck_worker);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    int rc;
    mp_process *p = mp_process_new(&(mp_process_opts){.target = stuck_worker});
    if (p == NULL)
        return mp_excepthook(mp_errcode());
    mp_print("BEFORE:", p, mp_process_is_alive(p));

    if ((rc = mp_process_start(p)) < 0)
        return mp_excepthook(rc);
    mp_print("DURING:", p, mp_process_is_alive(p));

    if ((rc = mp_process_terminate(p)) < 0)
        return mp_excepthook(rc);
    /* terminate() does not wait for the child to die.  Poll its exitcode,
       every 10 ms for up to 10 s, as the twin does: it stays
       MP_EXITCODE_NONE until the child has died and been reaped, and
       reading it reaps.  (The sentinel alone is not enough: it becomes
       ready while the child is still exiting, before it can be reaped.) */
    for (int tries = 0; tries < 1000 && mp_process_exitcode(p) == MP_EXITCODE_NONE; tries++)
        nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
    mp_print("TERMINATED:", p, mp_process_is_alive(p));

    if ((rc = mp_process_join(p, MP_WAIT_FOREVER)) < 0)
        return mp_excepthook(rc);
    mp_print("JOINED:", p, mp_process_is_alive(p));

    mp_process_free(p);
    return 0;
}

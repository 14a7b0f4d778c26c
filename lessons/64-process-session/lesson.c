/* lesson.c - Lesson 64: the docs' interactive Process session (sleep 1000, terminate, no join), as a program.

   The reference's example of Process's methods, typed at Python's
   prompt: a child that would sleep 1000 seconds is printed with
   is_alive() before start() ("initial"), after it ("started"), and
   after terminate() and a short sleep ("stopped exitcode=-SIGTERM"),
   and its exitcode is -SIGTERM.  There is no join(): is_alive() itself
   looks whether the child has ended, and reaps it if so, so nothing is
   left behind (active_children() is empty).

   Usage:  make lesson-64         build and run this program
           make lesson-64 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (the Process section of the multiprocessing docs).
*/
#include <signal.h>
#include <time.h>

#include "mp.h"

/* time.sleep(seconds), as a registered target: a child started with
   spawn finds it by name, as Python pickles time.sleep by name. */
static int sleep_for(const mp_value *args)
{
    nanosleep(&(struct timespec){.tv_sec = (time_t)mp_as_int(mp_item(args, 0))}, NULL);
    return 0;
}
MP_TARGET(sleep_for);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    int rc;
    mp_process *p = mp_process_new(&(mp_process_opts){.target = sleep_for, .args = mp_tuple_of(1000)});
    if (p == NULL)
        return mp_excepthook(mp_errcode());
    mp_print(p, mp_process_is_alive(p));
    if ((rc = mp_process_start(p)) < 0)
        return mp_excepthook(rc);
    mp_print(p, mp_process_is_alive(p));
    if ((rc = mp_process_terminate(p)) < 0)
        return mp_excepthook(rc);
    nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);   /* time.sleep(0.1) */
    /* The session looks once, 0.1 s after terminate(); a loaded machine
       may take longer to end the child, so look again every 10 ms, up to
       10 s, as the twin does.  is_alive() reaps the child once it has
       ended. */
    for (int tries = 0; tries < 1000 && mp_process_is_alive(p); tries++)
        nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
    mp_print(p, mp_process_is_alive(p));
    mp_print((bool)(mp_process_exitcode(p) == -SIGTERM));
    /* No join anywhere: is_alive() reaped the child, so it is gone from
       active_children(). */
    mp_print("active children:", mp_active_children(NULL, 0));
    mp_process_free(p);
    return 0;
}

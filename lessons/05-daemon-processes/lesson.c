/* lesson.c - Lesson 05: the main program does not wait for a daemon.

   When the main program ends, the library joins its ordinary children
   but terminates its daemonic ones.  The daemon here sleeps 2 seconds,
   the main program ends after about 1, so the daemon never prints its
   "Exiting" line.  Each child prints its pid, which you can look for
   with ps(1) afterwards: the daemon is gone.

   Usage:  make lesson-5          build and run this program
           make lesson-5 PY=1     run its Python twin, lesson.py

   Mirrors lesson.py (PyMOTW-3's daemon example).
*/
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include "mp.h"

static int daemon_fn(const mp_value *args)
{
    (void)args;
    mp_process *p = mp_current_process();
    mp_print("Starting:", mp_process_name(p), mp_process_pid(p));
    fflush(stdout);
    sleep(2);
    mp_print("Exiting :", mp_process_name(p), mp_process_pid(p));
    fflush(stdout);
    return 0;
}
MP_TARGET(daemon_fn);

static int non_daemon(const mp_value *args)
{
    (void)args;
    mp_process *p = mp_current_process();
    mp_print("Starting:", mp_process_name(p), mp_process_pid(p));
    fflush(stdout);
    mp_print("Exiting :", mp_process_name(p), mp_process_pid(p));
    fflush(stdout);
    return 0;
}
MP_TARGET(non_daemon);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    int rc;
    mp_process *d = mp_process_new(&(mp_process_opts){
        .name = "daemon",
        .target = daemon_fn,
    });
    if (d == NULL)
        return mp_excepthook(mp_errcode());
    if ((rc = mp_process_set_daemon(d, true)) < 0)      /* d.daemon = True */
        return mp_excepthook(rc);

    mp_process *n = mp_process_new(&(mp_process_opts){
        .name = "non-daemon",
        .target = non_daemon,
    });
    if (n == NULL)
        return mp_excepthook(mp_errcode());
    if ((rc = mp_process_set_daemon(n, false)) < 0)
        return mp_excepthook(rc);

    if ((rc = mp_process_start(d)) < 0)
        return mp_excepthook(rc);
    sleep(1);
    if ((rc = mp_process_start(n)) < 0)
        return mp_excepthook(rc);

    mp_process_free(d);
    mp_process_free(n);
    return 0;
}

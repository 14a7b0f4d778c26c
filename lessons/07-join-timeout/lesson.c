/* lesson.c - Lesson 07: join() with a timeout returns even if the process has not ended.

   The main program waits at most 1 second for a daemon that sleeps 2,
   so the daemon is still alive when join() returns.  The main program
   then ends, and the daemon is terminated mid-sleep.

   Usage:  make lesson-7          build and run this program
           make lesson-7 PY=1     run its Python twin, lesson.py

   Mirrors lesson.py (PyMOTW-3's join-with-timeout example).
*/
#include <stdbool.h>
#include <unistd.h>

#include "mp.h"

static int daemon_fn(const mp_value *args)
{
    (void)args;
    const char *name = mp_process_name(mp_current_process());
    mp_print("Starting:", name);
    sleep(2);
    mp_print("Exiting :", name);
    return 0;
}
MP_TARGET(daemon_fn);

static int non_daemon(const mp_value *args)
{
    (void)args;
    const char *name = mp_process_name(mp_current_process());
    mp_print("Starting:", name);
    mp_print("Exiting :", name);
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
    if ((rc = mp_process_set_daemon(d, true)) < 0)
        return mp_excepthook(rc);

    mp_process *n = mp_process_new(&(mp_process_opts){
        .name = "non-daemon",
        .target = non_daemon,
    });
    if (n == NULL)
        return mp_excepthook(mp_errcode());
    if ((rc = mp_process_set_daemon(n, false)) < 0)
        return mp_excepthook(rc);

    if ((rc = mp_process_start(d)) < 0 || (rc = mp_process_start(n)) < 0)
        return mp_excepthook(rc);

    /* join() returns 0 whether or not the child ended in time;
       is_alive() says which. */
    if ((rc = mp_process_join(d, MP_TIMEOUT(1.0))) < 0)
        return mp_excepthook(rc);
    mp_print("d.is_alive()", mp_process_is_alive(d));
    if ((rc = mp_process_join(n, MP_WAIT_FOREVER)) < 0)
        return mp_excepthook(rc);

    mp_process_free(d);
    mp_process_free(n);
    return 0;
}

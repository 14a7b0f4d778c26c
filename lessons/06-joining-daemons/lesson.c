/* lesson.c - Lesson 06: join() waits for a process, daemon or not.

   Lesson 05 again, except that the main program now joins both
   children, so the daemon lives to print its "Exiting" line.

   Usage:  make lesson-6          build and run this program
           make lesson-6 PY=1     run its Python twin, lesson.py

   Mirrors lesson.py (PyMOTW-3's waiting-for-processes example).
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

    if ((rc = mp_process_start(d)) < 0)
        return mp_excepthook(rc);
    sleep(1);
    if ((rc = mp_process_start(n)) < 0)
        return mp_excepthook(rc);

    if ((rc = mp_process_join(d, MP_WAIT_FOREVER)) < 0 ||
        (rc = mp_process_join(n, MP_WAIT_FOREVER)) < 0)
        return mp_excepthook(rc);

    mp_process_free(d);
    mp_process_free(n);
    return 0;
}

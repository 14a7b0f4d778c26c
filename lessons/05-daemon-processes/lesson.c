/* lesson.c - Lesson 05: the main program does not wait for a daemon.

   When the main program ends, the library joins its ordinary children
   but terminates its daemonic ones.  The daemon here never finishes by
   itself; the main program waits (on a queue) until it has printed its
   first line, starts an ordinary child, and ends, terminating the daemon.
   Each child prints its pid, which you can look for with ps(1)
   afterwards: the daemon is gone.

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
    mp_queue *started = mp_as_queue(mp_item(args, 0));
    mp_process *p = mp_current_process();
    mp_print("Starting:", mp_process_name(p), mp_process_pid(p));
    fflush(stdout);
    /* Tell the main program that the line is out, so that it starts the
       non-daemon only then: the order of the lines does not depend on
       timing. */
    int rc = mp_queue_put(started, mp_process_name(p));
    if (rc < 0)
        return rc;
    /* Background work with no natural end: it never finishes by itself,
       so it never gets to print an "Exiting" line; only the end of the
       main program ends it. */
    for (;;)
        sleep(1);
    return 0;  /* never reached; a target must return an int */
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
    mp_queue *started = mp_queue_new(0);
    if (started == NULL)
        return mp_excepthook(mp_errcode());
    mp_process *d = mp_process_new(&(mp_process_opts){
        .name = "daemon",
        .target = daemon_fn,
        .args = mp_tuple_of(started),
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
    mp_value *name;         /* wait until the daemon has printed its line */
    if ((rc = mp_queue_get(started, &name)) < 0)
        return mp_excepthook(rc);
    mp_decref(name);
    if ((rc = mp_process_start(n)) < 0)
        return mp_excepthook(rc);

    mp_process_free(d);
    mp_process_free(n);
    mp_queue_free(started);
    return 0;
}

/* lesson.c - Lesson 32: an Event, waited for without and with a timeout.

   Two children wait for one Event.  "block" waits with no timeout, so it
   goes on only once the parent sets the event; "nonblock" waits at most
   2 seconds and then goes on without it.  Each prints the event's state
   when its wait is over.  The parent sets the event once the timed wait
   is over, so the first child sees it set and the second does not.

   Usage:  make lesson-32         build and run this program
           make lesson-32 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (PyMOTW-3's Event example, wait_for_event and
   wait_for_event_timeout).
*/
#include "mp.h"

/* Wait for the event to be set before doing anything. */
static int wait_for_event(const mp_value *args)
{
    mp_event *e = mp_as_event(mp_item(args, 0));
    mp_print("wait_for_event: starting");
    int rc = mp_event_wait(e, MP_WAIT_FOREVER);
    if (rc < 0)
        return rc;
    mp_print("wait_for_event: e.is_set()->", mp_event_is_set(e));
    return 0;
}
MP_TARGET(wait_for_event);

/* Wait t seconds and then timeout.  wait's answer (1 or 0) is not used,
   as in PyMOTW: the state is read with is_set() afterwards. */
static int wait_for_event_timeout(const mp_value *args)
{
    mp_event *e = mp_as_event(mp_item(args, 0));
    double t = mp_as_float(mp_item(args, 1));
    mp_print("wait_for_event_timeout: starting");
    int rc = mp_event_wait(e, MP_TIMEOUT(t));
    if (rc < 0)
        return rc;
    mp_print("wait_for_event_timeout: e.is_set()->", mp_event_is_set(e));
    return 0;
}
MP_TARGET(wait_for_event_timeout);

/* At file scope for valgrind: a forked child never returns into main, and
   its copy of a local pointer to a process made before it would be
   counted as leaked. */
static mp_process *w1, *w2;

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_event *e = mp_event_new();
    if (e == NULL)
        return mp_excepthook(mp_errcode());
    w1 = mp_process_new(&(mp_process_opts){
        .name = "block", .target = wait_for_event, .args = mp_tuple_of(e)});
    w2 = mp_process_new(&(mp_process_opts){
        .name = "nonblock", .target = wait_for_event_timeout, .args = mp_tuple_of(e, 2)});
    int rc = w1 != NULL && w2 != NULL ? 0 : mp_errcode();

    if (rc >= 0)
        rc = mp_process_start(w1);
    if (rc >= 0)
        rc = mp_process_start(w2);

    if (rc >= 0) {
        mp_print("main: waiting before calling Event.set()");
        /* PyMOTW sleeps 3 s here, counting on the 2 s timeout to run out
           first; waiting for w2 to end makes that certain on any machine. */
        rc = mp_process_join(w2, MP_WAIT_FOREVER);
    }
    if (rc >= 0)
        rc = mp_event_set(e);
    if (rc >= 0) {
        mp_print("main: event is set");
        rc = mp_process_join(w1, MP_WAIT_FOREVER);
    }

    mp_process_free(w1);
    mp_process_free(w2);
    mp_event_free(e);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

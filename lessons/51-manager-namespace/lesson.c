/* lesson.c - Lesson 51: a managed Namespace shared by a producer and a consumer, with an Event (PyMOTW).

   The consumer reads ns.value at once: the producer has (most likely)
   not set it yet, so the server answers AttributeError.  Then it waits
   for the event, which the producer sets after ns.value = '...', and
   reads the value the producer left in the server.  The event is a
   plain multiprocessing Event; the Namespace lives in the manager.

   Usage:  make lesson-51         build and run this program
           make lesson-51 PY=1    run its Python twin, lesson.py
*/
#include "mp.h"

/* ns.value = 'This is the value'; event.set() */
static int producer(const mp_value *args)
{
    mp_value *ns = mp_incref(mp_item(args, 0));
    int rc = mp_proxy_setattr(ns, "value", mp_str("This is the value"));
    mp_decref(ns);
    return rc < 0 ? rc : mp_event_set(mp_as_event(mp_item(args, 1)));
}
MP_TARGET(producer);

static int consumer(const mp_value *args)
{
    const mp_value *ns = mp_item(args, 0);
    mp_value *value = NULL;
    int rc = mp_proxy_getattr(ns, "value", &value);
    if (rc == 0)
        mp_print("Before event:", value);
    else if (rc == MP_EATTR)                  /* except Exception as err */
        mp_print("Before event, error:", mp_errmsg());
    else
        return rc;
    mp_decref(value);
    if ((rc = mp_event_wait(mp_as_event(mp_item(args, 1)), MP_WAIT_FOREVER)) < 0 ||
        (rc = mp_proxy_getattr(ns, "value", &value)) < 0)
        return rc;
    mp_print("After event:", value);
    mp_decref(value);
    return 0;
}
MP_TARGET(consumer);

/* At file scope for valgrind: a forked child never returns into main, and
   its copy of a local pointer to a process made before it would be
   counted as leaked. */
static mp_process *p, *c;

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_manager *mgr = mp_context_manager(NULL);
    if (mgr == NULL)
        return mp_excepthook(mp_errcode());
    mp_value *namespace = mp_manager_namespace(mgr);
    mp_event *event = mp_event_new();
    int rc = namespace != NULL && event != NULL ? 0 : mp_errcode();
    if (rc >= 0 &&
        ((p = mp_process_new(&(mp_process_opts){
              .target = producer, .args = mp_tuple_of(mp_incref(namespace), event)})) == NULL ||
         (c = mp_process_new(&(mp_process_opts){
              .target = consumer, .args = mp_tuple_of(mp_incref(namespace), event)})) == NULL))
        rc = mp_errcode();

    if (rc >= 0 && (rc = mp_process_start(c)) >= 0)
        rc = mp_process_start(p);

    if (rc >= 0 && (rc = mp_process_join(c, MP_WAIT_FOREVER)) >= 0)
        rc = mp_process_join(p, MP_WAIT_FOREVER);

    mp_process_free(p);
    mp_process_free(c);
    mp_event_free(event);
    mp_decref(namespace);
    mp_manager_free(mgr);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

/* lesson.c - Lesson 52: a list inside a managed Namespace does not update (PyMOTW).

   ns.my_list asks the server for the attribute and gets a copy of the
   list; the producer appends to that copy, in its own memory, and the
   server's list stays empty.  So the consumer prints [] before and after
   the event.  To change it, the producer must assign the attribute
   again: ns.my_list = its changed copy (see the README).

   Usage:  make lesson-52         build and run this program
           make lesson-52 PY=1    run its Python twin, lesson.py
*/
#include "mp.h"

/* ns.my_list.append('This is the value')  -- DOES NOT UPDATE GLOBAL VALUE! */
static int producer(const mp_value *args)
{
    mp_value *my_list = NULL;
    int rc = mp_proxy_getattr(mp_item(args, 0), "my_list", &my_list);
    if (rc == 0)
        rc = mp_list_append(my_list, mp_str("This is the value"));   /* the copy */
    mp_decref(my_list);
    return rc < 0 ? rc : mp_event_set(mp_as_event(mp_item(args, 1)));
}
MP_TARGET(producer);

static int consumer(const mp_value *args)
{
    const mp_value *ns = mp_item(args, 0);
    mp_value *my_list = NULL;
    int rc = mp_proxy_getattr(ns, "my_list", &my_list);
    if (rc < 0)
        return rc;
    mp_print("Before event:", my_list);
    mp_decref(my_list);
    if ((rc = mp_event_wait(mp_as_event(mp_item(args, 1)), MP_WAIT_FOREVER)) < 0 ||
        (rc = mp_proxy_getattr(ns, "my_list", &my_list)) < 0)
        return rc;
    mp_print("After event :", my_list);
    mp_decref(my_list);
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
    int rc = namespace != NULL ? mp_proxy_setattr(namespace, "my_list", mp_list_new())
                               : mp_errcode();

    mp_event *event = mp_event_new();
    if (rc >= 0 && event == NULL)
        rc = mp_errcode();
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

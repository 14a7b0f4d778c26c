/* lesson.c - Lesson 49: a manager's dict and list, changed by a child, seen by the parent.

   Manager() starts a server process that holds a dict and a list; the
   parent and the child each get proxies for them, and every d[k] = v or
   l.reverse() is a message to that server.  So the child's changes are
   there when the parent prints the objects after join(): printing a
   proxy asks the server for its object's repr.

   Usage:  make lesson-49         build and run this program
           make lesson-49 PY=1    run its Python twin, lesson.py
*/
#include "mp.h"

/* d[1] = '1'; d['2'] = 2; d[0.25] = None; l.reverse() */
static int f(const mp_value *args)
{
    const mp_value *d = mp_item(args, 0), *l = mp_item(args, 1);
    int rc = mp_proxy_call(d, NULL, "__setitem__", 1, "1");
    if (rc >= 0)
        rc = mp_proxy_call(d, NULL, "__setitem__", "2", 2);
    if (rc >= 0)
        rc = mp_proxy_call(d, NULL, "__setitem__", 0.25, mp_none());
    if (rc >= 0)
        rc = mp_proxy_callmethod(l, "reverse", NULL, NULL, NULL);
    return rc;
}
MP_TARGET(f);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_manager *manager = mp_context_manager(NULL);     /* with Manager() as manager: */
    if (manager == NULL)
        return mp_excepthook(mp_errcode());
    mp_value *range = mp_list_new();
    for (int i = 0; i < 10; i++)
        mp_list_append(range, mp_int(i));
    mp_value *d = mp_manager_dict(manager);
    mp_value *l = mp_manager_list(manager, range);
    mp_process *p = NULL;
    int rc = d != NULL && l != NULL ? 0 : mp_errcode();
    if (rc >= 0 && (p = mp_process_new(&(mp_process_opts){.target = f,
                                                           .args = mp_tuple_of(mp_incref(d), mp_incref(l))})) == NULL)
        rc = mp_errcode();
    if (rc >= 0 && (rc = mp_process_start(p)) >= 0)
        rc = mp_process_join(p, MP_WAIT_FOREVER);
    if (rc >= 0) {
        mp_print(d);
        mp_print(l);
    }
    mp_process_free(p);
    mp_decref(d);
    mp_decref(l);
    mp_manager_free(manager);                            /* leaving the with block */
    return rc < 0 ? mp_excepthook(rc) : 0;
}

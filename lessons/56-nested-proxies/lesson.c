/* lesson.c - Lesson 56: proxies inside managed lists: a list in a list, dicts in a list.

   a.append(b) sends the proxy b to the server, which keeps it in a's
   list: a holds a proxy, not a copy of b's list.  So after b.append(
   'hello'), a[0] (a proxy for b's list, sent back) shows ['hello'] too.
   The same with two managed dicts inside a managed list: a change made
   through l_outer[0] or l_outer[1] changes the dicts themselves.

   Usage:  make lesson-56         build and run this program
           make lesson-56 PY=1    run its Python twin, lesson.py
*/
#include "mp.h"

/* The proxy l[i]: a new reference in *out. */
static int item(const mp_value *l, int i, mp_value **out)
{
    return mp_proxy_call(l, out, "__getitem__", i);
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_manager *manager = mp_context_manager(NULL);
    if (manager == NULL)
        return mp_excepthook(mp_errcode());
    mp_value *a = mp_manager_list(manager, mp_list_new());
    mp_value *b = mp_manager_list(manager, mp_list_new());
    mp_value *a0 = NULL, *dicts = NULL, *l_outer = NULL, *d_first_inner = NULL, *second = NULL;
    int rc = a != NULL && b != NULL ? 0 : mp_errcode();
    if (rc >= 0 && (rc = mp_proxy_call(a, NULL, "append", (const mp_value *)b)) >= 0)
        mp_print(a, b);            /* referent of a now contains referent of b */
    if (rc >= 0 && (rc = mp_proxy_call(b, NULL, "append", "hello")) >= 0 &&
        (rc = item(a, 0, &a0)) >= 0)
        mp_print(a0, b);

    /* l_outer = manager.list([manager.dict() for i in range(2)]) */
    if (rc >= 0 && (dicts = mp_list_new()) == NULL)
        rc = mp_errcode();
    for (int i = 0; rc >= 0 && i < 2; i++) {
        mp_value *d = mp_manager_dict(manager);
        rc = d != NULL ? mp_list_append(dicts, d) : mp_errcode();
    }
    /* The list of dict proxies goes, as Python's temporary list does: the
       dicts live on, held by the server's l_outer. */
    if (rc >= 0 && (l_outer = mp_manager_list(manager, dicts)) == NULL)
        rc = mp_errcode();
    dicts = NULL;
    if (rc >= 0 && (rc = item(l_outer, 0, &d_first_inner)) >= 0 &&
        (rc = mp_proxy_call(d_first_inner, NULL, "__setitem__", "a", 1)) >= 0)
        rc = mp_proxy_call(d_first_inner, NULL, "__setitem__", "b", 2);
    /* l_outer[1]['c'] = 3; l_outer[1]['z'] = 26: two fetches of the proxy */
    for (int k = 0; rc >= 0 && k < 2; k++) {
        if ((rc = item(l_outer, 1, &second)) >= 0)
            rc = mp_proxy_call(second, NULL, "__setitem__", k == 0 ? "c" : "z", k == 0 ? 3 : 26);
        mp_decref(second);
        second = NULL;
    }
    for (int i = 0; rc >= 0 && i < 2; i++) {
        mp_value *inner = NULL;
        if ((rc = item(l_outer, i, &inner)) >= 0)
            mp_print(inner);
        mp_decref(inner);
    }

    mp_decref(d_first_inner);
    mp_decref(l_outer);
    mp_decref(dicts);            /* NULL unless it failed before l_outer */
    mp_decref(a0);
    mp_decref(b);
    mp_decref(a);
    mp_manager_free(manager);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

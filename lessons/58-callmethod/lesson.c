/* lesson.c - Lesson 58: _callmethod: __len__, __getitem__ with a slice, and the server's IndexError re-raised.

   Every call on a proxy is proxy._callmethod(name, args, kwds): the
   server runs getattr(obj, name)(*args, **kwds) on its object and sends
   back the result, or the exception the method raised, which the caller
   then raises as its own.  l[20] raises IndexError in the server, so
   the program ends as Python's does, with that exception uncaught.

   Usage:  make lesson-58         build and run this program
           make lesson-58 PY=1    run its Python twin, lesson.py
*/
#include "mp.h"

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_manager *manager = mp_context_manager(NULL);
    if (manager == NULL)
        return mp_excepthook(mp_errcode());
    mp_value *range = mp_list_new();                        /* range(10) */
    for (int i = 0; range && i < 10; i++)
        mp_list_append(range, mp_int(i));
    mp_value *l = mp_manager_list(manager, range);
    mp_value *two = mp_int(2), *seven = mp_int(7), *r = NULL;
    int rc = l != NULL ? 0 : mp_errcode();

    /* l._callmethod('__len__') */
    if (rc >= 0 && (rc = mp_proxy_callmethod(l, "__len__", NULL, NULL, &r)) >= 0)
        mp_print(r);
    mp_decref(r);
    r = NULL;
    /* l._callmethod('__getitem__', (slice(2, 7),))   equivalent to l[2:7] */
    if (rc >= 0 &&
        (rc = mp_proxy_callmethod(l, "__getitem__", mp_tuple_of(mp_slice(two, seven, NULL)),
                                  NULL, &r)) >= 0)
        mp_print(r);
    mp_decref(r);
    r = NULL;
    /* l._callmethod('__getitem__', (20,))            equivalent to l[20] */
    if (rc >= 0 && (rc = mp_proxy_callmethod(l, "__getitem__", mp_tuple_of(20), NULL, &r)) >= 0)
        mp_print(r);
    mp_decref(r);

    mp_decref(seven);
    mp_decref(two);
    mp_decref(l);
    /* As Python: the uncaught exception is printed first, then the
       manager is shut down at exit. */
    int status = rc < 0 ? mp_excepthook(rc) : 0;
    mp_manager_free(manager);
    return status;
}

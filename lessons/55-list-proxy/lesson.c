/* lesson.c - Lesson 55: a list proxy: str is the referent's, repr the proxy's; l[4], l[2:5]; no == by value.

   str(l) asks the server for its list's repr; repr(l) describes the
   proxy itself (its class, its typeid and where it is in this process).
   l[4] and l[2:5] are __getitem__ calls sent to the server, with an int
   and with a slice.  A proxy is not its list, so it is not == to a list
   with the same items; a copy of the referent (_getvalue()) is.

   Usage:  make lesson-55         build and run this program
           make lesson-55 PY=1    run its Python twin, lesson.py
*/
#include "mp.h"

#include <stdlib.h>

/* print(repr(v)) */
static void print_repr(const mp_value *v)
{
    char *r = mp_repr(v);
    mp_print(r ? r : "?");
    free(r);
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_manager *manager = mp_context_manager(NULL);
    if (manager == NULL)
        return mp_excepthook(mp_errcode());
    mp_value *squares = mp_list_new();                  /* [i*i for i in range(10)] */
    for (int i = 0; squares && i < 10; i++)
        mp_list_append(squares, mp_int(i * i));
    mp_value *l = mp_manager_list(manager, squares);
    mp_value *two = mp_int(2), *five = mp_int(5), *slice = mp_slice(two, five, NULL);
    mp_value *item = NULL, *items = NULL, *l2 = NULL, *l3 = NULL, *one_two_three = NULL,
             *copy = NULL;
    int rc = l != NULL && slice != NULL ? 0 : mp_errcode();
    if (rc >= 0) {
        mp_print(l);                                    /* str(l) */
        print_repr(l);                                  /* repr(l) */
    }
    if (rc >= 0 && (rc = mp_proxy_call(l, &item, "__getitem__", 4)) >= 0)
        mp_print(item);                                 /* l[4] */
    if (rc >= 0 && (rc = mp_proxy_call(l, &items, "__getitem__", (const mp_value *)slice)) >= 0)
        mp_print(items);                                /* l[2:5] */

    /* The documentation's note: proxies do not compare by value ... */
    if (rc >= 0 && ((one_two_three = mp_list_of(1, 2, 3)) == NULL ||
                    (l2 = mp_manager_list(manager, mp_incref(one_two_three))) == NULL ||
                    (l3 = mp_manager_list(manager, mp_incref(one_two_three))) == NULL))
        rc = mp_errcode();
    if (rc >= 0)
        mp_print((bool)mp_equal(l2, one_two_three));
    /* ... so compare a copy of the referent instead. */
    if (rc >= 0 && (rc = mp_proxy_getvalue(l3, &copy)) >= 0)
        mp_print((bool)mp_equal(copy, one_two_three));

    mp_decref(copy);
    mp_decref(l3);
    mp_decref(l2);
    mp_decref(one_two_three);
    mp_decref(items);
    mp_decref(item);
    mp_decref(slice);
    mp_decref(five);
    mp_decref(two);
    mp_decref(l);
    mp_manager_free(manager);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

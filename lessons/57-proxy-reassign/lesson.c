/* lesson.c - Lesson 57: a plain dict inside a list proxy: change a copy, then assign it back.

   lproxy[0] gives the client a copy of the dict the server's list holds;
   setting keys in it changes the copy only.  lproxy[0] = d sends the
   changed dict back to the server (a __setitem__ call), and only then
   does the server's list hold it.

   Usage:  make lesson-57         build and run this program
           make lesson-57 PY=1    run its Python twin, lesson.py
*/
#include "mp.h"

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_manager *manager = mp_context_manager(NULL);
    if (manager == NULL)
        return mp_excepthook(mp_errcode());
    /* create a list proxy and append a mutable object (a dictionary) */
    mp_value *lproxy = mp_manager_list(manager, mp_list_new()), *d = NULL;
    int rc = lproxy != NULL ? mp_proxy_call(lproxy, NULL, "append", mp_dict_new()) : mp_errcode();
    /* now mutate the dictionary */
    if (rc >= 0 && (rc = mp_proxy_call(lproxy, &d, "__getitem__", 0)) >= 0 &&
        (rc = mp_dict_set(d, mp_str("a"), mp_int(1))) >= 0)
        rc = mp_dict_set(d, mp_str("b"), mp_int(2));
    /* at this point, the changes to d are not yet synced, but by
       updating the dictionary, the proxy is notified of the change */
    if (rc >= 0) {
        mp_print("before lproxy[0] = d:", lproxy);
        rc = mp_proxy_call(lproxy, NULL, "__setitem__", 0, (const mp_value *)d);
    }
    if (rc >= 0)
        mp_print("after lproxy[0] = d: ", lproxy);
    mp_decref(d);
    mp_decref(lproxy);
    mp_manager_free(manager);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

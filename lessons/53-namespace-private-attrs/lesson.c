/* lesson.c - Lesson 53: the documentation's Namespace session: Global._z stays on the proxy.

   Global.x = 10 and Global.y = 'hello' are messages to the manager's
   server, which sets them on its Namespace; Global._z = 12.3 is not: a
   name starting with '_' is an attribute of the proxy itself, in this
   process.  So printing Global (the server's repr of its Namespace)
   shows x and y and no _z.

   Usage:  make lesson-53         build and run this program
           make lesson-53 PY=1    run its Python twin, lesson.py
*/
#include "mp.h"

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_manager *manager = mp_context_manager(NULL);
    if (manager == NULL)
        return mp_excepthook(mp_errcode());
    mp_value *Global = mp_manager_namespace(manager), *x = NULL, *z = NULL;
    int rc = Global != NULL ? 0 : mp_errcode();
    if (rc >= 0)
        rc = mp_proxy_setattr(Global, "x", mp_int(10));
    if (rc >= 0)
        rc = mp_proxy_setattr(Global, "y", mp_str("hello"));
    if (rc >= 0)
        rc = mp_proxy_setattr(Global, "_z", mp_float(12.3));    /* an attribute of the proxy */
    if (rc >= 0)
        mp_print(Global);

    /* Not in the session: both kinds of attribute read back, one from the
       server, the other from the proxy itself. */
    if (rc >= 0 && (rc = mp_proxy_getattr(Global, "x", &x)) >= 0 &&
        (rc = mp_proxy_getattr(Global, "_z", &z)) >= 0)
        mp_print(x, z);
    mp_decref(x);
    mp_decref(z);
    mp_decref(Global);
    mp_manager_free(manager);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

/* lesson.c - Lesson 13: the documentation's first example, "hello bob".

   Start one process running f('bob') and wait for it.

   Usage:  make lesson-13         build and run this program
           make lesson-13 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (the first example of the multiprocessing docs).
*/
#include "mp.h"

static int f(const mp_value *args)
{
    const mp_value *name = mp_item(args, 0);
    mp_print("hello", name);
    return 0;
}
MP_TARGET(f);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_value *args = mp_tuple_of("bob");
    if (args == NULL)
        return mp_excepthook(mp_errcode());
    mp_process *p = mp_process_new(&(mp_process_opts){.target = f, .args = args});
    if (p == NULL)
        return mp_excepthook(mp_errcode());
    int rc;
    if ((rc = mp_process_start(p)) < 0 ||
        (rc = mp_process_join(p, MP_WAIT_FOREVER)) < 0)
        return mp_excepthook(rc);
    mp_process_free(p);
    return 0;
}

/* lesson.c - Lesson 65: freeze_support() first under the main guard, then set_start_method("spawn").

   The docs' freeze_support() example, with the fix from "Safe importing
   of main module": the main guard, freeze_support() as its first line,
   set_start_method('spawn'), and a child that prints hello world!.
   freeze_support() does nothing here, in C as in CPython on Linux; the
   guard does the work (mp_main, lesson 17).  No join: at exit the library
   joins every child that is not a daemon, as Python does.

   Usage:  make lesson-65         build and run this program
           make lesson-65 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (the multiprocessing docs: freeze_support(), and the
   programming guidelines' "Safe importing of main module").
*/
#include "mp.h"

static int f(const mp_value *args)
{
    (void)args;
    mp_print("hello world!");
    return 0;
}
MP_TARGET(f);

int main(int argc, char **argv)
{
    mp_main(argc, argv);            /* if __name__ == '__main__': */
    mp_freeze_support();

    int rc;
    if ((rc = mp_set_start_method("spawn", false)) < 0)
        return mp_excepthook(rc);
    mp_print("start method:", mp_get_start_method(false));
    mp_process *p = mp_process_new(&(mp_process_opts){.target = f});
    if (p == NULL)
        return mp_excepthook(mp_errcode());
    if ((rc = mp_process_start(p)) < 0)
        return mp_excepthook(rc);
    /* Process(target=f).start() keeps no reference: drop ours.  The
       library keeps its own until it joins the child at exit. */
    mp_process_free(p);
    return 0;
}

/* lesson.c - Lesson 17: without mp_main(), a spawned child tries to start a child of its own.

   WRONG ON PURPOSE.  main() does not call mp_main(), the analog of the
   main guard `if __name__ == '__main__':`.  A child started with spawn
   runs the program again from the top of main(), so it reaches the same
   mp_process_start() call and tries to start a child of its own, which
   would start another, and so on.  The library stops that at once: in a
   child that is still starting up, mp_process_start() fails with
   RuntimeError and CPython's message, the child prints it and exits with
   status 1, and the parent reports exitcode 1.  hello() never runs.

   Usage:  make lesson-17         build and run this program
           make lesson-17 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (the "Safe importing of main module" section of the
   multiprocessing docs' programming guidelines).
*/
#include "mp.h"

static int hello(const mp_value *args)
{
    (void)args;
    mp_print("hello from", mp_process_name(mp_current_process()));
    return 0;
}
MP_TARGET(hello);

int main(void)
{
    /* The missing line: mp_main(argc, argv); */
    mp_context *ctx = mp_get_context("spawn");
    if (ctx == NULL)
        return mp_excepthook(mp_errcode());
    mp_process *p = mp_context_process(ctx, &(mp_process_opts){.target = hello});
    if (p == NULL)
        return mp_excepthook(mp_errcode());
    int rc;
    if ((rc = mp_process_start(p)) < 0 ||
        (rc = mp_process_join(p, MP_WAIT_FOREVER)) < 0) {
        mp_process_free(p);
        return mp_excepthook(rc);
    }
    mp_print("exitcode", mp_process_exitcode(p));
    mp_process_free(p);
    return 0;
}

/* lesson.c - Lesson 16: get_context() gives one program two start methods.

   set_start_method() fixes the start method of the module-level API (the
   default context) once: a second call is RuntimeError.  get_context(method)
   returns a context object with the same API, bound to one method, so a
   program can start processes with another method beside the default.
   Each context's processes have its own class: Process for the default,
   ForkProcess for the fork context.

   Usage:  make lesson-16         build and run this program
           make lesson-16 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (the contexts and start methods section of the
   multiprocessing docs).
*/
#include <stdio.h>

#include "mp.h"

static int foo(const mp_value *args)
{
    (void)args;
    mp_print("   ", mp_process_name(mp_current_process()), "runs in", mp_module_name());
    return 0;
}
MP_TARGET(foo);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    /* get_all_start_methods() gives names; a list prints as Python's does. */
    const char *names[8];
    size_t n = mp_get_all_start_methods(names, 8);
    int rc;
    mp_value *all = mp_list_new();
    if (all == NULL)
        return mp_excepthook(mp_errcode());
    for (size_t i = 0; i < n && i < 8; i++) {
        if ((rc = mp_list_append(all, mp_str(names[i]))) < 0) {
            mp_decref(all);
            return mp_excepthook(rc);
        }
    }
    mp_print("all start methods:", all);
    mp_decref(all);

    if ((rc = mp_set_start_method("spawn", false)) < 0)
        return mp_excepthook(rc);
    if ((rc = mp_set_start_method("fork", false)) < 0)
        printf("set_start_method again: %s: %s\n", mp_errname(rc), mp_errmsg());
    if (mp_get_context("thread") == NULL)
        printf("get_context('thread'): %s: %s\n", mp_errname(mp_errcode()), mp_errmsg());

    mp_context *ctx = mp_get_context("fork");
    if (ctx == NULL)
        return mp_excepthook(mp_errcode());
    mp_print("mp.get_start_method():", mp_get_start_method(false));
    mp_print("ctx.get_start_method():", mp_context_get_start_method(ctx));

    mp_process *procs[2];
    procs[0] = mp_process_new(&(mp_process_opts){.target = foo});
    procs[1] = mp_context_process(ctx, &(mp_process_opts){.target = foo});
    for (int i = 0; i < 2; i++) {
        if (procs[i] == NULL)
            return mp_excepthook(mp_errcode());
        if ((rc = mp_process_start(procs[i])) < 0 ||
            (rc = mp_process_join(procs[i], MP_WAIT_FOREVER)) < 0)
            return mp_excepthook(rc);
        mp_print(procs[i]);
        mp_process_free(procs[i]);
    }
    return 0;
}

/* lesson.c - Lesson 09: how a child ends decides its exitcode.

   exitcode is 0 after a normal return (whatever the target returned),
   the status given to sys.exit(), 1 after an uncaught exception (whose
   traceback the child prints to stderr), and -N after signal N.

   Usage:  make lesson-9          build and run this program
           make lesson-9 PY=1     run its Python twin, lesson.py

   Mirrors lesson.py (PyMOTW-3's exit status example).
*/
#include <stdio.h>
#include <unistd.h>

#include "mp.h"

static int exit_error(const mp_value *args)
{
    (void)args;
    return mp_sys_exit(1);
}
MP_TARGET(exit_error);

static int exit_ok(const mp_value *args)
{
    (void)args;
    return 0;
}
MP_TARGET(exit_ok);

static int return_value(const mp_value *args)
{
    (void)args;
    return 1;           /* not an error: a target's return value is ignored */
}
MP_TARGET(return_value);

static int raises(const mp_value *args)
{
    (void)args;
    return mp_raise("RuntimeError", "There was an error!");
}
MP_TARGET(raises);

static int terminated(const mp_value *args)
{
    (void)args;
    sleep(3);
    return 0;
}
MP_TARGET(terminated);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_target_fn funcs[] = {
        exit_error,
        exit_ok,
        return_value,
        raises,
        terminated,
    };
    enum { NFUNCS = sizeof funcs / sizeof funcs[0] };
    mp_process *jobs[NFUNCS];
    int rc;

    for (int i = 0; i < NFUNCS; i++) {
        const char *name = mp_target_name(funcs[i]);   /* f.__name__ */
        mp_print("Starting process for", name);
        mp_process *j = mp_process_new(&(mp_process_opts){
            .target = funcs[i], .name = name});
        if (j == NULL)
            return mp_excepthook(mp_errcode());
        jobs[i] = j;
        if ((rc = mp_process_start(j)) < 0)
            return mp_excepthook(rc);
    }

    if ((rc = mp_process_terminate(jobs[NFUNCS - 1])) < 0)
        return mp_excepthook(rc);

    for (int i = 0; i < NFUNCS; i++) {
        mp_process *j = jobs[i];
        if ((rc = mp_process_join(j, MP_WAIT_FOREVER)) < 0)
            return mp_excepthook(rc);
        /* '{:>15}.exitcode = {}': joined, so the exitcode is a number. */
        printf("%15s.exitcode = %d\n", mp_process_name(j), mp_process_exitcode(j));
        mp_process_free(j);
    }
    return 0;
}

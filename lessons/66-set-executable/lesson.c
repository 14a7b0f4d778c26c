/* lesson.c - Lesson 66: set_executable() makes spawn run a helper of your own, which runs the real program.

   spawn starts a child by running a program: by default this one again
   (CPython: the Python interpreter, sys.executable).  set_executable()
   names another, here the shell script `helper` in this folder, which
   prints a line, marks the environment and runs the real program with
   the arguments it was given.  The child sees the mark; a fork child,
   a copy of this process that runs no program, does not.

   Usage:  make lesson-66         build and run this program
           make lesson-66 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (the multiprocessing docs: set_executable()).
*/
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mp.h"

static int child(const mp_value *args)
{
    (void)args;
    const char *via = getenv("LESSON66_VIA_HELPER");
    mp_print("child: came through the helper:", (bool)(via != NULL && strcmp(via, "yes") == 0));
    return 0;
}
MP_TARGET(child);

static int run(mp_context *ctx)
{
    mp_process *p = mp_context_process(ctx, &(mp_process_opts){.target = child});
    if (p == NULL)
        return mp_errcode();
    int rc;
    if ((rc = mp_process_start(p)) < 0 || (rc = mp_process_join(p, MP_WAIT_FOREVER)) < 0) {
        mp_process_free(p);
        return rc;
    }
    mp_print(mp_context_get_start_method(ctx), "child exitcode", mp_process_exitcode(p));
    mp_process_free(p);
    return 0;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    /* The helper runs the program named here: for C, this program (the
       lesson runs from its folder, where the helper is). */
    char self[PATH_MAX], helper[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n < 0 || realpath("helper", helper) == NULL)
        return mp_excepthook(mp_raise("OSError", "cannot find this program or ./helper"));
    self[n] = '\0';
    if (setenv("LESSON66_REAL", self, 1) < 0)
        return mp_excepthook(mp_raise("OSError", "setenv failed"));
    int rc;
    if ((rc = mp_set_executable(helper)) < 0)
        return mp_excepthook(rc);

    /* spawn starts a child by running the executable: now the helper. */
    mp_context *spawn = mp_get_context("spawn"), *fork = mp_get_context("fork");
    if (spawn == NULL || fork == NULL)
        return mp_excepthook(mp_errcode());
    if ((rc = run(spawn)) < 0)
        return mp_excepthook(rc);
    /* fork runs nothing: the child is a copy of this process. */
    if ((rc = run(fork)) < 0)
        return mp_excepthook(rc);
    return 0;
}

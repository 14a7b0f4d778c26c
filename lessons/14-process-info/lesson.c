/* lesson.c - Lesson 14: module name, parent pid and pid, in the parent and the child.

   info() runs once in the main program and once in the child.  The
   child's parent process is the main program's process id.  The module
   name is "__main__" in both, because the child is a fork of the main
   program, not a re-run of it.

   Usage:  make lesson-14         build and run this program
           make lesson-14 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (the process-info example of the multiprocessing
   docs).
*/
#include <unistd.h>

#include "mp.h"

static void info(const char *title)
{
    mp_print(title);
    mp_print("module name:", mp_module_name());
    mp_print("parent process:", getppid());
    mp_print("process id:", getpid());
}

static int f(const mp_value *args)
{
    const mp_value *name = mp_item(args, 0);
    info("function f");
    mp_print("hello", name);
    return 0;
}
MP_TARGET(f);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    info("main line");
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

/* lesson.c - Lesson 11: get_logger() to set the level of the library's logger.

   log_to_stderr() with no level adds the stderr handler and leaves the
   level alone; get_logger() then gives the logger itself, here set to
   INFO, so the DEBUG lines of Lesson 10 are gone.

   Usage:  make lesson-11         build and run this program
           make lesson-11 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (PyMOTW-3's get_logger example).
*/
#include <stdio.h>

#include "mp.h"

static int worker(const mp_value *args)
{
    (void)args;
    mp_print("Doing some work");
    fflush(stdout);
    return 0;
}
MP_TARGET(worker);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_log_to_stderr(MP_NOTSET);        /* log_to_stderr(): level=None */
    mp_logger *logger = mp_get_logger();
    mp_logger_set_level(logger, MP_INFO);
    mp_process *p = mp_process_new(&(mp_process_opts){.target = worker});
    if (p == NULL)
        return mp_excepthook(mp_errcode());
    int rc;
    if ((rc = mp_process_start(p)) < 0 ||
        (rc = mp_process_join(p, MP_WAIT_FOREVER)) < 0)
        return mp_excepthook(rc);
    mp_process_free(p);
    return 0;
}

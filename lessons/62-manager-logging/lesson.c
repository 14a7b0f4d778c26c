/* lesson.c - Lesson 62: the docs' logging session with a manager: log_to_stderr, a warning, Manager() and its INFO lines.

   At level INFO, multiprocessing's logger tells what its processes do: the
   manager's server process (SyncManager-1) says it started, where its
   temporary directory and its socket are, and how it ended; the main
   process says it asked the manager to shut down.  The two processes
   write to stderr at the same time, so the order of their lines mixes
   differently from run to run; each process's own lines come in order.

   Usage:  make lesson-62         build and run this program
           make lesson-62 PY=1    run its Python twin, lesson.py
*/
#include "mp.h"

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_logger *logger = mp_log_to_stderr(MP_NOTSET);   /* logger = multiprocessing.log_to_stderr() */
    mp_logger_set_level(logger, MP_INFO);              /* logger.setLevel(logging.INFO) */
    mp_warning("doomed");                              /* logger.warning('doomed') */
    mp_manager *m = mp_context_manager(NULL);          /* m = multiprocessing.Manager() */
    if (m == NULL)
        return mp_excepthook(mp_errcode());
    mp_manager_free(m);                                /* del m */
    return 0;
}

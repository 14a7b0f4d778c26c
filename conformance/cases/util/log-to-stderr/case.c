/* case.c - case util/log-to-stderr: log_to_stderr() with no level, and called twice.

   Mirrors case.py, which says what is pinned.  mp_log(level, ...) is
   logger.log(level, ...) on multiprocessing's logger.

   Run:  bats conformance/cases/util.bats --filter log-to-stderr
*/
#include "mp.h"

static int works(const mp_value *args)
{
    (void)args;
    mp_print("child ran");
    return 0;
}
MP_TARGET(works);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_logger *logger = mp_log_to_stderr(MP_NOTSET);
    mp_print("level after log_to_stderr():", mp_logger_level(logger));
    mp_process *p = mp_process_new(&(mp_process_opts){.target = works});
    if (p == NULL)
        return mp_excepthook(mp_errcode());
    int rc = mp_process_start(p);
    if (rc == 0 && (rc = mp_process_join(p, MP_WAIT_FOREVER)) == 0)
        mp_print("child exitcode:", mp_process_exitcode(p));
    mp_process_free(p);
    if (rc < 0)
        return mp_excepthook(rc);
    mp_warning("a warning, one handler");
    mp_info("an info record, below WARNING");
    mp_log_to_stderr(MP_NOTSET);
    mp_warning("a warning, two handlers");
    mp_error("an error, two handlers");
    return 0;
}

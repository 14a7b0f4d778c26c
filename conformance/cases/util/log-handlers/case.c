/* case.c - case util/log-handlers: handlers of your own on multiprocessing's logger, with a format and a level, instead of log_to_stderr().

   Mirrors case.py, which says what is pinned: a stream handler on stdout
   and a file handler, each with its format, the logger's level and the
   handler's, removeHandler, and what a child's logger has (its parent's
   handlers under fork; under spawn and forkserver only the level).

   Run:  bats conformance/cases/util.bats --filter log-handlers
*/
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mp.h"

static int child(const mp_value *args)
{
    (void)args;
    mp_get_logger();
    mp_info("info from the child");
    mp_warning("warning from the child");
    return 0;
}
MP_TARGET(child);

/* The file's lines, as the twin prints f.read().splitlines(). */
static int print_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return mp_raise("FileNotFoundError", "%s", path);
    mp_value *lines = mp_list_new();
    char line[512];
    int rc = lines ? 0 : mp_errcode();
    while (rc == 0 && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        rc = mp_list_append(lines, mp_str(line));
    }
    fclose(f);
    if (rc == 0)
        mp_print("the file holds:", lines);
    mp_decref(lines);
    return rc;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_logger *logger = mp_get_logger();
    mp_log_handler *handler = mp_log_handler_new(&(mp_log_handler_opts){
        .stream = stdout, .format = "%(levelname)s:%(name)s:%(processName)s: %(message)s"});
    if (handler == NULL)
        return mp_excepthook(mp_errcode());
    mp_logger_add_handler(logger, handler);
    mp_logger_set_level(logger, MP_INFO);
    mp_info("an info line");
    mp_debug("a debug line, below the logger level");
    mp_log_handler_set_level(handler, MP_WARNING);
    mp_info("an info line, below the handler level");
    mp_warning("a warning");

    const char *tmp = getenv("TMPDIR");
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/log-handlers.log", tmp && *tmp ? tmp : "/tmp");
    mp_log_handler *to_file = mp_log_handler_new(&(mp_log_handler_opts){
        .filename = path, .format = "%(levelno)d|%(levelname)s|%(message)s"});
    if (to_file == NULL)
        return mp_excepthook(mp_errcode());
    mp_logger_add_handler(logger, to_file);
    mp_error("an error, to both handlers");
    mp_info("an info line, held back by the first handler only");
    mp_logger_remove_handler(logger, to_file);
    mp_log_handler_free(to_file);
    mp_error("an error, to the first handler only");
    int rc = print_file(path);
    remove(path);
    if (rc < 0)
        return mp_excepthook(rc);

    mp_process *p = mp_process_new(&(mp_process_opts){.target = child});
    if (p == NULL)
        return mp_excepthook(mp_errcode());
    if ((rc = mp_process_start(p)) < 0 || (rc = mp_process_join(p, MP_WAIT_FOREVER)) < 0)
        return mp_excepthook(rc);
    mp_print("exitcode", mp_process_exitcode(p));
    mp_process_free(p);
    return 0;
}

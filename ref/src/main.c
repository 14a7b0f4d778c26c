/* main.c - a program's life: the main guard, target registry, a child's bootstrap, shutdown at exit. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

/* ---- targets ------------------------------------------------------------ */

static mp_target_entry *targets;

void mp__target_register(mp_target_entry *e)
{
    for (mp_target_entry *t = targets; t; t = t->next) {
        if (strcmp(t->name, e->name) == 0 && t->fn != e->fn) {
            /* Runs before main(): there is no caller to return an error to,
             * and a child could otherwise run the wrong function. */
            fprintf(stderr, "mp: two different targets are registered as '%s'\n", e->name);
            abort();
        }
    }
    e->next = targets;
    targets = e;
}

mp_target_fn mp__target_find(const char *name)
{
    for (mp_target_entry *t = targets; t; t = t->next)
        if (strcmp(t->name, name) == 0)
            return t->fn;
    return NULL;
}

const char *mp_target_name(mp_target_fn fn)
{
    for (mp_target_entry *t = targets; t; t = t->next)
        if (t->fn == fn)
            return t->name;
    return NULL;
}

/* ---- the main guard ----------------------------------------------------- */

static bool atexit_done;
static bool exiting;
static const char *module_name = "__main__";

static void at_exit(void)
{
    mp__exit_function();
}

void mp__ensure_atexit(void)
{
    if (!atexit_done) {
        atexit_done = true;
        atexit(at_exit);
    }
}

void mp_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    mp_current_process();
    mp__ensure_atexit();
}

const char *mp_module_name(void)
{
    return module_name;
}

/* ---- shutdown ----------------------------------------------------------- */

/* util._exit_function: the same messages, in the same order, as CPython. */
void mp__exit_function(void)
{
    if (exiting)
        return;
    exiting = true;
    mp_info("process shutting down");
    mp_debug("running all \"atexit\" finalizers with priority >= 0");

    size_t n = mp_active_children(NULL, 0);
    mp_process **kids = n ? malloc(n * sizeof *kids) : NULL;
    n = kids ? mp_active_children(kids, n) : 0;
    for (size_t i = 0; i < n; i++) {
        if (mp_process_daemon(kids[i])) {
            mp_info("calling terminate() for daemon %s", mp_process_name(kids[i]));
            mp__popen_send_signal(kids[i], SIGTERM);
        }
    }
    free(kids);
    /* active_children() again: the terminated ones may have been reaped. */
    n = mp_active_children(NULL, 0);
    kids = n ? malloc(n * sizeof *kids) : NULL;
    n = kids ? mp_active_children(kids, n) : 0;
    for (size_t i = 0; i < n; i++)
        kids[i]->refs++;        /* join drops the set's reference */
    for (size_t i = 0; i < n; i++) {
        mp_info("calling join() for process %s", mp_process_name(kids[i]));
        mp_process_join(kids[i], MP_WAIT_FOREVER);
        mp_process_free(kids[i]);
    }
    free(kids);
    mp_debug("running the remaining \"atexit\" finalizers");
}

/* ---- a child's bootstrap ------------------------------------------------ */

/* BaseProcess._bootstrap: become the current process, run, shut down, and
 * report an uncaught error the way Python reports an uncaught exception. */
int mp__process_bootstrap(mp_process *p, const char *parent_name, pid_t parent_pid,
                          int parent_sentinel)
{
    int exitcode;
    mp__exc saved;

    mp__process_after_fork_child(p, parent_name, parent_pid, parent_sentinel);
    exiting = false;
    /* A child must not compete with its parent for the terminal's input
     * (util._close_stdin).  At the descriptor level, so as not to touch
     * stdio's state: what the child does not write is not copied. */
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull >= 0) {
        dup2(devnull, STDIN_FILENO);
        close(devnull);
    }
    mp_info("child process calling self.run()");
    int rc = mp_process_run(p);
    if (rc < 0)
        mp__exc_save(&saved);
    mp__exit_function();
    if (rc < 0)
        mp__exc_restore(&saved);
    if (rc >= 0) {
        exitcode = 0;
    } else if (rc == MP_ESYSTEMEXIT) {
        exitcode = mp__exit_status();
    } else {
        fprintf(stderr, "Process %s:\n", mp_process_name(p));
        exitcode = mp_excepthook(rc);
    }
    mp_info("process exiting with exitcode %d", exitcode);
    mp__flush_std_streams();
    return exitcode;
}

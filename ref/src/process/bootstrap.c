/* bootstrap.c - a child's life once it exists: become the process, run it, shut down, report (BaseProcess._bootstrap). */
#include "process.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/*
 * Everything a child the library starts resets of what it inherited, in
 * one place.  Under fork the child holds a copy of all of the parent's
 * state; under spawn and forkserver most of it is fresh already, and the
 * same resets are harmless.
 *   - right around fork() itself (popen_fork.c, and pthread_atfork in
 *     connection_lane.c): the locks of the hook lists and of the Pipe ends'
 *     list are made anew, so no lock is left held by a thread that does not
 *     exist in the child; each Pipe end this process holds is counted once
 *     more, for the child's copy;
 *   - here, as the child begins: the process floor (current process,
 *     parent, children set, name counter), the util floor (the exiting
 *     flag), a SIGINT the parent had pending, then the after-fork hooks
 *     (the queues' buffers and feeders);
 *   - never reset, because they carry the pid of the process that made
 *     them and act only there: finalizers, the temp directory, a
 *     Listener's socket file, the fork server.
 */
static void become_child(mp_process *p, const char *parent_name, pid_t parent_pid,
                         int parent_sentinel)
{
    mp__process_after_fork_child(p, parent_name, parent_pid, parent_sentinel);
    mp__util_after_fork_child();
    mp__interrupt_reset();
    /* As CPython's _bootstrap: the after-fork hooks run once the child is
     * its own process (so their log lines carry its name).  In a child
     * that re-ran the program there are none. */
    mp__run_after_fork();
}

/* BaseProcess._bootstrap: become the current process, run, shut down, and
 * report an uncaught error the way Python reports an uncaught exception. */
int mp__process_bootstrap(mp_process *p, const char *parent_name, pid_t parent_pid,
                          int parent_sentinel)
{
    int exitcode;
    mp__exc saved;

    become_child(p, parent_name, parent_pid, parent_sentinel);
    if (MP__TRACING) {
        mp__buf b;
        mp__trace_begin(&b, "proc.begin");
        mp__trace_quoted(&b, "parent", parent_name, strlen(parent_name));
        mp__buf_printf(&b, " ppid=%ld", (long)parent_pid);
        mp__trace_end(&b);
    }
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
        /* _bootstrap catches KeyboardInterrupt like any other exception: a
         * child that had one ends with exit code 1, not by SIGINT. */
        if (rc == MP_EINTERRUPT) {
            mp__interrupt_exit_by_signal(false);
            exitcode = 1;
        }
    }
    mp_info("process exiting with exitcode %d", exitcode);
    if (MP__TRACING) {
        mp__buf b;
        mp__trace_begin(&b, "proc.end");
        mp__buf_printf(&b, " code=%d", exitcode);
        mp__trace_end(&b);
    }
    mp__flush_std_streams();
    return exitcode;
}

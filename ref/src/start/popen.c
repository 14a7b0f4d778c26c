/* popen.c - Process.start(), which hands the process to its context's back end, and the waitpid poll that fork and spawn share. */
#include "start.h"

#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>

/*
 * start() lives on this floor, not beside the rest of Process, for the
 * reason CPython's BaseProcess.start() calls self._Popen: the back end
 * depends on the context, and the contexts know the back ends, which know
 * the process.  process.c keeps everything that needs no back end.
 */
int mp_process_start(mp_process *p)
{
    int rc = mp__process_check_startable(p, p->ctx && mp__context_threads(p->ctx));
    if (rc < 0)
        return rc;
    const mp__popen_ops *ops = mp__context_ops(p);
    rc = ops->launch(p);
    if (rc < 0)
        return rc;
    p->popen = ops;
    mp__children_add(p);
    if (MP__TRACING) {
        char extra[48];
        snprintf(extra, sizeof extra, " method=%s", ops->method);
        mp__trace_child("proc.start", p, extra);
    }
    return 0;
}

int mp__popen_waitpid_poll(mp_process *p, bool block)
{
    if (p->exitcode != MP_EXITCODE_NONE || p->pid <= 0)
        return p->exitcode;
    int status;
    pid_t r;
    do
        r = waitpid(p->pid, &status, block ? 0 : WNOHANG);
    while (r < 0 && errno == EINTR);
    /* ECHILD (someone else reaped it) reads as "not yet", as in CPython. */
    if (r == p->pid) {
        if (WIFSIGNALED(status))
            p->exitcode = -WTERMSIG(status);
        else if (WIFEXITED(status))
            p->exitcode = WEXITSTATUS(status);
    }
    return p->exitcode;
}

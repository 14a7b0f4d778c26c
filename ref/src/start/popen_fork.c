/* popen_fork.c - the fork start method: the child is a copy of the parent (popen_fork.py). */
#include "start.h"

#include <fcntl.h>
#include <stdio_ext.h>
#include <unistd.h>

/* Python's os.pipe() makes descriptors that a later exec does not inherit. */
static int cloexec_pipe(int fds[2])
{
    return pipe2(fds, O_CLOEXEC) < 0 ? mp__fail_errno("pipe") : 0;
}

static int launch(mp_process *p)
{
    int to_parent[2], to_child[2];      /* the two sentinels, one each way */
    int rc;

    /* Anything still buffered would otherwise be written by both processes. */
    mp__flush_std_streams();
    if ((rc = cloexec_pipe(to_parent)) < 0)
        return rc;
    if ((rc = cloexec_pipe(to_child)) < 0) {
        close(to_parent[0]);
        close(to_parent[1]);
        return rc;
    }
    mp__hooks_before_fork();
    pid_t pid = fork();
    if (pid != 0)
        mp__hooks_after_fork_parent();
    if (pid < 0) {
        rc = mp__fail_errno("fork");
        close(to_parent[0]); close(to_parent[1]);
        close(to_child[0]); close(to_child[1]);
        return rc;
    }
    if (pid == 0) {
        /* What the std streams hold now was buffered by another thread of
         * the parent after the flush above (the main thread printing while
         * a pool's worker handler forks a worker): the parent writes it;
         * the child's copy is dropped, or it would be written twice. */
        __fpurge(stdout);
        __fpurge(stderr);
        /* The child keeps the write end of to_parent open until it dies,
         * which is what makes the parent's sentinel readable at its end. */
        close(to_parent[0]);
        close(to_child[1]);
        mp__hooks_after_fork_child();
        _exit(mp__process_bootstrap(p, mp_process_name(mp_current_process()),
                                    p->parent_pid, to_child[0]));
    }
    close(to_parent[1]);
    close(to_child[0]);
    p->pid = pid;
    p->sentinel = to_parent[0];
    p->parent_w = to_child[1];
    return 0;
}

const mp__popen_ops mp__popen_fork_ops = {"fork", launch, mp__popen_waitpid_poll, true, false, NULL};

/* popen_fork.c - the fork start method: launch a child, poll, wait and signal it (popen_fork.py). */
#include "../internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int mp__wait_readable(int fd, double timeout)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        int ms = -1;
        if (timeout >= 0) {
            clock_gettime(CLOCK_MONOTONIC, &now);
            double left = timeout - ((double)(now.tv_sec - start.tv_sec)
                                     + (double)(now.tv_nsec - start.tv_nsec) / 1e9);
            /* Round up so a short wait does not become a busy zero-wait loop. */
            ms = left <= 0 ? 0 : (int)(left * 1000.0 + 0.999);
        }
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int n = poll(&pfd, 1, ms);
        if (n > 0)
            return 1;
        if (n == 0)
            return 0;
        if (errno != EINTR)
            return mp__fail_errno("poll");
    }
}

/* Python's os.pipe() makes descriptors that a later exec does not inherit. */
static int cloexec_pipe(int fds[2])
{
    return pipe2(fds, O_CLOEXEC) < 0 ? mp__fail_errno("pipe") : 0;
}

void mp__flush_std_streams(void)
{
    fflush(stdout);
    fflush(stderr);
}

int mp__popen_fork_launch(mp_process *p)
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
    pid_t pid = fork();
    if (pid < 0) {
        rc = mp__fail_errno("fork");
        close(to_parent[0]); close(to_parent[1]);
        close(to_child[0]); close(to_child[1]);
        return rc;
    }
    if (pid == 0) {
        /* The child keeps the write end of to_parent open until it dies,
         * which is what makes the parent's sentinel readable at its end. */
        close(to_parent[0]);
        close(to_child[1]);
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

int mp__popen_poll(mp_process *p, bool block)
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

int mp__popen_wait(mp_process *p, double timeout)
{
    if (p->exitcode != MP_EXITCODE_NONE)
        return p->exitcode;
    if (timeout >= 0 && p->sentinel >= 0) {
        int r = mp__wait_readable(p->sentinel, timeout);
        if (r <= 0)
            return MP_EXITCODE_NONE;
    }
    return mp__popen_poll(p, timeout != 0.0);
}

int mp__popen_send_signal(mp_process *p, int sig)
{
    if (p->exitcode != MP_EXITCODE_NONE)
        return 0;
    if (kill(p->pid, sig) == 0 || errno == ESRCH)
        return 0;
    /* A failure for a child that has just ended is not an error. */
    if (mp__popen_wait(p, 0.1) == MP_EXITCODE_NONE)
        return mp__fail_errno("kill");
    return 0;
}

/* popen_spawn.c - the spawn start method: the child is a fresh run of the program (popen_spawn_posix.py). */
#include "start.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/*
 * Run the program again with extra arguments.  The child gets stdin,
 * stdout, stderr and the `keep` descriptors, keep[i] as descriptor 3 + i,
 * and nothing else: CPython's spawn closes every descriptor it does not
 * pass, and so do we, including ones the program opened without
 * O_CLOEXEC.  The keep descriptors are first copied above the targets so
 * that moving one into place cannot overwrite another.
 */
int mp__spawn_program(const char *const *extra, size_t nextra, const int *keep, size_t nkeep,
                      pid_t *pid)
{
    posix_spawn_file_actions_t fa;
    const char *argv[8];
    int high[8];
    size_t n = 0, nhigh = 0;
    int rc = 0;

    if (nextra > 6 || nkeep > 8)
        return mp__fail(MP_EVALUE, "too many arguments");
    for (; nhigh < nkeep; nhigh++) {
        if ((high[nhigh] = fcntl(keep[nhigh], F_DUPFD_CLOEXEC, 3 + (int)nkeep)) < 0) {
            rc = mp__fail_errno("fcntl");
            for (size_t i = 0; i < nhigh; i++)
                close(high[i]);
            return rc;
        }
    }
    argv[n++] = mp__argv0();
    for (size_t i = 0; i < nextra; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    if ((rc = posix_spawn_file_actions_init(&fa)) != 0) {
        for (size_t i = 0; i < nhigh; i++)
            close(high[i]);
        return mp__fail(MP_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < nkeep && rc == 0; i++)
        rc = posix_spawn_file_actions_adddup2(&fa, high[i], 3 + (int)i);
    if (rc == 0)
        rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3 + (int)nkeep);
    if (rc == 0)
        rc = posix_spawn(pid, mp__executable(), &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    for (size_t i = 0; i < nhigh; i++)
        close(high[i]);
    if (rc != 0) {
        errno = rc;
        return mp__fail_errno(mp__executable());
    }
    return 0;
}

static int launch(mp_process *p)
{
    int data[2], sent[2], rc;
    uint8_t *buf;
    size_t len, early;
    mp__fdlist fds = {0};
    char pipe_arg[32], sent_arg[32];
    pid_t pid;

    mp__flush_std_streams();
    if ((rc = mp__check_not_importing_main()) < 0)
        return rc;
    if ((rc = mp__spawn_encode(p, "spawn", &buf, &len, &fds)) < 0)
        return rc;
    /* The description goes over a socket, so that a child that dies before
     * reading it is BrokenPipeError here rather than SIGPIPE. */
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, data) < 0) {
        free(buf);
        mp__fdlist_release(&fds);
        return mp__fail_errno("socketpair");
    }
    if (pipe2(sent, O_CLOEXEC) < 0) {
        rc = mp__fail_errno("pipe");
        goto out_data;
    }
    /* The child's numbers for them (see mp__spawn_program). */
    snprintf(pipe_arg, sizeof pipe_arg, "pipe_handle=%d", 3);
    snprintf(sent_arg, sizeof sent_arg, "sentinel=%d", 4);
    const char *extra[] = {"--multiprocessing-fork", pipe_arg, sent_arg};
    const int keep[] = {data[1], sent[1]};
    /*
     * What fits in the socket goes before the child exists, descriptors
     * first: a child that dies at once (no main guard) then finds its
     * description complete, as CPython's child always does since the
     * parent writes long before a Python child gets to read.  The rest of
     * a large description follows once the child runs; a broken pipe then
     * only means that the child has already ended, which its exit code
     * will tell.
     */
    rc = mp__send_fds(data[0], buf, len, fds.fds, fds.n, true, &early);
    mp__fdlist_release(&fds);
    if (rc < 0) { close(sent[0]); close(sent[1]); goto out_data; }
    rc = mp__spawn_program(extra, 3, keep, 2, &pid);
    close(sent[1]);
    close(data[1]);
    if (rc < 0) {
        close(sent[0]);
        close(data[0]);
        free(buf);
        return rc;
    }
    rc = mp__spawn_send_rest(data[0], buf, len, early);
    free(buf);
    if (rc < 0) {
        /* The child is gone or going (EOF on its stream ends it): reap it,
         * so that a failed start leaves nothing behind. */
        close(data[0]);
        close(sent[0]);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
        return rc;
    }
    p->pid = pid;
    p->sentinel = sent[0];
    /* Our end stays open: the child's parent_process() sentinel. */
    p->parent_w = data[0];
    return 0;
out_data:
    close(data[0]);
    close(data[1]);
    free(buf);
    mp__fdlist_release(&fds);
    return rc;
}

const mp__popen_ops mp__popen_spawn_ops = {"spawn", launch, mp__popen_waitpid_poll, true, false, NULL};

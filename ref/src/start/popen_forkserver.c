/* popen_forkserver.c - the forkserver start method: children forked by the server on request (popen_forkserver.py). */
#include "start.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>


static int64_t read_signed(int fd, int *rc)
{
    uint8_t b[8];
    if ((*rc = mp__read_exact(fd, b, 8, true)) < 0)
        return 0;
    return (int64_t)mp__get_be64(b);
}

static int launch(mp_process *p)
{
    int data[2], status[2], rc;
    uint8_t *buf;
    size_t len, sent;
    mp__fdlist fds = {0};

    mp__flush_std_streams();
    if ((rc = mp__check_not_importing_main()) < 0)
        return rc;
    if ((rc = mp__spawn_encode(p, "forkserver", &buf, &len, &fds)) < 0)
        return rc;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, data) < 0) {
        free(buf);
        mp__fdlist_release(&fds);
        return mp__fail_errno("socketpair");
    }
    if (pipe2(status, O_CLOEXEC) < 0) {
        rc = mp__fail_errno("pipe");
        close(data[0]);
        close(data[1]);
        free(buf);
        mp__fdlist_release(&fds);
        return rc;
    }
    rc = mp__forkserver_connect(data[1], status[1]);
    close(data[1]);
    close(status[1]);
    /* The descriptors ride on the description straight to the child,
     * which the server is forking now. */
    if (rc == 0)
        rc = mp__send_fds(data[0], buf, len, fds.fds, fds.n, false, &sent);
    mp__fdlist_release(&fds);
    free(buf);
    int64_t pid = rc == 0 ? read_signed(status[0], &rc) : 0;
    if (rc == 0 && pid <= 0)
        rc = mp__fail(MP_EOS, "the forkserver could not fork");
    if (rc < 0) {
        close(data[0]);
        close(status[0]);
        return rc;
    }
    p->pid = (pid_t)pid;
    /* The status pipe turns readable when the server reports the exit code. */
    p->sentinel = status[0];
    p->parent_w = data[0];
    return 0;
}

/* The child is the server's, not ours: its exit code comes from the server. */
static int poll_status(mp_process *p, bool block)
{
    if (p->exitcode != MP_EXITCODE_NONE)
        return p->exitcode;
    if (mp__wait_readable(p->sentinel, block ? &mp__forever : &mp__now) != 1)
        return MP_EXITCODE_NONE;
    int rc;
    int64_t code = read_signed(p->sentinel, &rc);
    /* As CPython: if the server itself died, the code is unknowable: 255. */
    p->exitcode = rc < 0 ? 255 : (int)code;
    return p->exitcode;
}

const mp__popen_ops mp__popen_forkserver_ops = {"forkserver", launch, poll_status};

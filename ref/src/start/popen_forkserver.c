/* popen_forkserver.c - the forkserver start method: children forked by the server on request (popen_forkserver.py). */
#include "start.h"

#include <errno.h>
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

/* The exit code the server wrote, read without taking it (MSG_PEEK): it
 * stays in the socket, so the sentinel stays readable (see launch).
 * False at EOF before 8 bytes, or on an error: the server died. */
static bool peek_signed(int fd, int64_t *v)
{
    uint8_t b[8];
    ssize_t r;
    do
        r = recv(fd, b, 8, MSG_PEEK | MSG_WAITALL);
    while (r < 0 && errno == EINTR);
    if (r != 8)
        return false;
    *v = (int64_t)mp__get_be64(b);
    return true;
}

static int launch(mp_process *p)
{
    int data[2], status[2], rc;
    uint8_t *buf;
    size_t len, early;
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
    /*
     * The status channel, whose read end is the sentinel, is a socket and
     * not a pipe (CPython's) so that the exit code can be left in it.  The
     * sentinel must be readable once join() has seen the child end: with
     * a pipe it turns readable when the code arrives, but once we have
     * read the code it is readable again only at EOF, when the server
     * gets to close its end after writing (or when a process forked
     * meanwhile by another thread, holding a copy, ends).  Left unread,
     * the code keeps the sentinel readable for good.
     */
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, status) < 0) {
        rc = mp__fail_errno("socketpair");
        close(data[0]);
        close(data[1]);
        free(buf);
        mp__fdlist_release(&fds);
        return rc;
    }
    /*
     * The description goes straight to the child, the descriptors riding
     * on it.  As under spawn (popen_spawn.c), what fits in the socket goes
     * before the child exists: a child that fails before it reads its
     * description (a program without its main guard, lesson 17) then
     * finds it complete, and a start() that was still writing does not
     * fail with BrokenPipeError because the child was quick to die.  The
     * rest of a large description follows once the server has forked the
     * child; a broken pipe then only means that the child has already
     * ended, which its exit code will tell.
     */
    rc = mp__send_fds(data[0], buf, len, fds.fds, fds.n, true, &early);
    mp__fdlist_release(&fds);
    if (rc == 0)
        rc = mp__forkserver_connect(data[1], status[1]);
    close(data[1]);
    close(status[1]);
    if (rc == 0)
        rc = mp__spawn_send_rest(data[0], buf, len, early);
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
    /* The status socket turns readable when the server reports the exit
     * code, and stays so (poll_status only peeks at it). */
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
    int64_t code;
    /* As CPython: if the server itself died, the code is unknowable: 255. */
    p->exitcode = peek_signed(p->sentinel, &code) ? (int)code : 255;
    return p->exitcode;
}

const mp__popen_ops mp__popen_forkserver_ops = {"forkserver", launch, poll_status, false, false, NULL};

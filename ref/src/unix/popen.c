/* popen.c - what every start method's back end shares: waiting, polling, signalling, whole reads and writes. */
#include "../internal.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <string.h>
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

void mp__flush_std_streams(void)
{
    fflush(stdout);
    fflush(stderr);
}

int mp__write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        /* send() with MSG_NOSIGNAL on sockets: a child that died early is
         * BrokenPipeError here, not a SIGPIPE that kills the parent. */
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == ENOTSOCK)
            w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return mp__fail_errno("write");
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int mp__read_exact(int fd, void *buf, size_t n)
{
    char *p = buf;
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return mp__fail_errno("read");
        if (r == 0)
            return got ? mp__fail(MP_EOS, "got end of file during message")
                       : mp__fail(MP_EEOF, "%s", "");
        got += (size_t)r;
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

int mp__popen_poll(mp_process *p, bool block)
{
    const mp__popen_ops *ops = p->popen;
    if (!ops || p->exitcode != MP_EXITCODE_NONE)
        return p->exitcode;
    return ops->poll(p, block);
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

/* ---- descriptions with descriptors ---------------------------------------- */

int mp__send_description(int sock, const uint8_t *buf, size_t len, const mp__fdlist *fds,
                         bool partial, size_t *sent)
{
    size_t done = 0;
    int flags = MSG_NOSIGNAL | (partial ? MSG_DONTWAIT : 0);
    union { struct cmsghdr h; char b[CMSG_SPACE(256 * sizeof(int))]; } u;
    *sent = 0;
    if (fds && fds->n > 256)
        return mp__fail(MP_EVALUE, "too many descriptors to pass to one child");
    while (done < len) {
        struct iovec iov = {(void *)(buf + done), len - done};
        struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
        /* The descriptors go with the first byte, so the child finds them
         * when it reads the header. */
        if (done == 0 && fds && fds->n) {
            memset(&u, 0, sizeof u);
            m.msg_control = u.b;
            m.msg_controllen = CMSG_SPACE(fds->n * sizeof(int));
            struct cmsghdr *c = CMSG_FIRSTHDR(&m);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_RIGHTS;
            c->cmsg_len = CMSG_LEN(fds->n * sizeof(int));
            memcpy(CMSG_DATA(c), fds->fds, fds->n * sizeof(int));
        }
        ssize_t w = sendmsg(sock, &m, flags);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            /* A fresh socket always takes the first bytes, so the
             * descriptors are on their way before we stop. */
            if (partial && (errno == EAGAIN || errno == EWOULDBLOCK) && done > 0)
                break;
            return mp__fail_errno("sendmsg");
        }
        done += (size_t)w;
    }
    *sent = done;
    return 0;
}

int mp__recv_description_header(int sock, uint8_t hdr[4], mp__fdlist *fds)
{
    size_t got = 0;
    union { struct cmsghdr h; char b[CMSG_SPACE(256 * sizeof(int))]; } u;
    while (got < 4) {
        struct iovec iov = {hdr + got, 4 - got};
        struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b,
                           .msg_controllen = sizeof u.b};
        ssize_t r = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return mp__fail_errno("recvmsg");
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
            if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                continue;
            size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            int *in = (int *)CMSG_DATA(c);
            for (size_t i = 0; i < k; i++) {
                int *nf = realloc(fds->fds, (fds->n + 1) * sizeof *nf);
                if (!nf) {
                    close(in[i]);
                    continue;
                }
                fds->fds = nf;
                fds->fds[fds->n++] = in[i];
                fds->cap = fds->n;
            }
        }
        if (r == 0)
            return got ? mp__fail(MP_EOS, "got end of file during message") : mp__fail(MP_EEOF, "%s", "");
        got += (size_t)r;
    }
    return 0;
}

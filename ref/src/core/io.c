/* io.c - whole reads and writes on a descriptor, waiting for one to be readable, and descriptors passed over a Unix socket. */
#include "core.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- random bytes ------------------------------------------------------------ */

bool mp__random_bytes(void *buf, size_t n)
{
    uint8_t *b = buf;
    size_t got = 0;
    while (got < n) {
        ssize_t r = getrandom(b + got, n - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return false;
        got += (size_t)r;
    }
    return true;
}

/* ---- time ------------------------------------------------------------------ */

double mp__monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const mp__deadline mp__forever = {.kind = MP__NEVER}, mp__now = {.kind = MP__NOW};

int mp__deadline_set(mp__deadline *d, mp_timeout t)
{
    if (!t.given) {
        d->kind = MP__NEVER;
        return 0;
    }
    if (isnan(t.seconds)) {
        d->kind = MP__NOW;
        return mp__fail(MP_EVALUE, "cannot convert float NaN to integer");
    }
    if (t.seconds <= 0) {
        d->kind = MP__NOW;
        return 0;
    }
    /* Far enough in the future to mean "never" without overflowing time_t. */
    double s = t.seconds > 1e9 ? 1e9 : t.seconds, whole = floor(s);
    clock_gettime(CLOCK_MONOTONIC, &d->at);
    d->at.tv_sec += (time_t)whole;
    d->at.tv_nsec += (long)((s - whole) * 1e9);
    if (d->at.tv_nsec >= 1000000000L) {
        d->at.tv_sec++;
        d->at.tv_nsec -= 1000000000L;
    }
    d->kind = MP__AT;
    return 0;
}

int mp__deadline_ms(const mp__deadline *d)
{
    if (d->kind == MP__NEVER)
        return -1;
    if (d->kind == MP__NOW)
        return 0;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double left = (double)(d->at.tv_sec - now.tv_sec) + (double)(d->at.tv_nsec - now.tv_nsec) / 1e9;
    /* Round up, so that a short wait does not become a busy zero-wait loop;
     * poll() takes an int. */
    return left <= 0 ? 0 : left >= 2e6 ? 2000000000 : (int)(left * 1000.0 + 0.999);
}

struct timespec mp__deadline_slice(const mp__deadline *d, long ns, bool *last)
{
    struct timespec end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    end.tv_sec += ns / 1000000000L;
    end.tv_nsec += ns % 1000000000L;
    if (end.tv_nsec >= 1000000000L) {
        end.tv_sec++;
        end.tv_nsec -= 1000000000L;
    }
    bool at = d->kind == MP__NOW ||
              (d->kind == MP__AT && (d->at.tv_sec < end.tv_sec ||
                                     (d->at.tv_sec == end.tv_sec && d->at.tv_nsec <= end.tv_nsec)));
    if (last)
        *last = at;
    return at && d->kind == MP__AT ? d->at : end;
}

/* ---- waiting --------------------------------------------------------------- */

int mp__wait_readable(int fd, const mp__deadline *d)
{
    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int ms = mp__deadline_ms(d), rc;
        if (ms != 0 && (rc = mp__interrupted()) < 0)
            return rc;
        int n = poll(&pfd, 1, ms);
        if (n > 0)
            return 1;
        if (n == 0)
            return 0;
        if (errno != EINTR)
            return mp__fail_errno("poll");
    }
}

/* ---- writing ------------------------------------------------------------- */

/*
 * A write to a pipe whose reader has gone raises SIGPIPE, which would kill
 * a C program (Python ignores the signal and sees BrokenPipeError).  For
 * pipes the signal is blocked in this thread around the write, and one
 * that the write raised is taken back before unblocking, so the caller
 * sees EPIPE.  Sockets need none of it: send() has MSG_NOSIGNAL.
 */
static ssize_t writev_some(int fd, bool *is_socket, struct iovec *iov, int iovcnt)
{
    if (*is_socket) {
        struct msghdr m = {.msg_iov = iov, .msg_iovlen = (size_t)iovcnt};
        ssize_t w = sendmsg(fd, &m, MSG_NOSIGNAL);
        if (w >= 0 || errno != ENOTSOCK)
            return w;
        *is_socket = false;
    }
    sigset_t pipe_set, old;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    ssize_t w = writev(fd, iov, iovcnt);
    if (w < 0 && errno == EPIPE && !sigismember(&old, SIGPIPE)) {
        int saved = errno;
        struct timespec zero = {0, 0};
        while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
            ;
        errno = saved;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return w;
}

int mp__writev_all(int fd, bool *is_socket, struct iovec *iov, int iovcnt, size_t *sent)
{
    if (sent)
        *sent = 0;
    while (iovcnt > 0) {
        ssize_t w = writev_some(fd, is_socket, iov, iovcnt);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return mp__fail_errno("write");
        }
        size_t done = (size_t)w;
        if (sent)
            *sent += done;
        while (iovcnt > 0 && done >= iov->iov_len) {
            done -= iov->iov_len;
            iov++;
            iovcnt--;
        }
        if (iovcnt > 0) {
            iov->iov_base = (char *)iov->iov_base + done;
            iov->iov_len -= done;
        }
    }
    return 0;
}

int mp__write_all(int fd, const void *buf, size_t n)
{
    bool is_socket = true;
    struct iovec iov = {(void *)buf, n};
    return mp__writev_all(fd, &is_socket, &iov, 1, NULL);
}

/* ---- reading ------------------------------------------------------------- */

int mp__read_exact(int fd, void *buf, size_t n, bool message_start)
{
    char *p = buf;
    size_t got = 0;
    while (got < n) {
        /* KeyboardInterrupt only between messages: inside one it would
         * leave the rest of the message for the next reader. */
        int rc;
        if (message_start && got == 0 && (rc = mp__interrupted()) < 0)
            return rc;
        ssize_t r = read(fd, p + got, n - got);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return mp__fail_errno("read");
        }
        if (r == 0)
            return message_start && got == 0 ? mp__fail(MP_EEOF, "%s", "")
                                             : mp__fail(MP_EOS, "got end of file during message");
        got += (size_t)r;
    }
    return 0;
}

/* ---- descriptors over a Unix socket (SCM_RIGHTS) -------------------------- */

/* The kernel passes at most SCM_MAX_FD (253) descriptors in one message. */
#define MAX_FDS 253

int mp__send_fds(int sock, const void *buf, size_t len, const int *fds, size_t nfds,
                 bool partial, size_t *sent)
{
    const uint8_t *b = buf;
    size_t done = 0;
    int flags = MSG_NOSIGNAL | (partial ? MSG_DONTWAIT : 0);
    union { struct cmsghdr h; char b[CMSG_SPACE(MAX_FDS * sizeof(int))]; } u;
    *sent = 0;
    if (nfds > MAX_FDS)
        return mp__fail(MP_EVALUE, "too many descriptors to pass to one child");
    while (done < len) {
        struct iovec iov = {(void *)(b + done), len - done};
        struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
        /* The descriptors go with the first byte, so the reader finds
         * them when it reads its first bytes. */
        if (done == 0 && nfds) {
            memset(&u, 0, sizeof u);
            m.msg_control = u.b;
            m.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
            struct cmsghdr *c = CMSG_FIRSTHDR(&m);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_RIGHTS;
            c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
            memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
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

int mp__recv_fds(int sock, void *buf, size_t n, mp__fdlist *fds)
{
    uint8_t *b = buf;
    size_t got = 0;
    union { struct cmsghdr h; char b[CMSG_SPACE(MAX_FDS * sizeof(int))]; } u;
    while (got < n) {
        struct iovec iov = {b + got, n - got};
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

void mp__fdlist_close(mp__fdlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->fds[i] >= 0)
            close(l->fds[i]);
    free(l->fds);
    *l = (mp__fdlist){0};
}

void mp__fdlist_release(mp__fdlist *l)
{
    free(l->fds);
    *l = (mp__fdlist){0};
}

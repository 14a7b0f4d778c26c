/* queue_channel.c - the channel under a Queue: a one-way socketpair, written a batch of messages at a time, read through a read-ahead all readers share. */
#include "queues.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SNDBUF 212992

int mp__queue_channel(mp_connection **reader, mp_connection **writer)
{
    int fds[2];
    *reader = *writer = NULL;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
        return mp__fail_errno("socketpair");
    /* Shut at the socket, not only in the connection objects: a forked or
     * spawned process holding either end cannot use it the wrong way. */
    shutdown(fds[0], SHUT_WR);
    shutdown(fds[1], SHUT_RD);
    /* The writer's buffer is what a writer can leave unread.  Pinned at
     * Linux's usual default (the kernel doubles the number given), never
     * above it, as CPython's pipe is always 64 KiB: a system tuned for
     * larger socket buffers must not let a 1 MB item fit (lesson 28). */
    int sndbuf = SNDBUF / 2;
    setsockopt(fds[1], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    if (!(*reader = mp_connection_new(fds[0], true, false)))
        close(fds[0]);
    if (!(*writer = mp_connection_new(fds[1], false, true)))
        close(fds[1]);
    if (*reader && *writer)
        return 0;
    if (*reader)
        mp_connection_free(*reader);
    if (*writer)
        mp_connection_free(*writer);
    *reader = *writer = NULL;
    return MP_ENOMEM;
}

/* ---- writing ------------------------------------------------------------- */

void mp__qbatch_add(mp__qbatch *b, const uint8_t *buf, size_t len)
{
    uint8_t *h = b->hdr[b->n];
    size_t hlen = mp__frame_header(h, len);
    b->iov[2 * b->n] = (struct iovec){h, hlen};
    b->iov[2 * b->n + 1] = (struct iovec){(void *)buf, len};
    b->bytes += hlen + len;
    b->end[b->n++] = b->bytes;
}

int mp__qchannel_send(mp_connection *writer, mp__sem *wlock, mp__qbatch *b, size_t *done)
{
    int rc = mp_connection_fileno(writer);
    *done = 0;
    if (rc < 0 || (rc = mp__sem_acquire(wlock, &mp__forever)) < 0)
        return rc;
    rc = mp__conn_writev(writer, b->iov, (int)(2 * b->n), done);
    mp__sem_release(wlock);
    return rc;
}

/* ---- reading ------------------------------------------------------------- */

/*
 * Why a read-ahead.  Reading a message exactly, as a Connection does, costs
 * two system calls (its header, then its body), and on a socket each
 * costs more than all the rest of a small message's work.  Reading past
 * the message is safe only if what is read beyond it stays where the
 * next reader, in whatever process, finds it: so those bytes wait in the
 * block every process sharing the queue maps, and only a holder of rlock
 * touches them.  A message larger than half the buffer is read straight
 * into its own memory, exactly the bytes it still lacks.
 */

static void consume(mp__qahead *a, size_t n)
{
    a->start += (uint32_t)n;
    __atomic_sub_fetch(&a->avail, (uint32_t)n, __ATOMIC_RELEASE);
}

/* With rlock held: at least want bytes waiting in a (want fits in it).
 * EOF before a message's first byte is EOFError; inside one, OSError, as
 * Connection._recv says. */
static int fill(int fd, mp__qahead *a, size_t want, bool message_start)
{
    while (a->end - a->start < want) {
        if (sizeof a->buf - a->start < want) {
            memmove(a->buf, a->buf + a->start, a->end - a->start);
            a->end -= a->start;
            a->start = 0;
        }
        ssize_t r = read(fd, a->buf + a->end, sizeof a->buf - a->end);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return mp__fail_errno("read");
        if (r == 0)
            return message_start && a->start == a->end ? mp__fail(MP_EEOF, "%s", "")
                                                       : mp__fail(MP_EOS, "got end of file during message");
        a->end += (uint32_t)r;
        __atomic_add_fetch(&a->avail, (uint32_t)r, __ATOMIC_RELEASE);
    }
    return 0;
}

/* The next header's message length, the header consumed. */
static int read_header(int fd, mp__qahead *a, uint64_t *len)
{
    int rc = fill(fd, a, 4, true);
    if (rc < 0)
        return rc;
    bool big = mp__frame_is_big(a->buf + a->start);
    if (big && (rc = fill(fd, a, 12, false)) < 0)
        return rc;
    *len = mp__frame_length(a->buf + a->start);
    consume(a, big ? 12 : 4);
    /* Only this library writes the channel; a bad length would mean a
     * stream out of step, which nothing can put right. */
    return *len > SIZE_MAX / 2 ? mp__fail(MP_EOS, "bad message length") : 0;
}

int mp__qchannel_recv(mp_connection *reader, mp__qahead *a, mp__spare *spare, uint8_t *small,
                      size_t smallcap, uint8_t **buf, size_t *n)
{
    int fd = mp_connection_fileno(reader), rc = fd;
    uint64_t len = 0;
    *buf = NULL;
    if (fd < 0 || (rc = read_header(fd, a, &len)) < 0)
        return rc;
    uint8_t *dst = len <= smallcap ? small : mp__spare_take(spare, len);
    if (!dst)
        dst = malloc(len);
    if (!dst)
        return mp__fail(MP_ENOMEM, "out of memory");
    size_t here = a->end - a->start;
    if (len <= sizeof a->buf / 2)
        here = (rc = fill(fd, a, len, false)) < 0 ? 0 : len;
    else if (here > len)
        here = len;
    if (rc >= 0) {
        memcpy(dst, a->buf + a->start, here);
        consume(a, here);
        rc = mp__read_exact(fd, dst + here, len - here, false);   /* the rest, straight */
    }
    if (rc < 0) {
        if (dst != small)
            mp__spare_give(spare, dst);
        return rc;
    }
    *buf = dst;
    *n = len;
    return 0;
}

/* Without rlock (empty() and a timed get's first look): avail alone, one
 * atomic count, so the answer is never a torn view of start and end.  It
 * is as approximate as CPython's poll() of the pipe: another reader may
 * take the bytes next. */
int mp__qchannel_poll(mp_connection *reader, const mp__qahead *a, const mp__deadline *d)
{
    int rc = mp_connection_fileno(reader);
    if (rc >= 0 && __atomic_load_n(&a->avail, __ATOMIC_ACQUIRE) > 0)
        return 1;
    return rc < 0 ? rc : mp__conn_poll(reader, d);
}

/* connection_records.c - a duplex Pipe's messages as SOCK_SEQPACKET records: cut on sending, put together on reading. */
#include "connection.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

/*
 * Records.  Pipe's duplex ends are a SOCK_SEQPACKET socketpair (which
 * carries their messages once fileno() is out: connection_lane.c): the bytes
 * on it are CPython's framing, as on any connection, but cut into records
 * of at most RECORD_MAX bytes, and a record never holds bytes of two
 * messages.  A reader can then take a whole record per system call without
 * ever reading past its message: a small message costs one call where a
 * stream costs two (its header, then its body), and whatever follows stays
 * in the socket for the next reader, in this process or another, as on a
 * stream read exactly.  Only our writer cuts records this way; a record
 * longer than the reader's room (someone else writing raw to the socket)
 * is an OSError rather than bytes silently dropped.
 */
#define RECORD_MAX (256 * 1024)
#define ONE_RECORD (64 * 1024)

/* Half the socket's send buffer, at most RECORD_MAX: so that two records
 * are in flight and one always fits. */
static size_t record_size(const mp_connection *c)
{
    int sndbuf = 0;
    socklen_t sl = sizeof sndbuf;
    if (getsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &sl) < 0 || sndbuf < 2048)
        return 1024;
    return (size_t)sndbuf / 2 < RECORD_MAX ? (size_t)sndbuf / 2 : RECORD_MAX;
}

/* A message of at most ONE_RECORD bytes with its header goes in one
 * record.  A larger one sends its header alone, so that the reader can
 * take each record of the body straight into the message's memory, then
 * the body in records of record_size(): a record goes in and out of the
 * kernel in one piece, which is where a seqpacket socket outruns a
 * stream (see mp_pipe in connection.c).  A socket whose buffer someone made smaller than
 * a record refuses it whole (EMSGSIZE): the records are then cut to fit,
 * and the one refused is sent again. */
int mp__rec_send(mp_connection *c, const uint8_t *hdr, size_t hlen, const uint8_t *buf, size_t n)
{
    bool alone = hlen + n > ONE_RECORD, first = true, cut = false;
    size_t rec = alone ? record_size(c) : ONE_RECORD, off = 0;
    while (first || off < n) {
        size_t room = first ? (alone ? 0 : rec - hlen) : rec, k = n - off < room ? n - off : room;
        struct iovec iov[2] = {{(void *)hdr, hlen}, {(void *)(buf + off), k}};
        struct msghdr m = {.msg_iov = first ? iov : iov + 1, .msg_iovlen = first ? 2 : 1};
        /* A record goes whole or not at all, so there is no partial write
         * to resume; EINTR means nothing went. */
        ssize_t w = sendmsg(c->fd, &m, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno == EMSGSIZE && !cut) {
            cut = alone = true;
            rec = record_size(c);
            continue;
        }
        if (w < 0)
            return mp__fail_errno("write");
        off += k;
        first = false;
    }
    return 0;
}

/* One record into p; 0 at EOF. */
static ssize_t recv_record(mp_connection *c, void *p, size_t room)
{
    for (;;) {
        struct iovec iov = {p, room};
        struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
        ssize_t r = recvmsg(c->fd, &m, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return mp__fail_errno("read");
        if (m.msg_flags & MSG_TRUNC)
            return mp__fail(MP_EOS, "a record longer than %zu bytes: not written by a Connection", room);
        return r;
    }
}

/* The next message's header from records, into h: 4 bytes, or 12 after
 * the -1 marker.  The header's record usually holds the message's first
 * bytes too: they wait in the stage.  Bytes a failed read left of an
 * earlier message are dropped (a stream would read them as this header,
 * no better). */
int mp__rec_header(mp_connection *c, uint8_t *h)
{
    if (!c->stage && !(c->stage = malloc(RECORD_MAX)))
        return mp__fail(MP_ENOMEM, "out of memory");
    if (c->left > 0)
        c->pos = c->end = 0;
    if (c->pos > 0) {
        memmove(c->stage, c->stage + c->pos, c->end - c->pos);
        c->end -= c->pos;
        c->pos = 0;
    }
    c->left = 0;
    size_t need = 4;
    while (c->end < need) {
        ssize_t r = recv_record(c, c->stage + c->end, RECORD_MAX - c->end);
        if (r <= 0)
            return r < 0 ? (int)r : c->end == 0 ? mp__fail(MP_EEOF, "%s", "")
                                               : mp__fail(MP_EOS, "got end of file during message");
        c->end += (uint32_t)r;
        if (c->end >= 4 && mp__frame_is_big(c->stage))
            need = 12;
    }
    memcpy(h, c->stage, need);
    c->pos = (uint32_t)need;
    return 0;
}

/* The header said n bytes: what the stage lacks of them is in the socket.
 * Bytes of the record beyond the message (a writer that broke the rule)
 * stay in the stage as the next message's. */
void mp__rec_begin(mp_connection *c, uint64_t n)
{
    uint64_t here = c->end - c->pos;
    c->left = here < n ? n - here : 0;
}

/* n bytes of the current message: from the stage, then record by record,
 * straight into buf when a whole record fits there, else through the
 * stage. */
int mp__rec_read(mp_connection *c, uint8_t *buf, size_t n)
{
    size_t take = c->end - c->pos < n ? c->end - c->pos : n;
    memcpy(buf, c->stage + c->pos, take);
    c->pos += (uint32_t)take;
    buf += take;
    n -= take;
    while (n > 0) {
        size_t chunk = c->left < RECORD_MAX ? (size_t)c->left : RECORD_MAX;
        if (chunk == 0)
            return mp__fail(MP_EOS, "got end of file during message");
        uint8_t *to = n >= chunk ? buf : c->stage;
        ssize_t r = recv_record(c, to, chunk);
        if (r <= 0)
            return r < 0 ? (int)r : mp__fail(MP_EOS, "got end of file during message");
        c->left -= (uint64_t)r;
        if (to == c->stage) {
            c->pos = 0;
            c->end = (uint32_t)r;
            take = (size_t)r < n ? (size_t)r : n;
            memcpy(buf, c->stage, take);
            c->pos = (uint32_t)take;
        } else {
            take = (size_t)r;
        }
        buf += take;
        n -= take;
    }
    return 0;
}

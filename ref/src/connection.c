/* connection.c - Connection and Pipe: framed messages over a pipe or socket, as multiprocessing.connection frames them. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

struct mp_connection {
    mp__object ob;
    int fd;                     /* -1 once closed */
    bool readable, writable;
    bool is_socket;             /* send() with MSG_NOSIGNAL works on it */
    bool records;               /* a SOCK_SEQPACKET socket (Pipe's duplex ends): see "Records" */
    uint8_t *stage;             /* records: a record read before its bytes' place is known */
    uint32_t pos, end;          /* records: stage[pos, end) is read and not yet taken */
    uint64_t left;              /* records: bytes of the current message still in the socket */
};

/* CPython's framing: a 4-byte big-endian signed length; a message of 2 GiB
 * or more is the length -1 followed by an 8-byte unsigned length. */
#define BIG_MARKER (-1)
#define SMALL_MAX 0x7fffffffu

/* ---- checks, with CPython's words ---------------------------------------- */

static int check_closed(const mp_connection *c)
{
    return c->fd < 0 ? mp__fail(MP_ECLOSED, "handle is closed") : 0;
}

static int check_readable(const mp_connection *c)
{
    int rc = check_closed(c);
    if (rc == 0 && !c->readable)
        rc = mp__fail(MP_EOS, "connection is write-only");
    return rc;
}

static int check_writable(const mp_connection *c)
{
    int rc = check_closed(c);
    if (rc == 0 && !c->writable)
        rc = mp__fail(MP_EOS, "connection is read-only");
    return rc;
}

/* ---- records ------------------------------------------------------------- */

/*
 * Records.  Pipe's duplex ends are a SOCK_SEQPACKET socketpair: the bytes
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
 * stream (see mp_pipe).  A socket whose buffer someone made smaller than
 * a record refuses it whole (EMSGSIZE): the records are then cut to fit,
 * and the one refused is sent again. */
static int send_records(mp_connection *c, const uint8_t *hdr, size_t hlen, const uint8_t *buf,
                        size_t n)
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
static int rec_header(mp_connection *c, uint8_t *h)
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
        if (c->end >= 4 && memcmp(c->stage, "\xff\xff\xff\xff", 4) == 0)
            need = 12;
    }
    memcpy(h, c->stage, need);
    c->pos = (uint32_t)need;
    return 0;
}

/* The header said n bytes: what the stage lacks of them is in the socket.
 * Bytes of the record beyond the message (a writer that broke the rule)
 * stay in the stage as the next message's. */
static void rec_begin(mp_connection *c, uint64_t n)
{
    uint64_t here = c->end - c->pos;
    c->left = here < n ? n - here : 0;
}

/* n bytes of the current message: from the stage, then record by record,
 * straight into buf when a whole record fits there, else through the
 * stage. */
static int rec_read(mp_connection *c, uint8_t *buf, size_t n)
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

/* ---- writing --------------------------------------------------------------- */

/*
 * A write to a pipe whose reader has gone raises SIGPIPE, which would kill
 * a C program (Python ignores the signal and sees BrokenPipeError).  For
 * pipes the signal is blocked in this thread around the write, and one
 * that the write raised is taken back before unblocking, so the caller
 * sees EPIPE.  Sockets need none of it: send() has MSG_NOSIGNAL.
 */
static ssize_t write_some(mp_connection *c, struct iovec *iov, int iovcnt)
{
    if (c->is_socket) {
        struct msghdr m = {.msg_iov = iov, .msg_iovlen = (size_t)iovcnt};
        ssize_t w = sendmsg(c->fd, &m, MSG_NOSIGNAL);
        if (w >= 0 || errno != ENOTSOCK)
            return w;
        c->is_socket = false;
    }
    sigset_t pipe_set, old;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    ssize_t w = writev(c->fd, iov, iovcnt);
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

int mp__conn_writev(mp_connection *c, struct iovec *iov, int iovcnt, size_t *sent)
{
    if (sent)
        *sent = 0;
    while (iovcnt > 0) {
        ssize_t w = write_some(c, iov, iovcnt);
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

/* The header and the payload go out in one writev, so a small message is
 * one system call (CPython joins them for messages up to 16 KiB). */
int mp__conn_send(mp_connection *c, const void *buf, size_t n)
{
    int rc = check_writable(c);
    if (rc < 0)
        return rc;
    uint8_t hdr[12];
    size_t hlen = mp__frame_header(hdr, n);
    if (c->records)
        return send_records(c, hdr, hlen, buf, n);
    struct iovec iov[2] = {{hdr, hlen}, {(void *)buf, n}};
    return mp__conn_writev(c, iov, n ? 2 : 1, NULL);
}

size_t mp__frame_header(uint8_t hdr[12], uint64_t n)
{
    if (n <= SMALL_MAX) {
        for (int i = 0; i < 4; i++)
            hdr[i] = (uint8_t)(n >> (24 - 8 * i));
        return 4;
    }
    memset(hdr, 0xff, 4);
    for (int i = 0; i < 8; i++)
        hdr[4 + i] = (uint8_t)(n >> (56 - 8 * i));
    return 12;
}

/* ---- reading ------------------------------------------------------------- */

int mp__read_full(int fd, void *buf, size_t n, bool message_start)
{
    char *p = buf;
    size_t got = 0;
    while (got < n) {
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

/* _bad_message_length: a connection that can still write stays open for
 * writing only; one that cannot is closed. */
static int bad_length(mp_connection *c)
{
    if (c->writable)
        c->readable = false;
    else
        mp_connection_close(c);
    return mp__fail(MP_EOS, "bad message length");
}

/* Read one header; *n is the message size. */
static int read_header(mp_connection *c, uint64_t *n)
{
    uint8_t h[12];
    int rc = c->records ? rec_header(c, h) : mp__read_full(c->fd, h, 4, true);
    if (rc < 0)
        return rc;
    int32_t small = (int32_t)((uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3]);
    if (small != BIG_MARKER) {
        /* CPython would read a negative length as a huge one and fail;
         * here it is simply a bad length. */
        if (small < 0)
            return bad_length(c);
        *n = (uint64_t)small;
    } else {
        if (!c->records && (rc = mp__read_full(c->fd, h + 4, 8, false)) < 0)
            return rc;
        *n = 0;
        for (int i = 4; i < 12; i++)
            *n = *n << 8 | h[i];
    }
    if (c->records)
        rec_begin(c, *n);
    return 0;
}

/* The bytes of the message whose header was read. */
static int read_body_bytes(mp_connection *c, void *buf, size_t n)
{
    return c->records ? rec_read(c, buf, n) : mp__read_full(c->fd, buf, n, false);
}

/* The next message's size, checked against maxlength. */
static int recv_size(mp_connection *c, ptrdiff_t maxlength, size_t *want)
{
    int rc = check_readable(c);
    if (rc < 0)
        return rc;
    uint64_t size = 0;
    if ((rc = read_header(c, &size)) < 0)
        return rc;
    if ((maxlength != MP_ALL && size > (uint64_t)maxlength) || size > SIZE_MAX / 2)
        return bad_length(c);
    *want = (size_t)size;
    return 0;
}

/* Up to this size a message is read into memory reserved at once; past
 * it, the length comes from the peer and is not trusted (below). */
#define TRUSTED_SIZE (1u << 20)

/* The body of a message of want bytes into a malloc'd buffer.  Memory is
 * reserved as the data arrives, in steps, so that a lying header cannot
 * make us reserve gigabytes for a message that never comes. */
static int read_body(mp_connection *c, size_t want, uint8_t **buf)
{
    int rc;
    size_t cap = want < TRUSTED_SIZE ? want : TRUSTED_SIZE, got = 0;
    uint8_t *b = malloc(cap ? cap : 1);
    if (!b)
        return mp__fail(MP_ENOMEM, "out of memory");
    while (got < want) {
        if (got == cap) {
            size_t ncap = cap * 2 < want ? cap * 2 : want;
            uint8_t *nb = realloc(b, ncap);
            if (!nb) {
                free(b);
                return mp__fail(MP_ENOMEM, "out of memory");
            }
            b = nb;
            cap = ncap;
        }
        if ((rc = read_body_bytes(c, b + got, cap - got)) < 0) {
            free(b);
            return rc;
        }
        got = cap;
    }
    *buf = b;
    return 0;
}

int mp__conn_recv(mp_connection *c, ptrdiff_t maxlength, uint8_t **buf, size_t *n)
{
    int rc = recv_size(c, maxlength, n);
    return rc < 0 ? rc : read_body(c, *n, buf);
}

/* ---- the public methods -------------------------------------------------- */

int mp_connection_send_bytes(mp_connection *c, const void *buf, size_t len, ptrdiff_t offset,
                             ptrdiff_t size)
{
    int rc = check_writable(c);
    if (rc < 0)
        return rc;
    if (offset < 0)
        return mp__fail(MP_EVALUE, "offset is negative");
    if (len < (size_t)offset)
        return mp__fail(MP_EVALUE, "buffer length < offset");
    if (size == MP_ALL)
        size = (ptrdiff_t)(len - (size_t)offset);
    else if (size < 0)
        return mp__fail(MP_EVALUE, "size is negative");
    else if ((size_t)offset + (size_t)size > len)
        return mp__fail(MP_EVALUE, "buffer length < offset + size");
    return mp__conn_send(c, (const uint8_t *)buf + offset, (size_t)size);
}

int mp_connection_recv_bytes(mp_connection *c, ptrdiff_t maxlength, mp_value **out)
{
    int rc = check_readable(c);
    if (rc < 0)
        return rc;
    if (maxlength != MP_ALL && maxlength < 0)
        return mp__fail(MP_EVALUE, "negative maxlength");
    uint8_t *b;
    size_t n;
    /* A message of trusted size goes straight into the bytes value, with
     * no buffer to copy it out of. */
    if ((rc = recv_size(c, maxlength, &n)) < 0)
        return rc;
    if (n <= TRUSTED_SIZE) {
        mp_value *v = mp__bytes_uninit(n, &b);
        if (!v)
            return MP_ENOMEM;
        if ((rc = read_body_bytes(c, b, n)) < 0) {
            mp_decref(v);
            return rc;
        }
        *out = v;
        return 0;
    }
    if ((rc = read_body(c, n, &b)) < 0)
        return rc;
    *out = mp_bytes(b, n);
    free(b);
    return *out ? 0 : MP_ENOMEM;
}

int mp_connection_recv_bytes_into(mp_connection *c, void *buf, size_t len, ptrdiff_t offset,
                                  size_t *nread, mp_value **whole)
{
    int rc = check_readable(c);
    if (rc < 0)
        return rc;
    if (offset < 0)
        return mp__fail(MP_EVALUE, "negative offset");
    if ((size_t)offset > len)
        return mp__fail(MP_EVALUE, "offset too large");
    uint8_t *b;
    size_t n;
    if ((rc = mp__conn_recv(c, MP_ALL, &b, &n)) < 0)
        return rc;
    if (len - (size_t)offset < n) {
        /* BufferTooShort carries the whole message: it has been read and
         * would otherwise be lost. */
        mp_value *msg = mp_bytes(b, n);
        free(b);
        char *r = msg ? mp_repr(msg) : NULL;
        rc = mp__fail(MP_EBUFFERTOOSHORT, "%s", r ? r : "");
        free(r);
        if (whole)
            *whole = msg;
        else
            mp_decref(msg);
        return rc;
    }
    memcpy((uint8_t *)buf + offset, b, n);
    free(b);
    if (nread)
        *nread = n;
    return 0;
}

int mp_connection_send(mp_connection *c, const mp_value *obj)
{
    int rc = check_writable(c);
    if (rc < 0)
        return rc;
    uint8_t *pk;
    size_t n;
    /* Pickle first: a value that cannot be pickled sends nothing. */
    if ((rc = mp_pickle_dumps(obj, NULL, &pk, &n)) < 0)
        return rc;
    rc = mp__conn_send(c, pk, n);
    free(pk);
    return rc;
}

int mp_connection_recv(mp_connection *c, mp_value **out)
{
    uint8_t *b;
    size_t n;
    int rc = mp__conn_recv(c, MP_ALL, &b, &n);
    if (rc < 0)
        return rc;
    rc = mp_pickle_loads(b, n, NULL, out);
    free(b);
    return rc;
}

int mp_connection_poll(mp_connection *c, double timeout)
{
    int rc = check_readable(c);
    if (rc < 0)
        return rc;
    if (c->records && c->left == 0 && c->pos < c->end)
        return 1;               /* the start of a message is in the stage */
    return mp__wait_readable(c->fd, timeout < 0 ? -1.0 : timeout);
}

int mp_connection_fileno(const mp_connection *c)
{
    int rc = check_closed(c);
    return rc < 0 ? rc : c->fd;
}

int mp_connection_close(mp_connection *c)
{
    /* Forget the number before closing it: once closed, another thread may
     * get the same number for something else, and a fork in between must
     * not give the child a connection that would close that. */
    int fd = c->fd;
    if (fd >= 0) {
        c->fd = -1;
        close(fd);
    }
    return 0;
}

bool mp_connection_closed(const mp_connection *c)
{
    return c->fd < 0;
}

bool mp_connection_readable(const mp_connection *c)
{
    return c->readable;
}

bool mp_connection_writable(const mp_connection *c)
{
    return c->writable;
}

void mp_connection_free(mp_connection *c)
{
    mp_decref(&c->ob.h);
}

/* ---- the class ----------------------------------------------------------- */

static void finalize(mp__object *o)
{
    mp_connection_close((mp_connection *)o);
    free(((mp_connection *)o)->stage);
}

/* For a spawn or forkserver child: the descriptor travels beside the
 * description; the state says which it is and which ways it works. */
static mp_value *reduce(mp__object *o)
{
    mp_connection *c = (mp_connection *)o;
    if (check_closed(c) < 0)
        return NULL;
    int idx = mp__reduce_fd(o, c->fd);
    if (idx < 0)
        return NULL;
    return mp_tuple_of(idx, (bool)c->readable, (bool)c->writable);
}

static mp__object *rebuild(const mp_value *state);

static const mp__native native = {sizeof(mp_connection), finalize, reduce, rebuild};
static const mp_class connection_class = {
    .name = "Connection", .module = "multiprocessing.connection", .native = &native};
MP_CLASS(connection_class);

static mp__object *rebuild(const mp_value *state)
{
    if (mp_typeof(state) != MP_T_TUPLE || mp_len(state) != 3) {
        mp__fail(MP_EUNPICKLE, "bad state for a Connection");
        return NULL;
    }
    int fd = mp__rebuild_fd(mp_as_int(mp_item(state, 0)));
    if (fd < 0)
        return NULL;
    mp_connection *c = mp_connection_new(fd, mp_as_bool(mp_item(state, 1)),
                                         mp_as_bool(mp_item(state, 2)));
    if (!c)
        close(fd);
    return c ? &c->ob : NULL;
}

mp_connection *mp_connection_new(int fd, bool readable, bool writable)
{
    if (!readable && !writable) {
        mp__fail(MP_EVALUE, "at least one of `readable` and `writable` must be True");
        return NULL;
    }
    mp_connection *c = (mp_connection *)mp__object_alloc(&connection_class);
    if (!c)
        return NULL;
    c->fd = fd;
    c->readable = readable;
    c->writable = writable;
    int type;
    socklen_t tl = sizeof type;
    c->is_socket = getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0;
    c->records = c->is_socket && type == SOCK_SEQPACKET;
    return c;
}

mp_connection *mp_as_connection(const mp_value *v)
{
    return mp_class_of(v) == &connection_class ? (mp_connection *)v : NULL;
}

/* ---- Pipe ---------------------------------------------------------------- */

int mp_pipe(mp_connection **a, mp_connection **b, const mp_pipe_opts *opts)
{
    int fds[2];
    bool duplex = !opts || opts->duplex != MP_NO;
    *a = *b = NULL;
    /* Duplex ends carry records (see "Records"); a one-way Pipe is an
     * os.pipe(), as CPython's. */
    if (duplex ? socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0
               : pipe2(fds, O_CLOEXEC) < 0)
        return mp__fail_errno(duplex ? "socketpair" : "pipe");
    /* Each end's send buffer asked at Linux's default limit (wmem_max),
     * which the kernel doubles: the body of a large message then goes in
     * records of 208 KiB, two in flight, about 1.4x the bytes per second
     * of the default buffer (scripts/bench-messaging bulk).  Asking no
     * more than the stock limit keeps this the same on machines whose
     * limit was raised.  A Pipe then holds about twice what CPython's
     * does before a send blocks (278 small messages there, 555 here). */
    for (int i = 0; duplex && i < 2; i++) {
        int sndbuf = 212992;
        setsockopt(fds[i], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    }
    *a = mp_connection_new(fds[0], true, duplex);
    *b = mp_connection_new(fds[1], duplex, true);
    if (!*a || !*b) {
        if (*a) mp_connection_free(*a); else close(fds[0]);
        if (*b) mp_connection_free(*b); else close(fds[1]);
        *a = *b = NULL;
        return MP_ENOMEM;
    }
    return 0;
}

/* ---- wait() -------------------------------------------------------------- */

int mp_wait(const mp_value *objects, double timeout, mp_value **ready)
{
    mp_type t = mp_typeof(objects);
    if (t != MP_T_LIST && t != MP_T_TUPLE)
        return mp__fail(MP_ETYPE, "wait() wants a list of objects, not '%s'", mp_type_name(objects));
    size_t n = mp_len(objects);
    struct pollfd *pf = calloc(n ? n : 1, sizeof *pf);
    if (!pf)
        return mp__fail(MP_ENOMEM, "out of memory");
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        mp_value *o = mp_item(objects, i);
        mp_connection *c = mp_as_connection(o);
        if (c)
            rc = mp_connection_fileno(c);
        else if (mp_typeof(o) == MP_T_INT)
            rc = mp_as_int(o) < 0 || mp_as_int(o) > INT32_MAX
                 ? mp__fail(MP_EVALUE, "file descriptor cannot be a negative integer (%lld)",
                            (long long)mp_as_int(o))
                 : (int)mp_as_int(o);
        else
            rc = mp__fail(MP_ETYPE, "wait() cannot wait on a '%s' object", mp_type_name(o));
        if (rc >= 0) {
            pf[i] = (struct pollfd){.fd = rc, .events = POLLIN};
            rc = 0;
        }
    }
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (rc == 0) {
        int ms = -1;
        if (timeout >= 0) {
            clock_gettime(CLOCK_MONOTONIC, &now);
            double left = timeout - ((double)(now.tv_sec - start.tv_sec) +
                                     (double)(now.tv_nsec - start.tv_nsec) / 1e9);
            ms = left <= 0 ? 0 : (int)(left * 1000.0 + 0.999);
        }
        int r = poll(pf, (nfds_t)n, ms);
        if (r >= 0)
            break;
        if (errno != EINTR)
            rc = mp__fail_errno("poll");
    }
    mp_value *list = rc == 0 ? mp_list_new() : NULL;
    if (rc == 0 && !list)
        rc = MP_ENOMEM;
    for (size_t i = 0; i < n && rc == 0; i++)
        if (pf[i].revents)
            rc = mp_list_append(list, mp_incref(mp_item(objects, i)));
    free(pf);
    if (rc < 0) {
        mp_decref(list);
        return rc;
    }
    *ready = list;
    return 0;
}

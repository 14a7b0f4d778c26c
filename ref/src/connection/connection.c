/* connection.c - Connection and Pipe: framed messages over a pipe, a socket or a Pipe's rings, as multiprocessing.connection frames them. */
#include "connection.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* CPython's framing: a 4-byte big-endian signed length; a message of 2 GiB
 * or more is the length -1 followed by an 8-byte unsigned length. */
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

/* ---- writing --------------------------------------------------------------- */

int mp__conn_writev(mp_connection *c, struct iovec *iov, int iovcnt, size_t *sent)
{
    return mp__writev_all(c->fd, &c->is_socket, iov, iovcnt, sent);
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
    if (c->lanes)
        return mp__lane_send(c, hdr, hlen, buf, n);
    if (c->records)
        return mp__rec_send(c, hdr, hlen, buf, n);
    struct iovec iov[2] = {{hdr, hlen}, {(void *)buf, n}};
    return mp__conn_writev(c, iov, n ? 2 : 1, NULL);
}

size_t mp__frame_header(uint8_t hdr[12], uint64_t n)
{
    if (n <= SMALL_MAX) {
        mp__put_be32(hdr, (uint32_t)n);
        return 4;
    }
    memset(hdr, 0xff, 4);
    mp__put_be64(hdr + 4, n);
    return 12;
}

bool mp__frame_is_big(const uint8_t h[4])
{
    return memcmp(h, "\xff\xff\xff\xff", 4) == 0;
}

uint64_t mp__frame_length(const uint8_t *h)
{
    if (mp__frame_is_big(h))
        return mp__get_be64(h + 4);
    uint64_t n = mp__get_be32(h);
    return n > SMALL_MAX ? UINT64_MAX : n;
}

/* ---- reading ------------------------------------------------------------- */

/* _bad_message_length: a connection that can still write stays open for
 * writing only; one that cannot is closed. */
static int bad_length(mp_connection *c)
{
    if (c->ring_msg)
        mp__lane_abandon(c);
    mp__lane_socket_end(c, true);
    if (c->writable)
        c->readable = false;
    else
        mp_connection_close(c);
    return mp__fail(MP_EOS, "bad message length");
}

/* A header from a Pipe's ring: CPython's framing there too. */
static int ring_header(mp_connection *c, uint64_t *n)
{
    int rc = mp__lane_header(c, n);
    if (rc < 0)
        return rc;
    return *n == UINT64_MAX ? bad_length(c) : 0;
}

/* Read one header; *n is the message size. */
static int read_header(mp_connection *c, uint64_t *n)
{
    uint8_t h[12];
    int rc = c->lanes ? mp__lane_begin(c) : 0;
    if (rc < 0)
        return rc;
    if (rc == 1)
        return ring_header(c, n);
    rc = c->records ? mp__rec_header(c, h) : mp__read_exact(c->fd, h, 4, true);
    if (rc == 0 && mp__frame_is_big(h) && !c->records)
        rc = mp__read_exact(c->fd, h + 4, 8, false);
    if (rc < 0) {
        mp__lane_socket_end(c, false);
        return rc;
    }
    /* CPython would read a negative length as a huge one and fail; here
     * it is simply a bad length. */
    if ((*n = mp__frame_length(h)) == UINT64_MAX)
        return bad_length(c);
    if (c->records)
        mp__rec_begin(c, *n);
    mp__lane_socket_body(c, *n);
    return 0;
}

/* The bytes of the message whose header was read. */
static int read_body_bytes(mp_connection *c, void *buf, size_t n)
{
    if (n == 0)
        return 0;
    if (c->ring_msg)
        return mp__lane_read(c, buf, n);
    int rc = c->records ? mp__rec_read(c, buf, n) : mp__read_exact(c->fd, buf, n, false);
    if (rc < 0)
        mp__lane_socket_end(c, false);
    else
        mp__lane_socket_took(c, n);
    return rc;
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

/* A message whose header was read is given up (no memory for it): a
 * ring's rest is dropped, so that the next reader starts at a message. */
static int give_up(mp_connection *c, int rc)
{
    if (c->ring_msg)
        mp__lane_abandon(c);
    mp__lane_socket_end(c, true);
    return rc;
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
        return give_up(c, mp__fail(MP_ENOMEM, "out of memory"));
    while (got < want) {
        if (got == cap) {
            size_t ncap = cap * 2 < want ? cap * 2 : want;
            uint8_t *nb = realloc(b, ncap);
            if (!nb) {
                free(b);
                return give_up(c, mp__fail(MP_ENOMEM, "out of memory"));
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

/* MP_TRACE: a message of raw bytes sent or received (its repr from the
 * first bytes only). */
static void trace_bytes(const char *event, const mp_connection *c, const void *buf, size_t n)
{
    if (!c->ob.trace_n)
        return;
    mp_value *v = mp_bytes(buf, n < MP__TRACE_REPR ? n : MP__TRACE_REPR);
    mp__trace_message(event, "Connection", &c->ob, (long)n, v);
    mp_decref(v);
}

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
    rc = mp__conn_send(c, (const uint8_t *)buf + offset, (size_t)size);
    if (MP__TRACING && rc == 0)
        trace_bytes("send", c, (const uint8_t *)buf + offset, (size_t)size);
    return rc;
}

int mp_connection_recv_bytes(mp_connection *c, ptrdiff_t maxlength, mp_value **out)
{
    int rc = check_readable(c);
    if (rc < 0)
        return rc;
    if (maxlength != MP_ALL && maxlength < 0)
        return mp__fail(MP_EVALUE, "negative maxlength");
    uint8_t *b;
    size_t n = 0;
    /* A message of trusted size goes straight into the bytes value, with
     * no buffer to copy it out of. */
    if ((rc = recv_size(c, maxlength, &n)) < 0)
        return rc;
    if (n <= TRUSTED_SIZE) {
        mp_value *v = mp__bytes_uninit(n, &b);
        if (!v)
            return give_up(c, MP_ENOMEM);
        if ((rc = read_body_bytes(c, b, n)) < 0) {
            mp_decref(v);
            return rc;
        }
        *out = v;
        if (MP__TRACING)
            trace_bytes("recv", c, b, n);
        return 0;
    }
    if ((rc = read_body(c, n, &b)) < 0)
        return rc;
    if (MP__TRACING)
        trace_bytes("recv", c, b, n);
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
    if (MP__TRACING)
        trace_bytes("recv", c, b, n);
    free(b);
    if (nread)
        *nread = n;
    return 0;
}

int mp__connection_send(mp_connection *c, mp_arg arg)
{
    mp_value *obj;
    int rc = mp__value_from_arg(arg, &obj);
    if (rc < 0)
        return rc;
    uint8_t *pk;
    size_t n;
    /* Pickle first: a value that cannot be pickled sends nothing. */
    if ((rc = check_writable(c)) == 0)
        rc = mp_pickle_dumps(obj, NULL, &pk, &n);
    if (rc < 0) {
        mp_decref(obj);
        return rc;
    }
    rc = mp__conn_send(c, pk, n);
    free(pk);
    if (MP__TRACING && rc == 0)
        mp__trace_message("send", "Connection", &c->ob, (long)n, obj);
    mp_decref(obj);
    return rc;
}

int mp_connection_recv(mp_connection *c, mp_value **out)
{
    size_t n = 0;
    int rc = recv_size(c, MP_ALL, &n);
    if (rc < 0)
        return rc;
    /* A large pickle is read into the buffer the last one left (spare.c). */
    uint8_t *b = mp__spare_take(&c->spare, n);
    if (b)
        rc = read_body_bytes(c, b, n);
    else if ((rc = read_body(c, n, &b)) < 0)
        b = NULL;
    if (rc == 0)
        rc = mp_pickle_loads(b, n, NULL, out);
    mp__spare_give(&c->spare, b);
    if (MP__TRACING && rc == 0)
        mp__trace_message("recv", "Connection", &c->ob, (long)n, *out);
    return rc;
}

int mp__conn_poll(mp_connection *c, const mp__deadline *d)
{
    int rc = check_readable(c);
    if (rc < 0)
        return rc;
    if (c->lanes && (rc = mp__lane_poll(c, d)) != 2)
        return rc;
    if (mp__conn_staged(c))
        return 1;
    return mp__wait_readable(c->fd, d);
}

int mp_connection_poll(mp_connection *c, mp_timeout timeout)
{
    mp__deadline d;
    int rc = mp__deadline_set(&d, timeout);
    return rc < 0 ? rc : mp__conn_poll(c, &d);
}

int mp_connection_fileno(const mp_connection *c)
{
    int rc = check_closed(c);
    if (rc < 0)
        return rc;
    /* What a user does with the descriptor must see CPython's stream. */
    if (c->lanes)
        mp__lane_to_socket(c);
    return c->fd;
}

int mp_connection_close(mp_connection *c)
{
    /* Forget the number before closing it: once closed, another thread may
     * get the same number for something else, and a fork in between must
     * not give the child a connection that would close that. */
    int fd = c->fd;
    if (fd >= 0) {
        mp__lane_forget(c);
        c->fd = -1;
        close(fd);
    }
    mp__spare_free(&c->spare);
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
    if (c)
        mp_decref(&c->ob.h);
}

/* ---- the class ----------------------------------------------------------- */

static void finalize(mp__object *o)
{
    mp_connection_close((mp_connection *)o);
    free(((mp_connection *)o)->stage);
    mp__spare_free(&((mp_connection *)o)->spare);
    mp__shm_close(&((mp_connection *)o)->shm);
}

/* In a message (sent on a connection, put on a queue): the sharer keeps
 * copies of the descriptors (a duplex Pipe's shared memory too) for the
 * receiver to fetch, and the state says where, as CPython's
 * reduce_connection pickles a DupFd: (where, readable, writable) and, for
 * a Pipe's end, its side.  The end counts as open from now on (one more
 * holder, as for a child), until the receiver's copy closes. */
static mp_value *reduce_shared(mp_connection *c)
{
    int fds[2] = {c->fd, c->lanes ? c->shm.fd : -1};
    mp_value *where = mp__share_fds(fds, c->lanes ? 2 : 1);
    if (!where)
        return NULL;
    if (!c->lanes)
        return mp_tuple_of(where, (bool)c->readable, (bool)c->writable);
    mp__lane_reduced(c);
    return mp_tuple_of(where, (bool)c->readable, (bool)c->writable, (int)c->side);
}

/* For a spawn or forkserver child: the descriptor travels beside the
 * description; the state says which it is and which ways it works. */
static mp_value *reduce(mp__object *o)
{
    mp_connection *c = (mp_connection *)o;
    if (check_closed(c) < 0)
        return NULL;
    if (!mp__spawning())
        return reduce_shared(c);
    int idx = mp__reduce_fd(o, c->fd);
    if (idx < 0)
        return NULL;
    if (!c->lanes)
        return mp_tuple_of(idx, (bool)c->readable, (bool)c->writable);
    int m = mp__reduce_fd(o, c->shm.fd);
    mp_value *state = m < 0 ? NULL : mp_tuple_of(idx, (bool)c->readable, (bool)c->writable, m,
                                                 (int)c->side);
    if (state)
        mp__lane_reduced(c);
    return state;
}

static mp__object *rebuild(const mp_value *state);

static const mp__native native = {.size = sizeof(mp_connection), .finalize = finalize,
    .reduce = reduce, .rebuild = rebuild};
static const mp_class connection_class = {
    .name = "Connection", .module = "multiprocessing.connection", .native = &native};
MP_CLASS(connection_class);

/* The descriptors of a state: fetched from the sender's sharer (a state
 * of 3, or 4 with a Pipe's side), or taken from those that came with a
 * child's description (3, or 5 with the shared memory's index and the
 * side).  Sets *side (-1: no lanes); 0 or the error. */
static int rebuild_fds(const mp_value *state, size_t len, int *fd, int *memfd, int *side)
{
    const mp_value *first = mp_item(state, 0);
    *fd = *memfd = *side = -1;
    if (mp_typeof(first) == MP_T_TUPLE) {
        int fds[2] = {-1, -1};
        if (len != 3 && len != 4)
            return mp__fail(MP_EUNPICKLE, "bad state for a Connection");
        int rc = mp__fetch_fds(first, fds, len == 4 ? 2 : 1);
        if (rc < 0)
            return rc;
        *fd = fds[0];
        *memfd = fds[1];
        *side = len == 4 ? (int)mp_as_int(mp_item(state, 3)) : -1;
        return 0;
    }
    if (len != 3 && len != 5)
        return mp__fail(MP_EUNPICKLE, "bad state for a Connection");
    if ((*fd = mp__rebuild_fd(mp_as_int(first))) < 0)
        return mp_errcode();
    if (len == 5 && (*memfd = mp__rebuild_fd(mp_as_int(mp_item(state, 3)))) < 0) {
        close(*fd);
        return mp_errcode();
    }
    *side = len == 5 ? (int)mp_as_int(mp_item(state, 4)) : -1;
    return 0;
}

static mp__object *rebuild(const mp_value *state)
{
    size_t len = mp_typeof(state) == MP_T_TUPLE ? mp_len(state) : 0;
    int fd, memfd, side;
    if (len < 3) {
        mp__fail(MP_EUNPICKLE, "bad state for a Connection");
        return NULL;
    }
    if (rebuild_fds(state, len, &fd, &memfd, &side) < 0)
        return NULL;
    mp_connection *c = mp_connection_new(fd, mp_as_bool(mp_item(state, 1)),
                                         mp_as_bool(mp_item(state, 2)));
    if (!c) {
        close(fd);
        if (memfd >= 0)
            close(memfd);
        return NULL;
    }
    if (memfd >= 0 && mp__lanes_attach(c, memfd, side) < 0) {
        mp_connection_free(c);
        return NULL;
    }
    return &c->ob;
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
    c->shm.fd = -1;
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
    /* Duplex ends carry their messages through rings (connection_lane.c),
     * and records on the socket once fileno() is out (connection_records.c);
     * a one-way Pipe is an os.pipe(), as CPython's. */
    if (duplex ? socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0
               : pipe2(fds, O_CLOEXEC) < 0)
        return mp__fail_errno(duplex ? "socketpair" : "pipe");
    /* Each end's send buffer asked at Linux's default limit (wmem_max),
     * which the kernel doubles: the body of a large message then goes in
     * records of 208 KiB, two in flight, about 1.4x the bytes per second
     * of the default buffer (scripts/bench-messaging bulk).  Asking no
     * more than the stock limit keeps this the same on machines whose
     * limit was raised.  (On its socket a Pipe then holds about twice what
     * CPython's does before a send blocks: 555 small messages, not 278.) */
    for (int i = 0; duplex && i < 2; i++) {
        int sndbuf = 212992;
        setsockopt(fds[i], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    }
    *a = mp_connection_new(fds[0], true, duplex);
    *b = mp_connection_new(fds[1], duplex, true);
    int rc = !*a || !*b ? MP_ENOMEM : duplex ? mp__lanes_create(*a, *b) : 0;
    if (rc < 0) {
        if (*a) mp_connection_free(*a); else close(fds[0]);
        if (*b) mp_connection_free(*b); else close(fds[1]);
        *a = *b = NULL;
    } else {
        /* MP_TRACE: the two ends are one channel, under one name. */
        (*b)->ob.trace_pid = (*a)->ob.trace_pid;
        (*b)->ob.trace_n = (*a)->ob.trace_n;
    }
    return rc;
}

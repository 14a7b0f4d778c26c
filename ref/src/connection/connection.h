/* connection.h - the floor of connection.py: Connection and Pipe (connection*.c), wait(), Listener and Client (listener.c, auth.c). */
#ifndef MP_CONNECTION_H
#define MP_CONNECTION_H

#include "reduction/reduction.h"
#include "synchronize/synchronize.h"

typedef struct mp__lanes mp__lanes;

struct mp_connection {
    mp__object ob;
    int fd;                     /* -1 once closed */
    bool readable, writable;
    bool is_socket;             /* send() with MSG_NOSIGNAL works on it */
    bool records;               /* a SOCK_SEQPACKET socket (Pipe's duplex ends): see connection_records.c */
    uint8_t *stage;             /* records: a record read before its bytes' place is known */
    uint32_t pos, end;          /* records: stage[pos, end) is read and not yet taken */
    uint64_t left;              /* records: bytes of the current message still in the socket */
    mp__spare spare;            /* recv's buffer for large pickles, kept for the next */
    /* A duplex Pipe's end: its messages go through rings (connection_lane.c). */
    mp__lanes *lanes;           /* NULL for any other connection */
    mp__shm shm;                /* the block lanes is in */
    uint8_t side;               /* sends on lanes->lane[side], reads the other */
    bool counted;               /* in lanes->handles[side] and this process's list */
    bool ring_msg;              /* reading a message from the ring (its rlock held) */
    bool sock_msg;              /* reading one from the socket, in socket mode (rlock held) */
    uint64_t sock_left;         /* its body's bytes the reader has yet to take */
    uint64_t ring_left;         /* its bytes still to read; UINT64_MAX until its header is */
    uint32_t ring_start;        /* where in the ring it starts (see the cuts in connection_lane.c) */
    mp_connection *next, *prev; /* this process's counted ends */
};

/* ---- what the queues use (connection.c) ------------------------------------ */

/* Send one framed message of n bytes; receive one into a malloc'd buffer
 * (*buf, *n; the caller frees), refusing more than maxlength bytes
 * (MP_ALL: no limit).  Errors as mp_connection_send_bytes/recv_bytes. */
int mp__conn_send(mp_connection *c, const void *buf, size_t n);
int mp__conn_recv(mp_connection *c, ptrdiff_t maxlength, uint8_t **buf, size_t *n);

/* poll() until a deadline (mp_connection_poll is this with a timeout). */
int mp__conn_poll(mp_connection *c, const mp__deadline *d);

/* CPython's frame header for a message of n bytes, into hdr: 4 bytes, or
 * the -1 marker and an 8-byte length from 2 GiB up; returns its length.
 * Shared by connections and the queues' channel (queue_channel.c). */
size_t mp__frame_header(uint8_t hdr[12], uint64_t n);

/* Reading one: the length h gives.  h holds 4 bytes, or 12 when they are
 * the -1 marker (mp__frame_is_big).  UINT64_MAX for a negative 4-byte
 * length, which CPython would read as a huge one and fail on. */
bool mp__frame_is_big(const uint8_t h[4]);
uint64_t mp__frame_length(const uint8_t *h);

/* Write every byte of the iovecs (which this consumes) to c, with no
 * SIGPIPE; *sent (if not NULL) counts the bytes that went, also on an
 * error.  0, or the error of the write (MP_EOS for EPIPE). */
int mp__conn_writev(mp_connection *c, struct iovec *iov, int iovcnt, size_t *sent);

/* ---- records (connection_records.c) --------------------------------------- */

/* Send one message, header and body, as records: 0, or MP_EOS from the
 * socket (EPIPE once the reader is gone; no SIGPIPE). */
int mp__rec_send(mp_connection *c, const uint8_t *hdr, size_t hlen, const uint8_t *buf, size_t n);

/* The next message's header into h (4 bytes, or 12 after the -1 marker):
 * 0, MP_EEOF at EOF between messages, MP_EOS (EOF inside a header, a
 * system error, a record longer than ours) or MP_ENOMEM. */
int mp__rec_header(mp_connection *c, uint8_t *h);

/* After the header said the body is n bytes long. */
void mp__rec_begin(mp_connection *c, uint64_t n);

/* n bytes of the current body into buf: 0, or MP_EOS ("got end of file
 * during message", a system error). */
int mp__rec_read(mp_connection *c, uint8_t *buf, size_t n);

/* ---- lanes (connection_lane.c) ------------------------------------------------ */

/* Make the shared block of a new Pipe's two ends, counted open once each:
 * 0, MP_EOS or MP_ENOMEM. */
int mp__lanes_create(mp_connection *a, mp_connection *b);
/* A child's end, rebuilt from the block's memfd (taken even on failure). */
int mp__lanes_attach(mp_connection *c, int memfd, int end);
/* The end was reduced for a child, which will hold a copy. */
void mp__lane_reduced(mp_connection *c);
/* The end is closed in this process (idempotent).  Every end still
 * counted is let go at the end of the exit function. */
void mp__lane_forget(mp_connection *c);

/* Send one framed message (header, body): 0, MP_EOS (BrokenPipeError
 * once the peer has gone). */
int mp__lane_send(mp_connection *c, const uint8_t *hdr, size_t hlen, const uint8_t *buf, size_t n);
/* Wait for the next message: 1 it is in the ring (then read it with
 * mp__lane_header, then mp__lane_read for its body), 0 it is on the
 * socket (read it as before, and say how far with mp__lane_socket_*),
 * MP_EEOF, MP_EOS.  Either way the end's read lock is held for the whole
 * message, so that readers in several processes take turns, message by
 * message, in socket mode too. */
int mp__lane_begin(mp_connection *c);
/* A socket message's body is n bytes (after its header): 0 lets go of the
 * lock at once. */
void mp__lane_socket_body(mp_connection *c, uint64_t n);
/* The reader took n more bytes of it; the last lets go of the lock. */
void mp__lane_socket_took(mp_connection *c, uint64_t n);
/* The socket message ends here (an error, a refused length): the rest of
 * its body, if any, is dropped when drop, and the lock let go. */
void mp__lane_socket_end(mp_connection *c, bool drop);
/* A ring message's header: its body's length in *n (UINT64_MAX for a
 * negative length), the header taken.  0, or an error as mp__lane_read's. */
int mp__lane_header(mp_connection *c, uint64_t *n);
/* n bytes of the ring message into dst (NULL drops them): 0, or MP_EOS
 * "got end of file during message", or MP_EOWNERDEAD when the process
 * that was sending it died half way (the rest never comes; the next recv
 * starts at the next message).  The message's lock goes with its last
 * byte or an error. */
int mp__lane_read(mp_connection *c, uint8_t *dst, size_t n);
/* Drop the rest of a ring message being read (a refused length, no
 * memory), so that the next reader starts at a message. */
void mp__lane_abandon(mp_connection *c);
/* poll(timeout): 1 a message or end of file waits, 0 not by the deadline,
 * 2 the ring is drained and in socket mode (ask the socket), or an error. */
int mp__lane_poll(mp_connection *c, const mp__deadline *d);
/* fileno() was asked: the Pipe goes to socket mode. */
void mp__lane_to_socket(const mp_connection *c);

/* The start of a message waits in the stage (read with an earlier one
 * from a raw record holding two): the socket may be empty, yet a recv
 * would not block. */
static inline bool mp__conn_staged(const mp_connection *c)
{
    return c->records && c->left == 0 && c->pos < c->end;
}

#endif

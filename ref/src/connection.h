/* connection.h - what Connection's methods (connection.c), its records on a duplex Pipe (connection_records.c) and wait() (wait.c) share. */
#ifndef MP_CONNECTION_H
#define MP_CONNECTION_H

#include "internal.h"

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
};

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

/* The start of a message waits in the stage (read with an earlier one
 * from a raw record holding two): the socket may be empty, yet a recv
 * would not block. */
static inline bool mp__conn_staged(const mp_connection *c)
{
    return c->records && c->left == 0 && c->pos < c->end;
}

#endif

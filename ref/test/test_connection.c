/* test_connection.c - unit tests for Connection, Pipe, wait() and objects of registered classes.
 *
 * Usage: test_connection      prints TAP.  The binary is also the program
 * spawn and forkserver re-run for their children (the targets below).
 * The pickles marked "CPython 3.11" were written by python3's pickle.dumps
 * for the same objects (class MyFancyClass in __main__); the commands are
 * beside them.
 */
#include "connection/connection.h"
#include "tap.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const mp_class Fancy = {.name = "MyFancyClass"};
MP_CLASS(Fancy);
static const mp_class Empty = {.name = "Empty"};
MP_CLASS(Empty);

static const char *const methods[] = {"fork", "spawn", "forkserver"};

/* ---- targets ------------------------------------------------------------ */

/* args: (conn,): receive one value and send it back inside a list. */
static int echo(const mp_value *args)
{
    mp_connection *c = mp_as_connection(mp_item(args, 0));
    mp_value *v;
    if (!c)
        return mp_raise("TypeError", "no connection in args");
    int rc = mp_connection_recv(c, &v);
    if (rc < 0)
        return rc;
    return mp_connection_send(c, mp_list_of(v, "echoed"));
}
MP_TARGET(echo);

/* args: (reader, writer, writer2): pass one value from reader to writer,
 * and say "second" on writer2: three connections in one description. */
static int relay(const mp_value *args)
{
    mp_connection *r = mp_as_connection(mp_item(args, 0)), *w = mp_as_connection(mp_item(args, 1));
    mp_connection *w2 = mp_as_connection(mp_item(args, 2));
    mp_value *v = NULL;
    if (!r || !w || !w2 || r == w || w == w2)
        return mp_raise("TypeError", "three distinct connections expected");
    int rc = mp_connection_recv(r, &v);
    if (rc == 0)
        rc = mp_connection_send(w, mp_incref(v));
    mp_decref(v);
    return rc < 0 ? rc : mp_connection_send_bytes(w2, "second", 6, 0, MP_ALL);
}
MP_TARGET(relay);

/* args: (writer,): send the pid and close. */
static int says_pid(const mp_value *args)
{
    mp_connection *c = mp_as_connection(mp_item(args, 0));
    int rc = mp_connection_send(c, mp_int(getpid()));
    mp_connection_close(c);
    return rc;
}
MP_TARGET(says_pid);

/* args: (conn,): receive one message as bytes and send back its length:
 * a reader in another process takes exactly one message. */
static int take_one(const mp_value *args)
{
    mp_connection *c = mp_as_connection(mp_item(args, 0));
    mp_value *v = NULL;
    int rc = mp_connection_recv_bytes(c, MP_ALL, &v);
    if (rc < 0)
        return rc;
    rc = mp_connection_send(c, mp_int((int64_t)mp_len(v)));
    mp_decref(v);
    return rc;
}
MP_TARGET(take_one);

/* ---- helpers ------------------------------------------------------------ */

static char *repr_of(const mp_value *v)
{
    static char buf[512];
    char *r = mp_repr(v);
    snprintf(buf, sizeof buf, "%s", r ? r : "(null)");
    free(r);
    return buf;
}

static void raw_write(mp_connection *c, const void *p, size_t n)
{
    if (write(mp_connection_fileno(c), p, n) != (ssize_t)n)
        tap_diag("short raw write");
}

static mp_value *fancy(const char *name)
{
    mp_value *o = mp_object_new(&Fancy, NULL);
    mp_setattr(o, "name", mp_str(name));
    return o;
}

/* ---- tests -------------------------------------------------------------- */

static void test_duplex(void)
{
    mp_connection *a, *b;
    mp_value *v, *got = NULL;
    TAP_OK(mp_pipe(&a, &b, NULL) == 0, "Pipe() makes two ends");
    TAP_OK(mp_connection_readable(a) && mp_connection_writable(a) && mp_connection_readable(b) &&
           mp_connection_writable(b), "both ends of a duplex pipe read and write");
    v = mp_list_of(42, mp_none(), "hello");
    TAP_OK(mp_connection_send(a, mp_incref(v)) == 0 && mp_connection_recv(b, &got) == 0, "send and recv");
    tap_is_str(repr_of(got), "[42, None, 'hello']", "the value arrives whole");
    mp_decref(got);
    TAP_OK(mp_connection_send(b, mp_incref(v)) == 0 && mp_connection_recv(a, &got) == 0 && mp_equal(v, got),
           "and the other way");
    mp_decref(got);
    mp_decref(v);
    mp_value *t = mp_tuple_of(a);
    TAP_OK(strncmp(repr_of(t), "(<multiprocessing.connection.Connection object at 0x", 52) == 0,
           "a connection in a tuple: %s", repr_of(t));
    mp_decref(t);
    mp_connection_free(a);
    mp_connection_free(b);
}

static void test_simplex(void)
{
    mp_connection *r, *w;
    mp_value *v = mp_int(1), *got;
    TAP_OK(mp_pipe(&r, &w, &(mp_pipe_opts){.duplex = MP_NO}) == 0, "Pipe(duplex=False)");
    TAP_OK(mp_connection_readable(r) && !mp_connection_writable(r) && !mp_connection_readable(w) &&
           mp_connection_writable(w), "reader reads, writer writes");
    tap_is_int(mp_connection_send(r, mp_incref(v)), MP_EOS, "send on the reader");
    tap_is_str(mp_errmsg(), "connection is read-only", "CPython's words");
    tap_is_int(mp_connection_recv(w, &got), MP_EOS, "recv on the writer");
    tap_is_str(mp_errmsg(), "connection is write-only", "CPython's words");
    tap_is_int(mp_connection_poll(w, MP_TIMEOUT(0)), MP_EOS, "poll on the writer");
    TAP_OK(mp_connection_send(w, mp_incref(v)) == 0 && mp_connection_recv(r, &got) == 0 && mp_as_int(got) == 1,
           "one-way traffic works");
    mp_decref(got);
    /* A write to a pipe whose reader has gone must be BrokenPipeError, not
     * a SIGPIPE that kills the program. */
    mp_connection_close(r);
    tap_is_int(mp_connection_send(w, mp_incref(v)), MP_EOS, "send to a closed reader is an OSError");
    TAP_OK(strstr(mp_errmsg(), "Broken pipe") != NULL, "EPIPE, and we are still alive: %s", mp_errmsg());
    mp_decref(v);
    mp_connection_free(r);
    mp_connection_free(w);
}

static void test_bytes(void)
{
    mp_connection *a, *b;
    mp_value *got = NULL;
    const char *msg = "hello world";
    mp_pipe(&a, &b, NULL);
    tap_is_int(mp_connection_send_bytes(a, msg, 11, -1, MP_ALL), MP_EVALUE, "negative offset");
    tap_is_str(mp_errmsg(), "offset is negative", "CPython's words");
    tap_is_int(mp_connection_send_bytes(a, msg, 11, 12, MP_ALL), MP_EVALUE, "offset past the end");
    tap_is_str(mp_errmsg(), "buffer length < offset", "CPython's words");
    tap_is_int(mp_connection_send_bytes(a, msg, 11, 0, -2), MP_EVALUE, "negative size");
    tap_is_str(mp_errmsg(), "size is negative", "CPython's words");
    tap_is_int(mp_connection_send_bytes(a, msg, 11, 6, 6), MP_EVALUE, "size past the end");
    tap_is_str(mp_errmsg(), "buffer length < offset + size", "CPython's words");
    TAP_OK(mp_connection_poll(b, MP_TIMEOUT(0)) == 0, "nothing was sent by the failed calls");
    TAP_OK(mp_connection_send_bytes(a, msg, 11, 6, MP_ALL) == 0 &&
           mp_connection_recv_bytes(b, MP_ALL, &got) == 0, "send_bytes(buf, 6)");
    tap_is_str(repr_of(got), "b'world'", "the slice from offset 6");
    mp_decref(got);
    TAP_OK(mp_connection_send_bytes(a, msg, 11, 0, 5) == 0 &&
           mp_connection_recv_bytes(b, MP_ALL, &got) == 0, "send_bytes(buf, 0, 5)");
    tap_is_str(repr_of(got), "b'hello'", "the first five bytes");
    mp_decref(got);
    TAP_OK(mp_connection_send_bytes(a, "", 0, 0, MP_ALL) == 0 &&
           mp_connection_recv_bytes(b, MP_ALL, &got) == 0 && mp_len(got) == 0, "an empty message");
    mp_decref(got);
    tap_is_int(mp_connection_recv_bytes(b, -1, &got), MP_EVALUE, "negative maxlength");
    tap_is_str(mp_errmsg(), "negative maxlength", "CPython's words");

    /* recv_bytes_into */
    char buf[8] = "........";
    size_t n = 0;
    mp_value *whole = NULL;
    mp_connection_send_bytes(a, "abc", 3, 0, MP_ALL);
    TAP_OK(mp_connection_recv_bytes_into(b, buf, 8, 2, &n, NULL) == 0 && n == 3, "recv_bytes_into at 2");
    TAP_OK(memcmp(buf, "..abc...", 8) == 0, "written at the offset only");
    tap_is_int(mp_connection_recv_bytes_into(b, buf, 8, -1, &n, NULL), MP_EVALUE, "negative offset");
    tap_is_str(mp_errmsg(), "negative offset", "CPython's words");
    tap_is_int(mp_connection_recv_bytes_into(b, buf, 8, 9, &n, NULL), MP_EVALUE, "offset too large");
    tap_is_str(mp_errmsg(), "offset too large", "CPython's words");
    mp_connection_send_bytes(a, "0123456789", 10, 0, MP_ALL);
    tap_is_int(mp_connection_recv_bytes_into(b, buf, 8, 0, &n, &whole), MP_EBUFFERTOOSHORT,
               "a message that does not fit");
    tap_is_str(mp_errname(MP_EBUFFERTOOSHORT), "multiprocessing.context.BufferTooShort", "its name");
    tap_is_str(mp_errmsg(), "b'0123456789'", "the message is the whole message, as in Python");
    tap_is_str(repr_of(whole), "b'0123456789'", "and it is handed over, not lost");
    TAP_OK(memcmp(buf, "..abc...", 8) == 0, "the buffer is untouched");
    mp_decref(whole);
    mp_connection_free(a);
    mp_connection_free(b);
}

static void test_lengths(void)
{
    mp_connection *a, *b, *r, *w;
    mp_value *got = NULL;
    mp_pipe(&a, &b, NULL);
    mp_connection_send_bytes(a, "0123456789", 10, 0, MP_ALL);
    tap_is_int(mp_connection_recv_bytes(b, 5, &got), MP_EOS, "a message over maxlength");
    tap_is_str(mp_errmsg(), "bad message length", "CPython's words");
    TAP_OK(!mp_connection_closed(b) && !mp_connection_readable(b) && mp_connection_writable(b),
           "a duplex end stays open for writing only");
    mp_pipe(&r, &w, &(mp_pipe_opts){.duplex = MP_NO});
    mp_connection_send_bytes(w, "0123456789", 10, 0, MP_ALL);
    tap_is_int(mp_connection_recv_bytes(r, 5, &got), MP_EOS, "the same on a reader");
    TAP_OK(mp_connection_closed(r), "a reader is closed, as in CPython");
    mp_connection_free(r);
    mp_connection_free(w);
    mp_connection_free(a);
    mp_connection_free(b);

    /* The large-message header: -1, then an 8-byte length. */
    mp_pipe(&a, &b, NULL);
    raw_write(a, "\xff\xff\xff\xff\0\0\0\0\0\0\0\5hello", 17);
    TAP_OK(mp_connection_recv_bytes(b, MP_ALL, &got) == 0, "a -1 marker and an 8-byte length");
    tap_is_str(repr_of(got), "b'hello'", "read as the message");
    mp_decref(got);
    /* A negative 4-byte length other than -1 is not a length. */
    raw_write(a, "\x80\0\0\0", 4);
    tap_is_int(mp_connection_recv_bytes(b, MP_ALL, &got), MP_EOS, "a negative length");
    tap_is_str(mp_errmsg(), "bad message length", "is a bad message length");
    mp_connection_free(a);
    mp_connection_free(b);

    /* A header that promises a gigabyte, then the peer goes away. */
    mp_pipe(&a, &b, NULL);
    raw_write(a, "\x40\0\0\0short", 9);
    mp_connection_close(a);
    tap_is_int(mp_connection_recv_bytes(b, MP_ALL, &got), MP_EOS, "EOF inside a message");
    tap_is_str(mp_errmsg(), "got end of file during message", "is an OSError, as in CPython");
    tap_is_int(mp_connection_recv_bytes(b, MP_ALL, &got), MP_EEOF, "EOF at a message boundary");
    tap_is_str(mp_errname(MP_EEOF), "EOFError", "is EOFError");
    mp_connection_free(a);
    mp_connection_free(b);
}

static void test_closed(void)
{
    mp_connection *a, *b;
    mp_value *v = mp_int(3), *got;
    mp_pipe(&a, &b, NULL);
    TAP_OK(mp_connection_fileno(a) >= 0 && !mp_connection_closed(a), "open: a descriptor");
    TAP_OK(mp_connection_close(a) == 0 && mp_connection_close(a) == 0, "close is idempotent");
    TAP_OK(mp_connection_closed(a), "closed");
    tap_is_int(mp_connection_send(a, mp_incref(v)), MP_ECLOSED, "send after close");
    tap_is_str(mp_errmsg(), "handle is closed", "CPython's words");
    tap_is_int(mp_connection_recv(a, &got), MP_ECLOSED, "recv after close");
    tap_is_int(mp_connection_poll(a, MP_TIMEOUT(0)), MP_ECLOSED, "poll after close");
    tap_is_int(mp_connection_fileno(a), MP_ECLOSED, "fileno after close");
    tap_is_str(mp_errname(MP_ECLOSED), "OSError", "an OSError");
    tap_is_int(mp_connection_recv(b, &got), MP_EEOF, "the other end sees EOF");
    mp_decref(v);
    mp_connection_free(a);
    mp_connection_free(b);
}

static void test_poll_and_refusals(void)
{
    mp_connection *a, *b, *c, *d;
    mp_value *v;
    mp_pipe(&a, &b, NULL);
    tap_is_int(mp_connection_poll(b, MP_TIMEOUT(0)), 0, "poll: nothing yet");
    tap_is_int(mp_connection_poll(b, MP_TIMEOUT(0.01)), 0, "poll with a timeout: still nothing");
    mp_connection_send_bytes(a, "x", 1, 0, MP_ALL);
    tap_is_int(mp_connection_poll(b, MP_WAIT_FOREVER), 1, "poll: a message");
    mp_decref(mp_connection_recv_bytes(b, MP_ALL, &v) == 0 ? v : NULL);
    /* A connection travels in a message (its descriptors through this
     * process's sharer, reduction/sharer.c): received here, it is a new
     * Connection on the same pipe, and works though the original closed.
     * A closed one is refused, and nothing is sent. */
    mp_pipe(&c, &d, NULL);
    v = mp_list_of(1, c);
    mp_value *got = NULL, *echo = NULL;
    tap_is_int(mp_connection_send(a, mp_incref(v)), 0, "a connection inside a message");
    mp_connection_close(c);
    mp_connection *c2 = mp_connection_recv(b, &got) == 0 ? mp_as_connection(mp_item(got, 1)) : NULL;
    TAP_OK(c2 != NULL && c2 != c && mp_connection_readable(c2) && mp_connection_writable(c2),
           "received: another Connection, both ways");
    TAP_OK(c2 && mp_connection_send(c2, "through the copy") == 0 && mp_connection_recv(d, &echo) == 0 &&
           strcmp(mp_as_str(echo), "through the copy") == 0, "the copy works though the original closed");
    mp_decref(echo);
    mp_decref(got);
    tap_is_int(mp_connection_send(a, mp_incref(v)), MP_ECLOSED, "a closed connection inside a message");
    tap_is_str(mp_errmsg(), "handle is closed", "CPython's words");
    tap_is_int(mp_connection_poll(b, MP_TIMEOUT(0)), 0, "and nothing was sent");
    mp_decref(v);
    mp_connection_free(a);
    mp_connection_free(b);
    mp_connection_free(c);
    mp_connection_free(d);
}

static void test_wait(void)
{
    mp_connection *a1, *b1, *a2, *b2;
    mp_value *ready = NULL, *l;
    mp_pipe(&a1, &b1, NULL);
    mp_pipe(&a2, &b2, NULL);
    l = mp_list_of(b1, b2);
    TAP_OK(mp_wait(l, MP_TIMEOUT(0.01), &ready) == 0 && mp_len(ready) == 0, "wait: nothing ready, timeout");
    mp_decref(ready);
    mp_connection_send_bytes(a2, "x", 1, 0, MP_ALL);
    TAP_OK(mp_wait(l, MP_WAIT_FOREVER, &ready) == 0 && mp_len(ready) == 1 &&
           mp_as_connection(mp_item(ready, 0)) == b2, "wait: the one with a message");
    mp_decref(ready);
    mp_connection_close(a1);
    TAP_OK(mp_wait(l, MP_WAIT_FOREVER, &ready) == 0 && mp_len(ready) == 2 &&
           mp_as_connection(mp_item(ready, 0)) == b1, "EOF counts as ready, order kept");
    mp_decref(ready);
    mp_decref(l);

    /* Process sentinels (ints) beside connections. */
    mp_connection *r, *w;
    mp_pipe(&r, &w, &(mp_pipe_opts){.duplex = MP_NO});
    mp_process *p = mp_process_new(&(mp_process_opts){.target = says_pid, .args = mp_tuple_of(w)});
    mp_process_start(p);
    mp_connection_close(w);
    l = mp_list_of(mp_process_sentinel(p), r);
    size_t seen_sentinel = 0;
    for (int i = 0; i < 100 && !seen_sentinel; i++) {
        mp_wait(l, MP_WAIT_FOREVER, &ready);
        for (size_t k = 0; k < mp_len(ready); k++) {
            if (mp_typeof(mp_item(ready, k)) == MP_T_INT)
                seen_sentinel = 1;
            else if (mp_as_connection(mp_item(ready, k)) == r) {
                mp_value *v;
                if (mp_connection_recv(r, &v) == 0)
                    mp_decref(v);
                else
                    mp_connection_close(r), mp_decref(l), l = mp_list_of(mp_process_sentinel(p));
            }
        }
        mp_decref(ready);
    }
    TAP_OK(seen_sentinel, "wait: a sentinel becomes ready when its process ends");
    mp_process_join(p, MP_WAIT_FOREVER);
    mp_process_free(p);
    mp_decref(l);

    l = mp_list_of("not a connection");
    tap_is_int(mp_wait(l, MP_TIMEOUT(0), &ready), MP_EVALUE, "wait on a str: ValueError, as selectors says");
    mp_decref(l);
    l = mp_list_of(a1);
    tap_is_int(mp_wait(l, MP_TIMEOUT(0), &ready), MP_ECLOSED, "wait on a closed connection");
    mp_decref(l);
    mp_connection_free(r);
    mp_connection_free(w);
    mp_connection_free(a1);
    mp_connection_free(b1);
    mp_connection_free(a2);
    mp_connection_free(b2);
}

static void test_children(void)
{
    for (size_t m = 0; m < 3; m++) {
        mp_context *ctx = mp_get_context(methods[m]);
        mp_connection *a, *b;
        mp_value *got = NULL, *v = NULL;
        mp_pipe(&a, &b, NULL);
        mp_process *p = mp_context_process(ctx, &(mp_process_opts){.target = echo,
                                                                   .args = mp_tuple_of(b)});
        int rc = mp_process_start(p);
        TAP_OK(rc == 0, "%s: a child given a connection in args starts", methods[m]);
        mp_connection_close(b);     /* the child has its own */
        /* Made after the fork, so that a forked child does not hold it in
         * a register at exit (valgrind would call that a leak). */
        v = mp_tuple_of("ping", 7, fancy("Fancy Dan"));
        rc = rc ? rc : mp_connection_send(a, mp_incref(v));
        rc = rc ? rc : mp_connection_recv(a, &got);
        TAP_OK(rc == 0 && mp_len(got) == 2, "%s: the child echoes through it", methods[m]);
        const mp_value *back = got ? mp_item(mp_item(got, 0), 2) : NULL;
        TAP_OK(mp_isinstance(back, &Fancy) && strcmp(mp_as_str(mp_getattr(back, "name")), "Fancy Dan") == 0,
               "%s: an object of a registered class comes back with its state", methods[m]);
        mp_process_join(p, MP_WAIT_FOREVER);
        tap_is_int(mp_process_exitcode(p), 0, "%s: exitcode", methods[m]);
        mp_decref(got);
        mp_decref(v);
        mp_process_free(p);
        mp_connection_free(a);
        mp_connection_free(b);
    }
}

/* Several library objects in one description: each gets its own
 * descriptors (the pickler must not confuse their reduced states). */
static void test_several_in_one_child(void)
{
    for (size_t m = 0; m < 3; m++) {
        mp_connection *r1, *w1, *r2, *w2, *r3, *w3;
        mp_value *got = NULL, *v = mp_str("relayed");
        mp_pipe(&r1, &w1, &(mp_pipe_opts){.duplex = MP_NO});
        mp_pipe(&r2, &w2, &(mp_pipe_opts){.duplex = MP_NO});
        mp_pipe(&r3, &w3, &(mp_pipe_opts){.duplex = MP_NO});
        mp_process *p = mp_context_process(mp_get_context(methods[m]),
            &(mp_process_opts){.target = relay, .args = mp_tuple_of(r1, w2, w3)});
        int rc = mp_process_start(p);
        mp_connection_close(r1);
        mp_connection_close(w2);
        mp_connection_close(w3);
        if (rc == 0)
            rc = mp_connection_send(w1, mp_incref(v));
        if (rc == 0)
            rc = mp_connection_recv(r2, &got);
        TAP_OK(rc == 0 && mp_equal(got, v), "%s: three connections in one child's args", methods[m]);
        mp_decref(got);
        got = NULL;
        TAP_OK(rc == 0 && mp_connection_recv_bytes(r3, MP_ALL, &got) == 0 && mp_len(got) == 6,
               "%s: each one is the right one", methods[m]);
        mp_decref(got);
        mp_process_join(p, MP_WAIT_FOREVER);
        tap_is_int(mp_process_exitcode(p), 0, "%s: exitcode", methods[m]);
        mp_process_free(p);
        mp_decref(v);
        mp_connection_free(r1); mp_connection_free(w1); mp_connection_free(r2);
        mp_connection_free(w2); mp_connection_free(r3); mp_connection_free(w3);
    }
}

/* A duplex Pipe carries records (connection_records.c): messages of
 * every size around a record's, the framing still CPython's, a reader
 * that never takes more than its message, and what another writer's raw
 * records do.  ONE is the most that goes in one record with its header;
 * a larger message's body goes in records of BODY bytes (half the send
 * buffer mp_pipe asks for, which the kernel doubles); MAX is the longest
 * record a Connection writes. */
enum { ONE = 64 * 1024, BODY = 212992, MAX = 256 * 1024 };
static const size_t rec_sizes[] = {0, 1, ONE - 5, ONE - 4, ONE - 3, ONE, ONE + 1, BODY - 1, BODY,
                                   BODY + 1, 2 * BODY, 3 * ONE - 4, 1 << 20, (3 << 20) + 7, 2};

static void *send_sizes(void *arg)
{
    mp_connection *a = arg;
    uint8_t *buf = malloc((3 << 20) + 7);
    for (size_t i = 0; i < sizeof rec_sizes / sizeof *rec_sizes; i++) {
        memset(buf, (int)('a' + i), rec_sizes[i]);
        if (rec_sizes[i])
            buf[rec_sizes[i] - 1] = 'z';
        mp_connection_send_bytes(a, buf, rec_sizes[i], 0, MP_ALL);
    }
    free(buf);
    return NULL;
}

/* The same, then close: a message that failed to go shows as EOF at the
 * reader rather than a wait for it. */
static void *send_sizes_and_close(void *arg)
{
    send_sizes(arg);
    mp_connection_close(arg);
    return NULL;
}

static void test_records(void)
{
    enum { K = sizeof rec_sizes / sizeof *rec_sizes };
    mp_connection *a, *b;
    mp_pipe(&a, &b, NULL);
    int type = 0;
    socklen_t tl = sizeof type;
    getsockopt(mp_connection_fileno(a), SOL_SOCKET, SO_TYPE, &type, &tl);
    tap_is_int(type, SOCK_SEQPACKET, "a duplex Pipe is a SOCK_SEQPACKET socketpair");

    /* Sent from a thread (3 MiB fill the socket), read back three ways. */
    pthread_t t;
    pthread_create(&t, NULL, send_sizes, a);
    int whole = 0;
    uint8_t *into = malloc((3 << 20) + 7);
    for (size_t i = 0; i < K; i++) {
        mp_value *v = NULL;
        const uint8_t *p = NULL;
        size_t n = 0;
        int rc;
        if (i % 2 == 0) {
            rc = mp_connection_recv_bytes(b, MP_ALL, &v);
            p = rc == 0 ? mp_as_bytes(v, &n) : NULL;
        } else {
            rc = mp_connection_recv_bytes_into(b, into, (3 << 20) + 7, 0, &n, NULL);
            p = into;
        }
        if (rc == 0 && n == rec_sizes[i] && (n == 0 || (p[0] == (n == 1 ? 'z' : 'a' + i) && p[n - 1] == 'z')))
            whole++;
        else
            tap_diag("message %zu (%zu bytes): rc %d, %zu bytes", i, rec_sizes[i], rc, n);
        mp_decref(v);
    }
    pthread_join(t, NULL);
    free(into);
    tap_is_int(whole, K, "messages of every size around a record's arrive whole, in order");

    /* The bytes on the socket are CPython's framing: a raw header and body
     * in one record read as a message, and a header cut across two. */
    raw_write(a, "\0\0\0\5hello", 9);
    raw_write(a, "\0\0", 2);
    raw_write(a, "\0\3abc", 5);
    mp_value *v = NULL;
    TAP_OK(mp_connection_recv_bytes(b, MP_ALL, &v) == 0 && strcmp(repr_of(v), "b'hello'") == 0,
           "a raw frame in one record is a message");
    mp_decref(v);
    TAP_OK(mp_connection_recv_bytes(b, MP_ALL, &v) == 0 && strcmp(repr_of(v), "b'abc'") == 0,
           "a header cut across two records is put together");
    mp_decref(v);

    /* Two frames in one raw record: the second waits in the stage, and
     * poll() knows it is there though the socket is empty. */
    raw_write(a, "\0\0\0\2hi\0\0\0\3you", 13);
    TAP_OK(mp_connection_recv_bytes(b, MP_ALL, &v) == 0 && strcmp(repr_of(v), "b'hi'") == 0,
           "two raw frames in one record: the first");
    mp_decref(v);
    tap_is_int(mp_connection_poll(b, MP_TIMEOUT(0)), 1, "poll() sees the second, read with the first");
    mp_value *ready = NULL, *waited = mp_list_of(b);
    TAP_OK(mp_wait(waited, MP_TIMEOUT(0), &ready) == 0 && mp_len(ready) == 1, "and so does wait()");
    mp_decref(ready);
    mp_decref(waited);
    TAP_OK(mp_connection_recv_bytes(b, MP_ALL, &v) == 0 && strcmp(repr_of(v), "b'you'") == 0,
           "and recv_bytes returns it");
    mp_decref(v);
    tap_is_int(mp_connection_poll(b, MP_TIMEOUT(0)), 0, "then nothing is left");

    /* A raw record longer than any of ours: a named error, not bytes
     * silently dropped. */
    uint8_t *big = calloc(1, MAX + 4);
    big[0] = 0, big[1] = 4, big[2] = 0, big[3] = 0;     /* MAX + 4 - 4 */
    raw_write(a, big, MAX + 4);
    free(big);
    tap_is_int(mp_connection_recv_bytes(b, MP_ALL, &v), MP_EOS, "a raw record longer than a Connection writes");
    TAP_OK(strstr(mp_errmsg(), "not written by a Connection") != NULL, "says so: %s", mp_errmsg());
    mp_connection_free(a);
    mp_connection_free(b);

    /* An end whose send buffer was made smaller than a record: the
     * records are cut to fit, and the messages still arrive whole. */
    mp_pipe(&a, &b, NULL);
    int small = 4096;
    setsockopt(mp_connection_fileno(a), SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    pthread_create(&t, NULL, send_sizes_and_close, a);
    whole = 0;
    for (size_t i = 0; i < K; i++) {
        const uint8_t *p = NULL;
        size_t n = 0;
        v = NULL;
        if (mp_connection_recv_bytes(b, MP_ALL, &v) == 0 && (p = mp_as_bytes(v, &n)) &&
            n == rec_sizes[i] && (n == 0 || p[n - 1] == 'z'))
            whole++;
        mp_decref(v);
    }
    pthread_join(t, NULL);
    tap_is_int(whole, K, "through a send buffer smaller than a record: every message whole");
    mp_connection_free(a);
    mp_connection_free(b);

    /* A reader in another process takes one message and no more: the
     * next is still in the socket for this one. */
    for (size_t m = 0; m < 3; m++) {
        mp_pipe(&a, &b, NULL);
        mp_connection_send_bytes(a, "first", 5, 0, MP_ALL);
        mp_connection_send_bytes(a, "second!", 7, 0, MP_ALL);
        mp_process *p = mp_context_process(mp_get_context(methods[m]),
            &(mp_process_opts){.target = take_one, .args = mp_tuple_of(b)});
        mp_process_start(p);
        mp_process_join(p, MP_WAIT_FOREVER);
        TAP_OK(mp_connection_recv(a, &v) == 0 && mp_as_int(v) == 5, "%s: the child took the first message",
               methods[m]);
        mp_decref(v);
        TAP_OK(mp_connection_poll(b, MP_TIMEOUT(10)) == 1 && mp_connection_recv_bytes(b, MP_ALL, &v) == 0 &&
               strcmp(repr_of(v), "b'second!'") == 0,
               "%s: and left the second for the parent", methods[m]);
        mp_decref(v);
        mp_process_free(p);
        mp_connection_free(a);
        mp_connection_free(b);
    }
}

/* Large pickles one after another, of sizes that keep, outgrow and pass
 * over the buffer recv keeps for the next one (spare.c): each arrives
 * whole, and a message cut short with the kept buffer in hand is an error
 * that loses nothing (the sanitizer build checks for leaks). */
static const size_t big_sizes[] = {1 << 20, 200000, 2 << 20, 140000, 17 << 20, 300000};
#define NBIG (sizeof big_sizes / sizeof *big_sizes)

static void *send_big(void *arg)
{
    mp_connection *a = arg;
    uint8_t *buf = malloc(17 << 20);
    for (size_t i = 0; i < NBIG; i++) {
        memset(buf, (int)('A' + i), big_sizes[i]);
        mp_connection_send(a, mp_bytes(buf, big_sizes[i]));
    }
    free(buf);
    return NULL;
}

static void test_big_pickles(void)
{
    mp_connection *a, *b;
    mp_pipe(&a, &b, NULL);
    pthread_t t;
    pthread_create(&t, NULL, send_big, a);
    int whole = 0;
    for (size_t i = 0; i < NBIG; i++) {
        mp_value *v = NULL;
        size_t n = 0;
        const uint8_t *p = mp_connection_recv(b, &v) == 0 ? mp_as_bytes(v, &n) : NULL;
        if (p && n == big_sizes[i] && p[0] == 'A' + i && p[n - 1] == 'A' + i)
            whole++;
        mp_decref(v);
    }
    pthread_join(t, NULL);
    tap_is_int(whole, (int64_t)NBIG, "large pickles of changing sizes arrive whole, one after another");

    /* A header for 250000 bytes (the kept buffer, 300000, takes them) and
     * only 1000 of them, then EOF. */
    uint8_t *cut = calloc(1, 1004);
    cut[0] = 0, cut[1] = 0x03, cut[2] = 0xd0, cut[3] = 0x90;
    raw_write(a, cut, 1004);
    free(cut);
    mp_connection_close(a);
    mp_value *v = NULL;
    tap_is_int(mp_connection_recv(b, &v), MP_EOS, "a large pickle cut short is an OSError");
    tap_is_str(mp_errmsg(), "got end of file during message", "CPython's words");
    mp_connection_free(a);
    mp_connection_free(b);
}

static void test_objects(void)
{
    mp_value *o = fancy("x"), *e = mp_object_new(&Empty, NULL), *d;
    char *r = mp_repr(o);
    TAP_OK(r && strncmp(r, "<__main__.MyFancyClass object at 0x", 35) == 0, "repr: %s", r);
    free(r);
    tap_is_str(mp_type_name(o), "MyFancyClass", "type name");
    TAP_OK(mp_class_of(o) == &Fancy && mp_isinstance(o, &Fancy) && !mp_isinstance(e, &Fancy),
           "class_of and isinstance");
    TAP_OK(mp_getattr(o, "nope") == NULL && mp_errcode() == MP_EATTR, "a missing attribute");
    tap_is_str(mp_errmsg(), "'MyFancyClass' object has no attribute 'nope'", "CPython's words");
    TAP_OK(mp_equal(o, o) && !mp_equal(o, e), "== is identity");
    d = mp_dict_new();
    TAP_OK(mp_dict_set(d, mp_incref(o), mp_int(1)) == 0 && mp_as_int(mp_dict_get(d, o)) == 1,
           "an object is hashable");
    mp_decref(d);
    TAP_OK(mp_object_new(&Fancy, mp_list_new()) == NULL && mp_errcode() == MP_ETYPE,
           "attributes must be a dict");

    /* CPython 3.11: pickle.dumps([a, Empty(), a], protocol=p) with
     * a = MyFancyClass('x'). */
    static const char p2[] =
        "\x80\x02\x5d\x71\x00\x28\x63\x5f\x5f\x6d\x61\x69\x6e\x5f\x5f\x0a\x4d\x79\x46\x61\x6e\x63\x79"
        "\x43\x6c\x61\x73\x73\x0a\x71\x01\x29\x81\x71\x02\x7d\x71\x03\x58\x04\x00\x00\x00\x6e\x61\x6d"
        "\x65\x71\x04\x58\x01\x00\x00\x00\x78\x71\x05\x73\x62\x63\x5f\x5f\x6d\x61\x69\x6e\x5f\x5f\x0a"
        "\x45\x6d\x70\x74\x79\x0a\x71\x06\x29\x81\x71\x07\x68\x02\x65\x2e";
    static const char p4[] =
        "\x80\x04\x95\x44\x00\x00\x00\x00\x00\x00\x00\x5d\x94\x28\x8c\x08\x5f\x5f\x6d\x61\x69\x6e\x5f"
        "\x5f\x94\x8c\x0c\x4d\x79\x46\x61\x6e\x63\x79\x43\x6c\x61\x73\x73\x94\x93\x94\x29\x81\x94\x7d"
        "\x94\x8c\x04\x6e\x61\x6d\x65\x94\x8c\x01\x78\x94\x73\x62\x68\x01\x8c\x05\x45\x6d\x70\x74\x79"
        "\x94\x93\x94\x29\x81\x94\x68\x04\x65\x2e";
    mp_value *l = mp_list_of(mp_incref(o), mp_incref(e), mp_incref(o)), *back = NULL;
    const char *want[] = {p2, p4};
    size_t wlen[] = {sizeof p2 - 1, sizeof p4 - 1};
    int protos[] = {2, 4};
    for (int i = 0; i < 2; i++) {
        uint8_t *out;
        size_t n;
        int rc = mp_pickle_dumps(l, &(mp_pickle_opts){.protocol = protos[i]}, &out, &n);
        TAP_OK(rc == 0 && n == wlen[i] && memcmp(out, want[i], n) == 0,
               "protocol %d: the bytes CPython writes for the same objects", protos[i]);
        if (rc == 0)
            free(out);
        rc = mp_pickle_loads(want[i], wlen[i], NULL, &back);
        TAP_OK(rc == 0 && mp_len(back) == 3 && mp_isinstance(mp_item(back, 0), &Fancy) &&
               mp_item(back, 0) == mp_item(back, 2) && mp_isinstance(mp_item(back, 1), &Empty),
               "protocol %d: CPython's pickle loads, sharing kept", protos[i]);
        if (rc == 0)
            tap_is_str(mp_as_str(mp_getattr(mp_item(back, 0), "name")), "x", "with its state");
        mp_decref(back);
    }
    mp_decref(l);

    /* CPython 3.11: a = MyFancyClass(); a.me = a; pickle.dumps(a, 4). */
    static const char self_ref[] =
        "\x80\x04\x95\x2b\x00\x00\x00\x00\x00\x00\x00\x8c\x08\x5f\x5f\x6d\x61\x69\x6e\x5f\x5f\x94\x8c"
        "\x0c\x4d\x79\x46\x61\x6e\x63\x79\x43\x6c\x61\x73\x73\x94\x93\x94\x29\x81\x94\x7d\x94\x8c\x02"
        "\x6d\x65\x94\x68\x03\x73\x62\x2e";
    tap_is_int(mp_pickle_loads(self_ref, sizeof self_ref - 1, NULL, &back), MP_EUNPICKLE,
               "an object that contains itself is refused (no cycles)");
    TAP_OK(strstr(mp_errmsg(), "already shared") != NULL, "saying why: %s", mp_errmsg());
    static const char unknown[] = "\x80\x04\x8c\x08__main__\x8c\x04Nope\x93)\x81.";
    tap_is_int(mp_pickle_loads(unknown, sizeof unknown - 1, NULL, &back), MP_EUNPICKLE,
               "an unregistered class");
    tap_is_str(mp_errmsg(), "global '__main__.Nope' is forbidden (opcode STACK_GLOBAL)", "is named");
    static const char mpmain[] = "\x80\x04\x8c\x0b__mp_main__\x8c\x05\x45mpty\x93)\x81.";
    TAP_OK(mp_pickle_loads(mpmain, sizeof mpmain - 1, NULL, &back) == 0 && mp_isinstance(back, &Empty),
           "__mp_main__ (a spawned CPython child's main) is __main__");
    mp_decref(back);
    static const char conn[] = "\x80\x04\x8c\x1amultiprocessing.connection\x8c\x0a" "Connection"
                               "\x93K\x00\x85R.";
    tap_is_int(mp_pickle_loads(conn, sizeof conn - 1, NULL, &back), MP_EUNPICKLE,
               "a library object from a message is refused");
    mp_decref(o);
    mp_decref(e);
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    test_duplex();
    test_simplex();
    test_bytes();
    test_lengths();
    test_closed();
    test_poll_and_refusals();
    test_wait();
    test_children();
    test_several_in_one_child();
    test_objects();
    test_records();
    test_big_pickles();
    return tap_done();
}

/* test_pipe_lanes.c - unit tests for a duplex Pipe's rings: sizes around the ring's, many writers and readers in children of every start method, sleepers, end of file, broken pipes, fileno() and wait().
 *
 * Usage: test_pipe_lanes      prints TAP.  The binary is also the program
 * spawn and forkserver re-run for their children (the targets below).  The
 * API's behaviour beside CPython's is checked in test_connection.c; this
 * file checks what the rings add (see connection_lane.c): every byte
 * arrives once and in order across the ring's edges and the counters'
 * wrap, the socket still tells a reader its peer has gone and a writer
 * its reader has, and once fileno() is given out the descriptor says what
 * recv would find.  No check depends on how long something takes.
 */
#include "connection/connection.h"
#include "messages.h"
#include "tap.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const methods[] = {"fork", "spawn", "forkserver"};

#define RING (256 * 1024)       /* connection_lane.c's ring */

/* Sizes around the ring's: the frame adds 4 bytes and a pickle a few. */
static const size_t sizes[] = {0, 1, 5, 100, RING / 2, RING - 40, RING - 30, RING - 4, RING,
                               RING + 1, 3 * RING + 7, 1 << 20, 2, RING - 1, 7};
#define NSIZES (sizeof sizes / sizeof *sizes)

static bool is_str(const mp_value *v, const char *s)
{
    return v && mp_as_str(v) && strcmp(mp_as_str(v), s) == 0;
}

static void nap(long ms)
{
    nanosleep(&(struct timespec){ms / 1000, ms % 1000 * 1000000L}, NULL);
}

/* ---- targets ------------------------------------------------------------ */

/* args: (conn, tag, n): send messages (tag, 0..n-1), a quarter of every size in turn. */
static int writer(const mp_value *args)
{
    mp_connection *c = mp_as_connection(mp_item(args, 0));
    int64_t tag = mp_as_int(mp_item(args, 1)), n = mp_as_int(mp_item(args, 2));
    for (int64_t i = 0; i < n; i++) {
        int rc = mp_connection_send(c, message(tag, i, sizes[(size_t)i % NSIZES] / 4));
        if (rc < 0)
            return rc;
    }
    return 0;
}
MP_TARGET(writer);

/* The sizes of test_socket_turns: a record holds at most 104 KiB, so most
 * of these take several, and a reader that did not hold the end's lock
 * for a whole message would read another's records as its own. */
static const size_t big_sizes[] = {70000, 300000, 5, 131072, 1 << 20, 106496, 106497, 999};
enum { NBIG = sizeof big_sizes / sizeof big_sizes[0] };

/* args: (conn, tag, n): (tag, 0..n-1) in big_sizes in turn. */
static int big_writer(const mp_value *args)
{
    mp_connection *c = mp_as_connection(mp_item(args, 0));
    int64_t tag = mp_as_int(mp_item(args, 1)), n = mp_as_int(mp_item(args, 2));
    for (int64_t i = 0; i < n; i++) {
        int rc = mp_connection_send(c, message(tag, i, big_sizes[(size_t)i % NBIG]));
        if (rc < 0)
            return rc;
    }
    return 0;
}
MP_TARGET(big_writer);

/* args: (conn, results, n): recv n messages, then put (got, wrong,
 * unordered, bytes) on the results Queue. */
static int reader(const mp_value *args)
{
    mp_connection *c = mp_as_connection(mp_item(args, 0));
    mp_queue *results = mp_as_queue(mp_item(args, 1));
    tally t = tally_new();
    for (int64_t k = 0; k < mp_as_int(mp_item(args, 2)); k++) {
        mp_value *v;
        int rc = mp_connection_recv(c, &v);
        if (rc < 0)
            return rc;
        tally_add(&t, v);
    }
    return mp_queue_put(results, tally_value(&t));
}
MP_TARGET(reader);

/* args: (conn, what): wait a moment, so that the parent is asleep, then send what. */
static int late_send(const mp_value *args)
{
    nap(200);
    return mp_connection_send(mp_as_connection(mp_item(args, 0)), mp_item(args, 1));
}
MP_TARGET(late_send);

/* args: (conn, n): send the ints 0..n-1 and return (exit, closing nothing). */
static int send_and_exit(const mp_value *args)
{
    mp_connection *c = mp_as_connection(mp_item(args, 0));
    for (int64_t i = 0; i < mp_as_int(mp_item(args, 1)); i++) {
        int rc = mp_connection_send(c, mp_int(i));
        if (rc < 0)
            return rc;
    }
    return 0;
}
MP_TARGET(send_and_exit);

/* args: (conn,): one message of 4 rings, which blocks once the ring is full. */
static int send_huge(const mp_value *args)
{
    uint8_t *b = calloc(4 * RING, 1);
    int rc = mp_connection_send_bytes(mp_as_connection(mp_item(args, 0)), b, 4 * RING, 0, MP_ALL);
    free(b);
    return rc;
}
MP_TARGET(send_huge);

/* args: (conn,): recv one message and send it back. */
static int echo(const mp_value *args)
{
    mp_connection *c = mp_as_connection(mp_item(args, 0));
    mp_value *v;
    int rc = mp_connection_recv(c, &v);
    if (rc < 0)
        return rc;
    return mp_connection_send(c, v);
}
MP_TARGET(echo);

/* args: (conn,): recv (and wait there: the parent sends nothing). */
static int recv_forever(const mp_value *args)
{
    mp_value *v;
    int rc = mp_connection_recv(mp_as_connection(mp_item(args, 0)), &v);
    if (rc == 0)
        mp_decref(v);
    return rc;
}
MP_TARGET(recv_forever);

static mp_process *start(const char *method, mp_target_fn target, mp_value *args)
{
    mp_process *p = mp_context_process(mp_get_context(method), &(mp_process_opts){
        .target = target, .args = args});
    if (p && mp_process_start(p) < 0) {
        mp_process_free(p);
        return NULL;
    }
    return p;
}

/* Join p: a child still running after 30 seconds is stuck (a check is
 * failing), and is killed so that the checks after it still run. */
static int finish(mp_process *p)
{
    if (!p)
        return -1;
    mp_process_join(p, MP_TIMEOUT(30));
    if (mp_process_is_alive(p)) {
        mp_process_kill(p);
        mp_process_join(p, MP_WAIT_FOREVER);
    }
    int code = mp_process_exitcode(p);
    mp_process_free(p);
    return code;
}

/* ---- in one process -------------------------------------------------------- */

static mp_connection *tr;

static void *read_sizes(void *arg)
{
    int *ok = arg;
    for (int round = 0; round < 3; round++)
        for (size_t k = 0; k < NSIZES; k++) {
            mp_value *v;
            int64_t tag, i;
            size_t size;
            if (mp_connection_recv(tr, &v) < 0)
                return NULL;
            if (whole(v, &tag, &i, &size) && tag == round && i == (int64_t)k && size == sizes[k])
                (*ok)++;
            mp_decref(v);
        }
    return NULL;
}

/* Every size, three times over, each way (the counters wrap in the first
 * round; the larger messages need the reader running while they go). */
static void test_sizes(void)
{
    mp_connection *a, *b;
    mp_pipe(&a, &b, NULL);
    for (int way = 0; way < 2; way++) {
        mp_connection *w = way ? b : a;
        tr = way ? a : b;
        int ok = 0, failed = 0;
        pthread_t t;
        pthread_create(&t, NULL, read_sizes, &ok);
        for (int round = 0; round < 3; round++)
            for (size_t k = 0; k < NSIZES; k++)
                failed += mp_connection_send(w, message(round, (int64_t)k, sizes[k])) < 0;
        pthread_join(t, NULL);
        tap_is_int(failed, 0, "%s: every send of every size around the ring's succeeds",
                   way ? "b to a" : "a to b");
        tap_is_int(ok, (int64_t)(3 * NSIZES), "%s: every message arrives whole, in order",
                   way ? "b to a" : "a to b");
        tap_is_int(mp_connection_poll(tr, MP_TIMEOUT(0)), 0, "%s: and nothing is left", way ? "b to a" : "a to b");
    }
    mp_connection_free(a);
    mp_connection_free(b);
}

/* Small messages wait in the ring with no reader, and poll sees them. */
static void test_waiting(void)
{
    mp_connection *a, *b;
    mp_pipe(&a, &b, NULL);
    tap_is_int(mp_connection_poll(b, MP_TIMEOUT(0)), 0, "poll(0) on an empty Pipe is False");
    for (int i = 0; i < 1000; i++)
        mp_connection_send(a, message(0, i, 20));
    tap_is_int(mp_connection_poll(b, MP_TIMEOUT(0)), 1, "poll(0) is True once a message waits");
    int ok = 0;
    for (int i = 0; i < 1000; i++) {
        mp_value *v;
        int64_t tag, n;
        size_t size;
        if (mp_connection_recv(b, &v) == 0 && whole(v, &tag, &n, &size) && n == i)
            ok++;
        mp_decref(v);
    }
    tap_is_int(ok, 1000, "1000 small messages wait in the ring for a reader, and come out in order");
    tap_is_int(mp_connection_poll(b, MP_TIMEOUT(0)), 0, "poll(0) is False again");
    mp_connection_free(a);
    mp_connection_free(b);
}

/* A reader that was refused a message (over its maxlength) does not
 * leave the ring mid-message for the end's other readers: the parent,
 * reading the same end after a child was refused, gets the next message. */
static int refuse_one(const mp_value *args)
{
    mp_value *v = NULL;
    int rc = mp_connection_recv_bytes(mp_as_connection(mp_item(args, 0)), 5, &v);
    mp_decref(v);
    if (rc == MP_EOS && strcmp(mp_errmsg(), "bad message length") == 0)
        return 0;
    return mp_raise("RuntimeError", "not refused: %d", rc);
}
MP_TARGET(refuse_one);

static void test_refused_keeps_framing(void)
{
    for (size_t m = 0; m < 3; m++) {
        mp_connection *a, *b;
        mp_pipe(&a, &b, NULL);
        mp_connection_send_bytes(a, "0123456789", 10, 0, MP_ALL);
        mp_connection_send_bytes(a, "next", 4, 0, MP_ALL);
        tap_is_int(finish(start(methods[m], refuse_one, mp_tuple_of(b))), 0,
                   "%s: a child is refused a message over its maxlength", methods[m]);
        mp_value *got = NULL;
        size_t n = 0;
        const uint8_t *p = mp_connection_recv_bytes(b, MP_ALL, &got) == 0 ? mp_as_bytes(got, &n) : NULL;
        TAP_OK(p && n == 4 && memcmp(p, "next", 4) == 0,
               "%s: another reader of the end gets the next message whole", methods[m]);
        mp_decref(got);
        mp_connection_free(a);
        mp_connection_free(b);
    }
}

/* ---- with children -------------------------------------------------------- */

/* Two writers and two readers, all children of one method, on one Pipe's
 * two ends: nothing mixed, lost or twice, each writer in order. */
/* Two writers (target, n messages each, expect_bytes each) and two
 * readers on one Pipe under method, the Pipe on its socket when
 * on_socket: every message whole, once, in each writer's order. */
static void two_by_two(const char *method, mp_target_fn target, int64_t n, size_t expect_bytes,
                       bool on_socket)
{
    mp_connection *a, *b;
    mp_pipe(&a, &b, NULL);
    if (on_socket)
        mp_connection_fileno(b);            /* the Pipe goes to its socket */
    mp_process *p[4];
    for (int k = 0; k < 2; k++)
        p[k] = start(method, target, mp_tuple_of(a, k, n));
    /* Made after the writers started, so that a forked writer does not
     * hold it only in a register at exit (valgrind would call that a
     * leak); the readers have it in their args. */
    mp_queue *res = mp_queue_new(0);
    for (int k = 2; k < 4; k++)
        p[k] = start(method, reader, mp_tuple_of(b, res, n));
    mp_connection_close(a);
    mp_connection_close(b);
    tally t = tally_new();
    mp_value *v;
    for (int k = 0; k < 2 && mp_queue_get_ex(res, &v, &(mp_queue_opts){.timeout = MP_TIMEOUT(60)}) == 0; k++)
        tally_merge(&t, v);
    int codes = 0;
    for (int k = 0; k < 4; k++)
        codes += finish(p[k]) != 0;
    tally_check(&t, method, n, expect_bytes);
    tap_is_int(codes, 0, "%s%s: the four children exit 0", method, on_socket ? ", after fileno()" : "");
    mp_connection_free(a);
    mp_connection_free(b);
    mp_queue_close(res);
    mp_queue_free(res);
}

static void test_many_processes(void)
{
    enum { N = 90 };
    size_t expect_bytes = 0;
    for (int64_t i = 0; i < N; i++)
        expect_bytes += sizes[(size_t)i % NSIZES] / 4;
    for (size_t m = 0; m < 3; m++)
        two_by_two(methods[m], writer, N, expect_bytes, false);
}

static mp_connection *sc;
static mp_value *slept;

static void *sleeper(void *arg)
{
    (void)arg;
    mp_connection_recv(sc, &slept);
    return NULL;
}

/* A recv and a poll that found nothing sleep, and a child's send wakes
 * them (if the machine stalls long enough for the child's send to come
 * during the spin instead, the checks still hold). */
static void test_sleepers(void)
{
    for (size_t m = 0; m < 3; m++) {
        mp_connection *a, *b;
        mp_pipe(&a, &b, NULL);
        sc = b;
        slept = NULL;
        pthread_t t;
        pthread_create(&t, NULL, sleeper, NULL);
        mp_process *p = start(methods[m], late_send, mp_tuple_of(a, "late"));
        pthread_join(t, NULL);
        finish(p);
        TAP_OK(is_str(slept, "late"), "%s: a sleeping recv is woken by a child's send", methods[m]);
        mp_decref(slept);
        p = start(methods[m], late_send, mp_tuple_of(a, "later"));
        tap_is_int(mp_connection_poll(b, MP_TIMEOUT(60)), 1, "%s: a sleeping poll is woken too", methods[m]);
        finish(p);
        mp_value *v = NULL;
        TAP_OK(mp_connection_recv(b, &v) == 0 && is_str(v, "later"), "%s: with the message", methods[m]);
        mp_decref(v);
        mp_connection_free(a);
        mp_connection_free(b);
    }
}

/* ---- end of file and broken pipes ------------------------------------------------ */

static void test_eof(void)
{
    mp_connection *a, *b;
    mp_pipe(&a, &b, NULL);
    mp_value *got = NULL;
    mp_connection_send(b, mp_int(7));
    mp_connection_close(b);
    TAP_OK(mp_connection_recv(a, &got) == 0 && mp_as_int(got) == 7,
           "a message sent before the peer closed still arrives");
    mp_decref(got);
    tap_is_int(mp_connection_poll(a, MP_TIMEOUT(0)), 1, "then poll says True at end of file");
    tap_is_int(mp_connection_recv(a, &got), MP_EEOF, "and recv is EOFError");
    mp_connection_free(a);
    mp_connection_free(b);

    for (size_t m = 0; m < 3; m++) {
        mp_pipe(&a, &b, NULL);
        mp_process *p = start(methods[m], send_and_exit, mp_tuple_of(b, 3));
        mp_connection_close(b);
        int ok = 0;
        for (int i = 0; i < 3; i++) {
            if (mp_connection_recv(a, &got) == 0 && mp_as_int(got) == i)
                ok++;
            mp_decref(got);
        }
        tap_is_int(ok, 3, "%s: a child's messages arrive after it exits", methods[m]);
        tap_is_int(mp_connection_recv(a, &got), MP_EEOF, "%s: then EOFError", methods[m]);
        finish(p);
        mp_connection_free(a);
        mp_connection_free(b);

        /* A writer killed inside a message: the reader is told, not left
         * waiting; then EOFError.  The second time fileno() was asked while
         * the child waited, so the killed writer is still counted in the
         * ring (its robust lock tells the reader it died). */
        for (int asked = 0; asked < 2; asked++) {
            mp_pipe(&a, &b, NULL);
            p = start(methods[m], send_huge, mp_tuple_of(b));
            mp_connection_close(b);
            mp_connection_poll(a, MP_TIMEOUT(60));      /* the first bytes are in */
            nap(200);                       /* the ring fills and the child waits */
            if (asked)
                mp_connection_fileno(a);
            mp_process_kill(p);
            finish(p);
            got = NULL;
            int rc = mp_connection_recv_bytes(a, MP_ALL, &got);
            mp_decref(got);
            const char *how = asked ? "after fileno()" : "on the ring";
            tap_is_int(rc, MP_EOS, "%s, %s: a writer killed inside a message is an OSError",
                       methods[m], how);
            tap_is_str(mp_errmsg(), "got end of file during message", "%s, %s: CPython's words",
                       methods[m], how);
            tap_is_int(mp_connection_recv_bytes(a, MP_ALL, &got), MP_EEOF,
                       "%s, %s: then EOFError", methods[m], how);
            mp_connection_free(a);
            mp_connection_free(b);
        }
    }
}

static bool broken(int rc)
{
    return rc == MP_EOS && strstr(mp_errmsg(), "Broken pipe") != NULL && mp_errno() == EPIPE;
}

static void test_broken_pipe(void)
{
    mp_connection *a, *b;
    mp_value *v = mp_int(1);
    mp_pipe(&a, &b, NULL);
    mp_connection_close(b);
    TAP_OK(broken(mp_connection_send(a, mp_incref(v))), "send to a closed end is BrokenPipeError");
    mp_connection_free(a);
    mp_connection_free(b);

    mp_pipe(&a, &b, NULL);
    mp_connection_send(a, mp_incref(v));
    mp_connection_close(b);
    TAP_OK(broken(mp_connection_send(a, mp_incref(v))),
           "also when an earlier message still waits (the bell already rung)");
    mp_connection_free(a);
    mp_connection_free(b);

    for (size_t m = 0; m < 3; m++) {
        /* The parent closes its copy at once: the child's copy, counted
         * before it started, keeps the end open. */
        int ok = 0;
        for (int k = 0; k < 3; k++) {
            mp_pipe(&a, &b, NULL);
            mp_process *p = start(methods[m], echo, mp_tuple_of(b));
            mp_connection_close(b);
            mp_value *got = NULL;
            if (mp_connection_send(a, mp_incref(v)) == 0 && mp_connection_recv(a, &got) == 0 &&
                mp_as_int(got) == 1)
                ok++;
            mp_decref(got);
            /* The child has exited (or is exiting): then a send is refused. */
            if (finish(p) == 0 && broken(mp_connection_send(a, mp_incref(v))))
                ok++;
            mp_connection_free(a);
            mp_connection_free(b);
        }
        tap_is_int(ok, 6, "%s: a child's end stays open until it exits, then send is "
                   "BrokenPipeError", methods[m]);

        /* A reader killed, not exited: its end is still counted, and the
         * socket tells the writer, at the latest once the ring is full. */
        mp_pipe(&a, &b, NULL);
        mp_process *p = start(methods[m], recv_forever, mp_tuple_of(b));
        mp_connection_close(b);
        nap(100);
        mp_process_kill(p);
        finish(p);
        int rc = 0, sent = 0;
        while (sent < 1000000 && (rc = mp_connection_send(a, mp_incref(v))) == 0)
            sent++;
        TAP_OK(broken(rc), "%s: sends to a killed reader end in BrokenPipeError (after %d)",
               methods[m], sent);
        mp_connection_free(a);
        mp_connection_free(b);
    }
    mp_decref(v);
}

/* A reader killed while it waits in recv holds the end's read lock: the
 * next reader of the end is not kept waiting for ever. */
static void test_killed_reader(void)
{
    for (size_t m = 0; m < 3; m++) {
        mp_connection *a, *b;
        mp_pipe(&a, &b, NULL);
        mp_process *p = start(methods[m], recv_forever, mp_tuple_of(b));
        nap(300);                           /* it is in recv, holding the lock */
        mp_process_kill(p);
        finish(p);
        mp_value *got = NULL;
        mp_connection_send(a, mp_str("after"));
        TAP_OK(mp_connection_recv(b, &got) == 0 && is_str(got, "after"),
               "%s: the end is read again after a reader was killed in recv", methods[m]);
        mp_decref(got);
        mp_connection_free(a);
        mp_connection_free(b);
    }
}

/* ---- fileno() and wait() --------------------------------------------------- */

static int fd_readable(int fd)
{
    struct pollfd p = {fd, POLLIN, 0};
    return poll(&p, 1, 0);
}

/* Readers of one end take turns after fileno() too (socket mode), with
 * messages of several records. */
static void test_socket_turns(void)
{
    enum { N = 40 };
    size_t expect_bytes = 0;
    for (int64_t i = 0; i < N; i++)
        expect_bytes += big_sizes[(size_t)i % NBIG];
    for (size_t m = 0; m < 3; m++)
        two_by_two(methods[m], big_writer, N, expect_bytes, true);
}

static void test_fileno(void)
{
    mp_connection *a, *b;
    mp_value *got = NULL;
    for (int who = 0; who < 2; who++) {
        /* Messages in the ring when fileno() is asked (of the reader, then
         * of the writer) keep the descriptor readable until they are read;
         * then later messages go on the socket, in order after them. */
        mp_pipe(&a, &b, NULL);
        for (int i = 0; i < 3; i++)
            mp_connection_send(a, mp_int(i));
        mp_connection_fileno(who ? a : b);
        int fd = b->fd;
        tap_is_int(fd_readable(fd), 1, "fileno() of the %s: readable with messages in the ring",
                   who ? "writer" : "reader");
        int ok = 0;
        for (int i = 0; i < 3; i++) {
            if (mp_connection_recv(b, &got) == 0 && mp_as_int(got) == i)
                ok++;
            mp_decref(got);
            if (i == 1)
                ok += fd_readable(fd) == 1;
        }
        tap_is_int(fd_readable(fd), 0, "fileno() of the %s: not readable once the ring is read",
                   who ? "writer" : "reader");
        mp_connection_send(a, mp_int(3));
        ok += fd_readable(fd) == 1;
        if (mp_connection_recv(b, &got) == 0 && mp_as_int(got) == 3)
            ok++;
        mp_decref(got);
        tap_is_int(ok, 6, "fileno() of the %s: the ring's messages, then the socket's, in order",
                   who ? "writer" : "reader");
        tap_is_int(fd_readable(fd), 0, "fileno() of the %s: and not readable once that is read",
                   who ? "writer" : "reader");
        mp_connection_free(a);
        mp_connection_free(b);
    }

    /* A bell left from ring mode does not make the descriptor readable. */
    mp_pipe(&a, &b, NULL);
    mp_connection_send(a, mp_int(1));
    mp_connection_recv(b, &got);
    mp_decref(got);
    tap_is_int(fd_readable(mp_connection_fileno(b)), 0,
               "fileno() after the ring emptied: not readable");
    /* In socket mode the stream is CPython's: raw frames are messages. */
    int wfd = mp_connection_fileno(a);
    TAP_OK(write(wfd, "\0\0\0\3abc", 7) == 7, "a raw frame written on the descriptor");
    TAP_OK(mp_connection_recv_bytes(b, MP_ALL, &got) == 0 && mp_len(got) == 3,
           "is read as a message");
    mp_decref(got);
    mp_connection_free(a);
    mp_connection_free(b);
}

static void test_wait(void)
{
    mp_connection *a, *b, *c, *d;
    mp_pipe(&a, &b, NULL);
    mp_pipe(&c, &d, NULL);
    mp_value *v = mp_int(5), *ready = NULL, *got = NULL;
    mp_value *both = mp_list_of(b, d);
    TAP_OK(mp_wait(both, MP_TIMEOUT(0), &ready) == 0 && mp_len(ready) == 0, "wait(): nothing ready");
    mp_decref(ready);
    mp_connection_send(c, mp_incref(v));
    TAP_OK(mp_wait(both, MP_TIMEOUT(1), &ready) == 0 && mp_len(ready) == 1 &&
           mp_as_connection(mp_item(ready, 0)) == d, "wait(): the Pipe with a message");
    mp_decref(ready);
    mp_connection_recv(d, &got);
    mp_decref(got);
    TAP_OK(mp_wait(both, MP_TIMEOUT(0.2), &ready) == 0 && mp_len(ready) == 0,
           "wait(): none once it is read (a bell left set is not a message)");
    mp_decref(ready);
    mp_connection_close(a);
    TAP_OK(mp_wait(both, MP_TIMEOUT(1), &ready) == 0 && mp_len(ready) == 1 &&
           mp_as_connection(mp_item(ready, 0)) == b, "wait(): a Pipe at end of file is ready");
    mp_decref(ready);
    /* wait() asks no fileno(): the Pipes stay on their rings. */
    mp_connection_send(c, mp_incref(v));
    mp_connection_recv(d, &got);
    mp_decref(got);
    tap_is_int(fd_readable(d->fd), 1, "wait() left the Pipe on its ring (its bell stays)");
    mp_decref(both);
    mp_decref(v);
    mp_connection_free(a);
    mp_connection_free(b);
    mp_connection_free(c);
    mp_connection_free(d);
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    /* A ring that lost its framing makes a reader wait for bytes that never
     * come: fail in two minutes rather than at the harness's limit. */
    alarm(120);
    test_sizes();
    test_waiting();
    test_refused_keeps_framing();
    test_many_processes();
    test_sleepers();
    test_eof();
    test_broken_pipe();
    test_killed_reader();
    test_fileno();
    test_socket_turns();
    test_wait();
    return tap_done();
}

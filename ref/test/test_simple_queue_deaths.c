/* test_simple_queue_deaths.c - unit tests for a SimpleQueue whose writer or reader is SIGKILLed while it holds its lock, under every start method.
 *
 * Usage: test_simple_queue_deaths [case ...]   prints TAP; the cases are
 * writer-waits, writer-next, writer-reader-waits, writer-twice, reader-inside,
 * reader-empty (default: all).  The binary is also the program spawn and
 * forkserver re-run for their children (the targets below).
 *
 * In CPython a process killed while it holds a SimpleQueue's lock leaves
 * every other process waiting for ever.  Here (simple_queue.c, "Deaths")
 * the next reader or writer goes on, and the one message the dead process
 * was moving is reported once, to one reader, as an OwnerDiedError; every other
 * message arrives whole, once and in order.  Each case makes the death
 * land where it means to without racing: a writer is inside its message
 * when the ring holds bytes of a message larger than the ring and no
 * reader runs (it waits for room), a reader is inside one when it has
 * emptied the ring of such a message whose writer is stopped (SIGSTOP).
 * A nap only makes one path more likely where two lead to the same
 * result.  Every read happens in a child whose results come back through
 * a Queue with a timeout, so a regression fails its checks instead of
 * hanging the suite.
 */
#include "messages.h"
#include "tap.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const methods[] = {"fork", "spawn", "forkserver"};

#define RING (64 * 1024)        /* simple_queue.c's ring */
#define HUGE ((size_t)1 << 20)  /* a message the ring holds a sixteenth of */
#define N 12                    /* messages after the death */
#define WAIT_S 20               /* seconds a result may take before the case fails */

static const size_t sizes[] = {0, 100, RING + 1, 5, 3 * RING, 1};
#define NSIZES (sizeof sizes / sizeof *sizes)

static const char *const lost_writing = "a process died while it was sending this message; what came of it is dropped";
static const char *const lost_reading = "a process died while it was taking a message from here; that message is lost";

static void nap(long ms)
{
    nanosleep(&(struct timespec){ms / 1000, ms % 1000 * 1000000L}, NULL);
}

/* ---- targets ------------------------------------------------------------ */

/* args (q, tag, huge, n): when huge, put (tag, -1, HUGE bytes) first;
 * then (tag, i) for i < n, of the sizes in turn. */
static int writer(const mp_value *args)
{
    mp_simple_queue *q = mp_as_simple_queue(mp_item(args, 0));
    int64_t tag = mp_as_int(mp_item(args, 1)), n = mp_as_int(mp_item(args, 3));
    int rc = mp_as_int(mp_item(args, 2)) ? mp_simple_queue_put(q, message(tag, -1, HUGE)) : 0;
    for (int64_t i = 0; rc == 0 && i < n; i++)
        rc = mp_simple_queue_put(q, message(tag, i, sizes[(size_t)i % NSIZES]));
    return rc;
}
MP_TARGET(writer);

/* args (q, results, n): get until messages (1, 0) to (1, n - 1) have come
 * in that order, or n + 3 gets.  After the first get put (rc, errmsg) into
 * results (a Queue), at the end (errors, got, wrong, last errmsg). */
static int reader(const mp_value *args)
{
    mp_simple_queue *q = mp_as_simple_queue(mp_item(args, 0));
    mp_queue *res = mp_as_queue(mp_item(args, 1));
    int64_t n = mp_as_int(mp_item(args, 2)), errors = 0, got = 0, wrong = 0;
    char last[200] = "";
    for (int64_t k = 0; got < n && k < n + 3; k++) {
        mp_value *v = NULL;
        int rc = mp_simple_queue_get(q, &v);
        if (rc < 0) {
            errors++;
            snprintf(last, sizeof last, "%s", mp_errmsg());
        } else {
            int64_t tag, i;
            size_t size;
            if (whole(v, &tag, &i, &size) && tag == 1 && i == got &&
                size == sizes[(size_t)i % NSIZES])
                got++;
            else
                wrong++;
        }
        mp_decref(v);
        if (k == 0 && mp_queue_put(res, mp_tuple_of(rc, rc < 0 ? last : "")) < 0)
            return mp_errcode();
    }
    return mp_queue_put(res, mp_tuple_of(errors, got, wrong, last));
}
MP_TARGET(reader);

/* args (q, ready): say so in ready (a Queue), then get. */
static int get_once(const mp_value *args)
{
    mp_value *v = NULL;
    int rc = mp_queue_put(mp_as_queue(mp_item(args, 1)), "ready");
    if (rc == 0)
        rc = mp_simple_queue_get(mp_as_simple_queue(mp_item(args, 0)), &v);
    mp_decref(v);
    return rc;
}
MP_TARGET(get_once);

/* ---- helpers ---------------------------------------------------------------- */

/* A case's queues and processes.  Static, so that a fork child, which
 * never returns into the case's frame, still points at them when valgrind
 * looks for leaks at its exit. */
static mp_simple_queue *q;
static mp_queue *res, *ready;
static mp_process *r, *w, *dead, *second;

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

/* Join p (within WAIT_S seconds, or at once when it is stuck), killing it
 * if it still runs: its exit code.  (No SIGCONT here: one that comes
 * while LeakSanitizer stops the exiting child's threads, under
 * make san-build, discards its SIGSTOP and leaves it waiting.) */
static int finish(mp_process *p, bool stuck)
{
    if (!p)
        return -1;
    mp_process_join(p, MP_TIMEOUT(stuck ? 0 : WAIT_S));
    if (mp_process_is_alive(p)) {
        mp_process_kill(p);
        mp_process_join(p, MP_WAIT_FOREVER);
    }
    int code = mp_process_exitcode(p);
    mp_process_free(p);
    return code;
}

/* Kill p (SIGKILL) and wait for it: the kernel has then given up its locks. */
static void kill_it(mp_process *p)
{
    if (p) {
        mp_process_kill(p);
        mp_process_join(p, MP_WAIT_FOREVER);
        mp_process_free(p);
    }
}

/* Seconds on the monotonic clock (this test uses mp.h only, so that it can
 * run against another implementation: make unit-conformance). */
static double monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Wait until empty(q) is want, for at most WAIT_S seconds. */
static bool until_empty(mp_simple_queue *q, bool want)
{
    double until = monotonic() + WAIT_S;
    while (mp_simple_queue_empty(q) != want) {
        if (monotonic() > until)
            return false;
        nap(1);
    }
    return true;
}

/* The next result of a reader, or NULL after WAIT_S seconds. */
static mp_value *result(mp_queue *from)
{
    mp_value *v = NULL;
    if (mp_queue_get_ex(from, &v, &(mp_queue_opts){.timeout = MP_TIMEOUT(WAIT_S)}) < 0)
        return NULL;
    return v;
}

static const char *str_at(const mp_value *v, size_t i)
{
    return v ? mp_as_str(mp_item(v, i)) : NULL;
}

/* A reader's first get: the error with these words (NULL: a message). */
static bool check_first(mp_value *first, const char *msg, const char *what)
{
    bool ok = first != NULL;
    if (!msg) {
        ok = tap_ok(ok && mp_as_int(mp_item(first, 0)) == 0, "%s: the first get is the next message",
                    what);
    } else {
        ok = tap_ok(ok && mp_as_int(mp_item(first, 0)) == MP_EOWNERDEAD,
                    "%s: the first get is an OwnerDiedError%s", what, first ? "" : " (it did not return)");
        tap_is_str(str_at(first, 1), msg, "%s: saying so", what);
    }
    mp_decref(first);
    return ok;
}

/* A reader's end (NULL when its first get did not return): errors, then
 * n messages whole and in order. */
static bool check_done(mp_value *done, int64_t errors, const char *what)
{
    bool ok = tap_ok(done != NULL, "%s: the reader finished", what);
    if (done) {
        ok &= tap_is_int(mp_as_int(mp_item(done, 0)), errors, "%s: %lld error(s) in all", what,
                         (long long)errors);
        ok &= tap_is_int(mp_as_int(mp_item(done, 1)), N,
                         "%s: then the %d messages put after, whole and in order", what, N);
        ok &= tap_is_int(mp_as_int(mp_item(done, 2)), 0, "%s: nothing else (no torn data)", what);
    }
    mp_decref(done);
    return ok;
}

/* Start the writer of a huge message, and wait until it is inside it
 * (the ring holds its first bytes, and with no reader it waits for room). */
static mp_process *huge_writer(const char *method, int64_t n)
{
    mp_process *p = start(method, writer, mp_tuple_of(q, 1, 1, n));
    TAP_OK(p && until_empty(q, false), "%s: a writer is inside a message larger than the ring",
           method);
    return p;
}

/* ---- the cases ----------------------------------------------------------- */

/* A writer killed inside a message; a reader started after takes the
 * bytes it wrote and waits for the rest: it looks, finds the writer dead,
 * and reports the message lost.  Then another writer's messages. */
static void writer_waits(const char *m)
{
    char what[64];
    snprintf(what, sizeof what, "%s, writer killed, reader waits", m);
    q = mp_simple_queue_new();
    res = mp_queue_new(0);
    kill_it(huge_writer(m, 0));
    r = start(m, reader, mp_tuple_of(q, res, N));
    bool ok = check_first(result(res), lost_writing, what);
    w = start(m, writer, mp_tuple_of(q, 1, 0, N));
    ok &= check_done(ok ? result(res) : NULL, 1, what);
    tap_is_int(finish(r, !ok), 0, "%s: the reader exits 0", what);
    tap_is_int(finish(w, !ok), 0, "%s: the new writer exits 0", what);
    TAP_OK(mp_simple_queue_empty(q), "%s: nothing left over", what);
    mp_queue_free(res);
    mp_simple_queue_free(q);
}

/* A writer killed inside a message; the next writer takes the lock from
 * the dead one, records where the message was cut and writes its own
 * after it (the nap makes it likely to come before the reader; if not,
 * the reader finds the death as in writer_waits). */
static void writer_next(const char *m)
{
    char what[64];
    snprintf(what, sizeof what, "%s, writer killed, next writer", m);
    q = mp_simple_queue_new();
    res = mp_queue_new(0);
    kill_it(huge_writer(m, 0));
    w = start(m, writer, mp_tuple_of(q, 1, 0, N));
    nap(300);
    r = start(m, reader, mp_tuple_of(q, res, N));
    bool ok = check_first(result(res), lost_writing, what);
    ok &= check_done(ok ? result(res) : NULL, 1, what);
    tap_is_int(finish(r, !ok), 0, "%s: the reader exits 0", what);
    tap_is_int(finish(w, !ok), 0, "%s: the new writer exits 0", what);
    TAP_OK(mp_simple_queue_empty(q), "%s: nothing left over", what);
    mp_queue_free(res);
    mp_simple_queue_free(q);
}

/* A writer killed while a reader already waits inside its message (the
 * writer stopped, the reader has emptied the ring): the reader is not
 * left waiting. */
static void writer_reader_waits(const char *m)
{
    char what[64];
    snprintf(what, sizeof what, "%s, writer killed under a waiting reader", m);
    q = mp_simple_queue_new();
    res = mp_queue_new(0);
    dead = huge_writer(m, 0);
    kill(mp_process_pid(dead), SIGSTOP);
    r = start(m, reader, mp_tuple_of(q, res, N));
    TAP_OK(until_empty(q, true), "%s: the reader took what there was", what);
    kill_it(dead);
    bool ok = check_first(result(res), lost_writing, what);
    w = start(m, writer, mp_tuple_of(q, 1, 0, N));
    ok &= check_done(ok ? result(res) : NULL, 1, what);
    tap_is_int(finish(r, !ok), 0, "%s: the reader exits 0", what);
    tap_is_int(finish(w, !ok), 0, "%s: the new writer exits 0", what);
    mp_queue_free(res);
    mp_simple_queue_free(q);
}

/* A writer killed inside a message, then the next writer killed while it
 * waits for room (it had written none of its own): one message is lost,
 * not two, and a third writer's messages follow. */
static void writer_twice(const char *m)
{
    char what[64];
    snprintf(what, sizeof what, "%s, two writers killed", m);
    q = mp_simple_queue_new();
    res = mp_queue_new(0);
    kill_it(huge_writer(m, 0));
    second = start(m, writer, mp_tuple_of(q, 2, 0, N));
    nap(300);
    kill_it(second);
    w = start(m, writer, mp_tuple_of(q, 1, 0, N));
    r = start(m, reader, mp_tuple_of(q, res, N));
    bool ok = check_first(result(res), lost_writing, what);
    ok &= check_done(ok ? result(res) : NULL, 1, what);
    tap_is_int(finish(r, !ok), 0, "%s: the reader exits 0", what);
    tap_is_int(finish(w, !ok), 0, "%s: the third writer exits 0", what);
    TAP_OK(mp_simple_queue_empty(q), "%s: nothing left over", what);
    mp_queue_free(res);
    mp_simple_queue_free(q);
}

/* A reader killed inside a message (its writer stopped, the ring emptied
 * by the reader): the next reader drops the rest of that message as it
 * comes, reports it lost, then gets the writer's next messages. */
static void reader_inside(const char *m)
{
    char what[64];
    snprintf(what, sizeof what, "%s, reader killed inside a message", m);
    q = mp_simple_queue_new();
    res = mp_queue_new(0);
    ready = mp_queue_new(0);
    w = huge_writer(m, N);
    kill(mp_process_pid(w), SIGSTOP);
    dead = start(m, get_once, mp_tuple_of(q, ready));
    TAP_OK(until_empty(q, true), "%s: the reader took what there was", what);
    kill_it(dead);
    kill(mp_process_pid(w), SIGCONT);
    r = start(m, reader, mp_tuple_of(q, res, N));
    bool ok = check_first(result(res), lost_reading, what);
    ok &= check_done(ok ? result(res) : NULL, 1, what);
    tap_is_int(finish(r, !ok), 0, "%s: the next reader exits 0", what);
    tap_is_int(finish(w, !ok), 0, "%s: the writer exits 0", what);
    TAP_OK(mp_simple_queue_empty(q), "%s: nothing left over", what);
    mp_queue_free(ready);
    mp_queue_free(res);
    mp_simple_queue_free(q);
}

/* A reader killed while it waits in get on an empty queue (holding the
 * read lock, asleep): nothing is lost, and the next reader reads. */
static void reader_empty(const char *m)
{
    char what[64];
    snprintf(what, sizeof what, "%s, reader killed waiting", m);
    q = mp_simple_queue_new();
    res = mp_queue_new(0);
    ready = mp_queue_new(0);
    dead = start(m, get_once, mp_tuple_of(q, ready));
    mp_value *v = result(ready);
    TAP_OK(v != NULL, "%s: the reader is in get", what);
    mp_decref(v);
    nap(300);                           /* past its spin: asleep, holding the lock */
    kill_it(dead);
    w = start(m, writer, mp_tuple_of(q, 1, 0, N));
    r = start(m, reader, mp_tuple_of(q, res, N));
    bool ok = check_first(result(res), NULL, what);
    ok &= check_done(ok ? result(res) : NULL, 0, what);
    tap_is_int(finish(r, !ok), 0, "%s: the next reader exits 0", what);
    tap_is_int(finish(w, !ok), 0, "%s: the writer exits 0", what);
    TAP_OK(mp_simple_queue_empty(q), "%s: nothing left over", what);
    mp_queue_free(ready);
    mp_queue_free(res);
    mp_simple_queue_free(q);
}

static const struct {
    const char *name;
    void (*run)(const char *method);
} cases[] = {
    {"writer-waits", writer_waits},       {"writer-next", writer_next},
    {"writer-reader-waits", writer_reader_waits}, {"writer-twice", writer_twice},
    {"reader-inside", reader_inside},     {"reader-empty", reader_empty},
};

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    /* Every wait above is bounded; this is the last resort. */
    alarm(600);
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        bool chosen = argc < 2;
        for (int a = 1; a < argc; a++)
            chosen |= strcmp(argv[a], cases[c].name) == 0;
        for (size_t m = 0; chosen && m < 3; m++)
            cases[c].run(methods[m]);
    }
    return tap_done();
}

/* test_queue.c - unit tests for Queue, JoinableQueue and SimpleQueue, in this process and in children under every start method.
 *
 * Usage: test_queue      prints TAP.  The binary is also the program spawn
 * and forkserver re-run for their children (the targets below).  Messages
 * checked are CPython 3.11's own (multiprocessing/queues.py); no check
 * depends on how long something takes: a timed get or put is only asked to
 * fail when nothing can arrive, and waits for things that must happen have
 * no deadline at all.
 */
#include "queues/queues.h"

#include "tap.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const methods[] = {"fork", "spawn", "forkserver"};

#define QV(q) ((mp_value *)(void *)(q))     /* a queue is a value */

/* ---- targets ------------------------------------------------------------ */

/* args: (q_in, q_out): echo each int doubled until None arrives. */
static int doubler(const mp_value *args)
{
    mp_queue *in = mp_as_queue(mp_item(args, 0)), *out = mp_as_queue(mp_item(args, 1));
    if (!in || !out)
        return mp_raise("TypeError", "doubler wants two queues");
    for (;;) {
        mp_value *v;
        int rc = mp_queue_get(in, &v);
        if (rc < 0)
            return rc;
        if (mp_typeof(v) == MP_T_NONE)
            return 0;
        int64_t i = mp_as_int(v);
        mp_decref(v);
        if ((rc = mp_queue_put(out, i * 2)) < 0)
            return rc;
    }
}
MP_TARGET(doubler);

/* args: (q, n, size, cancel): put n tuples (i, size bytes of i % 251) and
 * return without closing or joining: the exit function must flush them
 * (unless cancel, which calls cancel_join_thread first). */
static int put_many(const mp_value *args)
{
    mp_queue *q = mp_as_queue(mp_item(args, 0));
    int64_t n = mp_as_int(mp_item(args, 1)), size = mp_as_int(mp_item(args, 2));
    if (mp_as_bool(mp_item(args, 3)))
        mp_queue_cancel_join_thread(q);
    uint8_t *buf = malloc((size_t)size + 1);
    for (int64_t i = 0; i < n; i++) {
        memset(buf, (int)(i % 251), (size_t)size);
        int rc = mp_queue_put(q, mp_tuple_of(i, mp_bytes(buf, (size_t)size)));
        if (rc < 0) {
            free(buf);
            return rc;
        }
    }
    free(buf);
    /* With cancel, wait until the feeder has written something (a message
     * this small is written atomically), so the parent has one to read:
     * exiting may otherwise stop the feeder before its first write. */
    double until = mp__monotonic() + 60;
    while (mp_as_bool(mp_item(args, 3)) && mp_queue_empty(q) && mp__monotonic() < until)
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    return 0;
}
MP_TARGET(put_many);

/* args: (jq, n): take n items, marking each done. */
static int consumer(const mp_value *args)
{
    mp_queue *q = mp_as_queue(mp_item(args, 0));
    int64_t n = mp_as_int(mp_item(args, 1));
    for (int64_t i = 0; i < n; i++) {
        mp_value *v;
        int rc = mp_queue_get(q, &v);
        if (rc < 0)
            return rc;
        mp_decref(v);
        if ((rc = mp_joinable_queue_task_done(q)) < 0)
            return rc;
    }
    return 0;
}
MP_TARGET(consumer);

/* args: (sq_in, sq_out): one value back, inside a list. */
static int simple_echo(const mp_value *args)
{
    mp_simple_queue *in = mp_as_simple_queue(mp_item(args, 0));
    mp_simple_queue *out = mp_as_simple_queue(mp_item(args, 1));
    if (!in || !out)
        return mp_raise("TypeError", "simple_echo wants two simple queues");
    mp_value *v;
    int rc = mp_simple_queue_get(in, &v);
    return rc < 0 ? rc : mp_simple_queue_put(out, mp_list_of(v, "echoed"));
}
MP_TARGET(simple_echo);

/* args: (q, results): report put's result on a queue the parent closed. */
static int put_on_closed(const mp_value *args)
{
    mp_queue *q = mp_as_queue(mp_item(args, 0)), *res = mp_as_queue(mp_item(args, 1));
    int rc = mp_queue_put(q, "from the child");
    return mp_queue_put(res, rc);
}
MP_TARGET(put_on_closed);

/* args: (q,): put five ("child", i) and return (the exit flushes them). */
static int put_five(const mp_value *args)
{
    mp_queue *q = mp_as_queue(mp_item(args, 0));
    for (int i = 0; i < 5; i++) {
        int rc = mp_queue_put(q, mp_tuple_of("child", i));
        if (rc < 0)
            return rc;
    }
    return 0;
}
MP_TARGET(put_five);

/* args: (q, results): get ints until None, then put (count, sum, sum of
 * squares) on results: with several such readers on one queue, the
 * totals show every item was taken once. */
static int tally(const mp_value *args)
{
    mp_queue *q = mp_as_queue(mp_item(args, 0)), *res = mp_as_queue(mp_item(args, 1));
    int64_t n = 0, sum = 0, sq = 0;
    for (;;) {
        mp_value *v;
        int rc = mp_queue_get(q, &v);
        if (rc < 0)
            return rc;
        if (mp_typeof(v) == MP_T_NONE)
            break;
        int64_t i = mp_as_int(v);
        mp_decref(v);
        n++;
        sum += i;
        sq += i * i;
    }
    return mp_queue_put(res, mp_tuple_of(n, sum, sq));
}
MP_TARGET(tally);

/* ---- helpers ------------------------------------------------------------ */

static char *qrepr(const void *q)
{
    static char buf[256];
    char *r = mp_repr(q);
    snprintf(buf, sizeof buf, "%s", r ? r : "(null)");
    free(r);
    return buf;
}

/* stderr into a temporary file, to read what the library printed there. */
static FILE *cap_file;
static int cap_saved = -1;

static void capture_begin(void)
{
    fflush(stderr);
    cap_file = tmpfile();
    cap_saved = dup(2);
    dup2(fileno(cap_file), 2);
}

static char *capture_end(void)
{
    fflush(stderr);
    dup2(cap_saved, 2);
    close(cap_saved);
    off_t n = lseek(fileno(cap_file), 0, SEEK_END);
    char *s = calloc(1, n > 0 ? (size_t)n + 1 : 1);
    if (n > 0 && pread(fileno(cap_file), s, (size_t)n, 0) != n)
        s[0] = 0;
    fclose(cap_file);
    return s;
}

/* Gets from children wait a minute at most: a child that died must make
 * the test fail, not hang. */
#define PATIENCE (&(mp_queue_opts){.timeout = MP_TIMEOUT(60.0)})

/* What was captured so far, once it contains needle (or after a minute,
 * for a thread that writes there in its own time). */
static char *capture_until(const char *needle)
{
    double until = mp__monotonic() + 60;
    for (;;) {
        fflush(stderr);
        off_t n = lseek(fileno(cap_file), 0, SEEK_END);
        char *s = calloc(1, n > 0 ? (size_t)n + 1 : 1);
        if (n > 0 && pread(fileno(cap_file), s, (size_t)n, 0) != n)
            s[0] = 0;
        if (strstr(s, needle) || mp__monotonic() > until)
            return s;
        free(s);
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
}

/* The queue test_close frees with a busy feeder, for a forked reader:
 * a fork child shares the parent's memory, so it needs no args (which
 * would keep the queue alive in the parent past the free). */
static mp_queue *dropped_q;

/* args: (n,): get n items (i, ...) from dropped_q in order; the exit code
 * is how many did not come. */
static int drain_dropped(const mp_value *args)
{
    int64_t n = mp_as_int(mp_item(args, 0)), got = 0;
    while (got < n) {
        mp_value *v = NULL;
        if (mp_queue_get_ex(dropped_q, &v, PATIENCE) < 0)
            break;
        bool in_order = mp_as_int(mp_item(v, 0)) == got;
        mp_decref(v);
        if (!in_order)
            break;
        got++;
    }
    return mp_sys_exit((int)(n - got));
}
MP_TARGET(drain_dropped);

static int get_int(mp_queue *q, int64_t *out)
{
    mp_value *v;
    int rc = mp_queue_get_ex(q, &v, PATIENCE);
    if (rc == 0) {
        *out = mp_as_int(v);
        mp_decref(v);
    }
    return rc;
}

/* ---- in one process ------------------------------------------------------ */

static void test_basics(void)
{
    mp_queue *q = mp_queue_new(0);
    TAP_OK(q != NULL, "Queue()");
    char *r = qrepr(q);
    TAP_OK(strncmp(r, "<multiprocessing.queues.Queue object at 0x", 42) == 0, "repr: %s", r);
    TAP_OK(mp_as_queue(QV(q)) == q && mp_as_simple_queue(QV(q)) == NULL, "as_queue knows it");
    tap_is_str(mp_type_name(QV(q)), "Queue", "its type name");
    TAP_OK(mp_queue_empty(q) && !mp_queue_full(q) && mp_queue_qsize(q) == 0, "a new queue is empty");

    TAP_OK(mp_queue_put(q, 1) == 0 && mp_queue_put(q, "two") == 0 && mp_queue_put(q, 3.5) == 0 &&
           mp_queue_put(q, mp_list_of(4, mp_none())) == 0, "put four values");
    tap_is_int(mp_queue_qsize(q), 4, "qsize counts what was put (the semaphore)");
    const char *want[] = {"1", "'two'", "3.5", "[4, None]"};
    for (int i = 0; i < 4; i++) {
        mp_value *v = NULL;
        int rc = mp_queue_get(q, &v);
        char *got = v ? mp_repr(v) : NULL;
        TAP_OK(rc == 0 && got && strcmp(got, want[i]) == 0, "get %d in order: %s", i, got);
        free(got);
        mp_decref(v);
    }
    TAP_OK(mp_queue_qsize(q) == 0 && mp_queue_empty(q), "empty again");

    mp_value *v = (mp_value *)1;
    tap_is_int(mp_queue_get_nowait(q, &v), MP_EEMPTY, "get_nowait on an empty queue is Empty");
    TAP_OK(v == NULL, "and gives no value");
    tap_is_str(mp_errname(MP_EEMPTY), "_queue.Empty", "named as CPython names it");
    tap_is_str(mp_errmsg(), "", "with no message");
    tap_is_int(mp_queue_get_ex(q, &v, &(mp_queue_opts){.timeout = MP_TIMEOUT(0.05)}), MP_EEMPTY, "a timed get is Empty too");
    tap_is_int(mp_queue_get_ex(q, &v, &(mp_queue_opts){.timeout = MP_TIMEOUT(-1)}), MP_EEMPTY,
               "a negative timeout only tries, as CPython clamps it");
    tap_is_int(mp_queue_get_ex(q, &v, &(mp_queue_opts){.timeout = MP_TIMEOUT(NAN)}), MP_EVALUE, "a NaN timeout is refused");
    tap_is_int(mp_queue_put(q, mp_str("\xff")), MP_EVALUE, "a failed constructor's error comes through");
    tap_is_int(mp_queue_put(q, mp_current_process()), MP_ETYPE, "a process cannot be put");
    tap_is_int(mp_queue_put((mp_queue *)NULL, 1), MP_ETYPE, "a NULL queue is an error, not a crash");
    mp_queue_free(q);
}

static void test_maxsize(void)
{
    mp_queue *q = mp_queue_new(2);
    TAP_OK(mp_queue_put(q, 1) == 0 && mp_queue_put(q, 2) == 0, "Queue(2) takes two");
    TAP_OK(mp_queue_full(q) && mp_queue_qsize(q) == 2, "then it is full");
    tap_is_int(mp_queue_put_nowait(q, 3), MP_EFULL, "put_nowait is Full");
    tap_is_str(mp_errname(MP_EFULL), "queue.Full", "named as CPython names it");
    tap_is_int(mp_queue_put_ex(q, 3, .timeout = MP_TIMEOUT(0.05)), MP_EFULL, "a timed put is Full");
    tap_is_int(mp_queue_put_ex(q, mp_str("x"), .block = MP_NO, .timeout = MP_TIMEOUT(10)), MP_EFULL,
               "block=False ignores the timeout");
    int64_t i = 0;
    TAP_OK(get_int(q, &i) == 0 && i == 1 && !mp_queue_full(q), "a get makes room");
    TAP_OK(mp_queue_put_nowait(q, 3) == 0, "and put_nowait fits again");
    TAP_OK(get_int(q, &i) == 0 && i == 2 && get_int(q, &i) == 0 && i == 3, "FIFO across the wait");
    mp_queue_free(q);
}

static void test_close(void)
{
    mp_queue *q = mp_queue_new(0);
    char want[400];
    mp_value *v;
    tap_is_int(mp_queue_join_thread(q), MP_EASSERT, "join_thread before close");
    snprintf(want, sizeof want, "Queue %s not closed", qrepr(q));
    tap_is_str(mp_errmsg(), want, "is CPython's AssertionError");
    TAP_OK(mp_queue_put(q, "kept") == 0, "a put starts the feeder");
    TAP_OK(mp_queue_close(q) == 0 && mp_queue_close(q) == 0, "close, twice");
    tap_is_int(mp_queue_put(q, 1), MP_EVALUE, "put after close");
    snprintf(want, sizeof want, "Queue %s is closed", qrepr(q));
    tap_is_str(mp_errmsg(), want, "is CPython 3.11's ValueError");
    tap_is_int(mp_queue_get(q, &v), MP_EVALUE, "get after close is the same ValueError (3.11)");
    tap_is_str(mp_errmsg(), want, "with the same words");
    TAP_OK(mp_queue_join_thread(q) == 0, "join_thread after close");
    tap_is_int(mp_queue_qsize(q), 1, "qsize still counts the unread item");
    TAP_OK(mp_queue_empty(q) && mp_errcode() == MP_ECLOSED, "empty(): the feeder closed the reader");
    tap_is_str(mp_errmsg(), "handle is closed", "OSError as in CPython");
    TAP_OK(mp_queue_join_thread(q) == 0, "join_thread again does nothing");
    mp_queue_free(q);

    /* Never put to: close has no feeder to stop, the reader stays open. */
    q = mp_queue_new(0);
    TAP_OK(mp_queue_close(q) == 0 && mp_queue_join_thread(q) == 0, "close and join with no feeder");
    mp__fail(MP_EINDEX, "a marker");
    TAP_OK(mp_queue_empty(q) && mp_errcode() == MP_EINDEX, "empty() still works then");
    mp_queue_free(q);

    /* Dropped with items still buffered: the feeder is told to stop and
     * flushes them into the channel (valgrind checks nothing is lost).  A
     * forked reader, started first, must get all fifty after the free.
     * Every item also holds a reference to one value, which the feeder
     * lets go of once the item is written (an item it fails to write is
     * reported on stderr): the count coming back to ours alone, with
     * nothing on stderr, shows the feeder finished with every item. */
    q = mp_queue_new(0);
    dropped_q = q;
    mp_process *p = mp_context_process(mp_get_context("fork"), &(mp_process_opts){
        .target = drain_dropped, .args = mp_tuple_of(50)});
    mp_process_start(p);
    /* Made after the fork, so that the child does not hold it only in a
     * register at exit (valgrind would call that a leak). */
    mp_value *payload = mp_str("dropped with the queue");
    capture_begin();
    for (int i = 0; i < 50; i++)
        mp_queue_put(q, mp_tuple_of(i, mp_incref(payload)));
    mp_queue_free(q);
    dropped_q = NULL;
    size_t refs;
    double until = mp__monotonic() + 60;
    while ((refs = __atomic_load_n(&payload->refs, __ATOMIC_ACQUIRE)) > 1 && mp__monotonic() < until)
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    char *err = capture_end();
    mp_process_join(p, MP_TIMEOUT(60));
    if (mp_process_is_alive(p)) {
        mp_process_kill(p);
        mp_process_join(p, MP_WAIT_FOREVER);
    }
    tap_is_int(mp_process_exitcode(p), 0,
               "freeing a queue with a busy feeder: a reader in another process gets all 50 items "
               "put before the free (exit code: how many it missed)");
    TAP_OK(refs == 1 && err[0] == 0, "and the feeder lets go of every item, reporting no error "
           "(references held: %zu, stderr: '%s')", refs, err);
    free(err);
    mp_decref(payload);
    mp_process_free(p);
}

/* One value put many times: the buffer holds one reference per put, not
 * a pickled copy each (as CPython's deque holds the object).  Nobody
 * reads until all are put, and no megabyte fits in the channel, so the
 * feeder cannot have finished with any of them yet: the count is exact. */
static void test_put_holds_references(void)
{
    enum { PUTS = 100, SIZE = 1 << 20 };
    mp_queue *q = mp_queue_new(0);
    uint8_t *xs = calloc(1, SIZE);
    mp_value *v = mp_bytes(xs, SIZE);
    free(xs);
    for (int i = 0; i < PUTS; i++)
        mp_queue_put(q, mp_incref(v));
    tap_is_int((int64_t)__atomic_load_n(&v->refs, __ATOMIC_ACQUIRE), 1 + PUTS, "each put of one value holds a reference to it");
    int got = 0;
    for (int i = 0; i < PUTS; i++) {
        mp_value *w = NULL;
        size_t n = 0;
        if (mp_queue_get_ex(q, &w, PATIENCE) == 0 && mp_as_bytes(w, &n) && n == SIZE)
            got++;
        mp_decref(w);
    }
    tap_is_int(got, PUTS, "and every copy arrives whole");
    mp_queue_close(q);
    mp_queue_join_thread(q);
    tap_is_int((int64_t)__atomic_load_n(&v->refs, __ATOMIC_ACQUIRE), 1, "the feeder let go of each once it was sent");
    mp_decref(v);
    mp_queue_free(q);
}

/* A reader takes from the channel all that is there, keeping what is
 * beyond its message for the next get, in any process.  Those bytes
 * count as the channel's: empty() is false and a get that does not block
 * takes them, though the socket itself is empty by then. */
static void test_read_ahead(void)
{
    mp_queue *q = mp_queue_new(0);
    mp_process *p = mp_process_new(&(mp_process_opts){
        .target = put_many, .args = mp_tuple_of(q, 3, 10, (bool)false)});
    mp_process_start(p);
    mp_process_join(p, MP_WAIT_FOREVER);    /* its exit flushed all three */
    mp_value *v = NULL;
    int ok = 0;
    for (int i = 0; i < 3; i++) {
        int rc = i == 0 ? mp_queue_get_ex(q, &v, PATIENCE) : mp_queue_get_nowait(q, &v);
        ok += rc == 0 && mp_as_int(mp_item(v, 0)) == i;
        mp_decref(v);
        v = NULL;
        if (i == 0)
            TAP_OK(!mp_queue_empty(q), "after one get, the rest read ahead still make the queue non-empty");
    }
    tap_is_int(ok, 3, "get_nowait takes what was read ahead");
    TAP_OK(mp_queue_empty(q), "then it is empty");
    tap_is_int(mp_queue_get_nowait(q, &v), MP_EEMPTY, "and get_nowait is Empty");
    mp_process_free(p);
    mp_queue_free(q);

    mp_simple_queue *sq = mp_simple_queue_new();
    mp_simple_queue_put(sq, 1);
    mp_simple_queue_put(sq, 2);
    TAP_OK(mp_simple_queue_get(sq, &v) == 0 && mp_as_int(v) == 1, "SimpleQueue: the first get");
    mp_decref(v);
    TAP_OK(!mp_simple_queue_empty(sq), "the second is still there for empty()");
    TAP_OK(mp_simple_queue_get(sq, &v) == 0 && mp_as_int(v) == 2, "and for get");
    mp_decref(v);
    TAP_OK(mp_simple_queue_empty(sq), "then it is empty");
    mp_simple_queue_free(sq);

    /* Sizes around the read-ahead's limits: kept whole in it, larger
     * than half of it (read partly from it, the rest straight), larger
     * than all of it. */
    static const size_t sizes[] = {5, 16000, 16400, 7, 20000, 40000, 1 << 20, 3, 32768, 1};
    enum { K = sizeof sizes / sizeof *sizes };
    q = mp_queue_new(0);
    uint8_t *buf = malloc(1 << 20);
    for (size_t i = 0; i < K; i++) {
        memset(buf, (int)('a' + i), sizes[i]);
        mp_queue_put(q, mp_bytes(buf, sizes[i]));
    }
    free(buf);
    int whole = 0;
    for (size_t i = 0; i < K; i++) {
        size_t n = 0;
        const uint8_t *b = NULL;
        if (mp_queue_get_ex(q, &v, PATIENCE) == 0 && (b = mp_as_bytes(v, &n)) && n == sizes[i] &&
            b[0] == 'a' + i && b[n - 1] == 'a' + i)
            whole++;
        mp_decref(v);
    }
    tap_is_int(whole, K, "messages of every size around the read-ahead's arrive whole, in order");
    mp_queue_free(q);
}

/* Three readers on one queue (this process, a forked child, a spawned
 * child) share one read-ahead: every item is taken exactly once. */
static void test_shared_readers(void)
{
    enum { N = 3000 };
    mp_queue *q = mp_queue_new(0), *res = mp_queue_new(0);
    mp_process *p[2];
    for (int k = 0; k < 2; k++) {
        p[k] = mp_context_process(mp_get_context(k ? "spawn" : "fork"), &(mp_process_opts){
            .target = tally, .args = mp_tuple_of(q, res)});
        mp_process_start(p[k]);
    }
    int64_t n = 0, sum = 0, sq = 0, want_sum = 0, want_sq = 0;
    for (int64_t i = 0; i < N; i++) {
        mp_queue_put(q, i);
        want_sum += i;
        want_sq += i * i;
    }
    mp_queue_put(q, mp_none());
    mp_queue_put(q, mp_none());
    /* Read too, until both children have reported (after their None). */
    for (int done = 0; done < 2;) {
        mp_value *v = NULL;
        if (mp_queue_get_nowait(q, &v) == 0) {
            if (mp_typeof(v) == MP_T_INT) {
                n++;
                sum += mp_as_int(v);
                sq += mp_as_int(v) * mp_as_int(v);
            } else {
                mp_queue_put(q, mp_none());     /* a child's; give it back */
            }
            mp_decref(v);
        } else if (mp_queue_get_ex(res, &v, &(mp_queue_opts){.timeout = MP_TIMEOUT(0.001)}) == 0) {
            n += mp_as_int(mp_item(v, 0));
            sum += mp_as_int(mp_item(v, 1));
            sq += mp_as_int(mp_item(v, 2));
            mp_decref(v);
            done++;
        }
    }
    for (int k = 0; k < 2; k++) {
        mp_process_join(p[k], MP_WAIT_FOREVER);
        mp_process_free(p[k]);
    }
    TAP_OK(n == N && sum == want_sum && sq == want_sq,
           "three readers in three processes: %lld items taken once each (of %d)", (long long)n, N);
    mp_queue_free(q);
    mp_queue_free(res);
}

static void test_joinable(void)
{
    mp_queue *q = mp_joinable_queue_new(0);
    tap_is_str(mp_type_name(QV(q)), "JoinableQueue", "JoinableQueue's type name");
    TAP_OK(mp_as_queue(QV(q)) == q, "as_queue takes a JoinableQueue");
    tap_is_int(mp_joinable_queue_task_done(q), MP_EVALUE, "task_done with nothing put");
    tap_is_str(mp_errmsg(), "task_done() called too many times", "CPython's words");
    TAP_OK(mp_joinable_queue_join(q) == 0, "join with nothing put returns");
    for (int i = 0; i < 3; i++)
        mp_queue_put(q, i);
    for (int i = 0; i < 3; i++) {
        int64_t v;
        get_int(q, &v);
        TAP_OK(mp_joinable_queue_task_done(q) == 0, "task_done %d", i);
    }
    TAP_OK(mp_joinable_queue_join(q) == 0, "join once all are done");
    tap_is_int(mp_joinable_queue_task_done(q), MP_EVALUE, "one task_done too many");
    mp_queue_free(q);

    q = mp_queue_new(0);
    tap_is_int(mp_joinable_queue_task_done(q), MP_EATTR, "task_done on a plain Queue");
    tap_is_str(mp_errmsg(), "'Queue' object has no attribute 'task_done'", "is AttributeError");
    tap_is_int(mp_joinable_queue_join(q), MP_EATTR, "so is join");
    tap_is_str(mp_errmsg(), "'Queue' object has no attribute 'join'", "naming join");
    mp_queue_free(q);
}

/* A value the feeder cannot pickle is reported on stderr and dropped; its
 * slot is given back (Queue(1) would otherwise stay full) and the next put
 * arrives. */
static void test_unpicklable(void)
{
    mp_queue *q = mp_queue_new(1), *inner = mp_queue_new(0);
    capture_begin();
    int rc1 = mp_queue_put(q, mp_list_of(1, inner));
    int rc2 = mp_queue_put(q, "good");      /* blocks until the bad one's slot is back */
    mp_value *v = NULL;
    int rc3 = mp_queue_get(q, &v);
    char *err = capture_end();
    TAP_OK(rc1 == 0 && rc2 == 0, "both puts return (the first one's slot was released)");
    TAP_OK(rc3 == 0 && mp_as_str(v) && strcmp(mp_as_str(v), "good") == 0, "the good value arrives");
    TAP_OK(strncmp(err, "Traceback (most recent call last):\n", 35) == 0, "stderr: a traceback");
    const char *last = "RuntimeError: Queue objects should only be shared between processes "
                       "through inheritance\n";
    size_t el = strlen(err), ll = strlen(last);
    TAP_OK(el >= ll && strcmp(err + el - ll, last) == 0, "ending with CPython's exception line");
    if (el < ll || strcmp(err + el - ll, last) != 0)
        tap_diag("stderr was: %s", err);
    free(err);
    mp_decref(v);
    tap_is_int(mp_queue_qsize(q), 0, "nothing left counted");

    /* A queue put into itself, then dropped at once: the feeder outlives
     * it, reports the value in its turn, and ends. */
    capture_begin();
    mp_queue *selfish = mp_queue_new(0);
    mp_queue_put(selfish, mp_list_of(selfish));
    mp_queue_free(selfish);
    err = capture_until("inheritance\n");
    free(capture_end());
    TAP_OK(strstr(err, "RuntimeError: Queue objects should only be shared") != NULL,
           "a queue inside its own item is reported by its feeder");
    free(err);

    /* Bad values among good ones put in a burst, so that the feeder
     * finds them together: each bad one is reported in its turn, and
     * the good ones around it arrive in order. */
    capture_begin();
    mp_queue *burst = mp_queue_new(0);
    for (int i = 0; i < 10; i++)
        mp_queue_put(burst, i % 3 == 1 ? mp_list_of(i, inner) : mp_int(i));
    bool in_order = true;
    for (int i = 0; i < 10; i++) {
        int64_t got = -1;
        if (i % 3 != 1 && (get_int(burst, &got) < 0 || got != i))
            in_order = false;
    }
    mp_queue_close(burst);
    mp_queue_join_thread(burst);
    err = capture_end();
    TAP_OK(in_order, "a burst with bad values: the good ones arrive, in order");
    int tracebacks = 0;
    for (const char *t = err; (t = strstr(t, "Traceback (most recent call last):\n")); t++)
        tracebacks++;
    tap_is_int(tracebacks, 3, "and each bad one is reported");
    tap_is_int(mp_queue_qsize(burst), 0, "their slots given back");
    free(err);
    mp_queue_free(burst);

    /* The same value on a connection: refused at once, nothing sent. */
    mp_connection *a, *b;
    mp_pipe(&a, &b, NULL);
    tap_is_int(mp_connection_send(a, mp_list_of(inner)), MP_ERUNTIME,
               "a queue cannot be sent on a connection");
    mp_simple_queue *sq = mp_simple_queue_new();
    mp_value *l = mp_list_of(sq);
    tap_is_int(mp_connection_send(a, mp_incref(l)), MP_ERUNTIME, "nor a SimpleQueue");
    tap_is_str(mp_errmsg(), "SimpleQueue objects should only be shared between processes through "
               "inheritance", "in CPython's words");
    tap_is_int(mp_simple_queue_put(sq, l), MP_ERUNTIME, "SimpleQueue.put pickles in the caller");
    mp_queue *jq = mp_joinable_queue_new(0);
    mp_value *jl = mp_list_of(jq);
    mp_queue_free(jq);
    tap_is_int(mp_connection_send(a, jl), MP_ERUNTIME, "nor a JoinableQueue");
    tap_is_str(mp_errmsg(), "JoinableQueue objects should only be shared between processes "
               "through inheritance", "naming its class");
    mp_simple_queue_free(sq);
    mp_connection_free(a);
    mp_connection_free(b);
    mp_queue_free(inner);
    mp_queue_free(q);
}

static void test_simple(void)
{
    mp_simple_queue *q = mp_simple_queue_new();
    char *r = qrepr(q);
    TAP_OK(strncmp(r, "<multiprocessing.queues.SimpleQueue object at 0x", 48) == 0, "repr: %s", r);
    TAP_OK(mp_as_simple_queue(QV(q)) == q && mp_as_queue(QV(q)) == NULL, "as_simple_queue");
    TAP_OK(mp_simple_queue_empty(q), "a new SimpleQueue is empty");
    TAP_OK(mp_simple_queue_put(q, "a") == 0 && mp_simple_queue_put(q, 2) == 0, "put two");
    TAP_OK(!mp_simple_queue_empty(q), "put has written before returning");
    mp_value *v = NULL;
    TAP_OK(mp_simple_queue_get(q, &v) == 0 && strcmp(mp_as_str(v), "a") == 0, "get the first");
    mp_decref(v);
    TAP_OK(mp_simple_queue_get(q, &v) == 0 && mp_as_int(v) == 2, "then the second");
    mp_decref(v);
    TAP_OK(mp_simple_queue_close(q) == 0 && mp_simple_queue_close(q) == 0, "close, twice");
    tap_is_int(mp_simple_queue_get(q, &v), MP_ECLOSED, "get after close");
    tap_is_str(mp_errmsg(), "handle is closed", "is OSError 'handle is closed'");
    tap_is_int(mp_simple_queue_put(q, 1), MP_ECLOSED, "so is put");
    TAP_OK(mp_simple_queue_empty(q) && mp_errcode() == MP_ECLOSED, "and empty()");
    mp_simple_queue_free(q);
}

/* SimpleQueue's ring holds 64 KiB, as CPython's pipe does: a megabyte
 * does not fit, so a put of one returns only once a reader has taken
 * most of it (the rule behind lesson 28).  The writer thread is looked at
 * after its first bytes arrive and a moment more: were the ring big
 * enough, put would have returned by then; as it is not, put cannot have
 * returned, however slow the machine. */
static mp_simple_queue *bigq;
static int big_put_done;

static void *big_writer(void *arg)
{
    (void)arg;
    char *xs = malloc(1000000);
    memset(xs, 'X', 1000000);
    int rc = mp_simple_queue_put(bigq, mp_bytes(xs, 1000000));
    free(xs);
    __atomic_store_n(&big_put_done, rc == 0 ? 1 : -1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void test_simple_big(void)
{
    bigq = mp_simple_queue_new();
    pthread_t t;
    pthread_create(&t, NULL, big_writer, NULL);
    double until = mp__monotonic() + 60;
    while (mp_simple_queue_empty(bigq) && mp__monotonic() < until)
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    nanosleep(&(struct timespec){0, 200000000}, NULL);
    TAP_OK(__atomic_load_n(&big_put_done, __ATOMIC_SEQ_CST) == 0,
           "a 1 MB put does not fit in the ring: it waits for a reader");
    mp_value *v = NULL;
    size_t n = 0;
    TAP_OK(mp_simple_queue_get(bigq, &v) == 0 && mp_as_bytes(v, &n) && n == 1000000,
           "the reader takes the megabyte whole");
    pthread_join(t, NULL);
    tap_is_int(big_put_done, 1, "and then the put returns");
    TAP_OK(mp_simple_queue_empty(bigq), "leaving the ring empty");
    mp_decref(v);
    mp_simple_queue_free(bigq);
}

/* Threads: four writers and one reader on one queue. */
static mp_queue *tq;

static void *writer_thread(void *arg)
{
    int64_t base = (int64_t)(intptr_t)arg;
    for (int64_t i = 0; i < 500; i++)
        mp_queue_put(tq, base + i);
    return NULL;
}

static void test_threads(void)
{
    tq = mp_queue_new(7);       /* small, so writers block on the semaphore */
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, writer_thread, (void *)(intptr_t)(i * 1000));
    int64_t sum = 0, last[4] = {-1, -1, -1, -1};
    bool ordered = true;
    for (int i = 0; i < 2000; i++) {
        int64_t v = -1;
        if (get_int(tq, &v) < 0)
            break;
        sum += v;
        /* Each writer's own items keep their order. */
        if (v % 1000 <= last[v / 1000])
            ordered = false;
        last[v / 1000] = v % 1000;
    }
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    tap_is_int(sum, 4 * 499 * 500 / 2 + 500 * (0 + 1000 + 2000 + 3000), "2000 items from 4 threads");
    TAP_OK(ordered, "each thread's items in its order");
    mp_queue_free(tq);
}

/* SimpleQueue from threads: three writers and two readers at once. */
static mp_simple_queue *tsq;

static void *simple_writer(void *arg)
{
    int64_t base = (int64_t)(intptr_t)arg;
    for (int64_t i = 0; i < 300; i++)
        mp_simple_queue_put(tsq, base + i);
    return NULL;
}

static void *simple_reader(void *arg)
{
    int64_t *sum = arg;
    for (int i = 0; i < 450; i++) {
        mp_value *v;
        if (mp_simple_queue_get(tsq, &v) < 0)
            return NULL;
        *sum += mp_as_int(v);
        mp_decref(v);
    }
    return NULL;
}

static void test_simple_threads(void)
{
    tsq = mp_simple_queue_new();
    pthread_t w[3], r[2];
    int64_t sums[2] = {0, 0};
    for (int i = 0; i < 2; i++)
        pthread_create(&r[i], NULL, simple_reader, &sums[i]);
    for (int i = 0; i < 3; i++)
        pthread_create(&w[i], NULL, simple_writer, (void *)(intptr_t)(i * 1000));
    for (int i = 0; i < 3; i++)
        pthread_join(w[i], NULL);
    for (int i = 0; i < 2; i++)
        pthread_join(r[i], NULL);
    tap_is_int(sums[0] + sums[1], 3 * 299 * 300 / 2 + 300 * (0 + 1000 + 2000),
               "SimpleQueue: 900 items from 3 writer threads to 2 reader threads");
    TAP_OK(mp_simple_queue_empty(tsq), "and nothing left over");
    mp_simple_queue_free(tsq);
}

/* ---- with children -------------------------------------------------------- */

static void test_children(void)
{
    for (size_t m = 0; m < 3; m++) {
        mp_context *ctx = mp_get_context(methods[m]);
        mp_queue *in = mp_context_queue(ctx, 0), *out = mp_context_queue(ctx, 3);
        mp_process *p = mp_context_process(ctx, &(mp_process_opts){
            .target = doubler, .args = mp_tuple_of(in, out)});
        int rc = mp_process_start(p);
        TAP_OK(rc == 0, "%s: a child given two queues starts", methods[m]);
        int64_t sum = 0, v = 0;
        for (int i = 1; i <= 20 && rc == 0; i++)
            rc = mp_queue_put(in, i);
        for (int i = 1; i <= 20 && rc == 0; i++)
            if ((rc = get_int(out, &v)) == 0)
                sum += v;
        tap_is_int(sum, 420, "%s: the child doubled all twenty", methods[m]);
        mp_queue_put(in, mp_none());
        mp_process_join(p, MP_WAIT_FOREVER);
        tap_is_int(mp_process_exitcode(p), 0, "%s: exitcode", methods[m]);
        mp_process_free(p);
        mp_queue_free(in);
        mp_queue_free(out);
    }
}

/* A child puts a lot (1 MiB items among them) and just returns: its exit
 * function flushes the feeder, so nothing is lost. */
static void test_flush_at_exit(void)
{
    for (size_t m = 0; m < 3; m++) {
        mp_context *ctx = mp_get_context(methods[m]);
        mp_queue *q = mp_context_queue(ctx, 0);
        int64_t counts[2] = {300, 4}, sizes[2] = {100, 1 << 20};
        for (int k = 0; k < 2; k++) {
            mp_process *p = mp_context_process(ctx, &(mp_process_opts){
                .target = put_many, .args = mp_tuple_of(q, counts[k], sizes[k], (bool)false)});
            mp_process_start(p);
            int64_t got = 0;
            bool intact = true;
            for (int64_t i = 0; i < counts[k]; i++) {
                mp_value *v;
                if (mp_queue_get_ex(q, &v, PATIENCE) < 0)
                    break;
                size_t n;
                const uint8_t *b = mp_as_bytes(mp_item(v, 1), &n);
                if (mp_as_int(mp_item(v, 0)) != i || n != (size_t)sizes[k] ||
                    (n && (b[0] != i % 251 || b[n - 1] != i % 251)))
                    intact = false;
                mp_decref(v);
                got++;
            }
            mp_process_join(p, MP_WAIT_FOREVER);
            TAP_OK(got == counts[k] && intact, "%s: all %lld items of %lld bytes arrive, in order",
                   methods[m], (long long)counts[k], (long long)sizes[k]);
            tap_is_int(mp_process_exitcode(p), 0, "%s: the child exited cleanly", methods[m]);
            mp_process_free(p);
        }
        mp_queue_free(q);
    }
}

/* cancel_join_thread: the child exits without waiting for its feeder,
 * which is stuck on a full channel nobody reads.  Without it the child would
 * never end; after a minute it is killed and the test fails. */
static void test_cancel_join(void)
{
    mp_queue *q = mp_queue_new(0);
    mp_process *p = mp_process_new(&(mp_process_opts){
        .target = put_many, .args = mp_tuple_of(q, 5000, 1000, (bool)true)});
    mp_process_start(p);
    mp_process_join(p, MP_TIMEOUT(60.0));
    if (mp_process_is_alive(p)) {
        mp_process_kill(p);
        mp_process_join(p, MP_WAIT_FOREVER);
    }
    tap_is_int(mp_process_exitcode(p), 0, "cancel_join_thread: the child exits with data unsent");
    mp_process_free(p);
    mp_value *v = NULL;
    TAP_OK(mp_queue_get_ex(q, &v, PATIENCE) == 0 && mp_as_int(mp_item(v, 0)) == 0,
           "what reached the channel is there");
    mp_decref(v);
    mp_queue_free(q);
}

static void test_joinable_children(void)
{
    for (size_t m = 0; m < 3; m++) {
        mp_context *ctx = mp_get_context(methods[m]);
        mp_queue *q = mp_context_joinable_queue(ctx, 0);
        mp_process *p = mp_context_process(ctx, &(mp_process_opts){
            .target = consumer, .args = mp_tuple_of(q, 25)});
        mp_process_start(p);
        for (int i = 0; i < 25; i++)
            mp_queue_put(q, i);
        TAP_OK(mp_joinable_queue_join(q) == 0, "%s: join returns once the child marked all done",
               methods[m]);
        tap_is_int(mp_joinable_queue_task_done(q), MP_EVALUE, "%s: the count is zero", methods[m]);
        mp_process_join(p, MP_WAIT_FOREVER);
        tap_is_int(mp_process_exitcode(p), 0, "%s: the consumer's exitcode", methods[m]);
        mp_process_free(p);
        mp_queue_free(q);
    }
}

static void test_simple_children(void)
{
    for (size_t m = 0; m < 3; m++) {
        mp_context *ctx = mp_get_context(methods[m]);
        mp_simple_queue *in = mp_context_simple_queue(ctx), *out = mp_context_simple_queue(ctx);
        mp_process *p = mp_context_process(ctx, &(mp_process_opts){
            .target = simple_echo, .args = mp_tuple_of(in, out)});
        mp_process_start(p);
        mp_simple_queue_put(in, mp_tuple_of("ping", 7));
        /* SimpleQueue.get has no timeout: the child ends first (its
         * answer is small enough to wait in the channel), so a dead child
         * shows as an empty queue rather than a hang. */
        mp_process_join(p, MP_WAIT_FOREVER);
        mp_value *v = NULL;
        int rc = mp_simple_queue_empty(out) ? MP_EEMPTY : mp_simple_queue_get(out, &v);
        char *r = v ? mp_repr(v) : NULL;
        TAP_OK(rc == 0 && r && strcmp(r, "[('ping', 7), 'echoed']") == 0,
               "%s: a SimpleQueue in args works both ways: %s", methods[m], r);
        free(r);
        mp_decref(v);
        tap_is_int(mp_process_exitcode(p), 0, "%s: exitcode", methods[m]);
        mp_process_free(p);
        mp_simple_queue_free(in);
        mp_simple_queue_free(out);
    }
}

/* As CPython's _after_fork resets _closed: a forked child may put to a
 * queue its parent closed before any put (its channel is still open). */
static void test_fork_resets_closed(void)
{
    mp_queue *q = mp_queue_new(0), *res = mp_queue_new(0);
    mp_queue_close(q);
    mp_process *p = mp_context_process(mp_get_context("fork"), &(mp_process_opts){
        .target = put_on_closed, .args = mp_tuple_of(q, res)});
    mp_process_start(p);
    int64_t rc = -99;
    get_int(res, &rc);
    tap_is_int(rc, 0, "fork: put in the child of a queue closed in the parent");
    mp_process_join(p, MP_WAIT_FOREVER);
    mp_process_free(p);
    mp_queue_free(q);
    mp_queue_free(res);
}

/* Forked while this process's feeder is stuck on a full channel, with
 * items in its hands and more in the buffer: the child's copies of them
 * are its own to drop (it must not send them again), and its own puts
 * go out.  Every item of the parent arrives once, in order. */
static void test_fork_busy_feeder(void)
{
    enum { N = 2000 };
    mp_queue *q = mp_queue_new(0);
    char pad[1000];
    memset(pad, 'p', sizeof pad);
    for (int i = 0; i < N; i++)
        mp_queue_put(q, mp_tuple_of(i, mp_bytes(pad, sizeof pad)));
    mp_process *p = mp_context_process(mp_get_context("fork"), &(mp_process_opts){
        .target = put_five, .args = mp_tuple_of(q)});
    mp_process_start(p);
    int next = 0, from_child = 0, other = 0;
    for (int i = 0; i < N + 5; i++) {
        mp_value *v = NULL;
        if (mp_queue_get_ex(q, &v, PATIENCE) < 0)
            break;
        if (mp_typeof(mp_item(v, 0)) == MP_T_STR)
            from_child++;
        else if (mp_as_int(mp_item(v, 0)) == next)
            next++;
        else
            other++;
        mp_decref(v);
    }
    mp_process_join(p, MP_WAIT_FOREVER);
    TAP_OK(next == N && other == 0, "fork with a busy feeder: the parent's %d items arrive once, in order",
           N);
    tap_is_int(from_child, 5, "and the child's five");
    tap_is_int(mp_process_exitcode(p), 0, "the child exited cleanly");
    TAP_OK(mp_queue_empty(q), "nothing more");
    mp_process_free(p);
    mp_queue_free(q);
}

/* The debug log, as CPython's: three semlocks for a Queue, the feeder's
 * start and stop.  Last, since the logger cannot be taken down again. */
static void test_debug_log(void)
{
    capture_begin();
    mp_log_to_stderr(MP_DEBUG);
    mp_queue *q = mp_queue_new(0);
    mp_queue_put(q, 1);
    mp_queue_close(q);
    mp_queue_join_thread(q);
    mp_logger_set_level(mp_get_logger(), MP_CRITICAL);
    mp_queue_free(q);
    char *err = capture_end();
    int semlocks = 0;
    for (const char *s = err; (s = strstr(s, "[DEBUG/MainProcess] created semlock with handle ")); s++)
        semlocks++;
    tap_is_int(semlocks, 3, "three semlocks created");
    const char *lines[] = {"Queue._start_thread()", "doing self._thread.start()",
                           "starting thread to feed data to pipe", "... done self._thread.start()",
                           "telling queue thread to quit", "feeder thread got sentinel -- exiting",
                           "Queue.join_thread()", "joining queue thread", "... queue thread joined"};
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++) {
        char want[128];
        snprintf(want, sizeof want, "[DEBUG/MainProcess] %s\n", lines[i]);
        TAP_OK(strstr(err, want) != NULL, "logged: %s", lines[i]);
    }
    free(err);
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    test_basics();
    test_maxsize();
    test_close();
    test_put_holds_references();
    test_joinable();
    test_unpicklable();
    test_simple();
    test_simple_big();
    test_threads();
    test_simple_threads();
    test_children();
    test_flush_at_exit();
    test_cancel_join();
    test_joinable_children();
    test_simple_children();
    test_fork_resets_closed();
    test_fork_busy_feeder();
    test_read_ahead();
    test_shared_readers();
    test_debug_log();
    return tap_done();
}

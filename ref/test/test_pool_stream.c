/* test_pool_stream.c - mp_pool_imap_iter, imap over a C iterator, under every start method: order and unordered, the bound on chunks in flight, errors from the producer and from tasks, an iterator freed early, a worker that dies, the pool's other calls meanwhile, and the named errors.
 *
 * Usage: test_pool_stream   prints TAP.  The binary is also the program
 * spawn and forkserver re-run.  Uses mp.h alone.  No timing is checked;
 * the alarm ends a hung run.
 */
#include <mp.h>

#include "pool_tasks.h"
#include "sync_tests.h"
#include "tap.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HANG_GUARD 60.0

/* ---- the tasks ------------------------------------------------------------ */

/* Its worker dies of SIGKILL on 7; x otherwise. */
static int die_on_7(const mp_value *args, mp_value **result)
{
    int64_t x = mp_as_int(mp_item(args, 0));
    if (x == 7)
        kill(getpid(), SIGKILL);
    *result = mp_int(x);
    return 0;
}
MP_TASK(die_on_7);

/* x, after a nap for 0: its chunk comes after the ones behind it. */
static int slow_zero(const mp_value *args, mp_value **result)
{
    int64_t x = mp_as_int(mp_item(args, 0));
    if (x == 0)
        usleep(300 * 1000);
    *result = mp_int(x);
    return 0;
}
MP_TASK(slow_zero);

static int unregistered(const mp_value *args, mp_value **result)
{
    (void)args;
    (void)result;
    return 0;
}

/* ---- the producer ----------------------------------------------------------- */

/* range(n), failing with ValueError at fail_at (if >= 0); counts its
 * calls, and the most inputs drawn ahead of the consumer. */
typedef struct counter {
    int64_t next, n, fail_at;
    int64_t consumed;           /* results the test has taken, set by it */
    int64_t ahead;              /* most of next - consumed seen */
    pthread_mutex_t mu;
} counter;

static int count(void *data, mp_value **item)
{
    counter *c = data;
    pthread_mutex_lock(&c->mu);
    int rc = 1;
    if (c->next == c->fail_at)
        rc = mp_raise("ValueError", "bad input %lld", (long long)c->next);
    else if (c->next >= c->n)
        rc = 0;
    else {
        *item = mp_int(c->next++);
        if (c->next - c->consumed > c->ahead)
            c->ahead = c->next - c->consumed;
    }
    pthread_mutex_unlock(&c->mu);
    return rc;
}

static counter *counter_new(int64_t n, int64_t fail_at)
{
    counter *c = calloc(1, sizeof *c);
    c->n = n;
    c->fail_at = fail_at;
    pthread_mutex_init(&c->mu, NULL);
    return c;
}

static void consumed(counter *c, int64_t k)
{
    pthread_mutex_lock(&c->mu);
    c->consumed = k;
    pthread_mutex_unlock(&c->mu);
}

static void counter_free(counter *c)
{
    pthread_mutex_destroy(&c->mu);
    free(c);
}

/* n calls of next() on a stream of c's inputs, each outcome (the int, or
 * the error's name) in got, separated by spaces. */
static void outcomes(mp_imap_iterator *it, counter *c, int n, char *got, size_t size)
{
    got[0] = 0;
    for (int i = 0; it && i < n; i++) {
        mp_value *v = NULL;
        int rc = mp_imap_iterator_next(it, MP_WAIT_FOREVER, &v);
        char one[4200];   /* rep() gives up to 4095 bytes */
        if (rc == 0)
            snprintf(one, sizeof one, "%s%s", i ? " " : "", rep(v));
        else
            snprintf(one, sizeof one, "%s%s", i ? " " : "", mp_errname(rc));
        strncat(got, one, size - strlen(got) - 1);
        mp_decref(v);
        consumed(c, i + 1);
    }
}

/* ---- the tests ------------------------------------------------------------------ */

/* In order, every chunksize, with the bound on what is drawn ahead. */
static void ordered(const char *m, mp_context *ctx)
{
    mp_pool *p = mp_context_pool(ctx, &(mp_pool_opts){.processes = 2});
    static const size_t sizes[] = {1, 3, 10};
    for (size_t s = 0; s < 3; s++) {
        int64_t n = 200;
        size_t cs = sizes[s], window = 3;
        counter *c = counter_new(n, -1);
        mp_imap_iterator *it = mp_pool_imap_iter(p, sq, count, c,
                                                 &(mp_pool_imap_opts){.chunksize = cs, .max_in_flight = window});
        int64_t k = 0;
        bool in_order = it != NULL;
        mp_value *v = NULL;
        int rc = -1;
        while (it && (rc = mp_imap_iterator_next(it, MP_WAIT_FOREVER, &v)) == 0) {
            in_order &= mp_as_int(v) == k * k;
            mp_decref(v);
            consumed(c, ++k);
        }
        tap_ok(in_order && k == n && rc == MP_ESTOPITERATION,
               "%s: imap_iter(sq, range(%lld), chunksize=%zu): every square in order, then StopIteration", m,
               (long long)n, cs);
        /* Drawn ahead of what next() returned: the chunks in flight, plus
         * the part of the current chunk next() has not returned yet. */
        tap_ok(c->ahead <= (int64_t)((window + 1) * cs),
               "%s: chunksize %zu, max_in_flight %zu: at most %zu inputs drawn ahead (saw %lld)", m, cs, window,
               (window + 1) * cs, (long long)c->ahead);
        tap_is_int(it ? mp_imap_iterator_next(it, MP_TIMEOUT(0), &v) : -1, MP_ESTOPITERATION,
                   "%s: chunksize %zu: StopIteration again", m, cs);
        mp_imap_iterator_free(it);
        counter_free(c);
    }
    /* The default window and chunksize. */
    counter *c = counter_new(50, -1);
    mp_imap_iterator *it = mp_pool_imap_iter(p, sq, count, c, NULL);
    int64_t sum = 0, k = 0;
    mp_value *v = NULL;
    while (it && mp_imap_iterator_next(it, MP_WAIT_FOREVER, &v) == 0) {
        sum += mp_as_int(v);
        mp_decref(v);
        consumed(c, ++k);
    }
    tap_ok(k == 50 && sum == 40425 && c->ahead <= 4 * 2 + 1,
           "%s: opts NULL: 50 squares (sum %lld), at most 9 drawn ahead (saw %lld)", m, (long long)sum,
           (long long)c->ahead);
    mp_imap_iterator_free(it);
    counter_free(c);
    mp_pool_free(p);
}

/* Unordered: every result once. */
static void unordered(const char *m, mp_context *ctx)
{
    mp_pool *p = mp_context_pool(ctx, &(mp_pool_opts){.processes = 3});
    int64_t n = 300;
    counter *c = counter_new(n, -1);
    mp_imap_iterator *it = mp_pool_imap_iter(p, sq, count, c,
                                             &(mp_pool_imap_opts){.chunksize = 7, .max_in_flight = 4,
                                                                  .unordered = true});
    char *seen = calloc((size_t)n, 1);
    int64_t k = 0;
    bool once = it != NULL;
    mp_value *v = NULL;
    while (it && mp_imap_iterator_next(it, MP_WAIT_FOREVER, &v) == 0) {
        int64_t x = mp_as_int(v);
        int64_t r = 0;
        while (r * r < x)
            r++;
        once &= r < n && r * r == x && !seen[r];
        if (r < n)
            seen[r] = 1;
        mp_decref(v);
        consumed(c, ++k);
    }
    tap_ok(once && k == n, "%s: imap_iter unordered, chunksize 7: each of %lld squares once", m, (long long)n);
    tap_ok(c->ahead <= 5 * 7, "%s: unordered: at most 35 drawn ahead (saw %lld)", m, (long long)c->ahead);
    free(seen);
    mp_imap_iterator_free(it);
    counter_free(c);

    /* A slow chunk 0 holds its slot while the ones after it are taken:
     * none is lost or dropped, from a stream or from a list. */
    for (int from_list = 0; from_list < 2; from_list++) {
        c = counter_new(20, -1);
        mp_value *l = mp_list_new();
        for (int64_t i = 0; i < 20; i++)
            mp_list_append(l, mp_int(i));
        it = from_list ? mp_pool_imap_unordered(p, slow_zero, l, NULL)
                       : mp_pool_imap_iter(p, slow_zero, count, c,
                                           &(mp_pool_imap_opts){.max_in_flight = 3, .unordered = true});
        int64_t sum = 0;
        k = 0;
        /* A result lost would leave next() waiting: the guard makes it a
         * failure (no timing is measured). */
        while (it && mp_imap_iterator_next(it, MP_TIMEOUT(HANG_GUARD), &v) == 0) {
            sum += mp_as_int(v);
            mp_decref(v);
            consumed(c, ++k);
        }
        tap_ok(k == 20 && sum == 190, "%s: %s unordered with a slow first item: all 20 come (sum %lld)", m,
               from_list ? "imap" : "imap_iter", (long long)sum);
        mp_imap_iterator_free(it);
        mp_decref(l);
        counter_free(c);
    }
    mp_pool_free(p);
}

/* The producer's error after the results before it; a task's error in
 * its place. */
static void errors(const char *m, mp_context *ctx)
{
    mp_pool *p = mp_context_pool(ctx, &(mp_pool_opts){.processes = 2});
    for (size_t cs = 1; cs <= 4; cs += 3) {
        counter *c = counter_new(100, 10);
        mp_imap_iterator *it = mp_pool_imap_iter(p, sq, count, c,
                                                 &(mp_pool_imap_opts){.chunksize = cs, .max_in_flight = 2});
        int64_t k = 0;
        bool good = it != NULL;
        mp_value *v = NULL;
        int rc = -1;
        while (it && (rc = mp_imap_iterator_next(it, MP_WAIT_FOREVER, &v)) == 0) {
            good &= mp_as_int(v) == k * k;
            mp_decref(v);
            consumed(c, ++k);
        }
        tap_ok(good && k == 10 && err_is(rc, MP_EEXCEPTION, "bad input 10") &&
                   strcmp(mp_errname(rc), "ValueError") == 0,
               "%s: chunksize %zu: a producer failing at 10 gives 10 results, then its ValueError", m, cs);
        tap_is_int(it ? mp_imap_iterator_next(it, MP_WAIT_FOREVER, &v) : -1, MP_ESTOPITERATION,
                   "%s: chunksize %zu: then StopIteration", m, cs);
        mp_imap_iterator_free(it);
        counter_free(c);
    }
    /* A task's error: with chunksize 1 the iteration goes on past it. */
    counter *c = counter_new(8, -1);
    mp_imap_iterator *it = mp_pool_imap_iter(p, inverse, count, c, &(mp_pool_imap_opts){.max_in_flight = 2});
    char got[256];
    outcomes(it, c, 9, got, sizeof got);
    tap_is_str(got, "-0.2 -0.25 -0.3333333333333333 -0.5 -1.0 ZeroDivisionError 1.0 0.5 StopIteration",
               "%s: imap_iter(inverse, range(8)): ZeroDivisionError in its place, then the rest", m);
    mp_imap_iterator_free(it);
    counter_free(c);
    mp_pool_free(p);
}

/* Freed early: the producer is never called again, the pool goes on and
 * closes. */
static void early_free(const char *m, mp_context *ctx)
{
    mp_pool *p = mp_context_pool(ctx, &(mp_pool_opts){.processes = 2});
    counter *c = counter_new(1000000000, -1);
    mp_imap_iterator *it = mp_pool_imap_iter(p, sq, count, c, &(mp_pool_imap_opts){.chunksize = 5, .max_in_flight = 3});
    mp_value *v = NULL;
    bool good = it != NULL;
    for (int64_t k = 0; it && k < 12; k++) {
        good &= mp_imap_iterator_next(it, MP_WAIT_FOREVER, &v) == 0 && mp_as_int(v) == k * k;
        mp_decref(v);
        consumed(c, k + 1);
    }
    mp_imap_iterator_free(it);
    pthread_mutex_lock(&c->mu);
    int64_t drawn = c->next;
    pthread_mutex_unlock(&c->mu);
    mp_value *r = NULL;
    int rc = mp_pool_apply(p, sq, &(mp_pool_call_opts){.args = mp_tuple_of(9)}, &r);
    tap_ok(good && rc == 0 && mp_as_int(r) == 81,
           "%s: an infinite producer: 12 results, the iterator freed, then apply(sq, (9,)) = 81", m);
    mp_decref(r);
    tap_ok(drawn <= 12 + 4 * 5 && c->next == drawn,
           "%s: the producer drew %lld inputs, none after the free", m, (long long)drawn);
    tap_ok(mp_pool_close(p) == 0 && mp_pool_join(p) == 0, "%s: then close() and join() return", m);
    mp_pool_free(p);
    counter_free(c);
}

/* A stream waiting for its consumer holds up none of the pool's other
 * calls. */
static void others_go_on(const char *m, mp_context *ctx)
{
    mp_pool *p = mp_context_pool(ctx, &(mp_pool_opts){.processes = 1});
    counter *c = counter_new(1000, -1);
    mp_imap_iterator *it = mp_pool_imap_iter(p, sq, count, c, &(mp_pool_imap_opts){.max_in_flight = 2});
    mp_value *l = mp_list_of(1, 2, 3), *r = NULL;
    int rc = mp_pool_map(p, sq, l, NULL, &r);
    tap_is_str(rc == 0 ? rep(r) : mp_errname(rc), "[1, 4, 9]",
               "%s: map while a stream waits for its consumer", m);
    mp_decref(r);
    mp_decref(l);
    mp_value *v = NULL;
    rc = it ? mp_imap_iterator_next(it, MP_WAIT_FOREVER, &v) : -1;
    tap_ok(rc == 0 && mp_as_int(v) == 0, "%s: the stream then gives its first", m);
    mp_decref(v);
    mp_imap_iterator_free(it);
    mp_pool_free(p);
    counter_free(c);
}

/* A worker killed in the middle: its task fails with WorkerLostError, the
 * others come, the pool replaces it. */
static void worker_dies(const char *m, mp_context *ctx)
{
    mp_pool *p = mp_context_pool(ctx, &(mp_pool_opts){.processes = 2});
    counter *c = counter_new(20, -1);
    mp_imap_iterator *it = mp_pool_imap_iter(p, die_on_7, count, c, &(mp_pool_imap_opts){.max_in_flight = 3});
    char got[256];
    outcomes(it, c, 21, got, sizeof got);
    tap_is_str(got, "0 1 2 3 4 5 6 WorkerLostError 8 9 10 11 12 13 14 15 16 17 18 19 StopIteration",
               "%s: a worker SIGKILLed at 7: WorkerLostError in its place, every other result", m);
    mp_imap_iterator_free(it);
    mp_value *r = NULL;
    tap_ok(mp_pool_apply(p, sq, &(mp_pool_call_opts){.args = mp_tuple_of(4)}, &r) == 0 && mp_as_int(r) == 16,
           "%s: the pool goes on: apply(sq, (4,)) = 16", m);
    mp_decref(r);
    tap_ok(mp_pool_close(p) == 0 && mp_pool_join(p) == 0, "%s: close() and join() return", m);
    mp_pool_free(p);
    counter_free(c);
}

/* The named errors. */
static void named_errors(const char *m, mp_context *ctx)
{
    mp_pool *p = mp_context_pool(ctx, &(mp_pool_opts){.processes = 1});
    counter *c = counter_new(3, -1);
    tap_ok(!mp_pool_imap_iter(p, sq, NULL, NULL, NULL) &&
               err_is(mp_errcode(), MP_ETYPE, "'NoneType' object is not iterable"),
           "%s: imap_iter without a producer: TypeError", m);
    tap_ok(!mp_pool_imap_iter(p, unregistered, count, c, NULL) && mp_errcode() == MP_EPICKLE,
           "%s: imap_iter of a function not registered: PicklingError", m);
    /* close() waits for a stream to be consumed. */
    mp_imap_iterator *it = mp_pool_imap_iter(p, sq, count, c, NULL);
    mp_pool_close(p);
    tap_ok(!mp_pool_imap_iter(p, sq, count, c, NULL) && err_is(mp_errcode(), MP_EVALUE, "Pool not running"),
           "%s: imap_iter after close: ValueError Pool not running", m);
    int64_t sum = 0;
    mp_value *v = NULL;
    while (it && mp_imap_iterator_next(it, MP_WAIT_FOREVER, &v) == 0) {
        sum += mp_as_int(v);
        mp_decref(v);
    }
    tap_ok(it && sum == 5 && mp_pool_join(p) == 0, "%s: a stream begun before close() runs to its end, then join()", m);
    mp_imap_iterator_free(it);
    mp_pool_free(p);
    counter_free(c);
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    alarm(600);     /* a hang fails the run instead of stopping the suite */
    static void (*const tests[])(const char *, mp_context *) = {
        ordered, unordered, errors, early_free, others_go_on, worker_dies, named_errors};
    for (size_t i = 0; i < 3; i++)
        for (size_t k = 0; k < sizeof tests / sizeof *tests; k++)
            tests[k](methods[i], mp_get_context(methods[i]));
    return tap_done();
}

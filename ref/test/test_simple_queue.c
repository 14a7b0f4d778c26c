/* test_simple_queue.c - unit tests for SimpleQueue's ring: messages around its size, many writers and readers in processes of every start method, sleeping ends.
 *
 * Usage: test_simple_queue      prints TAP.  The binary is also the program
 * spawn and forkserver re-run for their children (the targets below).  The
 * API's behaviour beside CPython's is checked in test_queue.c; this file
 * checks what the ring adds (see simple_queue.c): a message larger than the
 * ring goes through in pieces that never mix with another writer's, every
 * byte arrives once and in order across the counters' wrap, and a side
 * that sleeps is woken.  No check depends on how long something takes.
 */
#include "messages.h"
#include "tap.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const methods[] = {"fork", "spawn", "forkserver"};

#define RING (64 * 1024)        /* simple_queue.c's ring */

/* Sizes around the ring's: a pickle adds a few bytes and the ring an
 * 8-byte length, so these land on either side of its edges. */
static const size_t sizes[] = {0, 1, 5, 100, RING / 2, RING - 30, RING - 20, RING - 8, RING,
                               RING + 1, 3 * RING + 7, 1 << 20, 2, RING - 1, 7};
#define NSIZES (sizeof sizes / sizeof *sizes)

/* ---- targets ------------------------------------------------------------ */

/* args: (q, tag, n): put messages (tag, 0..n-1), every size in turn. */
static int writer(const mp_value *args)
{
    mp_simple_queue *q = mp_as_simple_queue(mp_item(args, 0));
    int64_t tag = mp_as_int(mp_item(args, 1)), n = mp_as_int(mp_item(args, 2));
    for (int64_t i = 0; i < n; i++) {
        int rc = mp_simple_queue_put(q, message(tag, i, sizes[(size_t)i % NSIZES] / 4));
        if (rc < 0)
            return rc;
    }
    return 0;
}
MP_TARGET(writer);

/* args: (q, results, n): get n messages, then put (got, wrong, unordered,
 * bytes) into results: each writer's messages must come in its order. */
static int reader(const mp_value *args)
{
    mp_simple_queue *q = mp_as_simple_queue(mp_item(args, 0));
    mp_simple_queue *results = mp_as_simple_queue(mp_item(args, 1));
    tally t = tally_new();
    for (int64_t k = 0; k < mp_as_int(mp_item(args, 2)); k++) {
        mp_value *v;
        int rc = mp_simple_queue_get(q, &v);
        if (rc < 0)
            return rc;
        tally_add(&t, v);
    }
    return mp_simple_queue_put(results, tally_value(&t));
}
MP_TARGET(reader);

/* args: (q,): wait a moment, so that the parent's get is asleep, then put. */
static int late_put(const mp_value *args)
{
    nanosleep(&(struct timespec){0, 200000000}, NULL);
    return mp_simple_queue_put(mp_as_simple_queue(mp_item(args, 0)), "late");
}
MP_TARGET(late_put);

/* ---- in one process -------------------------------------------------------- */

static mp_simple_queue *tq;

static void *read_sizes(void *arg)
{
    int *ok = arg;
    for (int round = 0; round < 3; round++)
        for (size_t k = 0; k < NSIZES; k++) {
            mp_value *v;
            int64_t tag, i;
            size_t size;
            if (mp_simple_queue_get(tq, &v) < 0)
                return NULL;
            if (whole(v, &tag, &i, &size) && tag == round && i == (int64_t)k && size == sizes[k])
                (*ok)++;
            mp_decref(v);
        }
    return NULL;
}

/* Every size, three times over (the counters wrap in the first round;
 * the larger messages need the reader running while they are put). */
static void test_sizes(void)
{
    tq = mp_simple_queue_new();
    int ok = 0;
    pthread_t t;
    pthread_create(&t, NULL, read_sizes, &ok);
    int failed = 0;
    for (int round = 0; round < 3; round++)
        for (size_t k = 0; k < NSIZES; k++)
            if (mp_simple_queue_put(tq, message(round, (int64_t)k, sizes[k])) < 0)
                failed++;
    pthread_join(t, NULL);
    tap_is_int(failed, 0, "every put of every size around the ring's succeeds");
    tap_is_int(ok, (int64_t)(3 * NSIZES), "and every message arrives whole, in order");
    TAP_OK(mp_simple_queue_empty(tq), "leaving the ring empty");
    mp_simple_queue_free(tq);
}

/* Small messages wait in the ring with no reader, as in a pipe's buffer:
 * 50000 bytes of them go in without blocking, and come out in order (a
 * put that does not fit waits: test_queue.c's test_simple_big). */
static void test_fills(void)
{
    mp_simple_queue *q = mp_simple_queue_new();
    for (int i = 0; i < 1000; i++)      /* 1000 x (8 + 42 bytes) = 50000 bytes < 64 KiB */
        mp_simple_queue_put(q, message(0, i, 20));
    int ok = 0;
    for (int i = 0; i < 1000; i++) {
        mp_value *v;
        int64_t tag, n;
        size_t size;
        if (mp_simple_queue_get(q, &v) == 0 && whole(v, &tag, &n, &size) && n == i)
            ok++;
        mp_decref(v);
    }
    tap_is_int(ok, 1000, "1000 small messages wait in the ring for a reader, and come out in order");
    mp_simple_queue_free(q);
}

/* ---- with children -------------------------------------------------------- */

/* Two writers and two readers, all children of one method, the large
 * messages in pieces: nothing mixed, lost or twice, each writer in order. */
static void test_many_processes(void)
{
    enum { N = 90 };            /* per writer: 6 rounds of the sizes, a quarter each */
    size_t expect_bytes = 0;
    for (int64_t i = 0; i < N; i++)
        expect_bytes += sizes[(size_t)i % NSIZES] / 4;
    for (size_t m = 0; m < 3; m++) {
        mp_context *ctx = mp_get_context(methods[m]);
        mp_simple_queue *q = mp_simple_queue_new(), *res = mp_simple_queue_new();
        mp_process *p[4];
        for (int k = 0; k < 4; k++) {
            mp_value *args = k < 2 ? mp_tuple_of(q, k, N) : mp_tuple_of(q, res, N);
            p[k] = mp_context_process(ctx, &(mp_process_opts){
                .target = k < 2 ? writer : reader, .args = args});
            mp_process_start(p[k]);
        }
        tally t = tally_new();
        mp_value *v;
        for (int k = 0; k < 2 && mp_simple_queue_get(res, &v) == 0; k++)
            tally_merge(&t, v);
        int codes = 0;
        for (int k = 0; k < 4; k++) {
            mp_process_join(p[k], MP_WAIT_FOREVER);
            codes += mp_process_exitcode(p[k]) != 0;
            mp_process_free(p[k]);
        }
        tally_check(&t, methods[m], N, expect_bytes);
        tap_is_int(codes, 0, "%s: the four children exit 0", methods[m]);
        TAP_OK(mp_simple_queue_empty(q), "%s: nothing left over", methods[m]);
        mp_simple_queue_free(q);
        mp_simple_queue_free(res);
    }
}

/* A get that found nothing sleeps, and a put from another process wakes
 * it (the child waits a moment first, long enough for the spinning to
 * end on any machine that is not stalled; if it is, the spin path is
 * taken instead and the check still holds). */
static mp_simple_queue *sq;
static mp_value *slept;

static void *sleeper(void *arg)
{
    (void)arg;
    mp_simple_queue_get(sq, &slept);
    return NULL;
}

static void test_sleepers(void)
{
    for (size_t m = 0; m < 3; m++) {
        sq = mp_simple_queue_new();
        slept = NULL;
        pthread_t t;
        pthread_create(&t, NULL, sleeper, NULL);
        mp_process *p = mp_context_process(mp_get_context(methods[m]), &(mp_process_opts){
            .target = late_put, .args = mp_tuple_of(sq)});
        mp_process_start(p);
        pthread_join(t, NULL);
        mp_process_join(p, MP_WAIT_FOREVER);
        TAP_OK(slept && mp_as_str(slept) && strcmp(mp_as_str(slept), "late") == 0,
               "%s: a sleeping get is woken by a child's put", methods[m]);
        mp_decref(slept);
        mp_process_free(p);
        mp_simple_queue_free(sq);
    }
}

/* A closed queue cannot be given to a child, as CPython cannot pickle
 * its closed pipe. */
static void test_closed_to_child(void)
{
    mp_simple_queue *q = mp_simple_queue_new();
    mp_simple_queue_close(q);
    mp_process *p = mp_context_process(mp_get_context("spawn"), &(mp_process_opts){
        .target = late_put, .args = mp_tuple_of(q)});
    tap_is_int(mp_process_start(p), MP_ECLOSED, "spawn: a closed SimpleQueue is not passed");
    tap_is_str(mp_errmsg(), "handle is closed", "with OSError's words");
    mp_process_free(p);
    mp_simple_queue_free(q);
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    /* A ring that lost its framing makes a reader wait for bytes that never
     * come: fail in two minutes rather than at the harness's limit. */
    alarm(120);
    test_sizes();
    test_fills();
    test_many_processes();
    test_sleepers();
    test_closed_to_child();
    return tap_done();
}

/* queue_ints.c - small ints from one process to another through Queue and SimpleQueue.
 *
 * Usage: queue_ints [N] [METHOD] [REPS] [PIN]   (default 100000 fork 3 none)
 * The parent puts the ints 0..N-1 into a queue (mp_queue_put, or
 * mp_simple_queue_put); a child started with METHOD gets them, checks each
 * is the next one, and puts their sum into a second queue of the same
 * kind.  The clock runs from the first put (the child is already waiting)
 * to the sum.  Prints "mp_queue msgs-per-second" and "mp_simple_queue
 * msgs-per-second", the best of REPS runs; scripts/bench-messaging runs it
 * beside bench/queue_ints.py.
 * PIN (default none) is where the two processes run: see choose_cpus.
 * The children are daemons, so that if this process gives up, its exit
 * ends them rather than waiting for them.
 */
#include <mp.h>

#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LIMIT 600       /* seconds before a stuck run is killed rather than hanging make bench */
#define NAME "queue_ints"

/* now(), die(), choose_cpus() and pin(), shared by the benchmarks. */
#include "bench_common.h"

static int consume_queue(const mp_value *args)
{
    alarm(LIMIT);
    pin((int)mp_as_int(mp_item(args, 3)));
    mp_queue *q = mp_as_queue(mp_item(args, 0)), *back = mp_as_queue(mp_item(args, 1));
    int64_t n = mp_as_int(mp_item(args, 2)), total = 0;
    int rc = mp_queue_put(back, "ready");
    for (int64_t i = 0; rc == 0 && i < n; i++) {
        mp_value *v;
        if ((rc = mp_queue_get(q, &v)) < 0)
            break;
        bool ok = mp_typeof(v) == MP_T_INT && mp_as_int(v) == i;
        mp_decref(v);
        if (!ok)
            return mp_raise("RuntimeError", "item %lld out of order", (long long)i);
        total += i;
    }
    return rc < 0 ? rc : mp_queue_put(back, total);
}
MP_TARGET(consume_queue);

static int consume_simple(const mp_value *args)
{
    alarm(LIMIT);
    pin((int)mp_as_int(mp_item(args, 3)));
    mp_simple_queue *q = mp_as_simple_queue(mp_item(args, 0));
    mp_simple_queue *back = mp_as_simple_queue(mp_item(args, 1));
    int64_t n = mp_as_int(mp_item(args, 2)), total = 0;
    int rc = mp_simple_queue_put(back, "ready");
    for (int64_t i = 0; rc == 0 && i < n; i++) {
        mp_value *v;
        if ((rc = mp_simple_queue_get(q, &v)) < 0)
            break;
        bool ok = mp_typeof(v) == MP_T_INT && mp_as_int(v) == i;
        mp_decref(v);
        if (!ok)
            return mp_raise("RuntimeError", "item %lld out of order", (long long)i);
        total += i;
    }
    return rc < 0 ? rc : mp_simple_queue_put(back, total);
}
MP_TARGET(consume_simple);

static mp_process *start(mp_context *ctx, mp_target_fn target, mp_value *args)
{
    mp_process *p = mp_context_process(ctx, &(mp_process_opts){
        .target = target, .args = args, .daemon = MP_YES});
    int rc;
    if (p == NULL)
        die("Process", mp_errcode());
    if ((rc = mp_process_start(p)) < 0)
        die("start", rc);
    return p;
}

/* The child's last word: the sum of 0..n-1, or the run is void. */
static void check_sum(const char *kind, mp_value *v, int64_t n)
{
    if (mp_typeof(v) != MP_T_INT || mp_as_int(v) != n * (n - 1) / 2) {
        char *r = mp_repr(v);
        fprintf(stderr, "queue_ints: %s: child got %s\n", kind, r ? r : "?");
        exit(1);
    }
    mp_decref(v);
}

static void finish(mp_process *p)
{
    int rc = mp_process_join(p, MP_WAIT_FOREVER);
    if (rc < 0)
        die("join", rc);
    mp_process_free(p);
}

static double run_queue(mp_context *ctx, int64_t n)
{
    mp_queue *q = mp_queue_new(0), *back = mp_queue_new(0);
    mp_value *v;
    int rc;
    if (q == NULL || back == NULL)
        die("Queue", mp_errcode());
    mp_process *p = start(ctx, consume_queue, mp_tuple_of(q, back, n, cpu[1]));
    if ((rc = mp_queue_get(back, &v)) < 0)
        die("get ready", rc);
    mp_decref(v);
    double t = now();
    for (int64_t i = 0; i < n; i++)
        if ((rc = mp_queue_put(q, i)) < 0)
            die("put", rc);
    if ((rc = mp_queue_get(back, &v)) < 0)
        die("get sum", rc);
    t = now() - t;
    check_sum("Queue", v, n);
    finish(p);
    mp_queue_close(q);
    mp_queue_close(back);
    mp_queue_free(q);
    mp_queue_free(back);
    return (double)n / t;
}

static double run_simple(mp_context *ctx, int64_t n)
{
    mp_simple_queue *q = mp_simple_queue_new(), *back = mp_simple_queue_new();
    mp_value *v;
    int rc;
    if (q == NULL || back == NULL)
        die("SimpleQueue", mp_errcode());
    mp_process *p = start(ctx, consume_simple, mp_tuple_of(q, back, n, cpu[1]));
    if ((rc = mp_simple_queue_get(back, &v)) < 0)
        die("get ready", rc);
    mp_decref(v);
    double t = now();
    for (int64_t i = 0; i < n; i++)
        if ((rc = mp_simple_queue_put(q, i)) < 0)
            die("put", rc);
    if ((rc = mp_simple_queue_get(back, &v)) < 0)
        die("get sum", rc);
    t = now() - t;
    check_sum("SimpleQueue", v, n);
    finish(p);
    mp_simple_queue_close(q);
    mp_simple_queue_close(back);
    mp_simple_queue_free(q);
    mp_simple_queue_free(back);
    return (double)n / t;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    int64_t n;
    int reps;
    mp_context *ctx = bench_args(argc, argv, 100000, "none", &n, &reps);
    double queue = 0, simple = 0;
    for (int r = 0; r < reps; r++) {
        double x = run_queue(ctx, n);
        queue = x > queue ? x : queue;
    }
    for (int r = 0; r < reps; r++) {
        double x = run_simple(ctx, n);
        simple = x > simple ? x : simple;
    }
    printf("mp_queue %.1f\n", queue);
    printf("mp_simple_queue %.1f\n", simple);
    return 0;
}

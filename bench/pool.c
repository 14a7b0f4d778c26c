/* pool.c - the Pool's costs: an apply round trip, map's throughput with chunksize 1000 and 1, and the parent's peak memory over an imap of 10 M generated inputs, beside raw two-process pipes.
 *
 * Usage: pool [N] [METHOD] [REPS] [PIN] [WHAT]   (default 100000 fork 3 same all)
 * WHAT: apply, map, imap or all.  Prints "name value" lines, the best of
 * REPS rounds each (imap runs once: its value is a peak); scripts/bench-pool
 * runs it beside bench/pool.py (CPython) and prints the ratios.
 *
 *   mp_apply, raw_roundtrip   seconds per round trip: apply_async(ident,
 *                             (i,)).get() on Pool(1), N / 50 times; and the
 *                             floor, 8 bytes written to a child through one
 *                             pipe and read back through another;
 *   mp_map1000, mp_map1       seconds per task: Pool(2).map(inc, range(N))
 *                             with chunksize 1000 and with chunksize 1;
 *   raw_map1000, raw_map1     the floor of each: the ints sent to one child
 *                             through a pipe in chunks of 1000 (or one by
 *                             one), each chunk read, its ints increased and
 *                             written back through another pipe, read by the
 *                             parent while a thread of it writes;
 *   mp_imap_rss, mp_idle_rss  the parent's peak resident memory (VmHWM, in
 *                             bytes) after imap_iter(inc, 10 M generated
 *                             ints, chunksize 1000) on Pool(2) consumed to
 *                             the end, and before it, with the pool started.
 *
 * PIN (default same) is where the processes run: see choose_cpus; a pool's
 * workers inherit the parent's CPU.  The children are daemons, so that if
 * this process gives up, its exit ends them.  A wrong result fails the run.
 */
#include <mp.h>

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define LIMIT 600       /* seconds before a stuck run is killed rather than hanging make bench */
#define NAME "pool"
#define IMAP_N 10000000

/* now(), die(), choose_cpus() and pin(), shared by the benchmarks. */
#include "bench_common.h"

static int ident(const mp_value *args, mp_value **result)
{
    *result = mp_incref((mp_value *)mp_item(args, 0));
    return 0;
}
MP_TASK(ident);

static int inc(const mp_value *args, mp_value **result)
{
    *result = mp_int(mp_as_int(mp_item(args, 0)) + 1);
    return 0;
}
MP_TASK(inc);

static void check(const char *what, int rc)
{
    if (rc < 0)
        die(what, rc);
}

static void wrong(const char *what)
{
    fprintf(stderr, NAME ": %s: wrong result\n", what);
    exit(1);
}

static double best(double a, double b) { return a < b ? a : b; }

/* ---- the floor: two pipes to a child ------------------------------------- */

typedef struct raw {
    int to[2], from[2];
    pid_t child;
} raw;

static void full_write(int fd, const void *buf, size_t n)
{
    for (const char *p = buf; n > 0;) {
        ssize_t k = write(fd, p, n);
        if (k <= 0) {
            perror(NAME ": write");
            exit(1);
        }
        p += k, n -= (size_t)k;
    }
}

static bool full_read(int fd, void *buf, size_t n)
{
    for (char *p = buf; n > 0;) {
        ssize_t k = read(fd, p, n);
        if (k <= 0)
            return false;
        p += k, n -= (size_t)k;
    }
    return true;
}

/* A child that reads chunks of cs int64s, adds add to each, and writes
 * them back, until its pipe closes. */
static void raw_start(raw *r, size_t cs, int64_t add)
{
    if (pipe(r->to) < 0 || pipe(r->from) < 0) {
        perror(NAME ": pipe");
        exit(1);
    }
    if ((r->child = fork()) == 0) {
        pin(cpu[1]);
        close(r->to[1]);
        close(r->from[0]);
        int64_t *buf = malloc(cs * sizeof *buf);
        while (full_read(r->to[0], buf, cs * sizeof *buf)) {
            for (size_t k = 0; k < cs; k++)
                buf[k] += add;
            full_write(r->from[1], buf, cs * sizeof *buf);
        }
        _exit(0);
    }
    close(r->to[0]);
    close(r->from[1]);
}

static void raw_stop(raw *r)
{
    close(r->to[1]);
    close(r->from[0]);
    waitpid(r->child, NULL, 0);
}

static double raw_roundtrips(int64_t n)
{
    raw r;
    raw_start(&r, 1, 0);
    double t = now();
    for (int64_t i = 0; i < n; i++) {
        int64_t x = i;
        full_write(r.to[1], &x, sizeof x);
        if (!full_read(r.from[0], &x, sizeof x) || x != i)
            wrong("raw round trip");
    }
    t = (now() - t) / (double)n;
    raw_stop(&r);
    return t;
}

typedef struct feed {
    int fd;
    int64_t n;
    size_t cs;
} feed;

static void *feeder(void *arg)
{
    feed *f = arg;
    int64_t *buf = malloc(f->cs * sizeof *buf);
    for (int64_t i = 0; i < f->n; i += (int64_t)f->cs) {
        for (size_t k = 0; k < f->cs; k++)
            buf[k] = i + (int64_t)k;
        full_write(f->fd, buf, f->cs * sizeof *buf);
    }
    free(buf);
    return NULL;
}

/* n ints (a multiple of cs) through the child in chunks of cs. */
static double raw_map(int64_t n, size_t cs)
{
    raw r;
    raw_start(&r, cs, 1);
    feed f = {r.to[1], n, cs};
    int64_t *buf = malloc(cs * sizeof *buf), sum = 0;
    pthread_t t;
    double t0 = now();
    pthread_create(&t, NULL, feeder, &f);
    for (int64_t i = 0; i < n; i += (int64_t)cs) {
        if (!full_read(r.from[0], buf, cs * sizeof *buf))
            wrong("raw map");
        for (size_t k = 0; k < cs; k++)
            sum += buf[k];
    }
    t0 = (now() - t0) / (double)n;
    pthread_join(t, NULL);
    free(buf);
    raw_stop(&r);
    if (sum != n * (n + 1) / 2)
        wrong("raw map");
    return t0;
}

/* ---- ours ------------------------------------------------------------------- */

static double applies(mp_pool *p, int64_t n)
{
    double t = now();
    for (int64_t i = 0; i < n; i++) {
        mp_async_result *r = mp_pool_apply_async(p, ident, &(mp_pool_call_opts){.args = mp_tuple_of(i)});
        mp_value *v = NULL;
        if (!r)
            die("apply_async", mp_errcode());
        check("get", mp_async_result_get(r, MP_WAIT_FOREVER, &v));
        if (mp_as_int(v) != i)
            wrong("apply");
        mp_decref(v);
        mp_async_result_free(r);
    }
    return (now() - t) / (double)n;
}

static double maps(mp_pool *p, const mp_value *items, size_t cs)
{
    mp_value *v = NULL;
    double t = now();
    check("map", mp_pool_map(p, inc, items, &(mp_pool_call_opts){.chunksize = cs}, &v));
    t = (now() - t) / (double)mp_len(items);
    for (size_t i = 0; i < mp_len(items); i++)
        if (mp_as_int(mp_item(v, i)) != (int64_t)i + 1)
            wrong("map");
    mp_decref(v);
    return t;
}

static mp_value *range(int64_t n)
{
    mp_value *l = mp_list_new();
    for (int64_t i = 0; l && i < n; i++)
        check("append", mp_list_append(l, mp_int(i)));
    if (!l)
        die("list", mp_errcode());
    return l;
}

/* VmHWM of /proc/self/status, in bytes. */
static long long peak_rss(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %lld kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb * 1024;
}

static int count_up(void *data, mp_value **item)
{
    int64_t *next = data;
    if (*next >= IMAP_N)
        return 0;
    *item = mp_int((*next)++);
    return 1;
}

static void imap_rss(mp_context *ctx)
{
    mp_pool *p = mp_context_pool(ctx, &(mp_pool_opts){.processes = 2});
    if (!p)
        die("Pool", mp_errcode());
    long long idle = peak_rss();
    int64_t next = 0, sum = 0;
    mp_imap_iterator *it = mp_pool_imap_iter(p, inc, count_up, &next, &(mp_pool_imap_opts){.chunksize = 1000});
    mp_value *v = NULL;
    int rc = -1;
    while (it && (rc = mp_imap_iterator_next(it, MP_WAIT_FOREVER, &v)) == 0) {
        sum += mp_as_int(v);
        mp_decref(v);
    }
    if (!it || rc != MP_ESTOPITERATION)
        die("imap_iter", it ? rc : mp_errcode());
    if (sum != (int64_t)IMAP_N * (IMAP_N + 1) / 2)
        wrong("imap");
    printf("mp_imap_rss %lld\nmp_idle_rss %lld\n", peak_rss(), idle);
    mp_imap_iterator_free(it);
    mp_pool_free(p);
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    int64_t n;
    int reps;
    mp_context *ctx = bench_args(argc, argv, 100000, "same", &n, &reps);
    const char *what = argc > 5 ? argv[5] : "all";
    bool all = strcmp(what, "all") == 0;
    if (all || strcmp(what, "apply") == 0) {
        double ours = 1e9, floor = 1e9;
        mp_pool *p = mp_context_pool(ctx, &(mp_pool_opts){.processes = 1});
        if (!p)
            die("Pool", mp_errcode());
        applies(p, 100);    /* the workers and threads warmed up */
        for (int r = 0; r < reps; r++) {
            ours = best(ours, applies(p, n / 50));
            floor = best(floor, raw_roundtrips(n / 50));
        }
        mp_pool_free(p);
        printf("mp_apply %.9f\nraw_roundtrip %.9f\n", ours, floor);
    }
    if (all || strcmp(what, "map") == 0) {
        double m1000 = 1e9, m1 = 1e9, r1000 = 1e9, r1 = 1e9;
        int64_t nk = n / 1000 * 1000;
        mp_value *items = range(nk);
        mp_pool *p = mp_context_pool(ctx, &(mp_pool_opts){.processes = 2});
        if (!p)
            die("Pool", mp_errcode());
        for (int r = 0; r < reps; r++) {
            m1000 = best(m1000, maps(p, items, 1000));
            r1000 = best(r1000, raw_map(nk, 1000));
            m1 = best(m1, maps(p, items, 1));
            r1 = best(r1, raw_map(nk, 1));
        }
        mp_pool_free(p);
        mp_decref(items);
        printf("mp_map1000 %.12f\nraw_map1000 %.12f\nmp_map1 %.12f\nraw_map1 %.12f\n", m1000, r1000, m1, r1);
    }
    if (strcmp(what, "imap") == 0)
        imap_rss(ctx);     /* alone in its process: its peak is its own */
    return 0;
}

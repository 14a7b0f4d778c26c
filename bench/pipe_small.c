/* pipe_small.c - small messages one way through a Pipe, beside a raw socketpair floor.
 *
 * Usage: pipe_small [N] [METHOD] [REPS] [PIN]   (default 100000 fork 3 none)
 * Ours: the parent sends the ints 0..N-1 with mp_connection_send on one end
 * of mp_pipe(); a child started with METHOD receives them with
 * mp_connection_recv, checks each is the next one, and sends back their sum.
 * The clock runs from the first send (the child has said it is ready) to
 * the sum.  For reference, the floor of a socket: N frames of the same
 * size (4-byte length and a pickled int), each written with one write(2)
 * on a socketpair, read by a forked child in 64 KiB reads and counted (a
 * Pipe's rings make no system call while the reader keeps up, so ours
 * can pass it).
 * Prints "mp_pipe msgs-per-second" and "raw_pipe msgs-per-second", the best
 * of REPS runs; scripts/bench-messaging runs it beside bench/pipe_small.py.
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
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LIMIT 600       /* seconds before a stuck run is killed rather than hanging make bench */
#define NAME "pipe_small"

/* now(), die(), choose_cpus() and pin(), shared by the benchmarks. */
#include "bench_common.h"

static int consume(const mp_value *args)
{
    alarm(LIMIT);
    pin((int)mp_as_int(mp_item(args, 2)));
    mp_connection *c = mp_as_connection(mp_item(args, 0));
    int64_t n = mp_as_int(mp_item(args, 1)), total = 0;
    mp_value *v;
    int rc = mp_connection_send(c, "ready");
    for (int64_t i = 0; rc == 0 && i < n; i++) {
        if ((rc = mp_connection_recv(c, &v)) < 0)
            break;
        bool ok = mp_typeof(v) == MP_T_INT && mp_as_int(v) == i;
        mp_decref(v);
        if (!ok)
            return mp_raise("RuntimeError", "item %lld out of order", (long long)i);
        total += i;
    }
    if (rc < 0)
        return rc;
    return mp_connection_send(c, total);
}
MP_TARGET(consume);

static double run_ours(mp_context *ctx, int64_t n)
{
    mp_connection *a, *b;
    mp_value *v;
    int rc;
    if ((rc = mp_pipe(&a, &b, NULL)) < 0)
        die("Pipe", rc);
    mp_process *p = mp_context_process(ctx, &(mp_process_opts){
        .target = consume, .args = mp_tuple_of(b, n, cpu[1]), .daemon = MP_YES});
    if (p == NULL)
        die("Process", mp_errcode());
    if ((rc = mp_process_start(p)) < 0)
        die("start", rc);
    mp_connection_close(b);
    if ((rc = mp_connection_recv(a, &v)) < 0)
        die("recv ready", rc);
    mp_decref(v);
    double t = now();
    for (int64_t i = 0; i < n; i++) {
        if ((rc = mp_connection_send(a, mp_int(i))) < 0)
            die("send", rc);
    }
    if ((rc = mp_connection_recv(a, &v)) < 0)
        die("recv sum", rc);
    t = now() - t;
    if (mp_typeof(v) != MP_T_INT || mp_as_int(v) != n * (n - 1) / 2) {
        char *r = mp_repr(v);
        fprintf(stderr, "pipe_small: child got %s\n", r ? r : "?");
        exit(1);
    }
    mp_decref(v);
    if ((rc = mp_process_join(p, MP_WAIT_FOREVER)) < 0)
        die("join", rc);
    mp_process_free(p);
    mp_connection_free(a);
    mp_connection_free(b);
    return (double)n / t;
}

/* The raw reader: count whole frames as they come, 64 KiB at a time. */
static void raw_consume(int fd, int64_t n)
{
    static uint8_t buf[1 << 16];
    size_t have = 0;
    int64_t got = 0;
    if (write(fd, "R", 1) != 1)
        _exit(1);
    while (got < n) {
        ssize_t r = read(fd, buf + have, sizeof buf - have);
        if (r <= 0)
            _exit(1);
        have += (size_t)r;
        size_t at = 0;
        while (have - at >= 4) {
            size_t len = (size_t)buf[at] << 24 | (size_t)buf[at + 1] << 16
                         | (size_t)buf[at + 2] << 8 | buf[at + 3];
            if (have - at < 4 + len)
                break;
            at += 4 + len;
            got++;
        }
        memmove(buf, buf + at, have - at);
        have -= at;
    }
    if (write(fd, &got, sizeof got) != sizeof got)
        _exit(1);
    _exit(0);
}

static double run_raw(const uint8_t *frame, size_t len, int64_t n)
{
    int sv[2];
    char ready;
    int64_t got;
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        exit(1);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(LIMIT);
        pin(cpu[1]);
        close(sv[0]);
        raw_consume(sv[1], n);
    }
    close(sv[1]);
    if (read(sv[0], &ready, 1) != 1)
        exit(1);
    double t = now();
    for (int64_t i = 0; i < n; i++)
        if (write(sv[0], frame, len) != (ssize_t)len)
            exit(1);
    if (read(sv[0], &got, sizeof got) != sizeof got || got != n)
        exit(1);
    t = now() - t;
    close(sv[0]);
    waitpid(pid, NULL, 0);
    return (double)n / t;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    int64_t n;
    int reps;
    mp_context *ctx = bench_args(argc, argv, 100000, "none", &n, &reps);

    /* The raw frame: what send() writes for a mid-sized int of the run. */
    uint8_t *pickled, frame[64];
    size_t plen;
    mp_value *mid = mp_int(n / 2);
    int rc = mp_pickle_dumps(mid, NULL, &pickled, &plen);
    if (rc < 0 || plen > sizeof frame - 4)
        die("pickle", rc);
    mp_decref(mid);
    frame[0] = (uint8_t)(plen >> 24), frame[1] = (uint8_t)(plen >> 16);
    frame[2] = (uint8_t)(plen >> 8), frame[3] = (uint8_t)plen;
    memcpy(frame + 4, pickled, plen);
    free(pickled);

    double ours = 0, raw = 0;
    for (int r = 0; r < reps; r++) {
        double a = run_ours(ctx, n), b = run_raw(frame, plen + 4, n);
        ours = a > ours ? a : ours;
        raw = b > raw ? b : raw;
    }
    printf("mp_pipe %.1f\n", ours);
    printf("raw_pipe %.1f\n", raw);
    return 0;
}

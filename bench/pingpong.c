/* pingpong.c - round trips of a small value through a Pipe, beside raw socketpair round trips.
 *
 * Usage: pingpong [N] [METHOD] [REPS] [PIN]   (default 20000 fork 3 same)
 * Ours: the parent sends a small int with mp_connection_send on one end of
 * mp_pipe(); a child started with METHOD receives it with
 * mp_connection_recv and sends it back; the parent receives and checks it.
 * The floor: the same framed bytes (4-byte length and the pickle of such
 * an int) written with one write(2) on a socketpair and read back, by a
 * forked child that reads whole frames and writes them back unchanged.
 * One child of each kind serves every round; rounds of N timed round trips
 * alternate between the two, after a warm-up, so both see the same machine.
 * Prints "mp_pingpong seconds-per-round-trip" and "raw_pingpong ...", the
 * best of REPS rounds; scripts/bench-messaging runs it beside
 * bench/pingpong.py.
 * PIN (default same) is where the two processes run: see choose_cpus.
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
#define NAME "pingpong"
#define WARMUP 1000

/* now(), die(), choose_cpus() and pin(), shared by the benchmarks. */
#include "bench_common.h"

/* 256..50255: each pickles to the same length (BININT2), as the raw frame. */
static int64_t value(int64_t i)
{
    return 256 + i % 50000;
}

static int echo(const mp_value *args)
{
    alarm(LIMIT);
    pin((int)mp_as_int(mp_item(args, 2)));
    mp_connection *c = mp_as_connection(mp_item(args, 0));
    int64_t n = mp_as_int(mp_item(args, 1));
    for (int64_t i = 0; i < n; i++) {
        mp_value *v;
        int rc = mp_connection_recv(c, &v);
        if (rc < 0)
            return rc;
        if ((rc = mp_connection_send(c, v)) < 0)
            return rc;
    }
    return 0;
}
MP_TARGET(echo);

static double rounds_ours(mp_connection *c, int64_t n)
{
    double t = now();
    for (int64_t i = 0; i < n; i++) {
        mp_value *v = mp_int(value(i)), *r;
        int rc = mp_connection_send(c, mp_incref(v));
        if (rc < 0)
            die("send", rc);
        if ((rc = mp_connection_recv(c, &r)) < 0)
            die("recv", rc);
        if (!mp_equal(v, r)) {
            fprintf(stderr, "pingpong: sent %lld, got back another value\n", (long long)value(i));
            exit(1);
        }
        mp_decref(v);
        mp_decref(r);
    }
    return (now() - t) / (double)n;
}

static void write_all(int fd, const uint8_t *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w <= 0)
            _exit(1);
        p += w, len -= (size_t)w;
    }
}

/* Read one whole frame into buf (a single read(2) when it has all
 * arrived, as it has in practice); its length, header included. */
static size_t read_frame(int fd, uint8_t *buf, size_t cap)
{
    size_t have = 0;
    for (;;) {
        ssize_t r = read(fd, buf + have, cap - have);
        if (r <= 0)
            _exit(1);
        have += (size_t)r;
        if (have >= 4) {
            size_t len = (size_t)buf[0] << 24 | (size_t)buf[1] << 16 | (size_t)buf[2] << 8 | buf[3];
            if (len > cap - 4)
                _exit(1);
            if (have >= 4 + len)
                return have;
        }
    }
}

static void raw_echo(int fd, int64_t n)
{
    uint8_t buf[256];
    for (int64_t i = 0; i < n; i++) {
        size_t len = read_frame(fd, buf, sizeof buf);
        write_all(fd, buf, len);
    }
    _exit(0);
}

static double rounds_raw(int fd, const uint8_t *frame, size_t len, int64_t n)
{
    uint8_t buf[256];
    double t = now();
    for (int64_t i = 0; i < n; i++) {
        write_all(fd, frame, len);
        if (read_frame(fd, buf, sizeof buf) != len || memcmp(buf, frame, len) != 0) {
            fprintf(stderr, "pingpong: raw frame came back changed\n");
            exit(1);
        }
    }
    return (now() - t) / (double)n;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    int64_t n;
    int reps;
    mp_context *ctx = bench_args(argc, argv, 20000, "same", &n, &reps);
    int64_t total = WARMUP + (int64_t)reps * n;

    /* The raw frame: exactly what our send writes for one of the values. */
    uint8_t *pickled, frame[64];
    size_t plen;
    mp_value *v = mp_int(value(4242));
    int rc = mp_pickle_dumps(v, NULL, &pickled, &plen);
    if (rc < 0 || plen > sizeof frame - 4)
        die("pickle", rc);
    mp_decref(v);
    frame[0] = (uint8_t)(plen >> 24), frame[1] = (uint8_t)(plen >> 16);
    frame[2] = (uint8_t)(plen >> 8), frame[3] = (uint8_t)plen;
    memcpy(frame + 4, pickled, plen);
    free(pickled);

    mp_connection *a, *b;
    if ((rc = mp_pipe(&a, &b, NULL)) < 0)
        die("Pipe", rc);
    mp_process *p = mp_context_process(ctx, &(mp_process_opts){
        .target = echo, .args = mp_tuple_of(b, total, cpu[1]), .daemon = MP_YES});
    if (p == NULL)
        die("Process", mp_errcode());
    if ((rc = mp_process_start(p)) < 0)
        die("start", rc);
    mp_connection_close(b);

    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        exit(1);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(LIMIT);
        pin(cpu[1]);
        close(sv[0]);
        raw_echo(sv[1], total);
    }
    close(sv[1]);

    rounds_ours(a, WARMUP);
    rounds_raw(sv[0], frame, plen + 4, WARMUP);
    double ours = 1e9, raw = 1e9;
    for (int r = 0; r < reps; r++) {
        double x = rounds_ours(a, n), y = rounds_raw(sv[0], frame, plen + 4, n);
        ours = x < ours ? x : ours;
        raw = y < raw ? y : raw;
    }
    if ((rc = mp_process_join(p, MP_WAIT_FOREVER)) < 0)
        die("join", rc);
    mp_process_free(p);
    mp_connection_free(a);
    mp_connection_free(b);
    close(sv[0]);
    waitpid(pid, NULL, 0);
    printf("mp_pingpong %.9f\n", ours);
    printf("raw_pingpong %.9f\n", raw);
    return 0;
}

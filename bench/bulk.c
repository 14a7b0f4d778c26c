/* bulk.c - 1 MiB bytes payloads through Queue and Pipe, beside a raw socketpair floor.
 *
 * Usage: bulk [COUNT] [METHOD] [REPS] [PIN]   (default 300 fork 3 none)
 * The parent sends one 1 MiB bytes value COUNT times; a child started with
 * METHOD receives each, checks its length and last byte, and sends back the
 * total length.  Three ways, as bench/bulk.py: mp_queue_put/mp_queue_get,
 * mp_connection_send_bytes/recv_bytes, and mp_connection_send/recv (the
 * bytes pickled).  The clock runs from the first send (the child has said
 * it is ready) to the total.  The floor: COUNT frames of a 4-byte length
 * and 1 MiB, each written with write(2) on a socketpair and read by a
 * forked child into one reused buffer.
 * Prints "mp_bulk_<way> megabytes-per-second" (MB = 10^6 bytes) and "raw_bulk
 * ...", the best of REPS runs; scripts/bench-messaging runs it beside
 * bench/bulk.py.
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
#define NAME "bulk"
#define SIZE ((size_t)1 << 20)

enum way { QUEUE, PIPE_BYTES, PIPE_OBJ };

/* now(), die(), choose_cpus() and pin(), shared by the benchmarks. */
#include "bench_common.h"

/* A 1 MiB bytes value whose last byte is the mark, or not. */
static bool good(const mp_value *v)
{
    size_t len;
    const uint8_t *p = mp_as_bytes(v, &len);
    return mp_typeof(v) == MP_T_BYTES && len == SIZE && p[len - 1] == 0xA5;
}

static int consume_queue(const mp_value *args)
{
    alarm(LIMIT);
    pin((int)mp_as_int(mp_item(args, 3)));
    mp_queue *q = mp_as_queue(mp_item(args, 0)), *back = mp_as_queue(mp_item(args, 1));
    int64_t count = mp_as_int(mp_item(args, 2)), total = 0;
    int rc = mp_queue_put(back, "ready");
    for (int64_t i = 0; rc == 0 && i < count; i++) {
        mp_value *v;
        if ((rc = mp_queue_get(q, &v)) < 0)
            break;
        bool ok = good(v);
        mp_decref(v);
        if (!ok)
            return mp_raise("RuntimeError", "payload %lld is wrong", (long long)i);
        total += (int64_t)SIZE;
    }
    return rc < 0 ? rc : mp_queue_put(back, total);
}
MP_TARGET(consume_queue);

static int consume_pipe(const mp_value *args)
{
    alarm(LIMIT);
    pin((int)mp_as_int(mp_item(args, 3)));
    mp_connection *c = mp_as_connection(mp_item(args, 0));
    int64_t count = mp_as_int(mp_item(args, 1)), total = 0;
    bool as_bytes = mp_as_bool(mp_item(args, 2));
    mp_value *v;
    int rc = mp_connection_send(c, "ready");
    for (int64_t i = 0; rc == 0 && i < count; i++) {
        rc = as_bytes ? mp_connection_recv_bytes(c, MP_ALL, &v) : mp_connection_recv(c, &v);
        if (rc < 0)
            break;
        bool ok = good(v);
        mp_decref(v);
        if (!ok)
            return mp_raise("RuntimeError", "payload %lld is wrong", (long long)i);
        total += (int64_t)SIZE;
    }
    if (rc < 0)
        return rc;
    return mp_connection_send(c, total);
}
MP_TARGET(consume_pipe);

static void check_total(const char *way, mp_value *v, int64_t count)
{
    if (mp_typeof(v) != MP_T_INT || mp_as_int(v) != count * (int64_t)SIZE) {
        char *r = mp_repr(v);
        fprintf(stderr, "bulk: %s: child got %s\n", way, r ? r : "?");
        exit(1);
    }
    mp_decref(v);
}

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

static void finish(mp_process *p)
{
    int rc = mp_process_join(p, MP_WAIT_FOREVER);
    if (rc < 0)
        die("join", rc);
    mp_process_free(p);
}

static double run_queue(mp_context *ctx, mp_value *payload, int64_t count)
{
    mp_queue *q = mp_queue_new(0), *back = mp_queue_new(0);
    mp_value *v;
    int rc;
    if (q == NULL || back == NULL)
        die("Queue", mp_errcode());
    mp_process *p = start(ctx, consume_queue, mp_tuple_of(q, back, count, cpu[1]));
    if ((rc = mp_queue_get(back, &v)) < 0)
        die("get ready", rc);
    mp_decref(v);
    double t = now();
    for (int64_t i = 0; i < count; i++)
        if ((rc = mp_queue_put(q, mp_incref(payload))) < 0)
            die("put", rc);
    if ((rc = mp_queue_get(back, &v)) < 0)
        die("get total", rc);
    t = now() - t;
    check_total("queue", v, count);
    finish(p);
    mp_queue_close(q);
    mp_queue_close(back);
    mp_queue_free(q);
    mp_queue_free(back);
    return (double)count * (double)SIZE / t / 1e6;
}

static double run_pipe(mp_context *ctx, mp_value *payload, int64_t count, bool as_bytes)
{
    mp_connection *a, *b;
    mp_value *v;
    int rc;
    size_t len;
    const uint8_t *data = mp_as_bytes(payload, &len);
    if ((rc = mp_pipe(&a, &b, NULL)) < 0)
        die("Pipe", rc);
    mp_process *p = start(ctx, consume_pipe, mp_tuple_of(b, count, (bool)as_bytes, cpu[1]));
    mp_connection_close(b);
    if ((rc = mp_connection_recv(a, &v)) < 0)
        die("recv ready", rc);
    mp_decref(v);
    double t = now();
    for (int64_t i = 0; i < count; i++) {
        rc = as_bytes ? mp_connection_send_bytes(a, data, len, 0, MP_ALL)
                      : mp_connection_send(a, mp_incref(payload));
        if (rc < 0)
            die("send", rc);
    }
    if ((rc = mp_connection_recv(a, &v)) < 0)
        die("recv total", rc);
    t = now() - t;
    check_total(as_bytes ? "pipe_bytes" : "pipe_obj", v, count);
    finish(p);
    mp_connection_free(a);
    mp_connection_free(b);
    return (double)count * (double)SIZE / t / 1e6;
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

static void read_all(int fd, uint8_t *p, size_t len)
{
    while (len > 0) {
        ssize_t r = read(fd, p, len);
        if (r <= 0)
            _exit(1);
        p += r, len -= (size_t)r;
    }
}

static double run_raw(const uint8_t *data, int64_t count)
{
    int sv[2];
    int64_t total = 0;
    char ready;
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        exit(1);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(LIMIT);
        pin(cpu[1]);
        close(sv[0]);
        uint8_t *buf = malloc(SIZE), head[4];
        if (buf == NULL || write(sv[1], "R", 1) != 1)
            _exit(1);
        for (int64_t i = 0; i < count; i++) {
            read_all(sv[1], head, 4);
            read_all(sv[1], buf, SIZE);
            if (buf[SIZE - 1] != 0xA5)
                _exit(1);
            total += (int64_t)SIZE;
        }
        write_all(sv[1], (uint8_t *)&total, sizeof total);
        free(buf);
        _exit(0);
    }
    close(sv[1]);
    read_all(sv[0], (uint8_t *)&ready, 1);
    const uint8_t head[4] = {(uint8_t)(SIZE >> 24), (uint8_t)(SIZE >> 16),
                             (uint8_t)(SIZE >> 8), (uint8_t)SIZE};
    double t = now();
    for (int64_t i = 0; i < count; i++) {
        write_all(sv[0], head, 4);
        write_all(sv[0], data, SIZE);
    }
    read_all(sv[0], (uint8_t *)&total, sizeof total);
    t = now() - t;
    close(sv[0]);
    waitpid(pid, NULL, 0);
    if (total != count * (int64_t)SIZE)
        exit(1);
    return (double)count * (double)SIZE / t / 1e6;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    int64_t count;
    int reps;
    mp_context *ctx = bench_args(argc, argv, 300, "none", &count, &reps);
    uint8_t *data = calloc(1, SIZE);
    if (data == NULL)
        exit(1);
    data[SIZE - 1] = 0xA5;
    mp_value *payload = mp_bytes(data, SIZE);
    if (payload == NULL)
        die("bytes", MP_ENOMEM);

    const char *names[] = {"queue", "pipe_bytes", "pipe_obj"};
    for (int w = QUEUE; w <= PIPE_OBJ; w++) {
        double best = 0;
        for (int r = 0; r < reps; r++) {
            double x = w == QUEUE ? run_queue(ctx, payload, count)
                                  : run_pipe(ctx, payload, count, w == PIPE_BYTES);
            best = x > best ? x : best;
        }
        printf("mp_bulk_%s %.1f\n", names[w], best);
    }
    double best = 0;
    for (int r = 0; r < reps; r++) {
        double x = run_raw(data, count);
        best = x > best ? x : best;
    }
    printf("raw_bulk %.1f\n", best);
    mp_decref(payload);
    free(data);
    return 0;
}

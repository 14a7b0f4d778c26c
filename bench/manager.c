/* manager.c - benchmark: a managed dict's d[k] = v then d[k], one pair of round trips to the manager; beside a raw request/response over the same kind of socket.
 *
 * Usage: manager [N] [METHOD] [REPS] [PIN] [MODE [ADDRESS]]
 *   MODE mp (default): Manager() and a dict proxy, N pairs of
 *     __setitem__ and __getitem__; prints "mp_dict SECONDS" per pair.
 *   MODE raw: the same two exchanges as plain messages over an AF_UNIX
 *     socketpair with a child answering each (4-byte length framing, the
 *     request and reply of a manager's size); prints "raw_dict SECONDS".
 *   MODE client ADDRESS: the mp loop against a server already running at
 *     the AF_UNIX path ADDRESS (authkey b'bench'); prints "c_client SECONDS".
 *   MODE server: start a manager at a fresh AF_UNIX address (authkey
 *     b'bench'), print its path, serve until stdin closes.
 * The best of REPS runs.  Pinning (PIN, default same) also holds the
 * manager's server process, started after it.
 */
#define NAME "manager"
#define LIMIT 300
#include "bench_common.h"

#include <sys/socket.h>
#include <sys/wait.h>

static double pairs(const mp_value *d, int64_t n)
{
    double t0 = now();
    for (int64_t i = 0; i < n; i++) {
        mp_value *r = NULL;
        int rc = mp_proxy_call(d, NULL, "__setitem__", i % 100, i);
        if (rc < 0 || (rc = mp_proxy_call(d, &r, "__getitem__", i % 100)) < 0)
            die("d[k]", rc);
        if (mp_as_int(r) != i)
            die("d[k] gave a wrong value", MP_EVALUE);
        mp_decref(r);
    }
    return (now() - t0) / (double)n;
}

static void loop(mp_manager *m, const char *label, int64_t n, int reps)
{
    mp_value *d = mp_manager_dict(m);
    if (!d)
        die("dict()", mp_errcode());
    pairs(d, n / 10 + 1);                   /* the connection made, caches warm */
    double best = 1e9;
    for (int r = 0; r < reps; r++) {
        double t = pairs(d, n);
        best = t < best ? t : best;
    }
    printf("%s %.9f\n", label, best);
    mp_decref(d);
}

/* One framed message each way: what a manager's request and reply cost
 * the kernel and a thread's wake-up, without pickling or dispatch. */
static void exchange(int fd, const char *buf, uint32_t len, char *reply)
{
    uint8_t h[4] = {len >> 24, len >> 16, len >> 8, len};
    if (write(fd, h, 4) != 4 || write(fd, buf, len) != (ssize_t)len)
        die("raw write", MP_EOS);
    if (read(fd, h, 4) != 4)
        die("raw read", MP_EOS);
    uint32_t n = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
    for (uint32_t got = 0; got < n;) {
        ssize_t k = read(fd, reply + got, n - got);
        if (k <= 0)
            die("raw read", MP_EOS);
        got += (uint32_t)k;
    }
}

static void raw(int64_t n, int reps)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        die("socketpair", MP_EOS);
    pid_t pid = fork();
    if (pid == 0) {                         /* the server: answer each message */
        close(sv[0]);
        pin(cpu[1]);
        char buf[256];
        uint8_t h[4];
        while (read(sv[1], h, 4) == 4) {
            uint32_t len = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
            if (len > sizeof buf || read(sv[1], buf, len) != (ssize_t)len)
                _exit(1);
            uint8_t r[4] = {0, 0, 0, 24};
            if (write(sv[1], r, 4) != 4 || write(sv[1], buf, 24) != 24)
                _exit(1);
        }
        _exit(0);
    }
    close(sv[1]);
    /* A manager's requests are about 60 bytes pickled, its replies 24. */
    char req[64], reply[256];
    memset(req, 'x', sizeof req);
    double best = 1e9;
    for (int r = 0; r < reps + 1; r++) {
        double t0 = now();
        for (int64_t i = 0; i < n; i++) {
            exchange(sv[0], req, 60, reply);    /* __setitem__ */
            exchange(sv[0], req, 56, reply);    /* __getitem__ */
        }
        double t = (now() - t0) / (double)n;
        if (r > 0)                              /* the first one warms up */
            best = t < best ? t : best;
    }
    close(sv[0]);
    waitpid(pid, NULL, 0);
    printf("raw_dict %.9f\n", best);
}

static mp_manager_class BenchManager = {.name = "SyncManager", .sync = true};

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    int64_t n;
    int reps;
    mp_context *ctx = bench_args(argc, argv, 20000, "same", &n, &reps);
    const char *mode = argc > 5 ? argv[5] : "mp";
    if (strcmp(mode, "raw") == 0) {
        raw(n, reps);
    } else if (strcmp(mode, "mp") == 0) {
        mp_manager *m = mp_context_manager(ctx);
        if (!m)
            die("Manager()", mp_errcode());
        loop(m, "mp_dict", n, reps);
        mp_manager_free(m);
    } else if (strcmp(mode, "client") == 0 && argc > 6) {
        mp_manager *m = mp_manager_new(&BenchManager, &(mp_manager_opts){
                                                          .address = mp_str(argv[6]),
                                                          .authkey = mp_bytes("bench", 5)});
        int rc = m ? mp_manager_connect(m) : mp_errcode();
        if (rc < 0)
            die("connect()", rc);
        loop(m, "c_client", n, reps);
        mp_manager_free(m);
    } else if (strcmp(mode, "server") == 0) {
        mp_process_set_authkey(mp_current_process(), "bench", 5);
        mp_manager *m = mp_manager_new(&BenchManager, &(mp_manager_opts){
                                                          .ctx = ctx, .authkey = mp_bytes("bench", 5)});
        int rc = m ? mp_manager_start(m, NULL, NULL) : mp_errcode();
        if (rc < 0)
            die("start()", rc);
        printf("%s\n", mp_as_str(mp_manager_address(m)));
        fflush(stdout);
        char line[16];
        while (fgets(line, sizeof line, stdin))
            ;
        mp_manager_free(m);
    } else {
        fprintf(stderr, NAME ": MODE must be mp, raw, client ADDRESS or server\n");
        return 2;
    }
    return 0;
}

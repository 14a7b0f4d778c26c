/* process_start.c - time process start+join under each start method, beside its raw floor.
 *
 * Usage: process_start [N]   (default 2000; spawn and forkserver run N/4)
 * Prints one "name seconds-per-op" line per variant; scripts/bench runs it
 * beside CPython's multiprocessing doing the same work and prints ratios.
 * The floors: fork+_exit+waitpid for fork; posix_spawn of this same binary
 * (which exits at once) for spawn; for forkserver a minimal fork server that
 * accepts a connection, forks a child that exits, and reports its status.
 */
#include <mp.h>

#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int nothing(const mp_value *args)
{
    (void)args;
    return 0;
}
MP_TARGET(nothing);

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The floor: what any fork-based start method must at least do. */
static double raw_fork(int n)
{
    double t = now();
    for (int i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(0);
        int status;
        waitpid(pid, &status, 0);
    }
    return (now() - t) / n;
}

static double mp_fork(int n)
{
    double t = now();
    for (int i = 0; i < n; i++) {
        mp_process *p = mp_process_new(&(mp_process_opts){.target = nothing});
        if (!p || mp_process_start(p) < 0 || mp_process_join(p, MP_WAIT_FOREVER) < 0) {
            fprintf(stderr, "process_start: %s: %s\n", mp_errname(-1), mp_errmsg());
            exit(1);
        }
        mp_process_free(p);
    }
    return (now() - t) / n;
}

static double mp_with(const char *method, int n)
{
    mp_context *ctx = mp_get_context(method);
    double t = now();
    for (int i = 0; i < n; i++) {
        mp_process *p = mp_context_process(ctx, &(mp_process_opts){.target = nothing});
        if (!p || mp_process_start(p) < 0 || mp_process_join(p, MP_WAIT_FOREVER) < 0) {
            fprintf(stderr, "process_start: %s: %s\n", mp_errname(mp_errcode()), mp_errmsg());
            exit(1);
        }
        mp_process_free(p);
    }
    return (now() - t) / n;
}

static double raw_spawn(const char *self, int n)
{
    char *args[] = {(char *)self, "--exit-now", NULL};
    double t = now();
    for (int i = 0; i < n; i++) {
        pid_t pid;
        int status;
        if (posix_spawn(&pid, self, NULL, NULL, args, environ) != 0)
            exit(1);
        waitpid(pid, &status, 0);
    }
    return (now() - t) / n;
}

/* The floor for forkserver: per request, a connection, a fork, an exit
 * status written back.  No descriptors passed, no description sent. */
static void raw_server(int listener)
{
    for (;;) {
        int c = accept(listener, NULL, NULL), status;
        if (c < 0)
            _exit(0);
        char req;
        if (read(c, &req, 1) != 1)
            _exit(0);
        pid_t pid = fork();
        if (pid == 0)
            _exit(0);
        if (write(c, &pid, sizeof pid) < 0)
            _exit(1);
        waitpid(pid, &status, 0);
        if (write(c, &status, sizeof status) < 0)
            _exit(1);
        close(c);
    }
}

static double raw_forkserver(int n)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path + 1, sizeof a.sun_path - 1, "forklore-bench-%d", (int)getpid());
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 8) < 0)
        exit(1);
    pid_t server = fork();
    if (server == 0)
        raw_server(l);
    close(l);
    double t = now();
    for (int i = 0; i < n; i++) {
        int c = socket(AF_UNIX, SOCK_STREAM, 0), status;
        pid_t pid;
        if (connect(c, (struct sockaddr *)&a, sizeof a) < 0 || write(c, "F", 1) != 1
            || read(c, &pid, sizeof pid) != sizeof pid || read(c, &status, sizeof status) != sizeof status)
            exit(1);
        close(c);
    }
    t = (now() - t) / n;
    kill(server, SIGKILL);
    waitpid(server, NULL, 0);
    return t;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--exit-now") == 0)
        return 0;           /* raw_spawn's child: started, and done */
    mp_main(argc, argv);
    int n = argc > 1 ? atoi(argv[1]) : 2000;
    if (n <= 0)
        n = 2000;
    int m = n / 4 > 0 ? n / 4 : 1;
    char self[4096];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0)
        return 1;
    self[len] = 0;
    /* Warm up page tables and the allocator so the first variant is not penalised. */
    raw_fork(50);
    mp_fork(50);
    printf("raw_fork %.9f\n", raw_fork(n));
    printf("mp_fork %.9f\n", mp_fork(n));
    mp_with("spawn", 10);
    printf("raw_spawn %.9f\n", raw_spawn(self, m));
    printf("mp_spawn %.9f\n", mp_with("spawn", m));
    mp_with("forkserver", 10);
    printf("raw_forkserver %.9f\n", raw_forkserver(m));
    printf("mp_forkserver %.9f\n", mp_with("forkserver", m));
    return 0;
}

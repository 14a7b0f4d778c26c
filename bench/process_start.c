/* process_start.c - time process start+join under fork: ours against a raw fork+_exit+waitpid.
 *
 * Usage: process_start [N]   (default 2000)
 * Prints one "name seconds-per-op" line per variant; scripts/bench runs it
 * beside CPython's multiprocessing doing the same work and prints ratios.
 */
#include <mp.h>

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int nothing(mp_value *args)
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

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    int n = argc > 1 ? atoi(argv[1]) : 2000;
    if (n <= 0)
        n = 2000;
    /* Warm up page tables and the allocator so the first variant is not penalised. */
    raw_fork(50);
    mp_fork(50);
    printf("raw_fork %.9f\n", raw_fork(n));
    printf("mp_fork %.9f\n", mp_fork(n));
    return 0;
}

/* bench_common.h - what the benchmarks share: a clock, a fatal error, CPU pinning, the command line (header only).
 *
 * Include it after defining NAME (the program's name, for messages) and
 * LIMIT (seconds before a stuck run is killed rather than hanging make
 * bench).
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <mp.h>

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, int code)
{
    fprintf(stderr, NAME ": %s: %s: %s\n", what, mp_errname(code), mp_errmsg());
    exit(1);
}

/* Where the two sides run (PIN): "split" puts this process on the first CPU
 * it may use and the child on the second (on a one-CPU machine, the first),
 * "same" both on the first, "none" leaves them to the scheduler, whose
 * placement on a small machine can swing a result several-fold. */
static int cpu[2] = {-1, -1};

static void choose_cpus(const char *pin)
{
    cpu_set_t s;
    int first = -1, second = -1;
    if (strcmp(pin, "none") != 0 && strcmp(pin, "same") != 0 && strcmp(pin, "split") != 0) {
        fprintf(stderr, "%s: PIN must be none, same or split, not '%s'\n", NAME, pin);
        exit(2);
    }
    if (strcmp(pin, "none") == 0 || sched_getaffinity(0, sizeof s, &s) < 0)
        return;
    for (int c = 0; c < CPU_SETSIZE && second < 0; c++)
        if (CPU_ISSET(c, &s)) {
            if (first < 0)
                first = c;
            else
                second = c;
        }
    cpu[0] = first;
    cpu[1] = strcmp(pin, "split") == 0 && second >= 0 ? second : first;
}

static void pin(int c)
{
    cpu_set_t s;
    if (c < 0)
        return;
    CPU_ZERO(&s);
    CPU_SET(c, &s);
    if (sched_setaffinity(0, sizeof s, &s) < 0)
        perror("sched_setaffinity");
}

/* The command line every benchmark takes, [N] [METHOD] [REPS] [PIN]:
 * sets *n (default dn) and *reps (default 3), pins this process as PIN
 * says (default dpin), arms the alarm, and returns METHOD's context
 * (default fork).  Call it after mp_main. */
static mp_context *bench_args(int argc, char **argv, int64_t dn, const char *dpin, int64_t *n, int *reps)
{
    *n = argc > 1 ? atoll(argv[1]) : dn;
    *reps = argc > 3 ? atoi(argv[3]) : 3;
    if (*n <= 0)
        *n = dn;
    if (*reps <= 0)
        *reps = 3;
    choose_cpus(argc > 4 ? argv[4] : dpin);
    pin(cpu[0]);
    alarm(LIMIT);
    mp_context *ctx = mp_get_context(argc > 2 ? argv[2] : "fork");
    if (ctx == NULL)
        die("get_context", mp_errcode());
    return ctx;
}

#endif

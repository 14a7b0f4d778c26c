/* shared_counter.c - two processes incrementing one shared counter under its lock: a Value's get_lock() beside a raw process-shared mutex.
 *
 * Usage: shared_counter [N] [METHOD] [REPS] [PIN]   (default 1000000 fork 3 none)
 * Ours: Value('i', 0) (its lock the default RLock) given to two children
 * started with METHOD; each does N times
 *     mp_lock_acquire(lock); (*counter)++; mp_lock_release(lock);
 * the C idiom of `with v.get_lock(): v.value += 1` (the int reached through
 * mp_shared_ptr), and, as "value", the same through mp_shared_get and
 * mp_shared_set, as Python spells it, and, as "lock", with lock=Lock()
 * (any process may release a Lock; an RLock is a robust mutex that keeps
 * its owner, dearer to take).  The floor: the same loop over an
 * int beside a process-shared pthread mutex (a futex) in a MAP_SHARED
 * page, by two forked children.  Every child waits for a shared start
 * flag and writes when its loop began and ended into shared memory; a
 * run's time is first start to last end.  The total is checked (2N).
 * Prints "mp_counter ns", "mp_counter_lock ns", "mp_counter_value ns" and "raw_counter ns" per
 * increment, the best of REPS runs each, the sides taking turns;
 * scripts/bench-shared runs it beside bench/shared_counter.py.
 */
#include <mp.h>

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LIMIT 600       /* seconds before a stuck run is killed rather than hanging make bench */
#define NAME "shared_counter"

/* now(), die() and bench_args(), shared by the benchmarks. */
#include "bench_common.h"

/* What the children share besides the counter: the start flag, how many
 * are ready, and each one's start and end. */
typedef struct {
    int go, ready;
    double t[4];
} gate;

static void wait_go(gate *g)
{
    __atomic_add_fetch(&g->ready, 1, __ATOMIC_SEQ_CST);
    while (!__atomic_load_n(&g->go, __ATOMIC_ACQUIRE))
        sched_yield();
}

static double span(const gate *g)
{
    double first = g->t[0] < g->t[2] ? g->t[0] : g->t[2];
    double last = g->t[1] > g->t[3] ? g->t[1] : g->t[3];
    return last - first;
}

static void open_gate(gate *g, int children)
{
    while (__atomic_load_n(&g->ready, __ATOMIC_SEQ_CST) < children)
        sched_yield();
    __atomic_store_n(&g->go, 1, __ATOMIC_RELEASE);
}

/* ---- ours ---------------------------------------------------------------- */

/* args: (counter, gate, n, who, through_value). */
static int add(const mp_value *args)
{
    alarm(LIMIT);
    mp_shared *c = mp_as_shared(mp_item(args, 0));
    gate *g = mp_shared_ptr(mp_as_shared(mp_item(args, 1)));
    int64_t n = mp_as_int(mp_item(args, 2)), who = mp_as_int(mp_item(args, 3));
    bool through_value = mp_as_bool(mp_item(args, 4));
    mp_lock *l = mp_shared_get_lock(c);
    int *p = mp_shared_ptr(c);
    wait_go(g);
    g->t[2 * who] = now();
    for (int64_t i = 0; i < n; i++) {
        int rc = mp_lock_acquire(l);
        if (rc != 1)
            return rc;
        if (through_value) {
            mp_value *v;
            if ((rc = mp_shared_get(c, &v)) < 0 || (rc = mp_shared_set(c, mp_int(mp_as_int(v) + 1))) < 0)
                return rc;
            mp_decref(v);
        } else {
            (*p)++;
        }
        mp_lock_release(l);
    }
    g->t[2 * who + 1] = now();
    return 0;
}
MP_TARGET(add);

static double run_ours(mp_context *ctx, int64_t n, bool through_value, bool plain_lock)
{
    /* plain_lock: Value('i', 0, lock=Lock()), where the default is an RLock. */
    mp_lock *l = plain_lock ? mp_lock_new() : NULL;
    mp_shared *c = mp_shared_value_new(&mp_c_int, mp_tuple_of(0), &(mp_shared_opts){.use_lock = l});
    mp_lock_free(l);
    mp_shared *g = mp_raw_array_new(&mp_c_char, mp_int((int64_t)sizeof(gate)));
    if (!c || !g)
        die("Value", mp_errcode());
    mp_process *p[2];
    for (int i = 0; i < 2; i++) {
        p[i] = mp_context_process(ctx, &(mp_process_opts){
            .target = add, .args = mp_tuple_of(c, g, n, i, (bool)through_value), .daemon = MP_YES});
        int rc = p[i] ? mp_process_start(p[i]) : mp_errcode();
        if (rc < 0)
            die("start", rc);
    }
    open_gate(mp_shared_ptr(g), 2);
    for (int i = 0; i < 2; i++) {
        mp_process_join(p[i], MP_WAIT_FOREVER);
        if (mp_process_exitcode(p[i]) != 0) {
            fprintf(stderr, NAME ": a child failed (exit code %d)\n", mp_process_exitcode(p[i]));
            exit(1);
        }
        mp_process_free(p[i]);
    }
    if (*(int *)mp_shared_ptr(c) != 2 * n) {
        fprintf(stderr, NAME ": the counter is %d, not %lld\n", *(int *)mp_shared_ptr(c), 2 * (long long)n);
        exit(1);
    }
    double t = span(mp_shared_ptr(g)) / (double)(2 * n);
    mp_shared_free(c);
    mp_shared_free(g);
    return t;
}

/* ---- the floor: a process-shared mutex around an int --------------------- */

typedef struct {
    pthread_mutex_t m;
    int counter;
    gate g;
} raw_page;

static double run_raw(int64_t n)
{
    raw_page *r = mmap(NULL, sizeof *r, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (r == MAP_FAILED) {
        perror("mmap");
        exit(1);
    }
    memset(r, 0, sizeof *r);
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(&r->m, &a);
    pid_t kids[2];
    for (int who = 0; who < 2; who++) {
        if ((kids[who] = fork()) == 0) {
            alarm(LIMIT);
            wait_go(&r->g);
            r->g.t[2 * who] = now();
            for (int64_t i = 0; i < n; i++) {
                pthread_mutex_lock(&r->m);
                r->counter++;
                pthread_mutex_unlock(&r->m);
            }
            r->g.t[2 * who + 1] = now();
            _exit(0);
        }
    }
    open_gate(&r->g, 2);
    for (int who = 0; who < 2; who++)
        waitpid(kids[who], NULL, 0);
    if (r->counter != 2 * n) {
        fprintf(stderr, NAME ": the raw counter is %d, not %lld\n", r->counter, 2 * (long long)n);
        exit(1);
    }
    double t = span(&r->g) / (double)(2 * n);
    munmap(r, sizeof *r);
    return t;
}

static double best(double a, double b)
{
    return a < b ? a : b;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    int64_t n;
    int reps;
    /* PIN none: the two children must be free to run on two CPUs at once. */
    mp_context *ctx = bench_args(argc, argv, 1000000, "none", &n, &reps);
    double ours = 1e9, value = 1e9, raw = 1e9, lock = 1e9;
    for (int r = 0; r < reps; r++) {
        ours = best(ours, run_ours(ctx, n, false, false));
        raw = best(raw, run_raw(n));
        lock = best(lock, run_ours(ctx, n, false, true));
        value = best(value, run_ours(ctx, n / 4 ? n / 4 : 1, true, false));
    }
    printf("mp_counter %.2f\n", ours * 1e9);
    printf("mp_counter_lock %.2f\n", lock * 1e9);
    printf("mp_counter_value %.2f\n", value * 1e9);
    printf("raw_counter %.2f\n", raw * 1e9);
    return 0;
}

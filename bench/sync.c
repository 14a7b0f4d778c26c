/* sync.c - the synchronization primitives' costs (Lock, Event, Condition, Barrier) beside raw futexes.
 *
 * Usage: sync [N] [METHOD] [REPS] [PIN]   (default 20000 fork 3 same)
 * Prints "name seconds" lines, the best of REPS rounds each;
 * scripts/bench-sync runs it beside bench/sync.py (CPython) and prints
 * the ratios.
 *
 *   mp_lock, raw_lock       one acquire and one release of a free Lock,
 *                           100 * N times: ours (mp_lock_acquire/release)
 *                           and the floor, a process-shared futex mutex in
 *                           a MAP_SHARED page (compare-and-swap in, and
 *                           out, a futex call only when someone sleeps);
 *   mp_event, mp_condition, mp_barrier, raw_pingpong
 *                           a round trip between this process and a child
 *                           started with METHOD, N per round: two Events
 *                           set, waited and cleared in turn; one Condition
 *                           notified and waited on in turn by its two
 *                           holders; a Barrier(2) passed by both; and the
 *                           floor, a futex word two processes hand to each
 *                           other (a store, a FUTEX_WAKE, a FUTEX_WAIT per
 *                           side).
 *
 * Our lock does more than the floor on purpose: it names its holding
 * thread and process, so that a waiter learns when the holder died (see
 * mp.h, "a holder that died").  That is two more plain stores per acquire.
 * PIN (default same) is where the two processes run: see choose_cpus.
 * The children are daemons, so that if this process gives up, its exit
 * ends them rather than waiting for them.
 */
#include <mp.h>

#include <linux/futex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define LIMIT 600       /* seconds before a stuck run is killed rather than hanging make bench */
#define NAME "sync"
#define WARMUP 1000
#define LOCKS 100       /* lock rounds are this many times N: each is a few ns */

/* now(), die(), choose_cpus() and pin(), shared by the benchmarks. */
#include "bench_common.h"

/* ---- the floor: futexes in a shared page --------------------------------- */

static long futex(uint32_t *w, int op, uint32_t val)
{
    return syscall(SYS_futex, w, op, val, NULL, NULL, 0);
}

/* A mutex of three states (0 free, 1 held, 2 held with sleepers), as the
 * futex papers describe it; shared, so no FUTEX_PRIVATE_FLAG. */
static void raw_lock(uint32_t *w)
{
    uint32_t c = 0;
    if (__atomic_compare_exchange_n(w, &c, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return;
    if (c != 2)
        c = __atomic_exchange_n(w, 2, __ATOMIC_ACQUIRE);
    while (c != 0) {
        futex(w, FUTEX_WAIT, 2);
        c = __atomic_exchange_n(w, 2, __ATOMIC_ACQUIRE);
    }
}

static void raw_unlock(uint32_t *w)
{
    if (__atomic_fetch_sub(w, 1, __ATOMIC_RELEASE) != 1) {
        __atomic_store_n(w, 0, __ATOMIC_RELEASE);
        futex(w, FUTEX_WAKE, 1);
    }
}

/* The turn word: 1 the child's, 0 the parent's.  Each side waits for its
 * turn, then hands the word over and wakes the other. */
static void hand(uint32_t *turn, uint32_t to)
{
    __atomic_store_n(turn, to, __ATOMIC_RELEASE);
    futex(turn, FUTEX_WAKE, 1);
}

static void await(uint32_t *turn, uint32_t mine)
{
    uint32_t v;
    while ((v = __atomic_load_n(turn, __ATOMIC_ACQUIRE)) != mine)
        futex(turn, FUTEX_WAIT, v);
}

static double raw_rounds(uint32_t *turn, int64_t n)
{
    double t = now();
    for (int64_t i = 0; i < n; i++) {
        hand(turn, 1);
        await(turn, 0);
    }
    return (now() - t) / (double)n;
}

/* ---- ours ----------------------------------------------------------------- */

static void check(const char *what, int rc)
{
    if (rc < 0)
        die(what, rc);
}

static double lock_rounds(mp_lock *l, int64_t n)
{
    double t = now();
    for (int64_t i = 0; i < n; i++) {
        check("acquire", mp_lock_acquire(l));
        check("release", mp_lock_release(l));
    }
    return (now() - t) / (double)n;
}

static double raw_lock_rounds(uint32_t *w, int64_t n)
{
    double t = now();
    for (int64_t i = 0; i < n; i++) {
        raw_lock(w);
        raw_unlock(w);
    }
    return (now() - t) / (double)n;
}

/* The child's side of each ping-pong: args (kind, objects..., n, cpu). */
static int partner(const mp_value *args)
{
    alarm(LIMIT);
    const char *kind = mp_as_str(mp_item(args, 0));
    int64_t n = mp_as_int(mp_item(args, 3));
    pin((int)mp_as_int(mp_item(args, 4)));
    if (strcmp(kind, "event") == 0) {
        mp_event *a = mp_as_event(mp_item(args, 1)), *b = mp_as_event(mp_item(args, 2));
        for (int64_t i = 0; i < n; i++) {
            check("wait", mp_event_wait(a, MP_WAIT_FOREVER));
            check("clear", mp_event_clear(a));
            check("set", mp_event_set(b));
        }
    } else if (strcmp(kind, "condition") == 0) {
        mp_condition *c = mp_as_condition(mp_item(args, 1));
        check("acquire", mp_condition_acquire(c));
        for (int64_t i = 0; i < n; i++) {
            check("notify", mp_condition_notify(c, 1));
            check("wait", mp_condition_wait(c, MP_WAIT_FOREVER));
        }
        check("release", mp_condition_release(c));
    } else {
        mp_barrier *b = mp_as_barrier(mp_item(args, 1));
        for (int64_t i = 0; i < n; i++)
            check("wait", mp_barrier_wait(b, MP_WAIT_FOREVER));
    }
    return 0;
}
MP_TARGET(partner);

static double event_rounds(mp_event *a, mp_event *b, int64_t n)
{
    double t = now();
    for (int64_t i = 0; i < n; i++) {
        check("set", mp_event_set(a));
        check("wait", mp_event_wait(b, MP_WAIT_FOREVER));
        check("clear", mp_event_clear(b));
    }
    return (now() - t) / (double)n;
}

/* The parent holds the condition's lock throughout, but inside wait():
 * whoever holds it notifies the other, then waits, so the two take turns
 * (see the partner).  The first notify wakes nobody; the last wait of the
 * partner is ended by the notify after the loop. */
static double condition_rounds(mp_condition *c, int64_t n)
{
    double t = now();
    for (int64_t i = 0; i < n; i++) {
        check("notify", mp_condition_notify(c, 1));
        check("wait", mp_condition_wait(c, MP_WAIT_FOREVER));
    }
    return (now() - t) / (double)n;
}

static double barrier_rounds(mp_barrier *b, int64_t n)
{
    double t = now();
    for (int64_t i = 0; i < n; i++)
        check("wait", mp_barrier_wait(b, MP_WAIT_FOREVER));
    return (now() - t) / (double)n;
}

static mp_process *start(mp_context *ctx, mp_value *args)
{
    mp_process *p = mp_context_process(ctx, &(mp_process_opts){
        .target = partner, .args = args, .daemon = MP_YES});
    if (p == NULL)
        die("Process", mp_errcode());
    check("start", mp_process_start(p));
    return p;
}

static void finish(mp_process *p)
{
    check("join", mp_process_join(p, MP_WAIT_FOREVER));
    if (mp_process_exitcode(p) != 0) {
        fprintf(stderr, NAME ": the partner exited with %d\n", mp_process_exitcode(p));
        exit(1);
    }
    mp_process_free(p);
}

static double best(double a, double b) { return b < a ? b : a; }

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    int64_t n;
    int reps;
    mp_context *ctx = bench_args(argc, argv, 20000, "same", &n, &reps);
    int64_t total = WARMUP + (int64_t)reps * n;

    uint32_t *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) {
        perror(NAME ": mmap");
        return 1;
    }

    /* Uncontended lock: the two alternate, round by round. */
    mp_lock *l = mp_context_lock(ctx);
    if (l == NULL)
        die("Lock", mp_errcode());
    lock_rounds(l, WARMUP * LOCKS);
    raw_lock_rounds(&page[0], WARMUP * LOCKS);
    double ours = 1, raw = 1;
    for (int r = 0; r < reps; r++) {
        ours = best(ours, lock_rounds(l, n * LOCKS));
        raw = best(raw, raw_lock_rounds(&page[0], n * LOCKS));
    }
    mp_lock_free(l);
    printf("mp_lock %.12f\nraw_lock %.12f\n", ours, raw);

    /* The raw ping-pong, with a forked child (the floor has no other way
     * to share its page). */
    uint32_t *turn = &page[16];
    pid_t pid = fork();
    if (pid == 0) {
        alarm(LIMIT);
        pin(cpu[1]);
        for (int64_t i = 0; i < total; i++) {
            await(turn, 1);
            hand(turn, 0);
        }
        _exit(0);
    }
    raw_rounds(turn, WARMUP);
    raw = 1;
    for (int r = 0; r < reps; r++)
        raw = best(raw, raw_rounds(turn, n));
    waitpid(pid, NULL, 0);

    mp_event *a = mp_context_event(ctx), *b = mp_context_event(ctx);
    if (a == NULL || b == NULL)
        die("Event", mp_errcode());
    mp_process *p = start(ctx, mp_tuple_of("event", a, b, total, cpu[1]));
    event_rounds(a, b, WARMUP);
    ours = 1;
    for (int r = 0; r < reps; r++)
        ours = best(ours, event_rounds(a, b, n));
    finish(p);
    mp_event_free(a);
    mp_event_free(b);
    printf("mp_event %.9f\n", ours);

    mp_condition *c = mp_context_condition(ctx, NULL);
    if (c == NULL)
        die("Condition", mp_errcode());
    check("acquire", mp_condition_acquire(c));
    p = start(ctx, mp_tuple_of("condition", c, mp_none(), total, cpu[1]));
    condition_rounds(c, WARMUP);
    ours = 1;
    for (int r = 0; r < reps; r++)
        ours = best(ours, condition_rounds(c, n));
    check("notify", mp_condition_notify(c, 1));
    check("release", mp_condition_release(c));
    finish(p);
    mp_condition_free(c);
    printf("mp_condition %.9f\n", ours);

    mp_barrier *br = mp_context_barrier(ctx, 2, NULL);
    if (br == NULL)
        die("Barrier", mp_errcode());
    p = start(ctx, mp_tuple_of("barrier", br, mp_none(), total, cpu[1]));
    barrier_rounds(br, WARMUP);
    ours = 1;
    for (int r = 0; r < reps; r++)
        ours = best(ours, barrier_rounds(br, n));
    finish(p);
    mp_barrier_free(br);
    printf("mp_barrier %.9f\n", ours);
    printf("raw_pingpong %.9f\n", raw);
    munmap(page, 4096);
    return 0;
}

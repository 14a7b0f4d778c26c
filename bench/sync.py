"""sync.py - CPython's side of bench/sync.c: Lock, Event, Condition and Barrier costs.

Usage: python3 sync.py [N] [METHOD] [REPS] [PIN]
Prints "cpython_lock seconds" (one acquire and one release of a free
Lock, 100 * N times) and "cpython_event", "cpython_condition",
"cpython_barrier" (a round trip with a child started with METHOD, N per
round: two Events set, waited and cleared in turn; one Condition notified
and waited on in turn; a Barrier(2) passed by both), the best of REPS
rounds each, as the C side does.  PIN as in the C side: split, same or
none.  The children are daemons, so that if this process gives up, its
exit ends them rather than waiting for them.
"""
import multiprocessing
import signal
import sys
import time

import bench_common     # beside this file: on sys.path, also in spawned children

LIMIT = 600     # seconds before a stuck run is killed rather than hanging make bench
NAME = 'sync'
WARMUP = 1000
LOCKS = 100


def partner(kind, a, b, n, cpu):
    signal.alarm(LIMIT)
    bench_common.pin(cpu)
    if kind == 'event':
        for _ in range(n):
            a.wait()
            a.clear()
            b.set()
    elif kind == 'condition':
        with a:
            for _ in range(n):
                a.notify()
                a.wait()
    else:
        for _ in range(n):
            a.wait()


def lock_rounds(lock, n):
    acquire, release = lock.acquire, lock.release
    t = time.perf_counter()
    for _ in range(n):
        acquire()
        release()
    return (time.perf_counter() - t) / n


def event_rounds(a, b, n):
    t = time.perf_counter()
    for _ in range(n):
        a.set()
        b.wait()
        b.clear()
    return (time.perf_counter() - t) / n


def condition_rounds(c, n):
    # The parent holds the lock but inside wait(); each side notifies the
    # other, then waits, so the two take turns (see bench/sync.c).
    t = time.perf_counter()
    for _ in range(n):
        c.notify()
        c.wait()
    return (time.perf_counter() - t) / n


def barrier_rounds(b, n):
    t = time.perf_counter()
    for _ in range(n):
        b.wait()
    return (time.perf_counter() - t) / n


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    method = sys.argv[2] if len(sys.argv) > 2 else 'fork'
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    mine, child = bench_common.choose_cpus(NAME, sys.argv[4] if len(sys.argv) > 4 else 'same')
    bench_common.pin(mine)
    signal.alarm(LIMIT)
    ctx = multiprocessing.get_context(method)
    total = WARMUP + reps * n

    lock = ctx.Lock()
    lock_rounds(lock, WARMUP * LOCKS)
    print('cpython_lock %.12f' % min(lock_rounds(lock, n * LOCKS) for _ in range(reps)))

    def run(kind, a, b, rounds):
        p = ctx.Process(target=partner, args=(kind, a, b, total, child), daemon=True)
        p.start()
        rounds(WARMUP)
        t = min(rounds(n) for _ in range(reps))
        return p, t

    def finish(p):
        p.join()
        if p.exitcode != 0:
            sys.exit('sync: the partner exited with %r' % p.exitcode)

    a, b = ctx.Event(), ctx.Event()
    p, t = run('event', a, b, lambda k: event_rounds(a, b, k))
    finish(p)
    print('cpython_event %.9f' % t)

    c = ctx.Condition()
    with c:
        p, t = run('condition', c, None, lambda k: condition_rounds(c, k))
        c.notify()
    finish(p)
    print('cpython_condition %.9f' % t)

    br = ctx.Barrier(2)
    p, t = run('barrier', br, None, lambda k: barrier_rounds(br, k))
    finish(p)
    print('cpython_barrier %.9f' % t)


if __name__ == '__main__':
    main()

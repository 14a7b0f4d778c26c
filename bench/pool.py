"""pool.py - CPython's side of bench/pool.c: an apply round trip, map's throughput, imap's peak memory.

Usage: python3 pool.py [N] [METHOD] [REPS] [PIN] [WHAT]
Prints "cpython_apply seconds" (apply_async(ident, (i,)).get() on Pool(1),
N / 50 times), "cpython_map1000" and "cpython_map1" (seconds per task of
Pool(2).map(inc, range(N)) with chunksize 1000, and with chunksize 1), the best of REPS rounds each, as the C side does; with WHAT
imap, "cpython_imap_rss" and "cpython_idle_rss" (the peak resident memory,
VmHWM in bytes, after imap(inc, a generator of 10 M ints, chunksize 1000)
on Pool(2) consumed to the end, and before it).  PIN as in the C side:
split, same or none (a pool's workers inherit the parent's CPU).  A wrong
result fails the run.
"""
import multiprocessing
import signal
import sys
import time

import bench_common     # beside this file: on sys.path, also in spawned children

LIMIT = 600     # seconds before a stuck run is killed rather than hanging make bench
IMAP_N = 10000000


def ident(x):
    return x


def inc(x):
    return x + 1


def applies(p, n):
    t = time.perf_counter()
    for i in range(n):
        if p.apply_async(ident, (i,)).get() != i:
            sys.exit('pool.py: apply: wrong result')
    return (time.perf_counter() - t) / n


def maps(p, items, cs):
    t = time.perf_counter()
    out = p.map(inc, items, cs)
    t = (time.perf_counter() - t) / len(items)
    if out != [x + 1 for x in items]:
        sys.exit('pool.py: map: wrong result')
    return t


def peak_rss():
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) * 1024
    return -1


def count_up():
    yield from range(IMAP_N)


def imap_rss(ctx):
    with ctx.Pool(2) as p:
        idle = peak_rss()
        total = sum(p.imap(inc, count_up(), 1000))
        if total != IMAP_N * (IMAP_N + 1) // 2:
            sys.exit('pool.py: imap: wrong result')
        print('cpython_imap_rss', peak_rss())
        print('cpython_idle_rss', idle)


def main():
    signal.alarm(LIMIT)
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    method = sys.argv[2] if len(sys.argv) > 2 else 'fork'
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    cpu, _ = bench_common.choose_cpus('pool', sys.argv[4] if len(sys.argv) > 4 else 'same')
    what = sys.argv[5] if len(sys.argv) > 5 else 'all'
    bench_common.pin(cpu)
    ctx = multiprocessing.get_context(method)
    if what in ('all', 'apply'):
        with ctx.Pool(1) as p:
            applies(p, 100)
            print('cpython_apply', min(applies(p, n // 50) for _ in range(reps)))
    if what in ('all', 'map'):
        nk = n // 1000 * 1000
        items = list(range(nk))
        with ctx.Pool(2) as p:
            print('cpython_map1000', min(maps(p, items, 1000) for _ in range(reps)))
            print('cpython_map1', min(maps(p, items, 1) for _ in range(reps)))
    if what == 'imap':
        imap_rss(ctx)


if __name__ == '__main__':
    main()

"""pingpong.py - CPython's side of bench/pingpong.c: round trips of a small value through a Pipe.

Usage: python3 pingpong.py [N] [METHOD] [REPS] [PIN]
The parent sends a small int on one end of Pipe(); a child started with
METHOD receives it and sends it back; the parent receives it and checks it.
After a warm-up, N round trips are timed.  Prints "cpython_pingpong
seconds-per-round-trip", the best of REPS rounds (one child serves them all).
PIN (default same) is where the two processes run, as in the C side:
split, same or none.  The children are daemons, so that if this process
gives up, its exit ends them rather than waiting for them.
"""
import multiprocessing
import signal
import sys
import time

import bench_common     # beside this file: on sys.path, also in spawned children

LIMIT = 600     # seconds before a stuck run is killed rather than hanging make bench
NAME = 'pingpong'


def choose_cpus(pin):
    return bench_common.choose_cpus(NAME, pin)


pin = bench_common.pin


WARMUP = 1000


def echo(conn, n, cpu):
    signal.alarm(LIMIT)
    pin(cpu)
    for _ in range(n):
        conn.send(conn.recv())


def value(i):
    # 256..50255: each pickles to the same length (BININT2), as in the C side.
    return 256 + i % 50000


def rounds(conn, n):
    t = time.perf_counter()
    for i in range(n):
        v = value(i)
        conn.send(v)
        r = conn.recv()
        if r != v:
            sys.exit('pingpong: sent %r, got back %r' % (v, r))
    return (time.perf_counter() - t) / n


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    method = sys.argv[2] if len(sys.argv) > 2 else 'fork'
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    mine, child = choose_cpus(sys.argv[4] if len(sys.argv) > 4 else 'same')
    pin(mine)
    signal.alarm(LIMIT)
    ctx = multiprocessing.get_context(method)
    a, b = ctx.Pipe()
    p = ctx.Process(target=echo, args=(b, WARMUP + reps * n, child), daemon=True)
    p.start()
    b.close()
    rounds(a, WARMUP)
    best = min(rounds(a, n) for _ in range(reps))
    p.join()
    a.close()
    print('cpython_pingpong %.9f' % best)


if __name__ == '__main__':
    main()

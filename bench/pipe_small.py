"""pipe_small.py - CPython's side of bench/pipe_small.c: small messages one way through a Pipe.

Usage: python3 pipe_small.py [N] [METHOD] [REPS] [PIN]
The parent sends the ints 0..N-1 on one end of Pipe(); a child started with
METHOD receives them on the other, checks each is the next one, and sends
back their sum.  The clock runs from the first send (the child has said it
is ready) to the sum.  Prints "cpython_pipe msgs-per-second", the best of
REPS runs.
PIN (default none) is where the two processes run, as in the C side:
split, same or none.  The children are daemons, so that if this process
gives up, its exit ends them rather than waiting for them.
"""
import multiprocessing
import signal
import sys
import time

import bench_common     # beside this file: on sys.path, also in spawned children

LIMIT = 600     # seconds before a stuck run is killed rather than hanging make bench
NAME = 'pipe_small'


def choose_cpus(pin):
    return bench_common.choose_cpus(NAME, pin)


pin = bench_common.pin


def consume(conn, n, cpu):
    signal.alarm(LIMIT)
    pin(cpu)
    conn.send('ready')
    total = 0
    for i in range(n):
        v = conn.recv()
        if v != i:
            conn.send('item %d was %r' % (i, v))
            return
        total += v
    conn.send(total)


def run(ctx, n, cpu):
    a, b = ctx.Pipe()
    p = ctx.Process(target=consume, args=(b, n, cpu), daemon=True)
    p.start()
    b.close()
    ready = a.recv()
    if ready != 'ready':
        sys.exit('pipe_small: child said %r' % (ready,))
    t = time.perf_counter()
    for i in range(n):
        a.send(i)
    total = a.recv()
    t = time.perf_counter() - t
    p.join()
    a.close()
    if total != n * (n - 1) // 2:
        sys.exit('pipe_small: child got %r' % (total,))
    return n / t


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    method = sys.argv[2] if len(sys.argv) > 2 else 'fork'
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    mine, child = choose_cpus(sys.argv[4] if len(sys.argv) > 4 else 'none')
    pin(mine)
    signal.alarm(LIMIT)
    ctx = multiprocessing.get_context(method)
    best = max(run(ctx, n, child) for _ in range(reps))
    print('cpython_pipe %.1f' % best)


if __name__ == '__main__':
    main()

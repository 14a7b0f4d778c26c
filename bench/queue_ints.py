"""queue_ints.py - CPython's side of bench/queue_ints.c: small ints through Queue and SimpleQueue.

Usage: python3 queue_ints.py [N] [METHOD] [REPS] [PIN]
The parent puts the ints 0..N-1 into a queue; a child started with METHOD
gets them, checks each is the next one, and puts their sum into a second
queue of the same kind.  The clock runs from the first put (the child is
already waiting) to the sum.  Prints "cpython_queue msgs-per-second" and
"cpython_simple_queue msgs-per-second", the best of REPS runs.
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
NAME = 'queue_ints'


def choose_cpus(pin):
    return bench_common.choose_cpus(NAME, pin)


pin = bench_common.pin


def consume(q, back, n, cpu):
    signal.alarm(LIMIT)
    pin(cpu)
    back.put('ready')
    total = 0
    for i in range(n):
        v = q.get()
        if v != i:
            back.put('item %d was %r' % (i, v))
            return
        total += v
    back.put(total)


def run(ctx, kind, n, cpu):
    q = getattr(ctx, kind)()
    back = getattr(ctx, kind)()
    p = ctx.Process(target=consume, args=(q, back, n, cpu), daemon=True)
    p.start()
    ready = back.get()
    if ready != 'ready':
        sys.exit('queue_ints: child said %r' % (ready,))
    t = time.perf_counter()
    for i in range(n):
        q.put(i)
    total = back.get()
    t = time.perf_counter() - t
    p.join()
    if total != n * (n - 1) // 2:
        sys.exit('queue_ints: %s: child got %r' % (kind, total))
    q.close()
    back.close()
    return n / t


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    method = sys.argv[2] if len(sys.argv) > 2 else 'fork'
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    mine, child = choose_cpus(sys.argv[4] if len(sys.argv) > 4 else 'none')
    pin(mine)
    signal.alarm(LIMIT)
    ctx = multiprocessing.get_context(method)
    for kind, name in (('Queue', 'queue'), ('SimpleQueue', 'simple_queue')):
        best = max(run(ctx, kind, n, child) for _ in range(reps))
        print('cpython_%s %.1f' % (name, best))


if __name__ == '__main__':
    main()

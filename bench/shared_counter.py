"""shared_counter.py - CPython's side of bench/shared_counter.c: two processes incrementing a Value under its get_lock().

Usage: python3 shared_counter.py [N] [METHOD] [REPS]
Value('i', 0) goes to two children started with METHOD; each does N times
    with v.get_lock(): v.value += 1
after a shared start flag, writing when its loop began and ended into a
RawArray; a run's time is first start to last end.  The total is checked.
Prints "cpython_counter ns-per-increment", the best of REPS runs.
"""
import multiprocessing
import signal
import sys
import time

LIMIT = 600     # seconds before a stuck run is killed rather than hanging make bench


def add(v, gate, times, n, who):
    signal.alarm(LIMIT)
    with gate.get_lock():
        gate.value += 1
    while gate.value < 100:
        time.sleep(0)
    times[2 * who] = time.monotonic()
    for _ in range(n):
        with v.get_lock():
            v.value += 1
    times[2 * who + 1] = time.monotonic()


def run(ctx, n):
    v = ctx.Value('i', 0)
    gate = ctx.Value('i', 0)
    times = ctx.RawArray('d', 4)
    ps = [ctx.Process(target=add, args=(v, gate, times, n, who), daemon=True) for who in range(2)]
    for p in ps:
        p.start()
    while gate.value < 2:
        time.sleep(0.001)
    gate.value = 100
    for p in ps:
        p.join()
    if v.value != 2 * n:
        sys.exit('shared_counter: the counter is %d, not %d' % (v.value, 2 * n))
    return (max(times[1], times[3]) - min(times[0], times[2])) / (2 * n)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    method = sys.argv[2] if len(sys.argv) > 2 else 'fork'
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    signal.alarm(LIMIT)
    ctx = multiprocessing.get_context(method)
    best = min(run(ctx, n) for _ in range(reps))
    print('cpython_counter %.2f' % (best * 1e9))


if __name__ == '__main__':
    main()

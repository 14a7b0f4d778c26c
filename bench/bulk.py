"""bulk.py - CPython's side of bench/bulk.c: 1 MiB bytes payloads through Queue and Pipe.

Usage: python3 bulk.py [COUNT] [METHOD] [REPS] [PIN]
The parent sends one 1 MiB bytes object COUNT times; a child started with
METHOD receives each, checks its length and last byte, and sends back the
total length.  Three ways: Queue put/get, Pipe send_bytes/recv_bytes, and
Pipe send/recv (the bytes pickled).  The clock runs from the first send
(the child has said it is ready) to the total.  Prints "cpython_bulk_<way>
megabytes-per-second" (MB = 10^6 bytes), the best of REPS runs.
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
NAME = 'bulk'


def choose_cpus(pin):
    return bench_common.choose_cpus(NAME, pin)


pin = bench_common.pin


SIZE = 1 << 20


def check(b, i):
    return None if len(b) == SIZE and b[-1] == 0xA5 else 'payload %d: %d bytes' % (i, len(b))


def consume_queue(q, back, count, cpu):
    signal.alarm(LIMIT)
    pin(cpu)
    back.put('ready')
    total = 0
    for i in range(count):
        b = q.get()
        bad = check(b, i)
        if bad:
            back.put(bad)
            return
        total += len(b)
    back.put(total)


def consume_pipe(conn, count, as_bytes, cpu):
    signal.alarm(LIMIT)
    pin(cpu)
    conn.send('ready')
    total = 0
    for i in range(count):
        b = conn.recv_bytes() if as_bytes else conn.recv()
        bad = check(b, i)
        if bad:
            conn.send(bad)
            return
        total += len(b)
    conn.send(total)


def run_queue(ctx, payload, count, cpu):
    q = ctx.Queue()
    back = ctx.Queue()
    p = ctx.Process(target=consume_queue, args=(q, back, count, cpu), daemon=True)
    p.start()
    if back.get() != 'ready':
        sys.exit('bulk: child not ready')
    t = time.perf_counter()
    for _ in range(count):
        q.put(payload)
    total = back.get()
    t = time.perf_counter() - t
    p.join()
    q.close()
    back.close()
    return total, t


def run_pipe(ctx, payload, count, as_bytes, cpu):
    a, b = ctx.Pipe()
    p = ctx.Process(target=consume_pipe, args=(b, count, as_bytes, cpu), daemon=True)
    p.start()
    b.close()
    if a.recv() != 'ready':
        sys.exit('bulk: child not ready')
    t = time.perf_counter()
    for _ in range(count):
        if as_bytes:
            a.send_bytes(payload)
        else:
            a.send(payload)
    total = a.recv()
    t = time.perf_counter() - t
    p.join()
    a.close()
    return total, t


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    method = sys.argv[2] if len(sys.argv) > 2 else 'fork'
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    mine, child = choose_cpus(sys.argv[4] if len(sys.argv) > 4 else 'none')
    pin(mine)
    signal.alarm(LIMIT)
    ctx = multiprocessing.get_context(method)
    payload = bytes(SIZE - 1) + b'\xa5'
    ways = (('queue', lambda: run_queue(ctx, payload, count, child)),
            ('pipe_bytes', lambda: run_pipe(ctx, payload, count, True, child)),
            ('pipe_obj', lambda: run_pipe(ctx, payload, count, False, child)))
    for name, way in ways:
        best = 0.0
        for _ in range(reps):
            total, t = way()
            if total != count * SIZE:
                sys.exit('bulk: %s: child got %r' % (name, total))
            best = max(best, total / t / 1e6)
        print('cpython_bulk_%s %.1f' % (name, best))


if __name__ == '__main__':
    main()

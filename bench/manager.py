"""manager.py - benchmark, CPython's side of bench/manager.c: a managed dict's d[k] = v then d[k], one pair of round trips to the manager.

Usage: python3 bench/manager.py [N] [METHOD] [REPS] [PIN] [MODE [ADDRESS]]
  MODE mp (default): Manager() and a dict proxy; prints "cpython_dict SECONDS" per pair.
  MODE client ADDRESS: against a server at the AF_UNIX path ADDRESS (authkey
    b'bench'); prints "py_client SECONDS".
  MODE server: a SyncManager at a fresh address (authkey b'bench'); prints
    its path, serves until stdin closes.
"""
import multiprocessing
import sys
import time
from multiprocessing.managers import SyncManager

import bench_common


def pairs(d, n):
    t0 = time.perf_counter()
    for i in range(n):
        d[i % 100] = i
        if d[i % 100] != i:
            sys.exit('manager.py: d[k] gave a wrong value')
    return (time.perf_counter() - t0) / n


def loop(m, label, n, reps):
    d = m.dict()
    pairs(d, n // 10 + 1)
    print(label, '%.9f' % min(pairs(d, n) for _ in range(reps)), flush=True)


def main():
    a = sys.argv[1:]
    n = int(a[0]) if len(a) > 0 else 20000
    method = a[1] if len(a) > 1 else 'fork'
    reps = int(a[2]) if len(a) > 2 else 3
    mine, _ = bench_common.choose_cpus('manager.py', a[3] if len(a) > 3 else 'same')
    bench_common.pin(mine)
    mode = a[4] if len(a) > 4 else 'mp'
    ctx = multiprocessing.get_context(method)
    if mode == 'mp':
        with ctx.Manager() as m:
            loop(m, 'cpython_dict', n, reps)
    elif mode == 'client':
        multiprocessing.current_process().authkey = b'bench'
        m = SyncManager(address=a[5], authkey=b'bench')
        m.connect()
        loop(m, 'py_client', n, reps)
    elif mode == 'server':
        multiprocessing.current_process().authkey = b'bench'
        with SyncManager(authkey=b'bench', ctx=ctx) as m:
            print(m.address, flush=True)
            for _ in sys.stdin:
                pass
    else:
        sys.exit('manager.py: MODE must be mp, client ADDRESS or server')


if __name__ == '__main__':
    main()

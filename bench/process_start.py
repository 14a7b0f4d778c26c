"""process_start.py - CPython's side of bench/process_start.c: start+join of a process that does nothing.

Usage: python3 process_start.py [N] [METHOD]    prints "cpython_<method> seconds-per-op".
"""
import multiprocessing
import sys
import time


def nothing():
    pass


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    method = sys.argv[2] if len(sys.argv) > 2 else 'fork'
    ctx = multiprocessing.get_context(method)
    for _ in range(10):
        p = ctx.Process(target=nothing)
        p.start()
        p.join()
    t = time.perf_counter()
    for _ in range(n):
        p = ctx.Process(target=nothing)
        p.start()
        p.join()
    print('cpython_%s %.9f' % (method, (time.perf_counter() - t) / n))


if __name__ == '__main__':
    main()

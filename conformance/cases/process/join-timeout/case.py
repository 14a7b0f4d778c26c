# case.py - case process/join-timeout, the Python twin: join() with a timeout returns while the child still runs.
#
# Pins (CPython 3.11, documented under Process.join: "if timeout is a
# positive number, it blocks at most timeout seconds"; join returns None
# either way): join(0) and join(-1) return at once, join(0.2) returns after
# waiting its timeout, and after each the child is still alive with
# exitcode None; join(float('nan')) is ValueError('cannot convert float NaN
# to integer'), as CPython's wait() words it.  The child blocks on a pipe
# until the parent lets it go, so it cannot end during these joins.  The
# wait is printed as a bound ("waited at least 0.15 s"), never as a time;
# no upper bound is pinned for join(0) and join(-1), as a loaded machine
# may take any time to return.
import math
import multiprocessing
import time


def waits(conn):
    conn.recv()


if __name__ == '__main__':
    reader, writer = multiprocessing.Pipe(duplex=False)
    p = multiprocessing.Process(target=waits, args=(reader,))
    p.start()
    for timeout in [0, -1, 0.2]:
        t0 = time.monotonic()
        result = p.join(timeout)
        waited = time.monotonic() - t0
        print('join(%r) returned' % timeout, result, 'alive', p.is_alive(), 'exitcode', p.exitcode)
        if timeout > 0:
            print('join(%r) waited at least 0.15 s:' % timeout, waited >= 0.15)
    try:
        p.join(math.nan)
    except ValueError as e:
        print('join(nan):', type(e).__name__ + ':', e)
    print('alive after join(nan):', p.is_alive())
    writer.send('stop')
    p.join()
    print('join() returned: alive', p.is_alive(), 'exitcode', p.exitcode)

# case.py - case queues/get-empty, the Python twin: get on an empty Queue raises queue.Empty, at once or after its timeout.
#
# Pins (CPython 3.11, documented under Queue.get): on an empty Queue,
# get_nowait(), get(block=False) and get(False, 5) (the timeout is ignored
# when block is False) raise queue.Empty, whose str() is empty;
# get(timeout=0) and get(timeout=-1) raise Empty without waiting;
# get(timeout=0.2) raises Empty only after waiting: printed as a bound
# ("waited at least 0.15 s"), never as a time; a NaN timeout is
# ValueError 'cannot convert float NaN to integer', as CPython's poll
# says it.  Then an item put in this process is got by get(timeout=5),
# which waits for the feeder thread to write it (get_nowait right after
# put would race with the feeder), and the queue is empty again.
# Left out on purpose: how long the non-blocking calls take (no upper
# bound is certain on a loaded machine).
import time
from multiprocessing import Queue


def attempt(label, call):
    try:
        call()
    except Exception as e:
        print(label, 'raised', type(e).__name__, repr(str(e)))
    else:
        print(label, 'returned')


if __name__ == '__main__':
    q = Queue()
    attempt('get_nowait():', q.get_nowait)
    attempt('get(block=False):', lambda: q.get(block=False))
    attempt('get(False, 5):', lambda: q.get(False, 5))
    attempt('get(timeout=0):', lambda: q.get(timeout=0))
    attempt('get(timeout=-1):', lambda: q.get(timeout=-1))
    attempt('get(timeout=nan):', lambda: q.get(timeout=float('nan')))
    start = time.monotonic()
    attempt('get(timeout=0.2):', lambda: q.get(timeout=0.2))
    print('waited at least 0.15 s:', time.monotonic() - start >= 0.15)
    q.put(['x', 1])
    print('get(timeout=5):', q.get(timeout=5))
    attempt('get_nowait():', q.get_nowait)

# case.py - case queues/put-full, the Python twin: put on a full Queue(maxsize) raises queue.Full, at once or after its timeout.
#
# Pins (CPython 3.11, documented under Queue.put): on a Queue(2) holding
# two items, full() is True and put_nowait(x), put(x, block=False) and
# put(x, False, 5) (the timeout is ignored when block is False) raise
# queue.Full, whose str() is empty; put(x, timeout=0) and put(x,
# timeout=-1) raise Full without waiting; put(x, timeout=0.2) raises Full
# only after waiting: printed as a bound ("waited at least 0.15 s"), never
# as a time.  A NaN timeout is no error while there is room, and OSError
# '[Errno 22] Invalid argument' on a full queue (observable CPython
# behaviour: its semaphore tries at once, then hands the NaN deadline to
# sem_timedwait, which refuses it).  Then each get frees a slot: a put
# after one get succeeds and the queue hands back its items in order.  full() and qsize() count with
# the queue's semaphore, which put takes before it returns, so they are
# certain right after a put; nothing here looks at the pipe (empty()).
# Left out on purpose: how long the non-blocking calls take (no upper
# bound is certain on a loaded machine).
import queue
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
    q = Queue(2)
    q.put('a')
    q.put('b')
    print('qsize:', q.qsize(), 'full:', q.full())
    attempt('put_nowait(c):', lambda: q.put_nowait('c'))
    attempt('put(c, block=False):', lambda: q.put('c', block=False))
    attempt('put(c, False, 5):', lambda: q.put('c', False, 5))
    attempt('put(c, timeout=0):', lambda: q.put('c', timeout=0))
    attempt('put(c, timeout=-1):', lambda: q.put('c', timeout=-1))
    attempt('put(c, timeout=nan):', lambda: q.put('c', timeout=float('nan')))
    start = time.monotonic()
    attempt('put(c, timeout=0.2):', lambda: q.put('c', timeout=0.2))
    print('waited at least 0.15 s:', time.monotonic() - start >= 0.15)
    print('get:', q.get())
    attempt('put(c, timeout=nan):', lambda: q.put('c', timeout=float('nan')))
    print('qsize:', q.qsize(), 'full:', q.full())
    print('get:', q.get())
    print('get:', q.get())
    print('qsize:', q.qsize(), 'full:', q.full())

# case.py - case queues/qsize, the Python twin: qsize(), empty() and full() of a Queue(2) as it fills and drains.
#
# Pins (CPython 3.11 on Linux, documented as approximate under Queue.qsize,
# empty and full): qsize() goes 0, 1, 2, 1, 0 as two items are put and got;
# full() is True exactly at maxsize; Queue(0) and Queue(-1) are never full
# (maxsize <= 0 is unbounded).  Printed only when certain: qsize() and
# full() count with the queue's semaphore, which put takes before it
# returns and get gives back, so they are exact at once; empty() asks the
# pipe, which the feeder thread writes to later, so after a put the case
# polls empty() (up to 10 s) until it is False, and says so.  After the
# last get nothing is left in the pipe, so empty() is True at once.
# Left out on purpose: qsize() on macOS (NotImplementedError there).
import time
from multiprocessing import Queue


def show(q):
    print('qsize:', q.qsize(), 'full:', q.full())


def wait_not_empty(q):
    # The feeder thread writes after put returns: wait for it, with a bound.
    deadline = time.monotonic() + 10
    while q.empty() and time.monotonic() < deadline:
        time.sleep(0.01)
    print('empty once the feeder has written:', q.empty())


if __name__ == '__main__':
    q = Queue(2)
    print('empty:', q.empty())
    show(q)
    q.put(1)
    show(q)
    wait_not_empty(q)
    q.put(2)
    show(q)
    print('get:', q.get())
    show(q)
    wait_not_empty(q)
    print('get:', q.get())
    show(q)
    print('empty:', q.empty())
    print('Queue(0) full:', Queue(0).full(), 'Queue(-1) full:', Queue(-1).full())

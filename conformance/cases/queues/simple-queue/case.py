# case.py - case queues/simple-queue, the Python twin: SimpleQueue's put, get, empty and close, and its errors.
#
# Pins (CPython 3.11, documented under SimpleQueue): empty() is True, then
# False after a put (SimpleQueue has no feeder thread: put has written
# before it returns, so this is certain), and items come back in order;
# put() of a Queue raises RuntimeError 'Queue objects should only be
# shared between processes through inheritance' at once, since put
# pickles before it writes, and the queue goes on working; close() twice
# is no error; after close(), empty(), put() and get() raise OSError
# 'handle is closed' (observable CPython behaviour: its pipe is closed),
# but put() of a Queue is still the RuntimeError, pickling coming first.
# Left out on purpose: a process killed inside put or get (CPython then
# waits for ever; the C library's robust locks differ by design).
from multiprocessing import Queue, SimpleQueue


def attempt(label, call):
    try:
        call()
    except Exception as e:
        print(label, 'raised', type(e).__name__, repr(str(e)))
    else:
        print(label, 'returned')


if __name__ == '__main__':
    sq = SimpleQueue()
    other = Queue()
    print('empty():', sq.empty())
    sq.put('a')
    sq.put([1, (2, None)])
    print('empty() after two puts:', sq.empty())
    print('get():', sq.get())
    print('get():', sq.get())
    print('empty():', sq.empty())
    attempt('put(a Queue):', lambda: sq.put(other))
    sq.put('still works')
    print('get():', sq.get())
    attempt('close():', sq.close)
    attempt('close() again:', sq.close)
    attempt('empty():', sq.empty)
    attempt('put(x):', lambda: sq.put('x'))
    attempt('get():', sq.get)
    attempt('put(a Queue):', lambda: sq.put(other))

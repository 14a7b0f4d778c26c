# case.py - case queues/closed, the Python twin: what a Queue and a JoinableQueue do after close().
#
# Pins (CPython 3.11, documented under Queue.close and join_thread):
# join_thread() before close() is AssertionError 'Queue <repr> not
# closed'; close() twice is no error; after close(), put, put_nowait, get
# and get_nowait raise ValueError 'Queue <repr> is closed', where <repr>
# is the default repr naming the class (multiprocessing.queues.Queue or
# .JoinableQueue, a documented path) and an address, which normalisation
# masks (0xADDR).  join_thread() then returns once the feeder has flushed
# the item put before close() and closed the pipe, after which empty()
# raises OSError 'handle is closed' (the reader is closed; observable
# CPython behaviour) and qsize() still counts the item that was put but
# never got (its slot is only given back by a get).
# Left out on purpose: the address itself; what another process holding
# the queue sees (close() concerns this process only).
from multiprocessing import JoinableQueue, Queue


def attempt(label, call):
    try:
        call()
    except Exception as e:
        print(label, 'raised', type(e).__name__, repr(str(e)))
    else:
        print(label, 'returned')


if __name__ == '__main__':
    q = Queue()
    attempt('join_thread() before close():', q.join_thread)
    q.put('kept')
    attempt('close():', q.close)
    attempt('close() again:', q.close)
    attempt('put(x):', lambda: q.put('x'))
    attempt('put_nowait(x):', lambda: q.put_nowait('x'))
    attempt('get():', q.get)
    attempt('get_nowait():', q.get_nowait)
    attempt('join_thread():', q.join_thread)
    attempt('empty():', q.empty)
    print('qsize():', q.qsize())

    jq = JoinableQueue()
    jq.close()
    attempt('JoinableQueue put(x):', lambda: jq.put('x'))
    attempt('JoinableQueue get(timeout=1):', lambda: jq.get(timeout=1))

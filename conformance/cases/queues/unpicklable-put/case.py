# case.py - case queues/unpicklable-put, the Python twin: a value the feeder cannot pickle is reported and dropped, and the queue goes on.
#
# Pins (CPython 3.11, documented under Queue.put and the "Joining
# processes that use queues" guideline; CPython's test
# test_queue_feeder_donot_stop_onexc): put() of a Queue, which can only be
# shared through inheritance, returns at once, because pickling happens
# later in the feeder thread; the feeder prints the RuntimeError 'Queue
# objects should only be shared between processes through inheritance'
# as a traceback on stderr (normalisation keeps its header and exception
# line) and drops the value; its slot of the bounded Queue(1) is given
# back, so the next blocking put returns, and that value is the next one
# got.  The get waits (timeout 10 s) for the feeder to write, and the
# feeder reports the error before it writes the next value, so stderr is
# complete by the time stdout says so.
# Left out on purpose: other unpicklable objects (a lock, a lambda): the C
# API's values are all picklable except a queue or a connection.
from multiprocessing import Queue


if __name__ == '__main__':
    q = Queue(1)
    other = Queue()
    q.put(other)
    print('put(a Queue) returned')
    q.put('next')
    print('put(next) returned: the slot was given back')
    print('get(timeout=10):', q.get(timeout=10))
    print('qsize:', q.qsize())

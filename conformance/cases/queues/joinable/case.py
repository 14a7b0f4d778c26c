# case.py - case queues/joinable, the Python twin: JoinableQueue's join() waits for a task_done() per item, and one too many is ValueError.
#
# Pins (CPython 3.11, documented under JoinableQueue.task_done and join):
# join() with nothing put returns at once; task_done() with nothing put
# raises ValueError 'task_done() called too many times'; with three items
# put, join() returns only after a child has called task_done() for each:
# the child puts each result on a second queue before its task_done(), and
# results.qsize() counts with a semaphore its put takes at once, so
# qsize() is 3 right after join() only if join() waited for all three.
# Then one more task_done() is the ValueError again, and a plain Queue has
# no task_done or join (AttributeError "'Queue' object has no attribute
# 'task_done'").
# Left out on purpose: a consumer that dies between get and task_done
# (join() then waits for ever, in CPython as in C).
from multiprocessing import JoinableQueue, Process, Queue


def attempt(label, call):
    try:
        call()
    except Exception as e:
        print(label, 'raised', type(e).__name__, repr(str(e)))
    else:
        print(label, 'returned')


def worker(jq, results):
    for _ in range(3):
        x = jq.get()
        results.put(x * x)
        jq.task_done()


if __name__ == '__main__':
    jq = JoinableQueue()
    results = Queue()
    attempt('join() with nothing put:', jq.join)
    attempt('task_done() with nothing put:', jq.task_done)
    for x in (1, 2, 3):
        jq.put(x)
    p = Process(target=worker, args=(jq, results))
    p.start()
    jq.join()
    print('join() returned; results.qsize():', results.qsize())
    print('results:', [results.get(timeout=10) for _ in range(3)])
    attempt('task_done() once more:', jq.task_done)
    p.join()
    print('worker exitcode:', p.exitcode)
    q = Queue()
    attempt('Queue task_done():', lambda: q.task_done())
    attempt('Queue join():', lambda: q.join())

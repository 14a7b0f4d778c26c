# lesson.py - Lesson 38's Python twin: a Lock and a Queue whose holder was killed, a Condition whose waiter was; CPython waits for ever, bounded here by timeouts.
#
# This is where Forklore differs from CPython on purpose (see README.md):
# the lines that start "after the death:" are CPython's, and the C program
# prints its own there.
import multiprocessing
import threading
from queue import Empty
import time

BIG = 4 << 20       # larger than what a pipe holds, so its writer waits inside it


def hold(lock, held):
    """Take the lock, say so, and wait there until killed."""
    lock.acquire()
    held.set()
    time.sleep(3600)


def writer(q):
    """Put a small message, then one too big for the pipe: the feeder
    thread is inside that one, holding the queue's write lock, until the
    reader has taken it all."""
    q.put('first')
    q.put(b'x' * BIG)


def waits(cond, waiting):
    """Wait on the condition until notified; say so first, the lock held."""
    with cond:
        waiting.set()
        cond.wait()


def notify_one(cond):
    with cond:
        cond.notify()


def lock_part():
    lock = multiprocessing.Lock()
    held = multiprocessing.Event()
    p = multiprocessing.Process(target=hold, args=(lock, held))
    p.start()
    held.wait()
    print('Lock: held by the child:', lock)
    p.kill()
    p.join()
    print('Lock: the child was killed, exitcode', p.exitcode)

    # CPython's lock is a counter with no owner: nothing tells it the
    # holder died, so acquire() would wait for ever; the timeout ends it.
    got = lock.acquire(timeout=2)
    print('Lock after the death: acquire(timeout=2) ->', got,
          '(without a timeout CPython waits for ever)')

    # Any process may release a Lock: one that knows the holder is dead
    # can free it for it (the C parent, which holds it now, releases its own).
    lock.release()
    print('Lock: release(), then acquire(timeout=2) ->', lock.acquire(timeout=2))
    lock.release()


def queue_part():
    q = multiprocessing.Queue()
    p = multiprocessing.Process(target=writer, args=(q,))
    p.start()
    print('Queue: got', repr(q.get()))
    # Once the pipe holds anything again, the big message has begun, and
    # cannot be whole in it: the writer is inside it.
    while q.empty():
        time.sleep(0.01)
    p.kill()
    p.join()
    print('Queue: the writer was killed inside its big message, exitcode', p.exitcode)

    # The get reads the half message and waits for its end for ever, its
    # timeout notwithstanding (it only bounds the wait for the first byte):
    # run it in a thread, and see that it still waits 3 s later.
    getter = threading.Thread(target=q.get, kwargs={'timeout': 2}, daemon=True)
    getter.start()
    getter.join(3)
    print('Queue after the death: get(timeout=2) still waiting 3 s later:',
          getter.is_alive(), '(CPython waits for ever)')

    # Nor can anything else pass: the dead writer also holds the queue's
    # write lock, so this process's feeder thread waits for ever to write
    # 'later' (cancel_join_thread() lets the program exit without it), and
    # the stuck get holds the read lock.
    q.put('later')
    q.cancel_join_thread()
    try:
        print("Queue after the death: put('later'), get(timeout=2) ->", repr(q.get(timeout=2)))
    except Empty:
        print("Queue after the death: put('later'), get(timeout=2) -> Empty"
              " (the dead writer holds the write lock, the stuck get the read lock)")

def condition_part():
    cond = multiprocessing.Condition()
    waiting = multiprocessing.Event()
    p = multiprocessing.Process(target=waits, args=(cond, waiting))
    p.start()
    waiting.wait()
    # The child set the event holding the lock: taking it waits until the
    # child's wait() has let it go, counted as a sleeper.
    with cond:
        print('Condition: the child waits on it:', cond)
    p.kill()
    p.join()
    print('Condition: the waiter was killed asleep, exitcode', p.exitcode)

    # CPython's notify() wakes a sleeper and then waits until that sleeper
    # says it woke, holding the lock: the dead one never will.  Run it in a
    # thread, and see that it still waits 2 s later (the thread holds the
    # condition's lock for good: nothing can use the condition again).
    notifier = threading.Thread(target=notify_one, args=(cond,), daemon=True)
    notifier.start()
    notifier.join(2)
    print('Condition after the death: notify() still waiting 2 s later:', notifier.is_alive(),
          '(CPython waits for ever for the dead waiter to wake)')


if __name__ == '__main__':
    lock_part()
    queue_part()
    condition_part()

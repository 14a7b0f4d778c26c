# case.py - case synchronize/timed-acquires, the Python twin: timed acquires and waits that expire return False, and succeed once free.
#
# Pins (documented, multiprocessing.synchronize and threading: acquire(
# block=True, timeout) returns False when the timeout expires, block=False
# returns at once; Event.wait(timeout) and Condition.wait(timeout) return
# False when it expires): a Lock and an RLock held by a child (which says
# so, then waits for the parent's word) are not acquired by the parent
# with timeout=0.2 nor with block=False, and are acquired once the child
# has released them and ended; a Semaphore(0) and a BoundedSemaphore(1)
# taken once likewise time out, and are acquired after a release; an
# Event never set and a Condition never notified wait 0.2 s and say
# False.  Each timed wait prints that it waited at least 0.1 s (a bound
# any machine meets, never the time itself).  The reprs of the free
# primitives and of the semaphores at each count are CPython 3.11's
# (observable behaviour named as such).
import multiprocessing
import time


def holds(lock, rlock, conn):
    with lock, rlock:
        conn.send('holding both')
        conn.recv()


def timed(label, call):
    t0 = time.monotonic()
    got = call()
    print(label, '->', got, 'waited at least 0.1 s:', time.monotonic() - t0 >= 0.1)


if __name__ == '__main__':
    lock, rlock = multiprocessing.Lock(), multiprocessing.RLock()
    print('free:', lock, rlock)
    here, there = multiprocessing.Pipe()
    p = multiprocessing.Process(target=holds, args=(lock, rlock, there))
    p.start()
    print('child says:', here.recv())
    timed('Lock held by the child, acquire(timeout=0.2)', lambda: lock.acquire(timeout=0.2))
    print('Lock held by the child, acquire(block=False) ->', lock.acquire(block=False))
    timed('RLock held by the child, acquire(timeout=0.2)', lambda: rlock.acquire(timeout=0.2))
    print('RLock held by the child, acquire(False) ->', rlock.acquire(False))
    here.send('release')
    p.join()
    print('child exitcode:', p.exitcode)
    print('Lock released, acquire(timeout=0.2) ->', lock.acquire(timeout=0.2))
    print('RLock released, acquire(timeout=0.2) ->', rlock.acquire(timeout=0.2))
    lock.release()
    rlock.release()

    sem = multiprocessing.Semaphore(0)
    print(sem)
    timed('Semaphore(0), acquire(timeout=0.2)', lambda: sem.acquire(timeout=0.2))
    print('Semaphore(0), acquire(block=False) ->', sem.acquire(block=False))
    sem.release()
    print('after release:', sem)
    print('acquire(timeout=0.2) ->', sem.acquire(timeout=0.2), sem)
    bounded = multiprocessing.BoundedSemaphore(1)
    print(bounded)
    print('BoundedSemaphore(1), acquire() ->', bounded.acquire(), bounded)
    timed('then acquire(timeout=0.2)', lambda: bounded.acquire(timeout=0.2))
    bounded.release()
    print('after release:', bounded)

    event = multiprocessing.Event()
    timed('Event never set, wait(0.2)', lambda: event.wait(0.2))
    print('is_set() ->', event.is_set())
    cond = multiprocessing.Condition()
    with cond:
        timed('Condition never notified, wait(0.2)', lambda: cond.wait(0.2))

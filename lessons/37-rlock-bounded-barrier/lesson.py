# lesson.py - Lesson 37's Python twin: RLock, BoundedSemaphore and Barrier, the primitives the seeds show no example of.
import multiprocessing
import sys
from threading import BrokenBarrierError


def try_rlock(rlock, results):
    """Another process cannot take an RLock this one holds."""
    results.put(rlock.acquire(block=False))


def arrive(barrier, results):
    """One party of the barrier: report the index wait() gave it."""
    results.put(barrier.wait())


def announce():
    """The barrier's action: run once, by the last party to arrive."""
    print('action: all 3 parties have arrived', flush=True)


def wait_at_aborted(barrier):
    """Wait at a barrier that is, or will be, aborted: the error ends it."""
    barrier.wait()


if __name__ == '__main__':
    results = multiprocessing.Queue()

    # RLock: the process (and thread) holding it may take it again; it is
    # free once released as many times as it was acquired.
    rlock = multiprocessing.RLock()
    print(rlock)
    rlock.acquire()
    rlock.acquire()
    print(rlock)
    p = multiprocessing.Process(target=try_rlock, args=(rlock, results))
    p.start()
    print('another process: acquire(block=False) ->', results.get())
    p.join()
    rlock.release()
    print(rlock)
    rlock.release()
    print(rlock)
    try:
        rlock.release()
    except AssertionError as e:
        print('release() once more -> AssertionError:', e)

    # Semaphore and BoundedSemaphore: release() adds one to the count; a
    # bounded one refuses to go above its initial value.
    s = multiprocessing.Semaphore(2)
    s.release()
    print(s)
    bs = multiprocessing.BoundedSemaphore(2)
    bs.acquire()
    print(bs)
    bs.release()
    print(bs)
    try:
        bs.release()
    except ValueError as e:
        print('release() once more -> ValueError:', e)

    # Barrier: three parties (two children and this process); the last to
    # arrive runs the action before any of them goes on, and wait() gives
    # each party a different index.
    barrier = multiprocessing.Barrier(3, action=announce)
    print('parties:', barrier.parties, 'n_waiting:', barrier.n_waiting,
          'broken:', barrier.broken)
    parties = [multiprocessing.Process(target=arrive, args=(barrier, results))
               for i in range(2)]
    for p in parties:
        p.start()
    # The action may print from a child: flush what this process printed
    # first, so that its line comes after these.
    sys.stdout.flush()
    indexes = [barrier.wait()]
    indexes += [results.get() for p in parties]
    for p in parties:
        p.join()
    print('indexes:', sorted(indexes))

    # abort(): the barrier is broken; every party waiting, or to come,
    # gets BrokenBarrierError.
    aborted = multiprocessing.Barrier(2)
    p = multiprocessing.Process(target=wait_at_aborted, args=(aborted,))
    p.start()
    aborted.abort()
    p.join()
    print('the child waiting at it: exitcode', p.exitcode)
    try:
        aborted.wait()
    except BrokenBarrierError:
        print('wait() after abort() -> BrokenBarrierError')
    print('broken:', aborted.broken)

# lesson.py - Lesson 48's Python twin: a Pool worker killed in the middle of map; CPython's map waits for ever, bounded here by a timeout.
#
# This is where Forklore differs from CPython on purpose (see README.md):
# the lines that start "after the death:" are CPython's, and the C program
# prints its own there.
import multiprocessing
import os
import signal

VICTIM = 3


def init(q):
    """Each worker keeps the queue it tells the parent its results on."""
    global done
    done = q


def square(x):
    """x * x, told to the parent too; the task for VICTIM kills its own
    worker instead, as the OOM killer or a crash would."""
    if x == VICTIM:
        os.kill(os.getpid(), signal.SIGKILL)
    done.put(x * x)
    return x * x


def twice(x):
    return 2 * x


if __name__ == '__main__':
    # A SimpleQueue: its put writes at once, with no feeder thread that a
    # killed worker could take a result (or the queue's lock) down with.
    done = multiprocessing.SimpleQueue()
    pool = multiprocessing.Pool(2, initializer=init, initargs=(done,))
    print('map_async(square, range(8), chunksize=1): the task for 3 kills its own worker (SIGKILL)')
    result = pool.map_async(square, range(8), chunksize=1)
    print('the other tasks are done:', sorted(done.get() for _ in range(7)))

    # CPython cannot tell which task the dead worker held: the map is never
    # done, and get() without a timeout would wait for ever.
    try:
        result.get(timeout=2)
    except multiprocessing.TimeoutError:
        print('after the death: get(timeout=2) -> TimeoutError (CPython waits for ever: the task died with its worker)')

    # The dead worker was replaced: the pool serves new work.
    print('the pool goes on: map(twice, [1, 2, 3]) ->', pool.map(twice, [1, 2, 3]))

    # close() then join() would wait for ever too (join waits for the map
    # that never ends), so the twin terminates the pool instead.
    pool.terminate()
    pool.join()
    print('after the death: terminate(), join() -> returned (close(), join() would wait for ever)')

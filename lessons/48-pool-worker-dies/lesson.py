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
    # The lines are printed once the pool has ended.  Under fork, a line
    # this process has buffered and not yet written when the pool forks a
    # worker in place of the dead one is copied into that worker, which
    # writes it too when it exits: the line would appear twice, now and
    # then (CPython flushes before forking, but the main thread can print
    # between that flush and the fork).  The C library drops such a copy
    # in the child, so the C program prints as it goes.
    lines = []
    report = lines.append

    # A SimpleQueue: its put writes at once, with no feeder thread that a
    # killed worker could take a result (or the queue's lock) down with.
    done = multiprocessing.SimpleQueue()
    pool = multiprocessing.Pool(2, initializer=init, initargs=(done,))
    report('map_async(square, range(8), chunksize=1): the task for 3 kills its own worker (SIGKILL)')
    result = pool.map_async(square, range(8), chunksize=1)
    report('the other tasks are done: %s' % sorted(done.get() for _ in range(7)))

    # CPython cannot tell which task the dead worker held: the map is never
    # done, and get() without a timeout would wait for ever.
    try:
        result.get(timeout=2)
    except multiprocessing.TimeoutError:
        report('after the death: get(timeout=2) -> TimeoutError (CPython waits for ever: the task died with its worker)')

    # The dead worker was replaced: the pool serves new work.
    report('the pool goes on: map(twice, [1, 2, 3]) -> %s' % pool.map(twice, [1, 2, 3]))

    # close() then join() would wait for ever too (join waits for the map
    # that never ends), so the twin terminates the pool instead.
    pool.terminate()
    pool.join()
    report('after the death: terminate(), join() -> returned (close(), join() would wait for ever)')
    print(*lines, sep='\n')

# case.py - case process/exit-codes, the Python twin: a child's exitcode for each way it can end, read before join().
#
# Pins (CPython 3.11, documented under Process.exitcode): sys.exit(N) gives
# N, for N = 0, 3 and 255; os._exit(7) gives 7 with no shutdown; a return
# gives 0; an uncaught exception gives 1; SIGTERM and SIGKILL give -15 and
# -9.  Each exitcode is also read before join(): once the child has ended,
# exitcode and is_alive() say so without join() (they reap it).  Not at
# once when the sentinel is ready, though: the sentinel's pipe closes while
# the child is still exiting, so CPython itself then sometimes still says
# None and True.  The case waits (up to 10 s) for exitcode to be set, then
# prints it and is_alive(): an exitcode that only join() sets prints None.
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import time


def exit_with(n):
    sys.exit(n)


def os_exit(n):
    os._exit(n)


def returns():
    return 5


def raises():
    raise ValueError('from the child')


def sleeps():
    time.sleep(30)


if __name__ == '__main__':
    cases = [
        ('sys.exit(0)', exit_with, (0,)),
        ('sys.exit(3)', exit_with, (3,)),
        ('sys.exit(255)', exit_with, (255,)),
        ('os._exit(7)', os_exit, (7,)),
        ('return 5', returns, ()),
        ('raise', raises, ()),
        ('terminate()', sleeps, ()),
        ('kill()', sleeps, ()),
    ]
    for label, target, args in cases:
        p = multiprocessing.Process(target=target, args=args)
        print(label, 'exitcode before start:', p.exitcode)
        p.start()
        if label == 'terminate()':
            p.terminate()
        elif label == 'kill()':
            p.kill()
        multiprocessing.connection.wait([p.sentinel])
        deadline = time.monotonic() + 10
        while p.exitcode is None and time.monotonic() < deadline:
            time.sleep(0.01)
        print(label, 'exitcode before join:', p.exitcode, 'alive:', p.is_alive())
        p.join()
        print(label, 'exitcode after join:', p.exitcode)

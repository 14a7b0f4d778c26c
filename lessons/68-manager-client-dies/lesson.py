# lesson.py - Lesson 68's Python twin: a manager's client killed while it holds an object; CPython's server keeps that object for ever, shown here bounded by a wait.
#
# This is where Forklore differs from CPython on purpose (see README.md):
# the line that starts "after the death:" is CPython's, and the C program
# prints its own there.
import multiprocessing
import time
from multiprocessing.managers import SyncManager


def client(address, ready):
    # A program of the manager's own: it connects, and makes a list there.
    m = SyncManager(address=address)
    m.connect()
    bag = m.list(['held by a client that will be killed'])
    ready.set()
    time.sleep(3600)


if __name__ == '__main__':
    with multiprocessing.Manager() as m:
        ready = multiprocessing.Event()
        p = multiprocessing.Process(target=client, args=(m.address, ready))
        p.start()
        ready.wait()
        print('objects in the server while the client holds its list:', m._number_of_objects())
        p.kill()
        p.join()
        print('the client was killed, exitcode', p.exitcode)
        # Nothing tells CPython's server that the client died: its
        # reference to the list stays counted, and the list with it.
        # Look for 2 s.
        deadline = time.monotonic() + 2
        n = m._number_of_objects()
        while n == 1 and time.monotonic() < deadline:
            time.sleep(0.05)
            n = m._number_of_objects()
        print('after the death: objects in the server 2 s later:', n,
              "(CPython keeps the dead client's list for ever)")

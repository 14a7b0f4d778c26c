# case.py - case util/finalizers-before-join, the Python twin: at exit, the finalizers of priority >= 0 run before the children are joined.
#
# Pins (CPython 3.11's util._exit_function, observable behaviour named as
# such: it runs the finalizers with an exit priority >= 0, then joins the
# non-daemonic children, then runs the rest; an AF_UNIX Listener left open
# registers the removal of its socket file with priority 0, documented as
# Listener.close() removing it): a child still running when the main
# process leaves its main module sees the socket file disappear while it
# runs, before the parent waits for it.  The child waits for that event
# (polling, up to 15 s, a hang guard, not a time it needs) and prints what
# it saw; an implementation joining first would leave it waiting, then
# print False.  The parent prints (and flushes) its last line before its
# exit begins, so the child's line comes after it.
import multiprocessing
import multiprocessing.connection
import os
import time


def waits_for_unlink(path):
    deadline = time.monotonic() + 15
    while os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.01)
    print('child: the socket file was removed while the child ran:', not os.path.exists(path))


if __name__ == '__main__':
    listener = multiprocessing.connection.Listener(family='AF_UNIX')
    path = listener.address
    p = multiprocessing.Process(target=waits_for_unlink, args=(path,))
    p.start()
    print('parent: the socket file exists:', os.path.exists(path))
    print('parent: leaving main with the listener open and the child running', flush=True)

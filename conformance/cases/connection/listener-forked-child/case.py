# case.py - case connection/listener-forked-child, the Python twin: a forked child closing the Listener it inherited leaves the parent's socket file.
#
# Pins (CPython 3.11, observable behaviour named as such: an AF_UNIX
# Listener's removal of its socket file is a util.Finalize, which runs only
# in the process that created it; documented: Listener.close() removes the
# socket file): a child made with the fork context inherits the open
# Listener and closes it; the socket file stays, so the parent still sees
# it after joining the child, and the parent's own close() removes it.
# The fork context is used under every start method on purpose: only a
# forked child can inherit a Listener (it cannot be pickled).
import multiprocessing
import multiprocessing.connection
import os


def closes(listener):
    listener.close()
    print('child: closed the listener it inherited')


if __name__ == '__main__':
    ctx = multiprocessing.get_context('fork')
    listener = multiprocessing.connection.Listener(family='AF_UNIX')
    path = listener.address
    p = ctx.Process(target=closes, args=(listener,))
    p.start()
    p.join()
    print('child exitcode:', p.exitcode)
    print('socket file still there after the child closed its copy:', os.path.exists(path))
    listener.close()
    print('socket file there after the parent closed it:', os.path.exists(path))

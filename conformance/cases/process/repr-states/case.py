# case.py - case process/repr-states, the Python twin: a process's repr in each state.
#
# Pins (CPython 3.11's BaseProcess.__repr__, observable behaviour named as
# such): the repr is <Process name=... [pid=N] parent=N STATUS [exitcode=X]
# [daemon]>: initial before start (no pid), started while running, stopped
# with exitcode=0, exitcode=3 after sys.exit(3), exitcode=-SIGTERM (the
# signal's name) after terminate(); daemon at the end for a daemonic
# process in every state; the name as given, quoted as repr() quotes it.
# The "closed" state is pinned by process/close.  Pids are normalised
# (pid=PID, parent=PID).  Each child blocks on a pipe of its own until
# the parent lets it go (the daemon's gets nothing: it is terminated while
# it waits), so each state is certain when printed.  One pipe per child:
# two processes reading one pipe at once can split a message between them
# (CPython then fails with UnpicklingError), which this case once did.
import multiprocessing
import sys


def waits(conn, code):
    conn.recv()
    sys.exit(code)


if __name__ == '__main__':
    reader0, writer0 = multiprocessing.Pipe(duplex=False)
    reader3, writer3 = multiprocessing.Pipe(duplex=False)
    never, never_w = multiprocessing.Pipe(duplex=False)     # nothing is sent on it
    plain = multiprocessing.Process(target=waits, args=(reader0, 0))
    named = multiprocessing.Process(target=waits, args=(reader3, 3), name="it's mine")
    daemon = multiprocessing.Process(target=waits, args=(never, 0), daemon=True)
    procs = [plain, named, daemon]
    for p in procs:
        print('initial:', p)
    for p in procs:
        p.start()
    for p in procs:
        print('running:', p)
    daemon.terminate()
    writer0.send('stop')
    writer3.send('stop')
    for p in procs:
        p.join()
    for p in procs:
        print('ended:', p)

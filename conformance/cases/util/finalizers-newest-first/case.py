# case.py - case util/finalizers-newest-first, the Python twin: at exit, finalizers of one priority run newest first, seen through two that fail.
#
# Pins (CPython 3.11's util._run_finalizers, observable behaviour named as
# such: the finalizers run in order of priority, highest first, and, within
# one priority, in the reverse order of their creation; one that raises
# has its traceback printed and the others still run, and the exit status
# stays 0): two AF_UNIX Listeners, left open, each register the removal of
# their socket file at priority 0.  The program removes both files itself
# first, so at exit both removals fail with FileNotFoundError, and the
# order of the two tracebacks is the order the finalizers ran: "second"
# (the newer) before "first".  The files are named so that the order
# shows; TMPDIR is the run's own, and normalised.  Normalisation drops the
# tracebacks' stack lines (a C program has none); the header, and the last
# line with the exception's class and message, stay.
import multiprocessing.connection
import os
import tempfile

if __name__ == '__main__':
    folder = tempfile.gettempdir()
    first = multiprocessing.connection.Listener(os.path.join(folder, 'first'), family='AF_UNIX')
    second = multiprocessing.connection.Listener(os.path.join(folder, 'second'), family='AF_UNIX')
    os.unlink(first.address)
    os.unlink(second.address)
    print('both socket files removed; the Listeners are left open for the exit', flush=True)

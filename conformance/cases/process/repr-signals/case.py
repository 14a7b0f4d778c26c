# case.py - case process/repr-signals, the Python twin: the repr of a process ended by a signal names the signal.
#
# Pins (exitcode -N for a child ended by signal N is documented; the repr's
# exitcode=-NAME is CPython 3.11's BaseProcess.__repr__, observable
# behaviour named as such): a child ended by SIGHUP shows exitcode=-SIGHUP,
# by SIGUSR1 exitcode=-SIGUSR1, by kill() exitcode=-SIGKILL, and by a
# signal the signal module has no name for (SIGRTMIN+1) the bare number,
# exitcode=-35 where SIGRTMIN is 34 (glibc).  SIGABRT, SIGPOLL and SIGCHLD
# are left out on purpose: two names each (SIGIOT, SIGIO, SIGCLD), and
# which one the repr shows is the order of the signal module's dict.  Each
# child says it is ready, then blocks on its pipe until the signal; the
# repr is printed after join(), with the pids normalised.
import multiprocessing
import os
import signal


def blocks(conn):
    conn.send('ready')
    conn.recv()


if __name__ == '__main__':
    for signum in (signal.SIGHUP, signal.SIGUSR1, signal.SIGKILL, signal.SIGRTMIN + 1):
        here, there = multiprocessing.Pipe()
        p = multiprocessing.Process(target=blocks, args=(there,))
        p.start()
        here.recv()
        os.kill(p.pid, signum)
        p.join()
        print('signal', int(signum), 'exitcode', p.exitcode, 'repr', p)
        here.close()
        there.close()

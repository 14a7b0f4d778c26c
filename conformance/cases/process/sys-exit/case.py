# case.py - case process/sys-exit, the Python twin: the exitcode of a child that calls sys.exit(n), for n beyond 0..255.
#
# Pins (CPython 3.11, documented under Process.exitcode and sys.exit, and
# observable through the child's os._exit/exit status): sys.exit(1) gives
# 1, sys.exit(256) gives 0 and sys.exit(-1) gives 255 (the status is taken
# modulo 256 by the system), sys.exit(1000) gives 232; nothing is written
# to stderr for an int status.  A line the child printed just before
# sys.exit() is not lost: the child's stdout is flushed on the way out.
# Leaves out sys.exit with a str, a list, None, True or False: C's
# mp_sys_exit takes an int (its 0 and 1 are None's and True's results).
import multiprocessing
import sys


def exit_with(n):
    print('child exits with', n)
    sys.exit(n)


if __name__ == '__main__':
    for n in [1, 256, -1, 1000]:
        p = multiprocessing.Process(target=exit_with, args=(n,))
        p.start()
        p.join()
        print('sys.exit(%d): exitcode' % n, p.exitcode)

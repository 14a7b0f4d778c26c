# case.py - case process/stdin-devnull, the Python twin: a child's stdin is os.devnull, the parent's stays its own.
#
# Pins (documented, programming guidelines, "Beware of replacing sys.stdin
# with a file like object": Process._bootstrap closes the child's stdin and
# opens os.devnull in its place): a child reading a line from sys.stdin
# reads '' (end of file) under every start method, however much the
# parent's stdin holds; the parent's own stdin is untouched, so the parent,
# reading after the child has ended, gets its first line.  The case's
# folder holds the stdin the harness gives the program (two lines).  The
# parent reads nothing before the child has ended: a read would buffer the
# file, and under fork the child would then have nothing to read anyway.
import multiprocessing
import sys


def reads():
    print('child read:', repr(sys.stdin.readline()))


if __name__ == '__main__':
    p = multiprocessing.Process(target=reads)
    p.start()
    p.join()
    print('child exitcode:', p.exitcode)
    print('parent read:', repr(sys.stdin.readline()))

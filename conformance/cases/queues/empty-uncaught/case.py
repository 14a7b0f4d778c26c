# case.py - case queues/empty-uncaught, the Python twin: an uncaught queue.Empty, its traceback on the same file as stdout.
#
# Pins (CPython 3.11, observable behaviour named as such): Queue.get_nowait()
# on an empty queue raises queue.Empty (documented), whose class is
# _queue.Empty, and so an uncaught one ends the traceback with the line
# "_queue.Empty" (no message), exit status 1 (the module, _queue, is
# CPython's, not documented: the view queue-empty compares that line as
# queue.Empty, which PyPy3 prints); before writing the traceback
# the interpreter flushes stdout, so a line printed before the error comes
# before the traceback in a file both streams share.  The program makes
# stderr that file itself (os.dup2(1, 2)): the harness keeps the two
# streams apart, and only a shared file shows the order.  Normalisation
# drops the traceback's stack lines; the header and the last line stay.
import multiprocessing
import os

if __name__ == '__main__':
    os.dup2(1, 2)
    q = multiprocessing.Queue()
    print('empty:', q.empty())
    print('get_nowait() on the empty queue, uncaught:')
    q.get_nowait()

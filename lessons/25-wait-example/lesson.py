# lesson.py - Lesson 25's Python twin: wait() for messages from several processes at once.
from multiprocessing import Pipe, Process, current_process
from multiprocessing.connection import wait


def foo(w):
    for i in range(10):
        w.send((i, current_process().name))
    w.close()


if __name__ == '__main__':
    readers = []

    for i in range(4):
        r, w = Pipe(duplex=False)
        readers.append(r)
        p = Process(target=foo, args=(w,))
        p.start()
        # Close our copy of the writable end now, so that p holds the only
        # one: when p closes it, wait() reports r as ready (at EOF) at once.
        w.close()

    while readers:
        for r in wait(readers):
            try:
                msg = r.recv()
            except EOFError:
                readers.remove(r)
            else:
                print(msg)

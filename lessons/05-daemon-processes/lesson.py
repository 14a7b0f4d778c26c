# lesson.py - Lesson 05's Python twin: the main program does not wait for a daemon.
import multiprocessing
import sys
import time


def daemon(started):
    p = multiprocessing.current_process()
    print('Starting:', p.name, p.pid)
    sys.stdout.flush()
    started.put(p.name)     # tell the main program that the line is out
    # Background work with no natural end: it never finishes by itself, so
    # it never gets to print an "Exiting" line.
    while True:
        time.sleep(1)


def non_daemon():
    p = multiprocessing.current_process()
    print('Starting:', p.name, p.pid)
    sys.stdout.flush()
    print('Exiting :', p.name, p.pid)
    sys.stdout.flush()


if __name__ == '__main__':
    started = multiprocessing.Queue()
    d = multiprocessing.Process(
        name='daemon',
        target=daemon,
        args=(started,),
    )
    d.daemon = True

    n = multiprocessing.Process(
        name='non-daemon',
        target=non_daemon,
    )
    n.daemon = False

    d.start()
    started.get()           # wait until the daemon has printed its line
    n.start()

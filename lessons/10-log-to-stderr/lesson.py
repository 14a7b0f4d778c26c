# lesson.py - Lesson 10's Python twin: log_to_stderr() shows what multiprocessing does inside.
import logging
import multiprocessing
import sys


def worker():
    print('Doing some work')
    sys.stdout.flush()


if __name__ == '__main__':
    multiprocessing.log_to_stderr(logging.DEBUG)
    p = multiprocessing.Process(target=worker)
    p.start()
    p.join()

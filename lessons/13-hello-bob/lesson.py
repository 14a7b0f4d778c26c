# lesson.py - Lesson 13's Python twin: the documentation's first example, hello bob.
from multiprocessing import Process


def f(name):
    print('hello', name)


if __name__ == '__main__':
    p = Process(target=f, args=('bob',))
    p.start()
    p.join()

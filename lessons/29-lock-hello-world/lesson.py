# lesson.py - Lesson 29's Python twin: the documentation's Lock example, 'hello world', i from ten processes.
from multiprocessing import Process, Lock


def f(l, i):
    l.acquire()
    try:
        print('hello world', i)
    finally:
        l.release()


if __name__ == '__main__':
    lock = Lock()

    processes = [Process(target=f, args=(lock, num)) for num in range(10)]
    for p in processes:
        p.start()

    # Wait for the children (the documentation's example leaves that to the
    # exit, where multiprocessing unlinks the lock's named semaphore before
    # it joins the children: one still starting, under spawn or forkserver,
    # then fails to open it with FileNotFoundError).
    for p in processes:
        p.join()

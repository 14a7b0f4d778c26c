# lesson.py - Lesson 31's Python twin: explicitly pass resources to child processes (the lock in args, not a global).
from multiprocessing import Process, Lock, current_process


def f(l):
    # ... do something using "l" ...: here, print while holding it.
    with l:
        print(current_process().name, 'uses the lock it was given')


if __name__ == '__main__':
    lock = Lock()
    processes = [Process(target=f, args=(lock,)) for i in range(10)]
    for p in processes:
        p.start()
    for p in processes:
        p.join()
    # Every child let the lock go: the parent takes it at once.
    print('the parent takes the lock without waiting:', lock.acquire(block=False))
    lock.release()

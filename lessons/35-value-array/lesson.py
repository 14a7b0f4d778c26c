# lesson.py - Lesson 35's Python twin: Value and Array in shared memory, and a counter's += under get_lock().
from multiprocessing import Process, Value, Array

WORKERS, TIMES = 4, 10000


def f(n, a):
    n.value = 3.1415927
    for i in range(len(a)):
        a[i] = -a[i]


def add(counter, times, locked):
    for _ in range(times):
        if locked:
            with counter.get_lock():
                counter.value += 1
        else:
            counter.value += 1      # a read, then a write: not atomic


def count(locked):
    counter = Value('i', 0)
    ps = [Process(target=add, args=(counter, TIMES, locked)) for _ in range(WORKERS)]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    return counter.value


if __name__ == '__main__':
    num = Value('d', 0.0)
    arr = Array('i', range(10))

    p = Process(target=f, args=(num, arr))
    p.start()
    p.join()

    print(num.value)
    print(arr[:])

    expected = WORKERS * TIMES
    print('with get_lock():', count(True), 'of', expected)
    # How many updates the unlocked += loses is a race: print only what
    # always holds.
    print('without it, at most', expected, 'and maybe fewer:', count(False) <= expected)

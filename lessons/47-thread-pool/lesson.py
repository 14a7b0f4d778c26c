# lesson.py - Lesson 47's Python twin: ThreadPool and multiprocessing.dummy, with starmap and map_async.
import multiprocessing.dummy as multiprocessing   # the one line: threads, not processes
from multiprocessing.pool import ThreadPool


def mul(a, b):
    return a * b


def square(x):
    return x * x


def collect(results):
    # map_async's callback runs in the pool's result handler thread,
    # before get() returns.
    print('callback got', results)


def worker(n, q, lock):
    with lock:
        q.put((n, square(n)))


if __name__ == '__main__':
    # ThreadPool: the Pool API over four threads of this process.
    with ThreadPool(4) as pool:
        print(pool)
        print('starmap:', pool.starmap(mul, [(1, 2), (3, 4), (5, 6)]))
        result = pool.map_async(square, range(10), callback=collect)
        print('map_async:', result.get())
        print('successful:', result.successful())
    print(pool)

    # multiprocessing.dummy's Pool is a ThreadPool too.
    pool = multiprocessing.Pool(2)
    print(pool)
    result = pool.starmap_async(mul, [(i, i + 1) for i in range(5)])
    print('starmap_async:', result.get())
    pool.close()
    pool.join()

    # Process, Queue and Lock, as a program written for processes uses
    # them; here they are threads and their objects.
    q = multiprocessing.Queue()
    lock = multiprocessing.Lock()
    workers = [multiprocessing.Process(target=worker, args=(n, q, lock)) for n in range(3)]
    for w in workers:
        print('starting', w.name)
        w.start()
    for w in workers:
        w.join()
        print(w.name, 'exitcode', w.exitcode)
    # The threads put in any order: sorted.
    print('queue:', sorted(q.get() for _ in workers))

# lesson.py - Lesson 28's Python twin: joining a process before draining its queue.
from multiprocessing import Process, Queue


def f(q):
    q.put('X' * 1000000)


if __name__ == '__main__':
    queue = Queue()

    # The wrong order: join first.  The child's feeder thread cannot push a
    # megabyte into the pipe until someone reads it, and the child waits for
    # its feeder before it exits, so a plain p.join() here would never
    # return.  A timeout lets us look, then drain, then join.
    p = Process(target=f, args=(queue,))
    p.start()
    p.join(0.5)
    print('joined before draining: child still alive after the timeout:',
          p.is_alive(), 'exitcode:', p.exitcode)
    obj = queue.get()
    print('then got an item of length', len(obj))
    p.join()
    print('and joined: alive:', p.is_alive(), 'exitcode:', p.exitcode)

    # The fix: get first, then join.
    p = Process(target=f, args=(queue,))
    p.start()
    obj = queue.get()
    print('drained first: got an item of length', len(obj))
    p.join()
    print('then joined: alive:', p.is_alive(), 'exitcode:', p.exitcode)

# lesson.py - Lesson 27's Python twin: feeding tasks to worker processes through queues.
import random
import time

from multiprocessing import Process, Queue, current_process

#
# Function run by worker processes
#

def worker(input, output):
    for func, args in iter(input.get, 'STOP'):
        result = calculate(func, args)
        output.put(result)

#
# Function used to calculate result
#

def calculate(func, args):
    result = func(*args)
    return '%s says that %s%s = %s' % \
        (current_process().name, func.__name__, args, result)

#
# Functions referenced by tasks.  The documentation sleeps up to 0.5 s in
# each; up to 10 ms keeps the lesson fast and still lets the workers finish
# out of order.
#

def mul(a, b):
    time.sleep(0.01 * random.random())
    return a * b

def plus(a, b):
    time.sleep(0.01 * random.random())
    return a + b

#
#
#

def test():
    NUMBER_OF_PROCESSES = 4
    TASKS1 = [(mul, (i, 7)) for i in range(20)]
    TASKS2 = [(plus, (i, 8)) for i in range(10)]

    # Create queues
    task_queue = Queue()
    done_queue = Queue()

    # Submit tasks
    for task in TASKS1:
        task_queue.put(task)

    # Start worker processes
    workers = [Process(target=worker, args=(task_queue, done_queue))
               for i in range(NUMBER_OF_PROCESSES)]
    for p in workers:
        p.start()

    # Get and print results
    print('Unordered results:')
    for i in range(len(TASKS1)):
        print('\t', done_queue.get())

    # Add more tasks using `put()`
    for task in TASKS2:
        task_queue.put(task)

    # Get and print some more results
    for i in range(len(TASKS2)):
        print('\t', done_queue.get())

    # Tell child processes to stop
    for i in range(NUMBER_OF_PROCESSES):
        task_queue.put('STOP')

    # Wait for the workers (the documentation's example leaves that to the
    # exit, where multiprocessing unlinks the queues' semaphores before it
    # joins the children: a worker that got no task and is still starting,
    # under spawn or forkserver, then fails to open them).
    for p in workers:
        p.join()


if __name__ == '__main__':
    test()

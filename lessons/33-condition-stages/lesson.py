# lesson.py - Lesson 33's Python twin: a Condition lets two stage-2 processes go on once stage 1 is done.
import multiprocessing


def stage_1(cond):
    """perform first stage of work,
    then notify stage_2 to continue
    """
    name = multiprocessing.current_process().name
    print('Starting', name)
    with cond:
        print('{} done and ready for stage 2'.format(name))
        cond.notify_all()


def stage_2(cond, waiting):
    """wait for the condition telling us stage_1 is done"""
    name = multiprocessing.current_process().name
    print('Starting', name)
    with cond:
        waiting.release()   # (not in PyMOTW: says "I hold cond", see below)
        cond.wait()
        print('{} running'.format(name))


if __name__ == '__main__':
    condition = multiprocessing.Condition()
    waiting = multiprocessing.Semaphore(0)
    s1 = multiprocessing.Process(name='s1',
                                 target=stage_1,
                                 args=(condition,))
    s2_clients = [
        multiprocessing.Process(
            name='stage_2[{}]'.format(i),
            target=stage_2,
            args=(condition, waiting),
        )
        for i in range(1, 3)
    ]

    for c in s2_clients:
        c.start()
    # PyMOTW sleeps 1 s here, counting on both stage_2 processes to be in
    # cond.wait() by then; one that is not misses notify_all() and waits
    # for ever.  Each releases `waiting` while it holds the condition's
    # lock, which only its wait() lets go: so once both have, s1 cannot
    # take the lock to notify before both are waiting.
    for c in s2_clients:
        waiting.acquire()
    s1.start()

    s1.join()
    for c in s2_clients:
        c.join()

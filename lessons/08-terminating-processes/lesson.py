# lesson.py - Lesson 08's Python twin: terminate() a child and watch its state change.
import multiprocessing
import time


def stuck_worker():
    print('Starting worker')
    # Stands for a worker that hangs: it never finishes by itself, so
    # only terminate() ends it, whenever the parent gets to it.
    while True:
        time.sleep(1)


if __name__ == '__main__':
    p = multiprocessing.Process(target=stuck_worker)
    print('BEFORE:', p, p.is_alive())

    p.start()
    print('DURING:', p, p.is_alive())

    p.terminate()
    # terminate() only sends SIGTERM and returns: the child dies a moment
    # later.  Wait for that (up to 10 s) before looking: exitcode stays None
    # until the child has died and been reaped, which reading it does.
    deadline = time.monotonic() + 10
    while p.exitcode is None and time.monotonic() < deadline:
        time.sleep(0.01)
    print('TERMINATED:', p, p.is_alive())

    p.join()
    print('JOINED:', p, p.is_alive())

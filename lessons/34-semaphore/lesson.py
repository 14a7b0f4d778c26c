# lesson.py - Lesson 34's Python twin: a Semaphore(2) lets at most two of five processes work at once.
import multiprocessing
import time


def worker(s, i):
    s.acquire()
    print(multiprocessing.current_process().name + " acquire", flush=True)
    time.sleep(i)
    print(multiprocessing.current_process().name + " release", flush=True)
    s.release()


if __name__ == "__main__":
    s = multiprocessing.Semaphore(2)
    processes = []
    for i in range(5):
        # PyMOTW sleeps i * 2 seconds (up to 8 s); a tenth of that keeps
        # the lesson quick and the workers still overlap.
        p = multiprocessing.Process(target=worker, args=(s, i * 0.2))
        p.start()
        processes.append(p)

    # Wait for the workers (PyMOTW leaves that to the exit, where
    # multiprocessing unlinks the semaphore before it joins the children).
    for p in processes:
        p.join()

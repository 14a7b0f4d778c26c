# lesson.py - Lesson 30's Python twin: a Lock taken with `with`, and taken by acquire() and release().
import multiprocessing
import os
import tempfile


def worker_with(lock, f):
    with lock:
        fs = open(f, "a+")
        fs.write('Lock acquired via with\n')
        fs.close()


def worker_no_with(lock, f):
    lock.acquire()
    try:
        fs = open(f, "a+")
        fs.write('Lock acquired directly\n')
        fs.close()
    finally:
        lock.release()


if __name__ == "__main__":
    # PyMOTW appends to "file.txt" in the current folder; a fresh temporary
    # folder keeps two runs side by side from writing into one file.
    with tempfile.TemporaryDirectory() as tmp:
        f = os.path.join(tmp, "file.txt")
        lock = multiprocessing.Lock()
        w = multiprocessing.Process(target=worker_with, args=(lock, f))
        nw = multiprocessing.Process(target=worker_no_with, args=(lock, f))

        w.start()
        nw.start()

        w.join()
        nw.join()

        # What the two workers appended, one line each.
        with open(f) as fs:
            print(fs.read(), end='')

# lesson.py - Lesson 15's Python twin: what a child of each start method sees of its parent.
import multiprocessing
import os
import tempfile

greeting = 'set at import'


def report(fd, dev, ino):
    # Only compare: under spawn and forkserver this number may be some
    # other descriptor of the child, which must not be touched.
    try:
        st = os.fstat(fd)
        same = (st.st_dev, st.st_ino) == (dev, ino)
    except OSError:
        same = False
    print(multiprocessing.current_process().name)
    print('    __name__:', __name__)
    print('    greeting:', greeting)
    print("    has the parent's file open:", same)


if __name__ == '__main__':
    greeting = 'changed by main'
    fd, path = tempfile.mkstemp()
    st = os.fstat(fd)
    report(fd, st.st_dev, st.st_ino)
    for method in ['fork', 'spawn', 'forkserver']:
        ctx = multiprocessing.get_context(method)
        p = ctx.Process(target=report, args=(fd, st.st_dev, st.st_ino))
        print('start method', method + ':')
        p.start()
        p.join()
    os.close(fd)
    os.unlink(path)

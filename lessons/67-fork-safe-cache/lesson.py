# lesson.py - Lesson 67's Python twin: a buffered writer whose cache a fork child inherits, and the guidelines' fix, a cache keyed by os.getpid().
import multiprocessing
import os


class Buffered:
    """A file-like object of the kind the guidelines warn about: write()
    keeps lines in a cache, flush() prints them and empties it."""

    def __init__(self, name):
        self.name = name
        self._cache = []

    @property
    def cache(self):
        return self._cache

    def write(self, line):
        self.cache.append(line)

    def flush(self):
        print(multiprocessing.current_process().name, self.name, 'flushes', self.cache)
        self.cache.clear()


class ForkSafe(Buffered):
    """The same, made fork-safe as the guidelines show: the cache belongs
    to the process that filled it, and a new process starts a new one."""

    def __init__(self, name):
        super().__init__(name)
        self._pid = os.getpid()

    @property
    def cache(self):
        pid = os.getpid()
        if pid != self._pid:
            self._pid = pid
            self._cache = []
        return self._cache


# At the module's top level, like sys.stdout: a process that imports the
# module (a spawn or forkserver child) makes its own; a fork child has the
# parent's, with whatever its cache held at the fork.
naive = Buffered('naive')
safe = ForkSafe('safe')


def child():
    for out in (naive, safe):
        out.write('from the child')
        out.flush()


if __name__ == '__main__':
    for out in (naive, safe):
        out.write('from the parent')
    p = multiprocessing.Process(target=child)
    p.start()
    p.join()
    for out in (naive, safe):
        out.flush()

# lesson.py - Lesson 45's Python twin: a Pool whose workers cannot find the function they are sent; CPython's workers die of it and map waits for ever, bounded here by a timeout.
#
# The documentation's note shows this in the interactive interpreter, where
# f is defined after Pool(5) has started its workers, so they do not have
# it.  A program does the same by defining f after Pool(5), inside the
# main guard: a fork worker is a copy made before f existed, and a spawn or
# forkserver worker runs the module without the main guard's block.
# The C program differs here on purpose (README.md).
from multiprocessing import Pool, TimeoutError

if __name__ == '__main__':
    p = Pool(5)

    def f(x):
        return x*x

    with p:
        # p.map(f, [1, 2, 3]) would wait for ever: each worker that takes
        # one of the three tasks dies of the AttributeError, and its task
        # with it.  map_async(...).get(timeout=5) is the same map, bounded.
        try:
            print('map(f, [1, 2, 3]) ->', p.map_async(f, [1, 2, 3]).get(timeout=5))
        except TimeoutError:
            print('map(f, [1, 2, 3]) -> no result after 5 s (CPython waits for ever: the workers died of it)')

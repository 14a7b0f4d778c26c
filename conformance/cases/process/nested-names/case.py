# case.py - case process/nested-names, the Python twin: default names of nested processes, in depth-first order.
#
# Pins (CPython 3.11, documented under Process.name: "Multiple processes
# may be given the same name ... if not, a name of the form
# 'Process-N1:N2:...:Nk' is constructed, where each Nk is the N-th child of
# its parent"): the main process starts two children, each starting two of
# its own, one at a time and each joined before the next is started, so
# they run depth first: Process-1, Process-1:1, Process-1:2, Process-2,
# Process-2:1, Process-2:2.  Each prints its name and its parent's name
# (parent_process()), and the numbering of each process's children starts
# at 1 whatever its parent had counted; the main process's next default
# name is Process-3.  Lines are printed in that order
# because start() flushes stdout, and a child's output is flushed before
# its parent's join() returns.
import multiprocessing


def node(depth):
    me = multiprocessing.current_process()
    print(me.name, 'parent', multiprocessing.parent_process().name)
    if depth < 2:
        for _ in range(2):
            p = multiprocessing.Process(target=node, args=(depth + 1,))
            p.start()
            p.join()


if __name__ == '__main__':
    print(multiprocessing.current_process().name)
    for _ in range(2):
        p = multiprocessing.Process(target=node, args=(1,))
        p.start()
        p.join()
    print('the next name in main:', multiprocessing.Process().name)

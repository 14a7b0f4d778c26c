# case.py - case context/process-classes, the Python twin: each context's Process class names and shows its processes.
#
# Pins (CPython 3.11, documented under "Contexts and start methods" and
# Process.name: the default name is the class's name and the process's
# number): get_context(m).Process makes a ForkProcess, SpawnProcess or
# ForkServerProcess, whose default name is that class name and a number
# counted across all contexts (ForkProcess-1, SpawnProcess-2,
# ForkServerProcess-3, then Process-4 from the module-level Process), and
# whose repr starts with that class name before start, inside the child
# (as current_process()) and after join().  Leaves out the class that
# get_context() with no method gives: it follows the default method, which
# the harness chooses.
import multiprocessing


def show_self():
    print('  in the child:', multiprocessing.current_process())


if __name__ == '__main__':
    procs = [multiprocessing.get_context(m).Process(target=show_self)
             for m in ['fork', 'spawn', 'forkserver']]
    procs.append(multiprocessing.Process(target=show_self))
    for p in procs:
        print(p.name + ':', p)
        p.start()
        p.join()
        print('  after join:', p)

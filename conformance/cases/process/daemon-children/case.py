# case.py - case process/daemon-children, the Python twin: daemon=None inherits the creating process's flag, and a daemonic process cannot start children.
#
# Pins (CPython 3.11, documented under Process.daemon: "The initial value
# is inherited from the creating process" and "a daemonic process is not
# allowed to create child processes"): in the main process Process().daemon
# is False; in a daemonic child, current_process().daemon is True,
# Process().daemon is True (inherited) and Process(daemon=False).daemon is
# False, and start() of either is AssertionError('daemonic processes are
# not allowed to have children'), which leaves the child's exitcode 0; in a
# non-daemonic child Process().daemon is False, and it can start a
# daemonic grandchild.
import multiprocessing


def nothing():
    pass


def in_daemon():
    print('daemonic child: daemon', multiprocessing.current_process().daemon)
    inherited = multiprocessing.Process(target=nothing)
    explicit = multiprocessing.Process(target=nothing, daemon=False)
    print('daemonic child: Process().daemon', inherited.daemon)
    print('daemonic child: Process(daemon=False).daemon', explicit.daemon)
    for label, p in [('Process()', inherited), ('Process(daemon=False)', explicit)]:
        try:
            p.start()
            print('daemonic child:', label, 'started')
        except AssertionError as e:
            print('daemonic child:', label + '.start():', type(e).__name__ + ':', e)


def in_plain():
    print('non-daemonic child: daemon', multiprocessing.current_process().daemon)
    print('non-daemonic child: Process().daemon', multiprocessing.Process(target=nothing).daemon)
    g = multiprocessing.Process(target=nothing, daemon=True)
    g.start()
    g.join()
    print('non-daemonic child: daemonic grandchild exitcode', g.exitcode)


if __name__ == '__main__':
    print('main: Process().daemon', multiprocessing.Process(target=nothing).daemon)
    for target, daemon in [(in_daemon, True), (in_plain, None)]:
        p = multiprocessing.Process(target=target, daemon=daemon)
        p.start()
        p.join()
        print('main:', target.__name__, 'exitcode', p.exitcode)

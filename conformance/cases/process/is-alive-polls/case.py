# case.py - case process/is-alive-polls, the Python twin: is_alive() alone notices that a child has ended.
#
# Pins (documented, Process.is_alive(): whether the process is alive; a
# process that has ended is not): once a child has exited, is_alive()
# says False by itself, with no join() and no read of exitcode before it
# (is_alive() polls the child, it does not trust what an earlier call saw).
# The child's sentinel is ready a moment before the child can be reaped
# (its pipe closes while it is still exiting), so the case then polls
# is_alive() alone for up to 10 s and prints what it settled on; only
# after that does it read exitcode (set by is_alive()'s poll) and join.
import multiprocessing
import multiprocessing.connection
import time


def returns():
    pass


if __name__ == '__main__':
    p = multiprocessing.Process(target=returns)
    p.start()
    multiprocessing.connection.wait([p.sentinel])
    deadline = time.monotonic() + 10
    alive = p.is_alive()
    while alive and time.monotonic() < deadline:
        time.sleep(0.01)
        alive = p.is_alive()
    print('alive once the sentinel is ready (polled, no join):', alive)
    print('exitcode, set by that poll:', p.exitcode)
    p.join()
    print('alive after join:', p.is_alive())

# case.py - case process/misuse, the Python twin: the errors of calls made on a process in the wrong state.
#
# Pins (CPython 3.11; the words are those of the asserts in process.py,
# observable behaviour named as such): before start(), join() is
# AssertionError('can only join a started process'), and terminate() and
# kill() are AttributeError, as they reach the Popen object that start()
# makes ("'NoneType' object has no attribute 'terminate'"); setting name to
# something not a str is AssertionError('name must be a string'); a second
# start() is AssertionError('cannot start a process twice'); setting daemon
# once started is AssertionError('process has already started'); and none
# of these refusals disturbs the child, which still runs and ends with
# exitcode 0.  terminate() of a child that has been joined does nothing.
# Leaves out the errors C cannot provoke (a process started by another
# process, a name of another type than None).
import multiprocessing


def waits(conn):
    conn.recv()


def attempt(label, call):
    try:
        print(label, 'returned', call())
    except (AssertionError, AttributeError) as e:
        print(label + ':', type(e).__name__ + ':', e)


def set_name(p, name):
    p.name = name


def set_daemon(p, daemon):
    p.daemon = daemon


if __name__ == '__main__':
    reader, writer = multiprocessing.Pipe(duplex=False)
    p = multiprocessing.Process(target=waits, args=(reader,))
    attempt('join() before start', p.join)
    attempt('terminate() before start', p.terminate)
    attempt('kill() before start', p.kill)
    attempt('name = None', lambda: set_name(p, None))
    print('name after the refused set:', p.name)
    p.start()
    attempt('start() again', p.start)
    attempt('daemon = True once started', lambda: set_daemon(p, True))
    print('daemon after the refused set:', p.daemon, 'alive:', p.is_alive())
    writer.send('stop')
    p.join()
    print('exitcode:', p.exitcode)
    attempt('terminate() after join', p.terminate)
    print('exitcode after terminate():', p.exitcode)

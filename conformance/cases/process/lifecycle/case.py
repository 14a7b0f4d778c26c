# case.py - case process/lifecycle, the Python twin: exitcode, is_alive(), active_children() and the sentinel before start, while running and after join().
#
# Pins (CPython 3.11, documented under Process): before start() the
# exitcode is None, is_alive() is False, the process is not in
# active_children() and reading sentinel is ValueError('process not
# started'); while the child runs, exitcode is None, is_alive() is True,
# the process is in active_children() and its sentinel (an int) is not
# ready; after join(), exitcode is 0, is_alive() is False and the process
# has left active_children().  The child blocks on a pipe until the parent
# has looked, so "while running" is certain.  Leaves out the sentinel's
# value (a descriptor number), and whether it is still ready after join():
# under forkserver CPython's join() reads the exit status off the sentinel
# (a socket), which is then ready again only once the fork server has
# closed its end, a race seen in 1 run in 3.
import multiprocessing
import multiprocessing.connection


def waits(conn):
    conn.recv()


def show(when, p):
    print(when + ': exitcode', p.exitcode, 'alive', p.is_alive(),
          'in active_children', p in multiprocessing.active_children())


if __name__ == '__main__':
    reader, writer = multiprocessing.Pipe(duplex=False)
    p = multiprocessing.Process(target=waits, args=(reader,))
    show('before start', p)
    try:
        p.sentinel
    except ValueError as e:
        print('sentinel before start:', type(e).__name__ + ':', e)
    p.start()
    show('running', p)
    print('sentinel is an int:', isinstance(p.sentinel, int))
    print('sentinel ready while running:',
          multiprocessing.connection.wait([p.sentinel], timeout=0) != [])
    writer.send('stop')
    p.join()
    show('after join', p)

# case.py - case process/close, the Python twin: close() refuses a live process, and a closed process refuses most calls.
#
# Pins (CPython 3.11, documented under Process.close: "Raises ValueError if
# the underlying process is still running.  Once close() returns
# successfully, most other methods and attributes of the Process object
# will raise ValueError"): close() on a running child is ValueError with
# CPython's words; after join(), close() returns None, and a second close()
# does too; then is_alive(), join(), terminate(), kill(), start(), exitcode,
# pid, ident and sentinel are each ValueError('process object is closed'),
# while name and daemon stay readable and the repr says closed.  A process
# closed before it was started cannot be started either.  The child blocks
# on a pipe until the parent lets it go, so the first close() meets a live
# child.
import multiprocessing


def waits(conn):
    conn.recv()


def attempt(label, call):
    try:
        print(label, 'returned', call())
    except ValueError as e:
        print(label + ':', type(e).__name__ + ':', e)


if __name__ == '__main__':
    reader, writer = multiprocessing.Pipe(duplex=False)
    p = multiprocessing.Process(target=waits, args=(reader,))
    p.start()
    attempt('close() while running', p.close)
    print('alive after the refused close():', p.is_alive())
    writer.send('stop')
    p.join()
    attempt('close() after join', p.close)
    attempt('close() again', p.close)
    attempt('is_alive()', p.is_alive)
    attempt('join()', p.join)
    attempt('terminate()', p.terminate)
    attempt('kill()', p.kill)
    attempt('start()', p.start)
    attempt('exitcode', lambda: p.exitcode)
    attempt('pid', lambda: p.pid)
    attempt('ident', lambda: p.ident)
    attempt('sentinel', lambda: p.sentinel)
    print('name', p.name, 'daemon', p.daemon)
    print(p)

    q = multiprocessing.Process(target=waits, args=(reader,))
    attempt('close() before start', q.close)
    attempt('start() after close', q.start)
    print(q)

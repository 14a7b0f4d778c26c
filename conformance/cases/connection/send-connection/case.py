# case.py - case connection/send-connection, the Python twin: a Connection sent through another Connection, and put on a Queue, is used by the process that receives it.
#
# Pins (documented in the multiprocessing docs, Connection objects:
# "connection objects themselves can now be transferred between processes
# using Connection.send() and Connection.recv()", since 3.3; CPython passes
# the descriptor, reduction.DupFd and resource_sharer):
#  - an end made after the child started (so not inherited) and sent to it
#    on another connection arrives as a Connection, readable and writable
#    as sent, and works both ways in the child, though the sender closed
#    its own copy right after sending;
#  - a one-way Pipe's writer put on a Queue works in the child that gets
#    it (the sender keeps its copy open until it has read: a Queue pickles
#    in its feeder thread, later than put() returns);
#  - a closed connection cannot be sent: OSError "handle is closed";
#  - a connection received once its sender has ended cannot be had: the
#    recv is FileNotFoundError (the sender's socket file went at its exit;
#    the exception's type is pinned, not its words).
# Left out: taking one pickle twice (CPython's sharer thread prints a
# KeyError traceback; the receiver gets EOFError), and a sender killed
# (ConnectionRefusedError: its socket file stays).
import multiprocessing


def use_sent_end(carrier):
    conn = carrier.recv()
    conn.send(('the child got a', type(conn).__name__, conn.readable, conn.writable))
    conn.send(('the child read', conn.recv()))
    conn.close()


def send_and_end(carrier):
    a, b = multiprocessing.Pipe()
    carrier.send(b)


def use_queued_end(q):
    w = q.get()
    w.send(('through the queue, the child got a', type(w).__name__, w.readable, w.writable))
    w.close()


if __name__ == '__main__':
    carrier_r, carrier_w = multiprocessing.Pipe(duplex=False)
    p = multiprocessing.Process(target=use_sent_end, args=(carrier_r,))
    p.start()
    a, b = multiprocessing.Pipe()
    carrier_w.send(b)
    b.close()
    print(a.recv())
    a.send('ping')
    print(a.recv())
    p.join()
    print('exitcode', p.exitcode)

    q = multiprocessing.Queue()
    p = multiprocessing.Process(target=use_queued_end, args=(q,))
    p.start()
    r, w = multiprocessing.Pipe(duplex=False)
    q.put(w)
    print(r.recv())
    w.close()
    p.join()
    print('exitcode', p.exitcode)

    a.close()
    try:
        carrier_w.send(a)
        print('sending a closed connection did not fail')
    except OSError as e:
        print('sending a closed connection ->', type(e).__name__ + ':', e)

    p = multiprocessing.Process(target=send_and_end, args=(carrier_w,))
    p.start()
    p.join()
    try:
        carrier_r.recv()
        print('a connection whose sender has ended came')
    except OSError as e:
        print('a connection whose sender has ended ->', type(e).__name__)

# case.py - case connection/wait-timeouts, the Python twin: wait() with nothing ready, for each kind of timeout.
#
# Pins (documented under multiprocessing.connection.wait: "If timeout is
# None then it will block for an unlimited period.  A negative timeout is
# equivalent to a zero timeout"; it returns the list of ready objects):
# with two idle connections, wait(l, 0.2) returns [] after waiting at
# least 0.15 s (a bound, never the time); wait(l, 0) and wait(l, -1)
# return [] without waiting for ever; an empty list with a timeout
# returns [].  Then one connection gets a message, and wait(l, 0),
# wait(l, -1) and wait(l, None) return exactly that one.
import multiprocessing
import multiprocessing.connection
import time


if __name__ == '__main__':
    a, a_peer = multiprocessing.Pipe()
    b, b_peer = multiprocessing.Pipe()
    names = {id(a): 'a', id(b): 'b'}
    t0 = time.monotonic()
    ready = multiprocessing.connection.wait([a, b], 0.2)
    print('wait([a, b], 0.2):', ready, 'waited at least 0.15 s:', time.monotonic() - t0 >= 0.15)
    print('wait([a, b], 0):', multiprocessing.connection.wait([a, b], 0))
    print('wait([a, b], -1):', multiprocessing.connection.wait([a, b], -1))
    print('wait([], 0.05):', multiprocessing.connection.wait([], 0.05))
    b_peer.send('now')
    for timeout in (0, -1, None):
        ready = multiprocessing.connection.wait([a, b], timeout)
        print('wait([a, b], %s) with b ready:' % timeout, [names[id(c)] for c in ready])
    print('b.recv():', b.recv())
    for c in (a, a_peer, b, b_peer):
        c.close()

# case.py - case connection/wait-mixed, the Python twin: wait() on connections and a process sentinel returns exactly the ready ones, in the order given.
#
# Pins (documented under multiprocessing.connection.wait: the list may
# hold Connection objects and sentinels, "an object is ready ... if there
# is data available to be read from it, or the other end has been
# closed"; "returns the list of those objects in object_list which are
# ready"): a connection with a message is ready, an idle one is not; a
# running child's sentinel is not (the child is waiting for our message,
# so it is certainly alive), an ended child's is (waited for alone
# first); a connection whose peer closed is ready.  The child is joined
# only at the end: under forkserver CPython's join reads the exit status
# from the sentinel, after which it may no longer be ready.  The order of the result is the
# order of the list given, which CPython's wait keeps on Linux (its
# selector reports descriptors in registration order): observable, not
# documented, pinned because programs print what wait() returns.
import multiprocessing
import multiprocessing.connection


def waits_for_go(conn):
    conn.recv()


if __name__ == '__main__':
    r1, w1 = multiprocessing.Pipe(duplex=False)
    r2, w2 = multiprocessing.Pipe(duplex=False)
    ctl, ctl_child = multiprocessing.Pipe()
    p = multiprocessing.Process(target=waits_for_go, args=(ctl_child,))
    p.start()
    ctl_child.close()
    sentinel = p.sentinel

    def name(obj):
        if obj is r1:
            return 'r1'
        if obj is r2:
            return 'r2'
        if obj == sentinel:
            return 'sentinel'
        return 'something else'

    def show(label, objects, timeout=None):
        ready = multiprocessing.connection.wait(objects, timeout)
        print(label, '->', [name(o) for o in ready])

    show('nothing ready yet, wait([r1, sentinel, r2], 0)', [r1, sentinel, r2], 0)
    w1.send('x')
    show('r1 has a message: wait([r2, sentinel, r1])', [r2, sentinel, r1])
    ctl.send('go')
    show("the child's end, wait([sentinel])", [sentinel])
    show('child ended: wait([r2, sentinel, r1])', [r2, sentinel, r1])
    w2.close()
    show('r2 at EOF: wait([r1, sentinel, r2])', [r1, sentinel, r2])
    show('wait([r2, r1, sentinel])', [r2, r1, sentinel])
    show('wait([sentinel, r2])', [sentinel, r2])
    print('r1.recv():', r1.recv())
    show('r1 taken: wait([r1, r2], 0)', [r1, r2], 0)
    p.join()
    for c in (r1, w1, r2, ctl):
        c.close()

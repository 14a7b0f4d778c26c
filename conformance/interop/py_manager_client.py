"""py_manager_client.py - the CPython side as a manager's client: one fixed script over dict, list, Namespace, Value, Event, a served queue and a registered Maths.

Usage: python3 py_manager_client.py --inet HOST PORT --key KEY [--shutdown]
c_manager_client.c prints the same lines, so manager.bats holds one
transcript for either client against either server.
"""
import gc
import multiprocessing
import sys
from multiprocessing.managers import SyncManager, dispatch

import peer_common


class InteropManager(SyncManager):
    pass


InteropManager.register('Maths')
InteropManager.register('get_queue')


def main():
    o = peer_common.parse(sys.argv[1:] and [a for a in sys.argv[1:] if a != '--shutdown'])
    multiprocessing.current_process().authkey = o['key']
    m = InteropManager(address=o['address'], authkey=o['key'])
    m.connect()
    print('connected')
    d = m.dict()
    d[1] = '1'
    d['2'] = 2
    d[0.25] = None
    print('dict:', d, len(d), d.get('2'), d.get('missing', 'default'))
    print('dict iterated:', [k for k in d])
    try:
        d['missing']
    except KeyError as e:
        print('dict KeyError:', e)
    lst = m.list([0, 1, 4, 9, 16, 25])
    lst.reverse()
    lst.append(b'\x00bytes')
    print('list:', lst, lst[1], lst[1:3], len(lst))
    try:
        lst[10]
    except IndexError as e:
        print('list IndexError:', e)
    ns = m.Namespace(x=10, y='hello')
    ns.z = (1, 2.5)
    print('Namespace:', ns, ns.x, ns.z)
    v = m.Value('i', 5)
    v.value = v.value + 1
    print('Value:', v.value)
    ev = m.Event()
    print('Event:', ev.is_set(), ev.wait(0.01))
    ev.set()
    print('Event after set:', ev.is_set(), ev.wait(1))
    q = m.get_queue()
    q.put('through the served queue')
    print('queue:', q.get(), q.qsize())
    maths = m.Maths()
    print('Maths:', maths.add(4, 3), maths.mul(7, 8))
    outer = m.list()
    inner = m.dict()
    outer.append(inner)
    inner['k'] = 'v'
    print('nested:', outer[0], outer[0]['k'])
    before = m._number_of_objects()
    del d, lst, ns, v, ev, q, maths, outer, inner
    # Two proxies are in a reference cycle by now (through the frames the
    # caught exceptions' tracebacks hold), which CPython frees only when its
    # cycle collector runs: run it, so that the count says what was released.
    gc.collect()
    print('objects:', before, '->', m._number_of_objects())
    if '--shutdown' in sys.argv:
        conn = m._Client(m.address, authkey=o['key'])
        dispatch(conn, None, 'shutdown')
        conn.close()
        print('asked the server to shut down')


if __name__ == '__main__':
    main()

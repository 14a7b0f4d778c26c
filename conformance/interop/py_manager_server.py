"""py_manager_server.py - the CPython side as a manager's server: SyncManager's types and a registered Maths, served until a client asks for shutdown.

Usage: python3 py_manager_server.py --inet HOST PORT --key KEY [--addr-out FIFO]
Prints its address, serves (get_server().serve_forever(), the docs' remote
manager), and ends with status 0 when a client sends 'shutdown'.
"""
import multiprocessing
import queue
import sys
from multiprocessing.managers import SyncManager

import peer_common


class MathsClass:
    def add(self, x, y):
        return x + y

    def mul(self, x, y):
        return x * y


shared_queue = queue.Queue()


def get_queue():
    return shared_queue


class InteropManager(SyncManager):
    pass


InteropManager.register('Maths', MathsClass)
InteropManager.register('get_queue', callable=get_queue)


def main():
    o = peer_common.parse(sys.argv[1:])
    # Proxies returned inside results authenticate with the process's key
    # (CPython's RebuildProxy gives them no other): the client sets its
    # own to the same, as both sides must.
    multiprocessing.current_process().authkey = o['key']
    m = InteropManager(address=o['address'], authkey=o['key'])
    server = m.get_server()
    print('address:', repr(server.address), flush=True)
    if o['addr_out']:
        peer_common.write_address(o['addr_out'], server.address)
    try:
        server.serve_forever()
    except SystemExit:
        pass
    print('server stopped')


if __name__ == '__main__':
    main()

"""py_listener.py - the CPython side as Listener: accept one client, run the fixed conversation (peer_common.py).

Usage: python3 py_listener.py ADDRESS-OPTIONS [--key KEY] [--addr-out FIFO] [--child]
Prints its address, the peer it accepted and what it received; an exception
(AuthenticationError for a wrong key) ends it with a traceback and status 1.
"""
import sys
from multiprocessing import Process
from multiprocessing.connection import Listener

import peer_common


def serve(conn):
    peer_common.listener_side(conn)


def main():
    o = peer_common.parse(sys.argv[1:])
    listener = Listener(o['address'], o['family'], authkey=o['key'])
    print('address:', repr(listener.address))
    if o['addr_out']:
        peer_common.write_address(o['addr_out'], listener.address)
    conn = listener.accept()
    print('accepted; last_accepted:', peer_common.masked(listener.last_accepted))
    if o['child']:
        p = Process(target=serve, args=(conn,))
        p.start()
        conn.close()
        p.join()
        print('child exitcode', p.exitcode)
    else:
        serve(conn)
    listener.close()
    print('listener closed')


if __name__ == '__main__':
    main()

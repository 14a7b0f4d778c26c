"""py_client.py - the CPython side as Client: connect, run the fixed conversation (peer_common.py).

Usage: python3 py_client.py ADDRESS-OPTIONS [--key KEY]
Prints what it received; an exception (AuthenticationError for a wrong key)
ends it with a traceback and status 1.
"""
import sys
from multiprocessing.connection import Client

import peer_common


def main():
    o = peer_common.parse(sys.argv[1:])
    conn = Client(o['address'], authkey=o['key'])
    print('connected')
    peer_common.client_side(conn)


if __name__ == '__main__':
    main()

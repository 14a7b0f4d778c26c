# case.py - case connection/last-accepted, the Python twin: Listener.last_accepted is the address of the latest connection accepted.
#
# Pins (documented: Listener.last_accepted, "the address from which the
# last accepted connection came"; None before any): over AF_INET on
# 127.0.0.1, two Clients connect (no authkey, so no handshake waits on the
# accept), and after each accept() last_accepted is that client's own
# address (the host and port its socket is bound to), a tuple; after the
# second accept it is no longer the first client's.  Ports are chosen by
# the system, so they are compared, never printed.
import multiprocessing.connection
import socket


def own_address(conn):
    # The (host, port) the client's socket is bound to, read through a copy
    # of its descriptor.
    s = socket.fromfd(conn.fileno(), socket.AF_INET, socket.SOCK_STREAM)
    try:
        return s.getsockname()
    finally:
        s.close()


if __name__ == '__main__':
    listener = multiprocessing.connection.Listener(('127.0.0.1', 0))
    print('before any accept:', listener.last_accepted)
    first = multiprocessing.connection.Client(listener.address)
    second = multiprocessing.connection.Client(listener.address)
    accepted = []
    for label, client in (('first', first), ('second', second)):
        accepted.append(listener.accept())
        last = listener.last_accepted
        print('after accepting the', label, 'client: a', type(last).__name__, 'on', last[0] + ',',
              'the client\'s own address:', last == own_address(client))
    print('the first client\'s no more:', listener.last_accepted != own_address(first))
    for conn in accepted + [first, second]:
        conn.close()
    listener.close()

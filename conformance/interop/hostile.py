"""hostile.py - a peer that breaks the handshake on purpose, over a raw socket, to see the other side fail with a named error.

Usage: python3 hostile.py MODE ADDRESS-OPTIONS [--addr-out FIFO]
  huge-answer     connect; read the challenge; answer with a header that
                  announces 2 GiB (the listener must refuse it, not wait)
  pickle-first    connect and send a pickled message at once, skipping the
                  handshake (the listener must refuse it, never deliver it)
  half-message    connect (to a listener without a key) and send the
                  header of a 100-byte message and 10 bytes of it, then
                  close (the listener must say OSError, not EOFError)
  huge-challenge  listen; send a client a header announcing 2 GiB
  short-welcome   listen; send a client a 3.11 challenge, read its answer,
                  and reply b'#WEL' (a prefix of #WELCOME#) instead of the
                  welcome (the client must refuse it, not go on)
  empty-welcome   the same, replying with an empty message
Then it reads until the other side hangs up and prints what it got, one
line per frame.  The huge headers come alone: bytes the other side never
reads would make its close a reset (ECONNRESET here) instead of an EOF.  No multiprocessing code runs here on purpose: the bytes
are written by hand.
"""
import os
import pickle
import socket
import struct
import sys

import peer_common


def read_exact(s, n):
    data = b''
    while len(data) < n:
        more = s.recv(n - len(data))
        if not more:
            return None
        data += more
    return data


def show_frames(s):
    # The frames the other side sent until it closed, as "hostile: got ...".
    while True:
        head = read_exact(s, 4)
        if head is None:
            break
        body = read_exact(s, struct.unpack('!i', head)[0])
        if body is None:
            break
        if body.startswith(b'#CHALLENGE#'):
            print('hostile: got a challenge of %d bytes' % len(body))
        else:
            print('hostile: got', repr(body))
    print('hostile: the other side hung up')


def family_of(address):
    return socket.AF_INET if isinstance(address, tuple) else socket.AF_UNIX


def main():
    mode = sys.argv[1]
    o = peer_common.parse(sys.argv[2:])
    address = o['address']
    s = socket.socket(family_of(address))
    if mode == 'huge-challenge':
        s.bind(address)
        s.listen(1)
        if o['addr_out']:
            peer_common.write_address(o['addr_out'], s.getsockname())
        conn, _ = s.accept()
        conn.sendall(struct.pack('!i', 0x7fffffff))
        print('hostile: sent a 2 GiB length')
        show_frames(conn)
        conn.close()
    elif mode in ('short-welcome', 'empty-welcome'):
        s.bind(address)
        s.listen(1)
        if o['addr_out']:
            peer_common.write_address(o['addr_out'], s.getsockname())
        conn, _ = s.accept()
        challenge = b'#CHALLENGE#' + os.urandom(20)
        conn.sendall(struct.pack('!i', len(challenge)) + challenge)
        head = read_exact(conn, 4)
        answer = read_exact(conn, struct.unpack('!i', head)[0])
        print('hostile: got an answer of %d bytes' % len(answer))
        reply = b'#WEL' if mode == 'short-welcome' else b''
        conn.sendall(struct.pack('!i', len(reply)) + reply)
        print('hostile: replied', repr(reply))
        show_frames(conn)
        conn.close()
    elif mode == 'huge-answer':
        s.connect(address)
        head = read_exact(s, 4)
        body = read_exact(s, struct.unpack('!i', head)[0])
        print('hostile: got a challenge of %d bytes' % len(body))
        s.sendall(struct.pack('!i', 0x7fffffff))
        print('hostile: sent a 2 GiB length')
        show_frames(s)
    elif mode == 'half-message':
        s.connect(address)
        s.sendall(struct.pack('!i', 100) + b'0123456789')
        print('hostile: sent 10 bytes of a 100-byte message, then closed')
    elif mode == 'pickle-first':
        s.connect(address)
        data = pickle.dumps([42, None, 'hello'])
        s.sendall(struct.pack('!i', len(data)) + data)
        print('hostile: sent a pickle instead of an answer')
        show_frames(s)
    else:
        sys.exit('unknown mode %r' % mode)
    s.close()


if __name__ == '__main__':
    main()

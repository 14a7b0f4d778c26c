"""py312_peer.py - a peer that authenticates as CPython 3.12 does ({sha256} challenges), written by hand over 3.11's connections.

Only CPython 3.11 is installed, so this script carries the 3.12 handshake
itself (deliver_challenge / answer_challenge / _create_response /
_verify_challenge as 3.12 describes them), run over a 3.11 Listener or
Client opened without an authkey, in the order 3.12 runs them.  After the
handshake it holds the same conversation as py_listener.py / py_client.py.

Usage: python3 py312_peer.py --role listen|connect ADDRESS-OPTIONS --key KEY
           [--deliver-digest NAME] [--answer-digest NAME] [--addr-out FIFO]
  --deliver-digest  the digest its challenge names (3.12's digest_name,
                    default sha256)
  --answer-digest   answer every challenge with this digest and its
                    prefix, as 3.12 does when MD5 is unavailable
It prints one line about what the other side sent in the handshake, so the
test sees which form a C peer used.
"""
import hmac
import os
import sys
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client, Listener

import peer_common

CHALLENGE = b'#CHALLENGE#'
WELCOME = b'#WELCOME#'
FAILURE = b'#FAILURE#'
ALLOWED = {b'md5', b'sha256', b'sha384', b'sha3_256', b'sha3_384'}
LONGEST = max(len(d) for d in ALLOWED)


def split_digest(msg):
    """(digest name, payload); the name is '' for 3.11's lengths (a
    20-byte challenge, a 16-byte MD5 answer), which carry no prefix."""
    if len(msg) in (20, 16):
        return '', msg
    if msg.startswith(b'{'):
        end = msg.find(b'}', 1, LONGEST + 2)
        if end > 0 and msg[1:end] in ALLOWED:
            return msg[1:end].decode('ascii'), msg[end + 1:]
    raise AuthenticationError('unsupported message length, missing digest '
                              'prefix, or unsupported digest: message=%r' % (msg,))


def deliver(conn, key, digest):
    message = b'{%s}' % digest.encode('ascii') + os.urandom(40)
    conn.send_bytes(CHALLENGE + message)
    answer = conn.recv_bytes(256)
    try:
        name, mac = split_digest(answer)
        if name:
            print('peer: answer was {%s} with a %d-byte mac' % (name, len(mac)))
        else:
            print('peer: answer was a bare %d-byte mac' % len(mac))
        name = name or 'md5'
        # The MAC covers the whole message, prefix included: no downgrade.
        expected = hmac.new(key, message, name).digest()
        if len(expected) != len(mac):
            raise AuthenticationError('expected %r of length %d got %d'
                                      % (name, len(expected), len(mac)))
        if not hmac.compare_digest(expected, mac):
            raise AuthenticationError('digest received was wrong')
    except AuthenticationError:
        conn.send_bytes(FAILURE)
        raise
    conn.send_bytes(WELCOME)


def answer(conn, key, force):
    message = conn.recv_bytes(256)
    if not message.startswith(CHALLENGE):
        raise AuthenticationError('Protocol error, expected challenge: message=%r' % (message,))
    message = message[len(CHALLENGE):]
    if len(message) < 20:
        raise AuthenticationError('challenge too short: %d bytes' % len(message))
    name, payload = split_digest(message)
    if name:
        print('peer: challenge was {%s} with %d random bytes' % (name, len(payload)))
    else:
        print('peer: challenge was a bare %d bytes' % len(message))
    name = force or name
    if name:
        reply = b'{%s}' % name.encode('ascii') + hmac.new(key, message, name).digest()
    else:
        reply = hmac.new(key, message, 'md5').digest()
    conn.send_bytes(reply)
    if conn.recv_bytes(256) != WELCOME:
        raise AuthenticationError('digest sent was rejected')


def main():
    argv = sys.argv[1:]
    role, deliver_digest, force = None, 'sha256', None
    rest = []
    i = 0
    while i < len(argv):
        if argv[i] == '--role':
            role = argv[i + 1]
        elif argv[i] == '--deliver-digest':
            deliver_digest = argv[i + 1]
        elif argv[i] == '--answer-digest':
            force = argv[i + 1]
        else:
            rest.append(argv[i])
            i += 1
            continue
        i += 2
    o = peer_common.parse(rest)
    if role == 'listen':
        listener = Listener(o['address'], o['family'])
        print('address:', repr(listener.address))
        if o['addr_out']:
            peer_common.write_address(o['addr_out'], listener.address)
        conn = listener.accept()
        deliver(conn, o['key'], deliver_digest)     # Listener.accept's order
        answer(conn, o['key'], force)
        print('accepted; last_accepted:', peer_common.masked(listener.last_accepted))
        peer_common.listener_side(conn)
        listener.close()
        print('listener closed')
    elif role == 'connect':
        conn = Client(o['address'])
        answer(conn, o['key'], force)               # Client's order
        deliver(conn, o['key'], deliver_digest)
        print('connected')
        peer_common.client_side(conn)
    else:
        sys.exit('--role listen or --role connect')


if __name__ == '__main__':
    main()

# case.py - case connection/listener-auth, the Python twin: which keys a Listener and a Client accept, over AF_INET and AF_UNIX.
#
# Pins (documented under Listener and Client: "If authkey is given and
# not None, it should be a byte string and will be used as the secret key
# for an HMAC-based authentication challenge ... AuthenticationError is
# raised if authentication fails"): the same key on both sides connects
# and messages flow both ways; a wrong key is AuthenticationError on both
# sides, "digest sent was rejected" for the client and "digest received
# was wrong" for the listener, each printed with type(e).__name__ (its
# module path is an implementation detail); a Listener whose authkey is
# b'' does not authenticate (CPython's accept tests the key's truth), so a
# Client without a key connects; no key on either side connects.
# Leaves out: Client(authkey=b'') against such a Listener, which in
# CPython waits for ever for a challenge that never comes.
# The client is a child that prints its own line; the parent joins it
# before printing the listener's, so the order is fixed.
import multiprocessing
from multiprocessing.connection import Client, Listener


def client(address, authkey):
    try:
        conn = Client(address, authkey=authkey)
    except multiprocessing.AuthenticationError as e:
        print('  client:', type(e).__name__ + ':', e, flush=True)
        return
    conn.send('hello from the client')
    print('  client got:', conn.recv(), flush=True)
    conn.close()


def serve(label, listener_opts, client_key):
    print(label)
    with Listener(**listener_opts) as listener:
        p = multiprocessing.Process(target=client, args=(listener.address, client_key))
        p.start()
        try:
            conn = listener.accept()
        except multiprocessing.AuthenticationError as e:
            outcome = 'listener: %s: %s' % (type(e).__name__, e)
        else:
            outcome = 'listener got: %s' % conn.recv()
            conn.send('welcome')
            conn.close()
        p.join()
        print(' ', outcome)


if __name__ == '__main__':
    inet = {'address': ('localhost', 0)}
    unix = {'family': 'AF_UNIX'}
    serve('AF_INET, same key:', dict(inet, authkey=b'secret'), b'secret')
    serve('AF_UNIX, same key:', dict(unix, authkey=b'secret'), b'secret')
    serve('AF_INET, wrong key:', dict(inet, authkey=b'secret'), b'wrong')
    serve('AF_UNIX, wrong key:', dict(unix, authkey=b'secret'), b'wrong')
    serve("AF_UNIX, listener key b'', client none:", dict(unix, authkey=b''), None)
    serve('AF_INET, no key on either side:', inet, None)

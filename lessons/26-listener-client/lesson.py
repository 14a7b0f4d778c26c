# lesson.py - Lesson 26's Python twin: a Listener and a Client that share an authkey.
from array import array
from multiprocessing import AuthenticationError, Process
from multiprocessing.connection import Client, Listener


def client(address, authkey):
    try:
        conn = Client(address, authkey=authkey)
    except AuthenticationError as e:
        print('client:', type(e).__name__ + ':', e)
        return
    with conn:
        print(conn.recv())

        print(conn.recv_bytes())

        arr = array('i', [0, 0, 0, 0, 0])
        print(conn.recv_bytes_into(arr))
        print(arr)


if __name__ == '__main__':
    # Port 0: the system picks a free port; listener.address tells which.
    with Listener(('localhost', 0), authkey=b'secret password') as listener:
        p = Process(target=client, args=(listener.address, b'secret password'))
        p.start()
        with listener.accept() as conn:
            # The port differs on every run, so only the host is printed.
            print('connection accepted from', listener.last_accepted[0], flush=True)

            conn.send([2.25, None, 'junk'])

            conn.send_bytes(b'hello')

            conn.send_bytes(array('i', [42, 1729]))
        p.join()

        # A client with the wrong key: both ends raise AuthenticationError.
        p = Process(target=client, args=(listener.address, b'wrong password'))
        p.start()
        try:
            listener.accept()
        except AuthenticationError as e:
            # Joined first, so that the client's line comes before ours.
            p.join()
            print('server:', type(e).__name__ + ':', e)

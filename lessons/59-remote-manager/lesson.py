# lesson.py - Lesson 59's Python twin: the docs' remote manager: a server program serves a queue over TCP, one client program puts 'hello' on it, another gets it.
#
# The documentation shows three programs run by hand, the server on a
# fixed port 50000; here one program runs all three as subprocesses of
# itself (its first argument says which), and the server takes a free
# port and tells it to the others.
import subprocess
import sys
from multiprocessing.connection import Client
from multiprocessing.managers import BaseManager, dispatch
from queue import Queue

AUTHKEY = b'abracadabra'


class QueueManager(BaseManager):
    pass


def server():
    queue = Queue()
    QueueManager.register('get_queue', callable=lambda: queue)
    m = QueueManager(address=('127.0.0.1', 0), authkey=AUTHKEY)
    s = m.get_server()
    print(s.address[1], flush=True)        # the port, for the parent
    s.serve_forever()


def client(port, what):
    QueueManager.register('get_queue')
    m = QueueManager(address=('127.0.0.1', port), authkey=AUTHKEY)
    m.connect()
    queue = m.get_queue()
    if what == 'put':
        queue.put('hello')
        print("client 1: put 'hello'")
    else:
        print('client 2: got', repr(queue.get()))


def main():
    me = [sys.executable, __file__]
    srv = subprocess.Popen(me + ['server'], stdout=subprocess.PIPE, text=True)
    port = srv.stdout.readline().strip()
    subprocess.run(me + ['put', port], check=True)
    subprocess.run(me + ['get', port], check=True)
    # Ask the server to stop, as a manager's shutdown() does: a 'shutdown'
    # request on a connection of its own.  serve_forever() then returns,
    # and the server program ends normally.
    dispatch(Client(('127.0.0.1', int(port)), authkey=AUTHKEY), None, 'shutdown')
    print('the server stopped: exit code', srv.wait())


if __name__ == '__main__':
    if len(sys.argv) == 1:
        main()
    elif sys.argv[1] == 'server':
        server()
    else:
        client(int(sys.argv[2]), sys.argv[1])

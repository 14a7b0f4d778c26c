# lesson.py - Lesson 60's Python twin: the docs' remote manager serving a multiprocessing.Queue that a local Worker process fills; a client program gets 'local hello' from it.
#
# As in lesson 59, one program runs the server and the client as programs
# of their own (its first argument says which), the server on a free port.
import subprocess
import sys
from multiprocessing import Process, Queue
from multiprocessing.connection import Client
from multiprocessing.managers import BaseManager, dispatch

AUTHKEY = b'abracadabra'


class Worker(Process):
    def __init__(self, q):
        self.q = q
        super().__init__()

    def run(self):
        self.q.put('local hello')


class QueueManager(BaseManager):
    pass


def server():
    queue = Queue()
    w = Worker(queue)
    w.start()
    QueueManager.register('get_queue', callable=lambda: queue)
    m = QueueManager(address=('127.0.0.1', 0), authkey=AUTHKEY)
    s = m.get_server()
    print(s.address[1], flush=True)        # the port, for the parent
    s.serve_forever()


def client(port):
    QueueManager.register('get_queue')
    m = QueueManager(address=('127.0.0.1', port), authkey=AUTHKEY)
    m.connect()
    queue = m.get_queue()
    print('client: got', repr(queue.get()))


def main():
    me = [sys.executable, __file__]
    srv = subprocess.Popen(me + ['server'], stdout=subprocess.PIPE, text=True)
    port = srv.stdout.readline().strip()
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
        client(int(sys.argv[2]))

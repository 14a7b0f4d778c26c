# case.py - case connection/closed-and-eof, the Python twin: what a connection does once its peer has closed, and once it is closed itself.
#
# Pins (documented under Connection.recv: "Raises EOFError if there is
# nothing left to receive and the other end was closed", and close()):
# messages sent before the close are still delivered, then recv and
# recv_bytes raise EOFError (no args), again on each call; the peer may be
# another process that sent and exited.  A send towards a closed peer is
# an OSError with errno EPIPE (printed as its errno's name: CPython's
# class is BrokenPipeError, a subclass; this case pins the errno).  On a
# closed connection closed is True, close() again does nothing, and send,
# send_bytes, recv, recv_bytes, recv_bytes_into, poll and fileno are
# OSError "handle is closed" (no errno).
import errno
import multiprocessing


def describe(e):
    if isinstance(e, OSError) and e.errno is not None:
        return 'OSError errno ' + errno.errorcode[e.errno]
    return type(e).__name__ + (': ' + str(e) if str(e) else '')


def attempt(label, call):
    try:
        call()
        print(label, 'did not fail')
    except (OSError, EOFError) as e:
        print(label, '->', describe(e))


def sender(w):
    w.send('from the child')
    w.close()


if __name__ == '__main__':
    a, b = multiprocessing.Pipe()
    b.send('last')
    b.close()
    print('recv():', a.recv())
    attempt('recv() after the peer closed', a.recv)
    attempt('recv() again', a.recv)
    attempt('recv_bytes()', a.recv_bytes)
    attempt('send() towards the closed peer', lambda: a.send('lost'))
    a.close()

    print('closed:', b.closed)
    attempt('send()', lambda: b.send(1))
    attempt('send_bytes()', lambda: b.send_bytes(b'x'))
    attempt('recv()', b.recv)
    attempt('recv_bytes()', b.recv_bytes)
    attempt('recv_bytes_into()', lambda: b.recv_bytes_into(bytearray(4)))
    attempt('poll()', b.poll)
    attempt('fileno()', b.fileno)
    b.close()
    print('close() again, closed:', b.closed)

    r, w = multiprocessing.Pipe(duplex=False)
    p = multiprocessing.Process(target=sender, args=(w,))
    p.start()
    w.close()
    print('from the child:', r.recv())
    attempt('recv() once the child closed its end', r.recv)
    p.join()
    r.close()

    r, w = multiprocessing.Pipe(duplex=False)
    r.close()
    attempt('one-way send() with the reader closed', lambda: w.send('lost'))
    w.close()

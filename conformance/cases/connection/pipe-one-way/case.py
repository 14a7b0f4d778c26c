# case.py - case connection/pipe-one-way, the Python twin: Pipe(duplex=False) gives (reader, writer), each usable one way only.
#
# Pins (documented under Pipe: "conn1 can only be used for receiving
# messages and conn2 can only be used for sending messages"): the first
# end is the reader, the second the writer, as their readable and writable
# attributes say; a duplex Pipe's ends are both.  Using an end the wrong
# way is OSError with CPython's words, "connection is read-only" (send,
# send_bytes on the reader) and "connection is write-only" (recv,
# recv_bytes, recv_bytes_into, poll on the writer), and the refused calls
# neither send nor take anything: the pipe goes on working.
# Leaves out: the OSError's errno (None in CPython; C has none either).
import multiprocessing


def attempt(label, call):
    try:
        call()
        print(label, 'did not fail')
    except OSError as e:
        print(label, '->', type(e).__name__ + ':', e)


if __name__ == '__main__':
    a, b = multiprocessing.Pipe()
    print('duplex ends readable/writable:', a.readable, a.writable, b.readable, b.writable)
    a.close()
    b.close()

    reader, writer = multiprocessing.Pipe(duplex=False)
    print('reader readable:', reader.readable, 'writable:', reader.writable)
    print('writer readable:', writer.readable, 'writable:', writer.writable)
    writer.send('first')
    print('reader.recv():', reader.recv())

    attempt('reader.send(1)', lambda: reader.send(1))
    attempt("reader.send_bytes(b'x')", lambda: reader.send_bytes(b'x'))
    attempt('writer.recv()', writer.recv)
    attempt('writer.recv_bytes()', writer.recv_bytes)
    attempt('writer.recv_bytes_into(buf)', lambda: writer.recv_bytes_into(bytearray(8)))
    attempt('writer.poll()', writer.poll)

    writer.send('second')
    print('reader.recv():', reader.recv())
    print('reader.poll() after:', reader.poll())
    reader.close()
    writer.close()

# case.py - case connection/recv-bytes-into, the Python twin: recv_bytes_into(buffer, offset) and recv_bytes(maxlength), in range and out of it.
#
# Pins (documented under Connection.recv_bytes_into and recv_bytes):
# recv_bytes_into writes the message at offset and returns its length,
# leaving the rest of the buffer as it was; an empty message at offset ==
# len(buffer) fits.  A message that does not fit raises BufferTooShort,
# whose args are the whole message, with nothing written; the message is
# consumed (the next one comes next).  Offsets outside the buffer are
# ValueError "negative offset" / "offset too large", checked before
# anything is read.  recv_bytes(maxlength): a message of exactly
# maxlength is returned; a negative maxlength is ValueError "negative
# maxlength"; a longer message is OSError "bad message length", after
# which (CPython's code, connection.py _bad_message_length) a one-way
# reader is closed and a duplex end no longer readable, still writable.
# Leaves out: buffers of items wider than a byte.
import multiprocessing


def attempt(label, call):
    try:
        print(label, '->', call())
    except Exception as e:
        print(label, '->', type(e).__name__ + ':', e)


if __name__ == '__main__':
    r, w = multiprocessing.Pipe(duplex=False)
    buf = bytearray(b'.' * 10)
    w.send_bytes(b'abc')
    attempt('recv_bytes_into(buf, 4)', lambda: r.recv_bytes_into(buf, 4))
    print('buf:', buf)
    w.send_bytes(b'')
    attempt('recv_bytes_into(buf, 10) of b\'\'', lambda: r.recv_bytes_into(buf, 10))
    w.send_bytes(b'XY')
    attempt('recv_bytes_into(buf, -1)', lambda: r.recv_bytes_into(buf, -1))
    attempt('recv_bytes_into(buf, 11)', lambda: r.recv_bytes_into(buf, 11))
    attempt('recv_bytes_into(buf, 8)', lambda: r.recv_bytes_into(buf, 8))
    print('buf:', buf)
    w.send_bytes(b'hello world')
    try:
        r.recv_bytes_into(buf, 4)
        print('recv_bytes_into(buf, 4) of 11 bytes did not fail')
    except multiprocessing.BufferTooShort as e:
        print('recv_bytes_into(buf, 4) of 11 bytes ->', type(e).__name__, e.args)
    print('buf:', buf)
    w.send_bytes(b'next')
    print('recv_bytes():', r.recv_bytes())

    w.send_bytes(b'12345')
    attempt('recv_bytes(5)', lambda: r.recv_bytes(5))
    attempt('recv_bytes(-1)', lambda: r.recv_bytes(-1))
    w.send_bytes(b'123456')
    attempt('one-way recv_bytes(5) of 6 bytes', lambda: r.recv_bytes(5))
    print('one-way reader closed:', r.closed)
    w.close()

    a, b = multiprocessing.Pipe()
    b.send_bytes(b'123456')
    attempt('duplex recv_bytes(5) of 6 bytes', lambda: a.recv_bytes(5))
    print('duplex end closed:', a.closed, 'readable:', a.readable, 'writable:', a.writable)
    a.send_bytes(b'still writable')
    print('peer got:', b.recv_bytes())
    attempt('duplex recv_bytes() after', a.recv_bytes)
    a.close()
    b.close()

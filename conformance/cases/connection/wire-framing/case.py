# case.py - case connection/wire-framing, the Python twin: the bytes a Connection writes for a message, and what it makes of bytes written by hand.
#
# Pins (CPython's wire format, observable on the descriptor that
# fileno() returns, and what makes a C peer and a Python peer
# interoperate): send_bytes(m) writes a 4-byte big-endian length then m;
# a hand-written header of that form is read as one message; so is the
# long form, a length of -1 followed by an 8-byte big-endian length (which
# CPython 3.11 writes only for messages of 2 GiB and more, here written by
# hand for a small one); a stream that ends inside a message, in its
# body or in its header, is OSError "got end of file during message"; one
# that ends between messages is EOFError.  One-way Pipes (os pipes) and a
# duplex Pipe's descriptor both carry this stream.
# Leaves out: how a message is split into writes (CPython writes small
# ones with one write, large ones with two), and the pickle bytes of
# send(), which are pickle's business.
import multiprocessing
import os
import struct


def attempt(label, call):
    try:
        print(label, '->', call())
    except (OSError, EOFError) as e:
        print(label, '->', type(e).__name__ + (': ' + str(e) if str(e) else ''))


if __name__ == '__main__':
    r, w = multiprocessing.Pipe(duplex=False)
    w.send_bytes(b'hello')
    print("send_bytes(b'hello') wrote:", os.read(r.fileno(), 100))
    w.send_bytes(b'')
    print("send_bytes(b'') wrote:", os.read(r.fileno(), 100))
    os.write(w.fileno(), struct.pack('!i', 3) + b'abc')
    attempt('a hand-written short header', r.recv_bytes)
    os.write(w.fileno(), struct.pack('!i', -1) + struct.pack('!Q', 4) + b'long')
    attempt('a hand-written long header', r.recv_bytes)
    os.write(w.fileno(), struct.pack('!i', 10) + b'abc')
    w.close()
    attempt('end of stream inside a body', r.recv_bytes)
    r.close()

    r, w = multiprocessing.Pipe(duplex=False)
    os.write(w.fileno(), b'\x00\x00')
    w.close()
    attempt('end of stream inside a header', r.recv_bytes)
    r.close()

    r, w = multiprocessing.Pipe(duplex=False)
    os.write(w.fileno(), struct.pack('!i', 2) + b'ok')
    w.close()
    attempt('a whole message, then', r.recv_bytes)
    attempt('end of stream between messages', r.recv_bytes)
    r.close()

    a, b = multiprocessing.Pipe()
    afd, bfd = a.fileno(), b.fileno()
    a.send_bytes(b'duplex')
    print("duplex send_bytes(b'duplex') wrote:", os.read(bfd, 100))
    os.write(bfd, struct.pack('!i', 4) + b'back')
    attempt('duplex, a hand-written message', a.recv_bytes)
    a.close()
    b.close()

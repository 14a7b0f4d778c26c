# case.py - case connection/str-lengths, the Python twin: strs at the lengths where pickle changes how it writes them.
#
# Pins (documented under Connection.send/recv: the object sent comes back
# equal; pickle round-trips a str whatever its length): strs of 255, 256
# and 257 UTF-8 bytes (ASCII, and mostly 'é', two bytes each: 128 code
# points in 256 bytes), and of 65535, 65536 and 65537 bytes, go to a child that
# echoes them and come back equal, with the same length in code points.
# Protocol 4 writes a str below 256 bytes with a one-byte length and a
# longer one with a four-byte length, so the edge is at 256 bytes, counted
# in UTF-8 (not in code points).  Printed by length and equality, not in
# full.
import multiprocessing

VALUES = [
    'a' * 255, 'a' * 256, 'a' * 257,
    'é' * 127 + 'a', 'é' * 128, 'é' * 128 + 'a',
    'b' * 65535, 'b' * 65536, 'b' * 65537,
]


def echo(conn):
    while True:
        value = conn.recv()
        if value is None:
            break
        conn.send(value)


if __name__ == '__main__':
    here, there = multiprocessing.Pipe()
    p = multiprocessing.Process(target=echo, args=(there,))
    p.start()
    for value in VALUES:
        here.send(value)
        back = here.recv()
        print('sent', len(value), 'code points in', len(value.encode()), 'bytes; back',
              len(back), 'code points, equal:', back == value)
    here.send(None)
    p.join()
    print('child exitcode:', p.exitcode)

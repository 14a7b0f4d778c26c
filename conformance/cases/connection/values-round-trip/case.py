# case.py - case connection/values-round-trip, the Python twin: values of every kind sent to a child, sent back, and printed with repr().
#
# Pins (documented under Connection.send: "The object must be picklable"
# and recv: "Return an object sent from the other end"): a value that
# goes through send() and recv() twice (to a child that echoes it, and
# back) comes back as an equal value of the same type, and prints with
# repr() exactly as the original: ints at the edges of pickle's opcodes
# and of 64 bits; floats 0.1, 1e300, -0.0, inf, -inf, nan, the smallest
# subnormal and reprs that switch to exponent notation; strs with quotes
# of both kinds, backslashes, control characters, non-ASCII and
# characters repr() escapes because they are not printable; bytes with
# every kind of byte; empty, one-item and nested tuples, lists and dicts
# (keys of several types, insertion order kept); None, True and False; a
# list long enough for pickle to batch it (printed by length and
# equality, not in full).
# Leaves out: ints beyond 64 bits (the C value model has none), lone
# surrogates in a str (not valid UTF-8, which C strings are), sets and
# other types the C value model does not have.
import math
import multiprocessing

VALUES = [
    0, 1, -1, 255, 256, 65535, 65536, 2**31 - 1, 2**31, -2**31, -2**31 - 1,
    2**63 - 1, -2**63,
    0.1, 1.5, -0.0, 1e300, -1e300, float('inf'), float('-inf'), float('nan'),
    5e-324, 1e16, 1e-05, 0.0001, 123456789.0, 1e22,
    '', 'plain', "it's", 'say "hi"', 'both \' and "', 'back\\slash',
    'new\nline\ttab\rreturn\x00nul\x7fdel', 'é ñ € 😀 中文',
    '\x80\x9f\xa0\xad\u200b\u2028\ufeff\U000e0001 ÿ',
    b'', b'\x00\x01\x7f\x80\xff', b"'", b'"', b'\'"', b'\\\n\t\r',
    bytes(range(0, 256, 15)),
    (), (1,), (1, (2, (3, ()))), [], [[], [1, [2]]], {},
    {'a': 1, 2: 'b', (1, 2): [3], None: None, 2.5: -0.0, b'k': True},
    {'z': 1, 'a': 2, 'm': 3},
    [None, True, False], (True, 1, 1.0, 'x', b'x'),
]
LONG = list(range(2500))


def echo(conn, count):
    # A count, not EOF: a forked child holds a copy of the parent's end too.
    for _ in range(count):
        conn.send(conn.recv())
    conn.close()


def same(a, b):
    # nan != nan, so equality alone cannot say a nan came back.
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return a == b and type(a) is type(b)


if __name__ == '__main__':
    ours, theirs = multiprocessing.Pipe()
    p = multiprocessing.Process(target=echo, args=(theirs, len(VALUES) + 1))
    p.start()
    theirs.close()
    for v in VALUES:
        ours.send(v)
        back = ours.recv()
        print(type(back).__name__, repr(back), 'same:', same(v, back) and repr(v) == repr(back))
    ours.send(LONG)
    back = ours.recv()
    print('list of', len(back), 'items, same:', same(LONG, back))
    ours.close()
    p.join()

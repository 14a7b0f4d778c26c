# case.py - case queues/values-repr, the Python twin: assorted values put on a Queue by a child, got by the parent and printed with repr().
#
# Pins (CPython 3.11, documented under Queue.put: objects are pickled):
# what a child puts comes back equal, with its type, and prints as repr()
# prints it: ints at pickle's size boundaries up to 64 bits; floats with
# shortest round-trip repr (0.1, 1e+300, 5e-324, 1e+16), -0.0, nan, inf
# and -inf; strs with quotes (repr picks the other quote, or escapes \'
# when there are both), backslashes, control characters, non-ASCII that
# repr keeps (é, 日本語, 🐍, U+1D11E) and that it escapes (\x80, \xa0,
# \u200b, \U000e0001, as str.isprintable() says); bytes likewise; empty
# and nested tuples, lists and dicts (insertion order kept, keys of
# several types); None, True and False.  The child puts the count first,
# and the parent's gets block, so the output is certain.
# Left out on purpose: ints beyond 64 bits and lone surrogates in a str
# (the C API's values cannot hold them); sets, frozensets and complex
# (not in the C value model).
from multiprocessing import Process, Queue

VALUES = [
    0, -1, 255, 256, 65535, 65536, 2**31 - 1, 2**31, -2**31 - 1,
    2**63 - 1, -2**63,
    0.1, 1e300, 5e-324, 1e16, 1.5e-7, 123456789.0, 2.5, -0.0,
    float('nan'), float('inf'), float('-inf'),
    '', "it's", 'say "hi"', 'both \' and "', 'back\\slash',
    'tab\tnew\nline\r', '\x00\x1f\x7f', 'é', '日本語', '🐍', '\U0001d11e',
    '\x80\xa0', 'zero\u200bwidth', '\U000e0001',
    b'', b'\x00\xff', b"'", b'"', b'\'"', b'\\', b'\t\n\r', b'abc~\x7f',
    (), (1,), (1, 'two', 3.0), [], [[], [1]], {}, {'a': 1, 2: 'b', None: [1.5]},
    {(1, 2): 'tuple key', 'nested': {'x': (None,)}},
    None, True, False,
]


def child(q):
    q.put(len(VALUES))
    for v in VALUES:
        q.put(v)


if __name__ == '__main__':
    q = Queue()
    p = Process(target=child, args=(q,))
    p.start()
    for _ in range(q.get()):
        v = q.get()
        print(type(v).__name__, repr(v))
    p.join()
    print('child exitcode:', p.exitcode)

#!/usr/bin/env python3
"""make_corpus.py - write the fuzzer's seed corpus: CPython's pickles of varied values.

Usage: python3 fuzz/make_corpus.py DIR

Writes one file per pickle into DIR (made if missing): values of every type
of the C value model and a few outside it, each with protocols 0 to 5, and
some hand-made pickles that reach the reader's error paths, and pickles
whose keys collide in the reader's old, unkeyed tables (a dict of int keys,
one of nans, a run of memo indexes: ref/test/hashflood.py).  Deterministic,
so the corpus is the same on every machine; it is generated into build/ and
never committed (see fuzz/README.md).
"""
import hashlib
import os
import pickle
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ref", "test"))
import hashflood  # noqa: E402  (ref/test is not a package)


class C:
    """The class fuzz_unpickle.c registers as __main__.C."""

    def __init__(self, **attrs):
        self.__dict__.update(attrs)


def values():
    shared = [1, "x"]
    yield from [C(), C(a=1, b="two"), [C(name="x"), C(items=[1, 2])], C(a=C(b=(1, 2)))]
    selfref = C()
    selfref.a = selfref
    yield selfref
    yield from [None, True, False, 0, 1, -1, 255, 256, 65535, 65536, 2 ** 31 - 1, -2 ** 31, 2 ** 31,
                2 ** 63 - 1, -2 ** 63, 2 ** 64, 10 ** 30, 0.0, -0.0, 1.5, 1e300, float("inf"), float("nan"),
                "", "a", "abc", "\xe9\u20ac\U0001f600", "a\\b\n\x00\r\x1a", "\ud800", "x" * 300,
                b"", b"a", b"\x00\xff", bytes(range(256)), b"y" * 300,
                (), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4), [], [1], [1, 2], list(range(1001)),
                {}, {1: 2}, {"a": 1, "b": [1, 2], (1, "c"): {}}, {i: str(i) for i in range(1001)},
                [shared, shared, (shared,)], {"k": shared, "j": (shared, shared)},
                [[[[[[[[[[]]]]]]]]]], ((((((((((),),),),),),),),),), [b"ab", b"cd", b"", "latin1"],
                ("tuple", 42, b"data", 3.25, None, True), set(), frozenset([1]), bytearray(b"x")]
    rec = []
    rec.append(rec)
    yield rec


HANDMADE = [
    # A Token never given its state (the fuzzer's find: it must read back the same).
    b"\x80\x04\x8c\x18multiprocessing.managers\x94\x8c\x05Token\x94\x93\x94)\x81\x94.",
    b"", b".", b"N.", b"(.", b"0.", b"Nt.", b"]\x94h\x00a.", b"}]Ns.", b"cos\nsystem\n.",
    b"\x8c\x02os\x8c\x06system\x93.", b"c__builtin__\nbytes\n)R.", b"c_codecs\nencode\nX\x01\x00\x00\x00aX\x06"
    b"\x00\x00\x00latin1\x86R.", b"I01\n.", b"I99999999999999999999\n.", b"L5L\n.", b"F1e500\n.",
    b"S'a\\x41'\n.", b"V\\u0041\\U0001F600\n.", b"Nr\xff\xff\xff\xff0j\xff\xff\xff\xff.", b"\x8a\x09" + b"\xff" * 9 + b".",
    b"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00N.", b"X\xff\xff\xff\x7f", b"]" * 1001 + b"a" * 1000 + b".",
    b")\x94" + b"".join(b"h" + bytes([i]) + b"h" + bytes([i]) + b"\x86\x940" for i in range(64)) + b"}h\x40Ns.",
]


def manager_pickles():
    """What a manager's peers send: requests, replies, Tokens, proxies
    (RebuildProxy, as BaseProxy.__reduce__ writes them), exceptions, slices."""
    from multiprocessing import managers
    token = managers.Token('dict', '/tmp/pymp-x/listener-y', '7f0a1b2c3d4e')
    inet = managers.Token('Maths', ('127.0.0.1', 1), 'abc')

    class Proxy:
        def __init__(self, func, tok, kwds):
            self.args = (func, tok, 'pickle', kwds)

        def __reduce__(self):
            return managers.RebuildProxy, self.args

    class WithState(KeyError):
        pass

    err = KeyError('missing')
    err.note = 'state'
    yield token
    yield inet
    yield Proxy(managers.DictProxy, token, {})
    yield Proxy(managers.AutoProxy, inet, {'exposed': ('add', 'mul')})
    yield [Proxy(managers.ListProxy, token, {}), Proxy(managers.DictProxy, token, {})]
    yield ('#RETURN', [1, 'x'])
    yield ('#ERROR', KeyError('missing'))
    yield ('#ERROR', err)
    yield ('#ERROR', ZeroDivisionError('division by zero'))
    yield ('#ERROR', OSError(2, 'No such file or directory'))
    yield ('#TRACEBACK', 'Traceback (most recent call last):\nValueError: x\n')
    yield ('#PROXY', (('append', '__getitem__'), token))
    yield ('7f0a1b2c3d4e', '__getitem__', (slice(2, 7),), {})
    yield (None, 'create', ('dict',), {'a': 1})
    yield managers.RemoteError('text')
    yield slice(None, -1, 2)


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    out = argv[1]
    os.makedirs(out, exist_ok=True)
    seeds = list(HANDMADE)
    for v in values():
        for proto in range(6):
            seeds.append(pickle.dumps(v, proto))
    for v in manager_pickles():
        for proto in (2, 4):
            seeds.append(pickle.dumps(v, proto))
    # A thousand keys each: enough for the shapes, small enough to fuzz fast.
    seeds.extend(data for name, data in hashflood.pickles(1000) if name.endswith("-crafted"))
    for data in seeds:
        name = hashlib.sha1(data).hexdigest()
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print("%d seeds in %s" % (len(seeds), out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

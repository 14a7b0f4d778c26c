#!/usr/bin/env python3
"""hashflood.py - pickles whose keys collide in the reader's old, unkeyed tables, beside random ones of the same size; times CPython on them.

Usage: python3 ref/test/hashflood.py [--write DIR] [--time] [N ...]

For each N (default 160000 and 300000) and each kind, builds the crafted
pickle and its random twin as test_hashflood.c does (the same bytes for the
same N):
  ints   a dict of N int keys, each an 8-byte LONG1, whose old hash
         (splitmix64's finalizer) ends in 24 zero bits
  nans   a dict of N nan keys, each its own object, as CPython pickles
         {float('nan'): None, ...}; the old hash of a nan was its bits
  memo   None, then N PUTs whose old slot (Fibonacci hashing of the index)
         ends in 24 zero bits; 19 digits each
--write DIR writes them as DIR/<kind>-<N>-<crafted|random>.pickle, for
`test_hashflood FILE...` to time in a build of the library.  --time loads
each with CPython's pickle.loads (best of three, time.perf_counter) and
prints the time, or the exception CPython raises.  Imported by
fuzz/make_corpus.py for the fuzzer's seeds (small N).
"""
import math
import os
import pickle
import struct
import sys
import time

M64 = (1 << 64) - 1


def unxorshift(y, s):
    """x such that x ^ (x >> s) == y."""
    x = y
    for _ in range(64 // s + 1):
        x = y ^ (x >> s)
    return x


def crafted_int(j):
    """The int64 whose splitmix64 finalizer is j << 24."""
    x = unxorshift(j << 24, 31)
    x = x * pow(0x94d049bb133111eb, -1, 1 << 64) & M64
    x = unxorshift(x, 27)
    x = x * pow(0xbf58476d1ce4e5b9, -1, 1 << 64) & M64
    x = unxorshift(x, 30)
    return x - (1 << 64) if x >> 63 else x


def crafted_indexes():
    """Memo indexes below 2**63 whose old slot, h ^ (h >> 29) with
    h = (index + 1) * 0x9E3779B97F4A7C15, ends in 24 zero bits."""
    inv = pow(0x9E3779B97F4A7C15, -1, 1 << 64)
    j = 0
    while True:
        j += 1
        index = (unxorshift(j << 24, 29) * inv - 1) & M64
        if index < 1 << 63:
            yield index


class Random64:
    """test_hashflood.c's xorshift64, so both make the same random twins."""

    def __init__(self):
        self.x = 0x2545F4914F6CDD1D

    def __call__(self):
        x = self.x
        x ^= (x << 13) & M64
        x ^= x >> 7
        x ^= (x << 17) & M64
        self.x = x
        return x


def make(kind, n, crafted, rng):
    """The pickle test_hashflood.c's make() builds."""
    if kind == "memo":
        idx = crafted_indexes()
        lines = [b"p%019d\n" % (next(idx) if crafted else rng() >> 1) for _ in range(n)]
        return b"N" + b"".join(lines) + b"."
    out = [b"\x80\x02}"]
    for i in range(n):
        if i % 1000 == 0:
            out.append(b"(")
        if kind == "ints":
            k = crafted_int(i + 1) & M64 if crafted else rng()
            out.append(b"\x8a\x08" + k.to_bytes(8, "little"))
        else:
            d = math.nan if crafted else (rng() >> 11) / 1024.0 + 0.5
            out.append(b"G" + struct.pack(">d", d))
        out.append(b"N")
        if i % 1000 == 999 or i == n - 1:
            out.append(b"u")
    out.append(b".")
    return b"".join(out)


def pickles(n):
    """(name, bytes) for each kind, crafted then random, as test_hashflood.c
    draws its random numbers (one generator, kind after kind)."""
    rng = Random64()
    for kind in ("ints", "nans", "memo"):
        good = make(kind, n, False, rng)
        bad = make(kind, n, True, rng)
        yield "%s-%d-crafted" % (kind, n), bad
        yield "%s-%d-random" % (kind, n), good


def cpython_time(data):
    best, result = None, None
    for _ in range(3):
        t = time.perf_counter()
        try:
            v = pickle.loads(data)
            result = "loaded (%s of %d)" % (type(v).__name__, len(v)) if hasattr(v, "__len__") else "loaded"
        except Exception as e:
            result = "%s: %s" % (type(e).__name__, e)
        t = time.perf_counter() - t
        best = t if best is None or t < best else best
    return best, result


def main(argv):
    args = argv[1:]
    out, timing, sizes = None, False, []
    while args:
        a = args.pop(0)
        if a == "--write" and args:
            out = args.pop(0)
        elif a == "--time":
            timing = True
        elif a.isdigit():
            sizes.append(int(a))
        else:
            sys.stderr.write(__doc__)
            return 2
    for n in sizes or [160000, 300000]:
        for name, data in pickles(n):
            if out:
                os.makedirs(out, exist_ok=True)
                with open(os.path.join(out, name + ".pickle"), "wb") as f:
                    f.write(data)
            if timing:
                t, result = cpython_time(data)
                print("%-24s %9d bytes  CPython %9.3f ms  %s" % (name, len(data), t * 1e3, result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""pickle_check.py - check the C pickle codec against CPython's pickle module, both ways.

Usage: python3 ref/test/pickle_check.py SEED N
Run: python3 ref/test/pickle_check.py 1 3000

(The Run line is what make test runs: a fixed seed, so that a failure repeats.)

(run from the top of the repository; the test binary is $BUILD/test/test_pickle,
BUILD defaulting to build, or the path given with --bin PATH before SEED).
Prints TAP and exits 1 if anything failed.  Three parts:

 A. C writes, CPython reads.  `test_pickle --gen SEED N` makes N random values
    and prints each as a structural encoding and its pickles with protocols
    2 to 5 (format at the top of ref/test/test_pickle.c).  Each pickle must
    load with pickle.loads to exactly the value the encoding describes (types
    kept, dict order kept, nan equal to nan).  And CPython's own pickle.dumps
    of the loaded value must give C's bytes exactly, unless CPython shares
    more objects than the C value did (more memo GETs: Python keeps one copy
    of some small values; C mirrors that for '', b'', one-character strs and
    one-byte bytes, so this is rare).
 B. CPython writes, C reads.  N random Python values, each pickled with
    protocols 0 to 5 and fed to `test_pickle --load`, must come back with
    Python's repr(); values outside the C value model (ints past 64 bits,
    strs with lone surrogates, recursive lists) must be refused with the
    right error.
 C. Broken pickles.  5 N pickles, most of them part B's with bytes changed,
    inserted, removed or cut off, the rest random sequences of opcodes,
    go to both readers.  Whatever CPython
    refuses, C must refuse; whatever CPython loads to a value of the model,
    C must load to the same repr, except for the documented places where C is
    stricter (see STRICTER).  CPython reads with an Unpickler whose
    find_class allows only the globals C implements, so the check runs
    nothing from the data.
"""
import contextlib
import io
import math
import os
import pickle
import pickletools
import random
import re
import resource
import subprocess
import sys

INT64 = (-2 ** 63, 2 ** 63 - 1)

# C refuses these where CPython may succeed; each is a documented choice:
# a list or dict changed after it was shared (cycles leak with reference
# counting), BUILD (objects with state), SETITEM on a list (the API cannot
# replace a list item), keyword arguments to NEWOBJ_EX; and C refuses a
# value outside the model (a global in a container, an int past 64 bits, a
# str with a lone surrogate, a set, a bytearray) where it is read, even if
# the pickle then drops it.
STRICTER = re.compile(r"already shared|inside itself|opcode BUILD|needs a dict to add to, not list"
                      r"|NEWOBJ_EX with keyword|cannot be used as a value \(opcode (?!STOP)"
                      r"|int too large|lone surrogate|sets are not a type|bytearray is not a type")


# ---- the structural encoding ---------------------------------------------

# The structural encoding is the one the C generators share with
# repr_check.py, which holds its decoder.
from repr_check import decode  # noqa: E402


def same(a, b):
    """Equal as pickle must keep it: same types, same dict order, nan == nan, -0.0 != 0.0.
    Iterative, since values nest a few hundred deep."""
    todo = [(a, b)]
    while todo:
        a, b = todo.pop()
        if type(a) is not type(b):
            return False
        if type(a) is float:
            if not ((math.isnan(a) and math.isnan(b)) or
                    (a == b and math.copysign(1, a) == math.copysign(1, b))):
                return False
        elif type(a) in (tuple, list):
            if len(a) != len(b):
                return False
            todo.extend(zip(a, b))
        elif type(a) is dict:
            if len(a) != len(b):
                return False
            for (ka, va), (kb, vb) in zip(a.items(), b.items()):
                todo += [(ka, kb), (va, vb)]
        elif a != b:
            return False
    return True


def gets(data):
    """How many memo GETs a pickle holds."""
    return sum(op.name in ("GET", "BINGET", "LONG_BINGET") for op, _, _ in pickletools.genops(data))


# ---- TAP -------------------------------------------------------------------

class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def result(self, ok, text, diag=()):
        self.n += 1
        self.failed += not ok
        print("%s %d - %s" % ("ok" if ok else "not ok", self.n, text))
        for line in diag:
            for part in str(line).split("\n"):
                print("# " + part)
        sys.stdout.flush()


def short(x, n=300):
    s = ascii(x)
    return s if len(s) <= n else s[:n] + "..."


# ---- part A: C writes, CPython reads ---------------------------------------

def part_a(tap, binary, seed, count):
    proc = subprocess.run([binary, "--gen", str(seed), str(count)], stdout=subprocess.PIPE)
    lines = proc.stdout.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    tap.result(proc.returncode == 0 and len(lines) == count,
               "test_pickle --gen %s %d exited %d after %d values" % (seed, count, proc.returncode, len(lines)))
    stats = {p: [0, 0, 0, []] for p in range(2, 6)}     # loaded equal, byte-identical, compared, problems
    for number, line in enumerate(lines, 1):
        fields = line.decode("ascii").split("\t")
        try:
            tokens = fields[0].split(" ")
            value, end = decode(tokens, 0)
            if end != len(tokens) or len(fields) != 5:
                raise ValueError("malformed line")
        except Exception as e:
            for p in stats:
                stats[p][3].append("line %d: cannot parse: %s" % (number, e))
            continue
        for p, hexdata in zip(range(2, 6), fields[1:]):
            st = stats[p]
            data = bytes.fromhex(hexdata)
            try:
                loaded = pickle.loads(data)
            except Exception as e:
                st[3].append("value %d: pickle.loads failed: %s: %s" % (number, type(e).__name__, e))
                continue
            if not same(loaded, value) or data[:2] != bytes([0x80, p]):
                st[3].append("value %d: loaded %s, expected %s" % (number, short(loaded), short(value)))
                continue
            st[0] += 1
            theirs = pickle.dumps(loaded, p)
            if theirs == data:
                st[1] += 1
                st[2] += 1
                continue
            ours, py = gets(data), gets(theirs)
            if ours > py:
                st[3].append("value %d: C wrote %d memo GETs, CPython %d for the same value" % (number, ours, py))
            elif ours == py:
                # Nothing shared differently, so the bytes should have matched.
                st[2] += 1
                at = next((i for i, (x, y) in enumerate(zip(theirs, data)) if x != y),
                          min(len(theirs), len(data)))
                st[3].append("value %d: bytes differ from CPython's at offset %d\n   C: %s\n  Py: %s"
                             % (number, at, data[max(0, at - 16):at + 32].hex(),
                                theirs[max(0, at - 16):at + 32].hex()))
    for p, (equal, exact, compared, problems) in stats.items():
        tap.result(not problems and equal == len(lines),
                   "C dumps protocol %d: %d of %d values load in CPython equal to the C value; "
                   "%d of %d comparable pickles byte-identical to pickle.dumps" % (p, equal, len(lines), exact, compared),
                   problems[:5])


# ---- part B: CPython writes, C reads ---------------------------------------

class Gen:
    """Random Python values, mostly inside the C value model."""

    EDGES = [0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 + 1, 2 ** 63 - 1]
    FLOATS = [0.0, -0.0, 1.5, 0.1, 1e300, 5e-324, 2.2250738585072014e-308, float("inf"), float("-inf"),
              float("nan"), 1e16, 1e22, 123456789.125]

    PRINTABLE = bytes(0x20 + i % 0x5f for i in range(256))

    def __init__(self, seed):
        self.r = random.Random(seed)
        self.pool = []

    def int(self):
        r = self.r
        if r.random() < 0.003:          # outside the model: OverflowError
            return r.choice([2 ** 63, -2 ** 63 - 1, 2 ** 64, 10 ** 30, -(10 ** 40)])
        if r.random() < 0.5:
            e = r.choice(self.EDGES)
            return e if r.random() < 0.5 else (-e if e != 2 ** 63 - 1 or r.random() < 0.5 else -2 ** 63)
        return r.randrange(-2 ** r.randrange(64), 2 ** r.randrange(64))

    def float(self):
        r = self.r
        if r.random() < 0.4:
            return r.choice(self.FLOATS)
        if r.random() < 0.5:
            return r.randrange(-10 ** 6, 10 ** 6) / 8
        return r.uniform(-1, 1) * 10 ** r.randrange(-300, 300)

    def length(self, big_ok):
        r = self.r.random()
        if big_ok and r < 0.003:
            return self.r.randrange(65530, 140000)
        if r < 0.03:
            return self.r.randrange(250, 260)
        if r < 0.05:
            return self.r.randrange(1000, 5000)
        return self.r.randrange(12)

    def str(self, big_ok):
        r = self.r
        n = self.length(big_ok)
        kind = r.randrange(5)
        if kind == 0:
            return r.randbytes(n).translate(self.PRINTABLE).decode("ascii")
        if kind == 1:                   # latin-1, with NUL, newline, backslash
            return r.randbytes(n).decode("latin-1")
        n = min(n, 300)                 # the rest one character at a time
        ranges = [(0x100, 0xd800), (0xe000, 0x110000), (0, 0x100)]
        chars = []
        for _ in range(n):
            lo, hi = ranges[kind - 2 if kind < 4 else r.randrange(3)]
            chars.append(chr(r.randrange(lo, hi)))
        if n and r.random() < 0.003:    # outside the model: a lone surrogate
            chars[r.randrange(n)] = chr(r.randrange(0xd800, 0xe000))
        return "".join(chars)

    def bytes(self, big_ok):
        return self.r.randbytes(self.length(big_ok))

    def scalar(self, big_ok):
        k = self.r.randrange(8)
        if k == 0:
            return None
        if k == 1:
            return self.r.random() < 0.5
        if k in (2, 3):
            return self.int()
        if k == 4:
            return self.float()
        if k in (5, 6):
            return self.str(big_ok)
        return self.bytes(big_ok)

    def key(self):
        if self.r.random() < 0.25:
            return tuple(self.scalar(False) for _ in range(self.r.randrange(4)))
        return self.scalar(False)

    def value(self, depth=0):
        r = self.r
        if self.pool and r.random() < 0.08:
            return r.choice(self.pool)
        k = r.randrange(10 if depth == 0 else 16 if depth < 3 else 40)
        if k >= 8:
            v = self.scalar(depth <= 1)
        elif k < 3:
            if depth == 0 and r.random() < 0.04:
                v = [self.scalar(False) for _ in range(r.randrange(999, 2100))]
            else:
                v = [self.value(depth + 1) for _ in range(r.randrange(7))]
                if depth == 0 and r.random() < 0.02:
                    v.append(v)         # outside the model: recursive
        elif k < 5:
            v = tuple(self.value(depth + 1) for _ in range(r.randrange(8)))
        elif k < 7:
            if depth == 0 and r.random() < 0.04:
                v = {i: self.scalar(False) for i in range(r.randrange(999, 2100))}
            else:
                v = {self.key(): self.value(depth + 1) for _ in range(r.randrange(6))}
        else:
            v = self.scalar(False)
            for _ in range(r.randrange(20, 200)):
                v = [v] if r.random() < 0.5 else (v,)
        # Only small values are reused, so that sharing cannot make a value
        # (or its repr) grow exponentially.
        if type(v) in (str, bytes, tuple, list, dict) and len(self.pool) < 16 and nodes(v, 30) <= 30 \
                and len(v) < 1000:
            self.pool.append(v)
        return v

    def top(self):
        self.pool = []
        return self.value()


def nodes(v, limit):
    """How many values v is made of, shared parts counted each time; stops past limit."""
    n = 1
    if type(v) in (tuple, list, dict) and limit > 0:
        for x in (v.items() if type(v) is dict else v):
            for y in (x if type(v) is dict else (x,)):
                n += nodes(y, limit - n)
            if n > limit:
                break
    return n


def problems_of(v):
    """Why v is outside the C value model: a set of C error names (empty if inside)."""
    found = set()
    path = set()
    seen = {}

    def walk(x, depth):
        t = type(x)
        if t in (type(None), bool, float, bytes):
            return
        if t is int:
            if not INT64[0] <= x <= INT64[1]:
                found.add("OverflowError")
            return
        if t is str:
            try:
                x.encode("utf-8")
            except UnicodeEncodeError:
                found.add("_pickle.UnpicklingError")
            return
        if t not in (tuple, list, dict):
            found.add("_pickle.UnpicklingError")
            return
        if id(x) in path:
            found.add("_pickle.UnpicklingError")
            return
        if depth > 1000:
            found.add("MemoryError")
            return
        if id(x) in seen:
            return
        seen[id(x)] = x
        path.add(id(x))
        for item in (x.items() if t is dict else x):
            if t is dict:
                walk(item[0], depth + 1)
                walk(item[1], depth + 1)
            else:
                walk(item, depth + 1)
        path.discard(id(x))

    walk(v, 0)
    return found


def run_loader(binary, pickles):
    """C's verdict on each pickle: ("ok", repr) or ("error", name, message)."""
    feed = b"".join(p.hex().encode("ascii") + b"\n" for p in pickles)
    proc = subprocess.run([binary, "--load"], input=feed, stdout=subprocess.PIPE)
    out = []
    for line in proc.stdout.split(b"\n")[:len(pickles)]:
        f = line.decode("ascii").split("\t")
        if f[0] == "ok" and len(f) == 2:
            out.append(("ok", bytes.fromhex(f[1]).decode("utf-8")))
        elif f[0] == "error" and len(f) == 3:
            out.append(("error", f[1], bytes.fromhex(f[2]).decode("utf-8", "replace")))
        else:
            out.append(("garbled", line[:200]))
    return proc.returncode, out


def part_b(tap, binary, seed, count):
    gen = Gen(seed)
    cases = []                          # (protocol, pickle, expected problems, repr)
    for _ in range(count):
        v = gen.top()
        probs = problems_of(v)
        rep = repr(v) if not probs else None
        for p in range(6):
            cases.append((p, pickle.dumps(v, p), probs, rep))
    rc, verdicts = run_loader(binary, [c[1] for c in cases])
    tap.result(rc == 0 and len(verdicts) == len(cases),
               "test_pickle --load exited %d after %d of %d pickles" % (rc, len(verdicts), len(cases)))
    for p in range(6):
        bad, total, refused = [], 0, 0
        for (cp, data, probs, rep), got in zip(cases, verdicts):
            if cp != p:
                continue
            total += 1
            if probs:
                refused += 1
                if got[0] != "error" or got[1] not in probs:
                    bad.append("expected %s for %s, got %s" % ("/".join(sorted(probs)), short(data[:80].hex()),
                                                                short(got)))
            elif got != ("ok", rep):
                bad.append("pickle %s\n  expected %s\n       got %s" % (short(data[:100].hex()), short(rep), short(got)))
        tap.result(not bad and total == count,
                   "CPython dumps protocol %d, C loads: %d values, %d with Python's repr, %d refused as "
                   "outside the value model" % (p, total, total - refused - len(bad), refused), bad[:5])
    return [c[1] for c in cases if len(c[1]) < 3000]


# ---- part C: broken pickles --------------------------------------------------

def safe_encode(*args):
    return _encode("_codecs.encode", args, 1)


class SafeBytes:
    """What C's bytes global accepts: (), (bytes,), (str, encoding[, 'strict'])."""

    def __new__(cls, *args):
        if not args:
            return b""
        if len(args) == 1 and type(args[0]) is bytes:
            return args[0]
        return _encode("bytes", args, 2)


def _encode(who, args, least):
    norm = None
    if least <= len(args) <= 3 and type(args[0]) is str:
        enc = args[1] if len(args) > 1 else "utf-8"
        if type(enc) is str and (len(args) < 3 or args[2] == "strict"):
            norm = enc.lower().replace("-", "_").replace(" ", "_")
    if norm in ("utf8", "utf_8", "u8"):
        return args[0].encode("utf-8")
    if norm in ("latin1", "latin_1", "l1", "iso8859_1", "iso_8859_1"):
        return args[0].encode("latin-1")
    raise pickle.UnpicklingError("%s with arguments C does not take" % who)


class WholeInput:
    """A file whose read() hands over all that is left at once.  CPython's
    Unpickler then works from one buffer holding the whole pickle, as
    pickle.loads does (reading a real file in pieces, it treats FRAME and
    truncation differently)."""

    def __init__(self, data):
        self.data = data

    def read(self, n=-1):
        data, self.data = self.data, b""
        return data

    def readline(self):
        return self.read()


class Restricted(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) == ("_codecs", "encode"):
            return safe_encode
        if (module, name) in (("__builtin__", "bytes"), ("builtins", "bytes")):
            return SafeBytes
        raise pickle.UnpicklingError("global %s.%s is forbidden" % (module, name))


def huge_memo(data):
    """A memo index big enough to make CPython allocate gigabytes: skip such cases."""
    try:
        for op, arg, _ in pickletools.genops(data):
            if op.name in ("PUT", "BINPUT", "LONG_BINPUT", "GET", "BINGET", "LONG_BINGET") and \
                    isinstance(arg, int) and arg > 100000:
                return True
    except Exception:
        pass
    return False


def mutate(r, data):
    b = bytearray(data)
    for _ in range(r.randrange(1, 4)):
        k = r.randrange(6)
        i = r.randrange(len(b) + 1)
        if k == 0 and b:
            b[min(i, len(b) - 1)] = r.randrange(256)
        elif k == 1:
            b[i:i] = bytes([r.choice(b"().0123NITJKMLhjgpqr]}aesulGVXSUBCF\x80\x85\x86\x87\x88\x8a\x8c\x94\x95")])
        elif k == 2 and b:
            del b[i:i + r.randrange(1, 4)]
        elif k == 3:
            del b[i:]
        elif k == 4 and b:
            j = r.randrange(len(b))
            b[i:i] = b[j:j + r.randrange(1, 8)]
        elif b:
            b[min(i, len(b) - 1)] ^= 1 << r.randrange(8)
    return bytes(b)


# Pieces of pickles, for random programs of the stack machine.
SNIPPETS = [b"N", b"K\x01", b"K\x02", b"\x88", b"]", b"}", b"(", b")", b"a", b"e", b"s", b"u", b"t", b"l",
            b"d", b"\x85", b"\x86", b"\x87", b"0", b"1", b"2", b"\x94", b"h\x00", b"h\x01", b"j\x02\x00\x00\x00",
            b"q\x00", b"q\x01", b"r\x02\x00\x00\x00", b"p0\n", b"g0\n", b"g1\n", b"X\x01\x00\x00\x00a",
            b"\x8c\x02\xc3\xa9", b"C\x01b", b"c__builtin__\nbytes\n", b"c_codecs\nencode\n",
            b"\x8c\x06latin1", b"R", b"\x81", b"\x92", b"V\\u00e9\n", b"I01\n", b"I7\n", b"F1.5\n",
            b"\x8a\x01\xff", b"\x98", b"\x80\x04", b"\x95\x01\x00\x00\x00\x00\x00\x00\x00", b"S'x'\n",
            b"o", b"i_codecs\nencode\n", b"\x93", b"b", b"."]


def program(r):
    return b"".join(r.choice(SNIPPETS) for _ in range(r.randrange(1, 14))) + b"."


def part_c(tap, binary, seed, count, pickles):
    r = random.Random(seed * 7 + 1)
    # Broken input could make CPython's reader ask for absurd memory; keep
    # this process (and the C reader it starts) within bounds.
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = 4 << 30
    if hard == resource.RLIM_INFINITY or hard > limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    # Some broken pickles make CPython drop a memoryview of a bytearray in a
    # way it complains about on stderr; that noise is not a result.
    cases = []
    while len(cases) < count and pickles:
        # Three in four: a good pickle damaged; one in four: a random program.
        data = mutate(r, r.choice(pickles)) if r.random() < 0.75 else program(r)
        if huge_memo(data):
            continue
        try:
            with contextlib.redirect_stderr(io.StringIO()):
                v = Restricted(WholeInput(data)).load()
            probs = problems_of(v)
            cases.append((data, "ok", probs, None if probs else repr(v)))
        except Exception as e:
            cases.append((data, "error", type(e).__name__, str(e)))
    rc, verdicts = run_loader(binary, [c[0] for c in cases])
    bad, stricter, agree = [], 0, 0
    for (data, kind, a, b), got in zip(cases, verdicts):
        if kind == "error":
            ok = got[0] == "error"
            why = "CPython: %s: %s" % (a, b)
        elif a:
            ok = got[0] == "error"
            why = "CPython loaded a value outside the model (%s)" % "/".join(sorted(a))
        elif got[0] == "error" and STRICTER.search(got[2]):
            stricter += 1
            continue
        else:
            ok = got == ("ok", b)
            why = "CPython: %s" % short(b)
        if ok:
            agree += 1
        else:
            bad.append("pickle %s\n  %s\n  C: %s" % (data.hex(), why, short(got)))
    tap.result(rc == 0 and not bad and len(verdicts) == len(cases),
               "%d broken pickles: C agrees with CPython on %d, is stricter on %d (documented)"
               % (len(cases), agree, stricter), bad[:8])


def main(argv):
    binary = os.path.join(os.environ.get("BUILD", "build"), "test", "test_pickle")
    if len(argv) > 2 and argv[1] == "--bin":
        binary = argv[2]
        argv = argv[:1] + argv[3:]
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    seed, count = int(argv[1], 0), int(argv[2], 0)
    sys.setrecursionlimit(10000)        # decode() and repr() of values nested ~250 deep
    tap = Tap()
    if not os.access(binary, os.X_OK):
        tap.result(False, "%s is not built (make unit-build)" % binary)
    else:
        part_a(tap, binary, seed, count)
        pickles = part_b(tap, binary, seed, count)
        part_c(tap, binary, seed, 5 * count, pickles)
    print("1..%d" % tap.n)
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

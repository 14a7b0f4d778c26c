#!/usr/bin/env python3
"""repr_check.py - check the C library's repr() and str() against Python's own.

Usage: repr_check.py BINARY [SEED [N]]

Runs `BINARY --gen SEED N` (the test_values program; without SEED and N it
uses the program's defaults), rebuilds every value from its structural
encoding with plain Python, and compares Python's repr() and str() with the
C library's.  Prints TAP: one line per value, with a diagnostic on mismatch,
then one line saying the generator exited cleanly after the expected number
of values.  Exit status 1 if anything failed.  The line format is described
at the top of ref/test/test_values.c.
"""
import subprocess
import sys

UNESCAPE = {b"\\": b"\\", b"t": b"\t", b"n": b"\n", b"r": b"\r", b"0": b"\0"}


def unescape(column):
    """Undo the generator's escaping of \\ TAB LF CR NUL; return text."""
    out = bytearray()
    i = 0
    while i < len(column):
        c = column[i:i + 1]
        if c == b"\\":
            out += UNESCAPE[column[i + 1:i + 2]]
            i += 2
        else:
            out += c
            i += 1
    return out.decode("utf-8")


def decode(tokens, pos):
    """Build the value whose encoding starts at tokens[pos]; return it and the next position."""
    tok = tokens[pos]
    tag, rest = tok[0], tok[1:]
    pos += 1
    if tag == "N":
        return None, pos
    if tag in "TF":
        return tag == "T", pos
    if tag == "i":
        return int(rest), pos
    if tag == "f":
        return float.fromhex(rest), pos
    if tag == "s":
        return bytes.fromhex(rest).decode("utf-8"), pos
    if tag == "b":
        return bytes.fromhex(rest), pos
    if tag in "tl":
        items = []
        for _ in range(int(rest)):
            item, pos = decode(tokens, pos)
            items.append(item)
        return (tuple(items) if tag == "t" else items), pos
    if tag == "d":
        d = {}
        for _ in range(int(rest)):
            key, pos = decode(tokens, pos)
            val, pos = decode(tokens, pos)
            d[key] = val          # Python's own merging of 1, 1.0 and True
        return d, pos
    raise ValueError("unknown token %r" % tok)


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def check_line(number, line):
    """Return (ok, diagnostic lines) for one generator line."""
    try:
        enc, our_repr, our_str = line.split(b"\t")
        value, end = decode(enc.decode("ascii").split(" "), 0)
        if end != len(enc.split(b" ")):
            raise ValueError("trailing tokens in the encoding")
        ours = {"repr": unescape(our_repr), "str": unescape(our_str)}
    except Exception as e:                         # malformed output is a failure
        return False, ["cannot parse line %d: %s: %s" % (number, type(e).__name__, e),
                       "line: %s" % ascii(line[:500])]
    diag = []
    for name, want in (("repr", repr(value)), ("str", str(value))):
        got = ours[name]
        if got != want:
            at = first_difference(got, want)
            diag += ["%s differs at character %d" % (name, at),
                     "     C: %s" % ascii(got),
                     "python: %s" % ascii(want)]
    return not diag, diag


def main(argv):
    if len(argv) not in (2, 3, 4):
        sys.stderr.write(__doc__)
        return 2
    cmd = [argv[1], "--gen"] + argv[2:]
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE)
    except OSError as e:
        print("Bail out! cannot run %s: %s" % (argv[1], e))
        return 1
    # Split on LF only: str.splitlines() would also split at U+2028 and friends.
    lines = proc.stdout.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    failed = 0
    for number, line in enumerate(lines, 1):
        ok, diag = check_line(number, line)
        failed += not ok
        print("%s %d - value %d repr and str" % ("ok" if ok else "not ok", number, number))
        for d in diag:
            print("# " + d)
    expected = int(argv[3], 0) if len(argv) > 3 else None
    clean = proc.returncode == 0 and len(lines) > 0 and expected in (None, len(lines))
    failed += not clean
    print("%s %d - generator exited %d after %d values%s" % (
        "ok" if clean else "not ok", len(lines) + 1, proc.returncode, len(lines),
        "" if expected is None else " (expected %d)" % expected))
    print("1..%d" % (len(lines) + 1))
    if failed:
        print("# %d failed" % failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""trace_draw_check.py - check how scripts/trace-draw joins the two ends of socket connections, on made-up traces.

Run: python3 ref/test/trace_draw_check.py

A socket's two ends have names of their own in a trace (docs/trace.md), and
a manager opens one connection per call; trace-draw pairs the ends by what
they carried and draws the connections between two processes as one
channel.  Each test writes a small trace by hand, runs trace-draw on it
(--shape, or the picture), and checks what the pairing must give: the
ends of one connection joined, the connections of one pair of processes
counted together, a peer that died before answering still paired, Pipes
(one name for both ends) and a Pipe used in one process left as they were.
Prints TAP; exits 1 if anything failed.
"""
import os
import subprocess
import sys
import tempfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DRAW = os.path.join(ROOT, "scripts", "trace-draw")
PROCS = {1: "MainProcess", 2: "Process-1", 3: "SyncManager-1", 4: "Process-2"}


def start(ts, child, parent=1):
    return [(ts, parent, 'ev=proc.start child="%s" cpid=%d method=fork' % (PROCS[child], child)),
            (ts + 0.0001, child, 'ev=proc.begin parent="%s" ppid=%d' % (PROCS[parent], parent)),
            (ts + 9, child, 'ev=proc.end code=0'),
            (ts + 9.1, parent, 'ev=proc.exit child="%s" cpid=%d code=0' % (PROCS[child], child))]


def msg(ts, pid, ev, obj, text):
    return (ts, pid, 'ev=%s kind=Connection obj=%s size=%d repr="%s"' % (ev, obj, len(text) + 20, text))


def call(ts, client, cobj, server, sobj, request, answer=True):
    """One request and its answer over a socket: the server's lines first,
    as in a real trace (a send's line is written once the write returned)."""
    lines = [msg(ts, server, 'recv', sobj, request), msg(ts + 0.0002, client, 'send', cobj, request)]
    if answer:
        lines += [msg(ts + 0.0001, server, 'send', sobj, '#RETURN'),
                  msg(ts + 0.0003, client, 'recv', cobj, '#RETURN')]
    return lines


def draw(lines, *args):
    with tempfile.NamedTemporaryFile('w', suffix='.trace', delete=False) as f:
        for ts, pid, rest in lines:
            # Lines in the file in any order: trace-draw sorts them by time.
            f.write('%.6f %d proc="%s" %s\n' % (1000 + ts, pid, PROCS[pid], rest))
    try:
        run = subprocess.run([sys.executable, DRAW] + list(args) + [f.name], capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    if run.returncode != 0:
        return 'trace-draw failed (%d): %s' % (run.returncode, run.stderr.strip())
    return run.stdout


def shape(lines):
    return [l for l in draw(lines, '--shape').splitlines() if not l.startswith('process ')]


def listener_client():
    """Lesson 26: the parent sends three messages to a child over a socket."""
    lines = start(0, 2)
    for k, text in enumerate(['[2.25]', "b'hello'", "b'*'"]):
        lines += [msg(1 + k, 1, 'send', '1.1', text), msg(1.0001 + k, 2, 'recv', '2.1', text)]
    return lines


def manager():
    """A manager, and two clients: MainProcess makes three calls (each on a
    connection of its own), Process-2 two calls on one connection and one
    more that is never answered (it is killed)."""
    lines = start(0, 3) + start(0.5, 4)
    lines += call(1, 1, '1.5', 3, '3.5', "(None, 'create')")
    lines += call(2, 1, '1.6', 3, '3.6', "(None, 'incref')")
    lines += call(3, 4, '4.7', 3, '3.7', "(None, 'incref')")
    lines += call(4, 4, '4.8', 3, '3.8', "('x', 'append')") + call(5, 4, '4.8', 3, '3.8', "('x', 'append')")
    lines += call(6, 1, '1.9', 3, '3.9', "(None, 'decref')")
    lines += call(7, 4, '4.10', 3, '3.10', "(None, 'decref')", answer=False)
    return lines


def tests():
    s = shape(listener_client())
    yield ("Listener/Client: the two ends are one connection from the parent to the child",
           s == ['Connection(MainProcess => Process-1) -> Process-1: 3',
                 'Connection(MainProcess => Process-1) <- MainProcess: 3'], s)

    dot = draw(listener_client(), '--title', 't')
    yield ("Listener/Client: drawn as one arrow, as a Pipe with one writer and one reader",
           'b0 -> r1' in dot and 'Connection 1: 3' in dot and 'Connection 2' not in dot, dot)

    s = shape(manager())
    both = 'Connection(%s,SyncManager-1 => %s,SyncManager-1)'
    want = sorted(['%s -> MainProcess: 3' % (both % ('MainProcess', 'MainProcess')),
                   '%s -> SyncManager-1: 3' % (both % ('MainProcess', 'MainProcess')),
                   '%s <- MainProcess: 3' % (both % ('MainProcess', 'MainProcess')),
                   '%s <- SyncManager-1: 3' % (both % ('MainProcess', 'MainProcess')),
                   # Process-2 sent 4 and got 3 answers: it was killed first.
                   '%s -> Process-2: 3' % (both % ('Process-2', 'Process-2')),
                   '%s -> SyncManager-1: 4' % (both % ('Process-2', 'Process-2')),
                   '%s <- Process-2: 4' % (both % ('Process-2', 'Process-2')),
                   '%s <- SyncManager-1: 3' % (both % ('Process-2', 'Process-2'))])
    yield ("a manager's connections: paired end to end, counted per pair of processes, "
           "the unanswered call too", s == want, s)

    dot = draw(manager(), '--title', 't')
    # Each box on its client's lifeline (h b c r t), one line to the manager.
    yield ("a manager's connections: one box per pair of processes, named by how many, on the client's lifeline",
           dot.count('3 connections') == 2 and dot.count('dir=both') == 2
           and 'h0 -> b0 -> c0 -> r0' in dot and 'h2 -> b2 -> c1 -> r2' in dot
           and dot.count('c0 -> r1 [dir=both') == 1 and dot.count('c1 -> r1 [dir=both') == 1
           and 'Connection 1' not in dot and '3 messages each way' in dot
           and 'Process-2: 4 sent, 3 received' in dot and 'SyncManager-1: 3 sent, 4 received' in dot, dot)

    # Two processes each with a Pipe of its own used both ways, carrying
    # the same messages: not taken for the two ends of a socket.
    lines = start(0, 2)
    for pid, obj in ((1, '1.1'), (2, '2.1')):
        lines += [msg(1, pid, 'send', obj, 'ping'), msg(1.0001, pid, 'recv', obj, 'ping')]
    s = shape(lines)
    yield ("a Pipe used in one process is not paired with another",
           s == ['Connection(MainProcess => MainProcess) -> MainProcess: 1',
                 'Connection(MainProcess => MainProcess) <- MainProcess: 1',
                 'Connection(Process-1 => Process-1) -> Process-1: 1',
                 'Connection(Process-1 => Process-1) <- Process-1: 1'], s)

    # A Pipe between two processes (one name for both ends) beside a socket
    # between the same two that carries the same message.
    lines = start(0, 2)
    lines += [msg(1, 2, 'send', '1.1', 'addr'), msg(1.0001, 1, 'recv', '1.1', 'addr')]
    lines += [msg(2, 2, 'send', '2.2', 'addr'), msg(2.0001, 1, 'recv', '1.3', 'addr')]
    s = shape(lines)
    dot = draw(lines, '--title', 't')
    yield ("a Pipe keeps its own channel beside a socket between the same processes",
           s == ['Connection(Process-1 => MainProcess) -> MainProcess: 2',
                 'Connection(Process-1 => MainProcess) <- Process-1: 2']
           and 'Connection 1: 1' in dot and 'Connection 2: 1' in dot, s + [dot])

    # Ends that carried different messages are not paired.
    lines = start(0, 2) + [msg(1, 1, 'send', '1.1', 'a'), msg(1.0001, 2, 'recv', '2.1', 'b')]
    s = shape(lines)
    yield ("ends that carried different messages stay apart",
           s == ['Connection( => Process-1) -> Process-1: 1',
                 'Connection(MainProcess => ) <- MainProcess: 1'], s)


def main():
    results = list(tests())
    print('1..%d' % len(results))
    failed = 0
    for n, (name, ok, got) in enumerate(results, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', n, name))
        if not ok:
            failed = 1
            for line in (got if isinstance(got, list) else [got]):
                for l in str(line).splitlines():
                    print('#   ' + l)
    return failed


if __name__ == '__main__':
    sys.exit(main())

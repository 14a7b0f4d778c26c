"""mp_trace.py - MP_TRACE for CPython: wraps multiprocessing's classes to write the lines Forklore's C library writes (docs/trace.md).

sitecustomize imports this only when MP_TRACE is set, so a twin run
without it is CPython untouched.  Every line is one os.write() to a file
opened with O_APPEND, as in C (ref/src/core/trace.c): lines of several
processes and threads never mix.  The event names, fields, quoting and
object names are C's, so scripts/trace-draw reads either trace, and the
shape cases (conformance/trace/) compare them.

What is wrapped, and why there: each event is written where CPython's
public method does what C's mp_* call does (Queue.put, Connection.send,
Lock.acquire ...), after it succeeded.  The library's inner objects (a
Queue's pipe and locks, an Event's Condition, a Pool's task queues) are
marked untraced, as C marks its own, so only what the program itself made
appears.  An object's trace name ("pid.n") rides along when it is pickled
for a child (spawn, forkserver); under fork the copy keeps it.
"""
import io
import itertools
import os
import threading
import time

import multiprocessing.connection as _connection
import multiprocessing.pool as _pool
import multiprocessing.popen_fork as _popen_fork
import multiprocessing.popen_forkserver as _popen_forkserver
import multiprocessing.process as _process
import multiprocessing.queues as _queues
import multiprocessing.reduction as _reduction
import multiprocessing.synchronize as _sync

REPR_MAX = 40
_fd = os.open(os.environ['MP_TRACE'], os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
_counter = itertools.count(1)
_tl = threading.local()


def quoted(key, s):
    """ key="s": \\ and " escaped, bytes below 0x20 and 0x7f as \\xHH (C's rule)."""
    out = bytearray(b' ' + key.encode() + b'="')
    for c in s.encode('utf-8', 'surrogateescape'):
        if c in (0x5c, 0x22):
            out += b'\\' + bytes([c])
        elif c < 0x20 or c == 0x7f:
            out += b'\\x%02x' % c
        else:
            out.append(c)
    return bytes(out + b'"')


def emit(ev, fields=b'', name=None):
    if name is None:
        name = _process.current_process().name
    line = b'%.6f %d' % (time.monotonic(), os.getpid()) + quoted('proc', name) + \
        b' ev=' + ev.encode() + fields + b'\n'
    try:
        os.write(_fd, line)
    except OSError:
        pass        # the trace is a side channel: a failed write loses the line only


def new_id():
    return '%d.%d' % (os.getpid(), next(_counter))


def obj_fields(o):
    return b' kind=%s obj=%s' % (type(o).__name__.encode(), o._mp_trace_id.encode())


def short_repr(v):
    try:
        r = repr(v)
    except Exception:
        r = '?'
    return r if len(r) <= REPR_MAX else r[:REPR_MAX] + '...'


def message(ev, o, v, size=None):
    if o._mp_trace_id is None or getattr(_tl, 'quiet', False):
        return
    f = obj_fields(o)
    if size is not None:
        f += b' size=%d' % size
    emit(ev, f + quoted('repr', short_repr(v)))


def off(*objs):
    """The library's inner objects: no lines of their own (a Condition's
    lock with it, as a Condition made inside is wholly inner)."""
    for o in objs:
        try:
            o._mp_trace_id = None
        except AttributeError:
            continue        # not a multiprocessing object (queue.SimpleQueue)
        if isinstance(o, _sync.Condition):
            off(o._lock)


def wrap(cls, name):
    """Decorator: replace cls.name by the decorated function, which gets
    the original as its first argument."""
    orig = getattr(cls, name)

    def deco(fn):
        def wrapper(*args, **kwargs):
            return fn(orig, *args, **kwargs)
        wrapper.__name__ = name
        wrapper.__wrapped__ = orig
        setattr(cls, name, wrapper)
        return fn
    return deco


def named(cls, *inner):
    """cls's objects get a trace name when made (and the attributes inner
    are its parts, untraced); a pickled one carries it to the child."""
    cls._mp_trace_id = None

    @wrap(cls, '__init__')
    def init(orig, self, *args, **kwargs):
        orig(self, *args, **kwargs)
        off(*(getattr(self, a) for a in inner if getattr(self, a, None) is not None))
        self._mp_trace_id = new_id()

    if '__getstate__' in cls.__dict__:
        @wrap(cls, '__getstate__')
        def getstate(orig, self):
            return ('__mp_trace__', self._mp_trace_id, orig(self))

        @wrap(cls, '__setstate__')
        def setstate(orig, self, state):
            if isinstance(state, tuple) and len(state) == 3 and state[0] == '__mp_trace__':
                orig(self, state[2])
                self._mp_trace_id = state[1]
            else:
                orig(self, state)


# ---- processes ------------------------------------------------------------

def child_fields(name, pid, extra=b''):
    return quoted('child', name) + b' cpid=%d' % (pid or 0) + extra


@wrap(_process.BaseProcess, 'start')
def _start(orig, self):
    orig(self)
    self._popen._mp_trace_name = self.name
    emit('proc.start', child_fields(self.name, self._popen.pid,
                                    b' method=' + self._popen.method.encode()))


@wrap(_process.BaseProcess, '_bootstrap')
def _bootstrap(orig, self, *args, **kwargs):
    # Written before CPython makes this the current process: named so.
    emit('proc.begin', quoted('parent', self._parent_name) + b' ppid=%d' % self._parent_pid,
         name=self.name)
    code = orig(self, *args, **kwargs)
    emit('proc.end', b' code=%d' % code)
    return code


def _poll_traced(orig, self, *args, **kwargs):
    was = self.returncode
    code = orig(self, *args, **kwargs)
    if was is None and code is not None:    # the first time it is known
        emit('proc.exit', child_fields(getattr(self, '_mp_trace_name', '?'), self.pid,
                                       b' code=%d' % code))
    return code


wrap(_popen_fork.Popen, 'poll')(_poll_traced)
wrap(_popen_forkserver.Popen, 'poll')(_poll_traced)


@wrap(_process.BaseProcess, 'join')
def _join(orig, self, timeout=None):
    # Only a join that passes CPython's checks waits, and is traced (C's).
    traced = not self._closed and self._parent_pid == os.getpid() and self._popen is not None
    if traced:
        emit('join.wait', child_fields(self.name, self._popen.pid))
    try:
        orig(self, timeout)
    finally:
        if traced:
            ended = self._popen is None or self._popen.returncode is not None
            emit('join.done', child_fields(self.name, self.pid, b' ended=%d' % ended))


# ---- connections ----------------------------------------------------------

Conn = _connection.Connection
named(_connection._ConnectionBase)


@wrap(Conn, '_send_bytes')
def _send_raw(orig, self, buf):
    _tl.size = len(buf)
    return orig(self, buf)


@wrap(Conn, '_recv_bytes')
def _recv_raw(orig, self, maxsize=None):
    buf = orig(self, maxsize)
    with buf.getbuffer() as m:
        _tl.size = m.nbytes
    return buf


def sent(cls, name, ev, sized=True):
    """cls.name writes its first argument: ev, once it has, with the size
    of its pickle (a Queue's put has none yet: its feeder pickles later)."""
    @wrap(cls, name)
    def traced(orig, self, obj, *args, **kwargs):
        orig(self, obj, *args, **kwargs)
        message(ev, self, obj, _tl.size if sized else None)


def got(cls, name, ev):
    """cls.name returns what it read: ev, once it has."""
    @wrap(cls, name)
    def traced(orig, self, *args, **kwargs):
        obj = orig(self, *args, **kwargs)
        message(ev, self, obj, _tl.size)
        return obj


sent(_connection._ConnectionBase, 'send', 'send')
got(_connection._ConnectionBase, 'recv', 'recv')


@wrap(_connection._ConnectionBase, 'send_bytes')
def _send_bytes(orig, self, buf, offset=0, size=None):
    orig(self, buf, offset, size)
    if self._mp_trace_id is not None:
        m = memoryview(buf).cast('B')
        data = bytes(m[offset:offset + size if size is not None else None])
        message('send', self, data[:REPR_MAX], len(data))


@wrap(_connection._ConnectionBase, 'recv_bytes')
def _recv_bytes(orig, self, maxlength=None):
    data = orig(self, maxlength)
    message('recv', self, data[:REPR_MAX], len(data))
    return data


@wrap(_connection._ConnectionBase, 'recv_bytes_into')
def _recv_bytes_into(orig, self, buf, offset=0):
    n = orig(self, buf, offset)
    if self._mp_trace_id is not None:
        m = memoryview(buf).cast('B')
        message('recv', self, bytes(m[offset:offset + min(n, REPR_MAX)]), n)
    return n


def _quiet(fn):
    """The authentication handshake is the library's own talk (C's is
    untraced): no lines while it runs."""
    def quiet(*args, **kwargs):
        _tl.quiet = True
        try:
            return fn(*args, **kwargs)
        finally:
            _tl.quiet = False
    return quiet


_connection.deliver_challenge = _quiet(_connection.deliver_challenge)
_connection.answer_challenge = _quiet(_connection.answer_challenge)
_pipe = _connection.Pipe


def _traced_pipe(duplex=True):
    a, b = _pipe(duplex)
    b._mp_trace_id = a._mp_trace_id     # the two ends are one channel
    return a, b


_connection.Pipe = _traced_pipe
_reduce_conn = _reduction.ForkingPickler._extra_reducers[Conn]


def rebuild_connection(fn, args, trace_id):
    c = fn(*args)
    c._mp_trace_id = trace_id
    return c


def _reduce_traced(conn):
    fn, args = _reduce_conn(conn)
    return rebuild_connection, (fn, args, conn._mp_trace_id)


_reduction.register(Conn, _reduce_traced)


# ---- queues ---------------------------------------------------------------

named(_queues.Queue, '_reader', '_writer', '_rlock', '_wlock', '_sem')
named(_queues.JoinableQueue, '_reader', '_writer', '_rlock', '_wlock', '_sem',
      '_unfinished_tasks', '_cond')
named(_queues.SimpleQueue, '_reader', '_writer', '_rlock', '_wlock')


sent(_queues.Queue, 'put', 'put', sized=False)
sent(_queues.JoinableQueue, 'put', 'put', sized=False)
got(_queues.Queue, 'get', 'get')
sent(_queues.SimpleQueue, 'put', 'put')
got(_queues.SimpleQueue, 'get', 'get')


# ---- locks, conditions, events ----------------------------------------------

named(_sync.SemLock)
named(_sync.Condition, '_sleeping_count', '_woken_count', '_wait_semaphore')
named(_sync.Event, '_cond', '_flag')
named(_sync.Barrier, '_cond')


def result(ev, o, ok):
    if o._mp_trace_id is not None:
        emit(ev, obj_fields(o) + b' ok=%d' % bool(ok))


def event(ev, o):
    if o._mp_trace_id is not None:
        emit(ev, obj_fields(o))


@wrap(_sync.SemLock, '_make_methods')
def _make_methods(orig, self):
    orig(self)
    acquire, release = self.acquire, self.release

    def traced_acquire(block=True, timeout=None):
        ok = acquire(block, timeout)
        result('acquire', self, ok)
        return ok

    def traced_release():
        release()
        event('release', self)
    self.acquire, self.release = traced_acquire, traced_release


@wrap(_sync.SemLock, '__enter__')
def _enter(orig, self):
    ok = orig(self)
    result('acquire', self, ok)
    return ok


@wrap(_sync.SemLock, '__exit__')
def _exit(orig, self, *args):
    r = orig(self, *args)
    event('release', self)
    return r


@wrap(_sync.Condition, 'wait')
def _cwait(orig, self, timeout=None):
    if getattr(_tl, 'in_wait_for', False):
        return orig(self, timeout)          # wait_for is one wait, as C's
    event('wait.begin', self)
    ok = orig(self, timeout)
    result('wait.end', self, ok)
    return ok


@wrap(_sync.Condition, 'wait_for')
def _cwait_for(orig, self, predicate, timeout=None):
    event('wait.begin', self)
    _tl.in_wait_for = True
    try:
        ok = orig(self, predicate, timeout)
    finally:
        _tl.in_wait_for = False
    result('wait.end', self, ok)
    return ok


@wrap(_sync.Condition, 'notify')
def _notify(orig, self, n=1):
    event('notify', self)
    return orig(self, n)


@wrap(_sync.Event, 'set')
def _eset(orig, self):
    orig(self)
    event('set', self)


@wrap(_sync.Event, 'wait')
def _ewait(orig, self, timeout=None):
    event('wait.begin', self)
    ok = orig(self, timeout)
    result('wait.end', self, ok)
    return ok


# ---- the Pool ---------------------------------------------------------------

@wrap(_pool.Pool, '_setup_queues')
def _setup_queues(orig, self):
    orig(self)
    off(self._inqueue, self._outqueue)      # its tasks are traced as tasks


@wrap(_pool.Pool, '__init__')
def _pool_init(orig, self, *args, **kwargs):
    orig(self, *args, **kwargs)
    off(self._change_notifier)


def submitted(res, tasks):
    emit('task.submit', b' job=%d' % res._job + (b' tasks=%d' % tasks if tasks is not None else b''))


@wrap(_pool.ApplyResult, '__init__')
def _apply_init(orig, self, *args, **kwargs):
    orig(self, *args, **kwargs)
    if type(self) is _pool.ApplyResult:
        submitted(self, 1)


@wrap(_pool.MapResult, '__init__')
def _map_init(orig, self, *args, **kwargs):
    orig(self, *args, **kwargs)
    submitted(self, self._number_left)


@wrap(_pool.IMapIterator, '__init__')
def _imap_init(orig, self, *args, **kwargs):
    orig(self, *args, **kwargs)
    submitted(self, None)


class _TaskQueues:
    """What a worker sees of its two queues: get and put traced as tasks."""

    def __init__(self, q):
        self._q = q

    def __getattr__(self, name):
        return getattr(self._q, name)

    def get(self):
        task = self._q.get()
        if task is not None:
            emit('task.start', b' job=%d index=%d' % (task[0], task[1]))
        return task

    def put(self, item):
        job, i, (ok, _) = item
        emit('task.done', b' job=%d index=%d ok=%d' % (job, i, bool(ok)))
        return self._q.put(item)


_worker = _pool.worker


def worker(inqueue, outqueue, *args, **kwargs):
    return _worker(_TaskQueues(inqueue), _TaskQueues(outqueue), *args, **kwargs)


_pool.worker = worker

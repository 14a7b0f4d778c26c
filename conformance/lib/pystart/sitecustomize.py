"""sitecustomize.py - let MP_START_METHOD choose multiprocessing's default start method, as it does for Forklore.

The conformance harness puts this folder on PYTHONPATH, so every Python it
runs (the twins, and the children spawn and forkserver start) imports it
first.  It changes the *default* context, which set_start_method() has not
fixed yet: a twin that calls set_start_method() itself still can, exactly as
a C program can after MP_START_METHOD chose the default.  CPython has no such
variable; this is the one place the harness reaches into its internals.
"""
import os

_method = os.environ.get('MP_START_METHOD')
if _method:
    import multiprocessing.context as _context
    _context._default_context._default_context = _context._concrete_contexts[_method]

# MP_TRACE=<file>: the twin writes the trace lines Forklore's C library
# writes (mp_trace.py, docs/trace.md).  Imported only then: a run without
# it is CPython untouched.
if os.environ.get('MP_TRACE'):
    import mp_trace  # noqa: F401

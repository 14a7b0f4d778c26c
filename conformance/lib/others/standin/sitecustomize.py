"""sitecustomize.py - let the package named by FORKLORE_MP_STANDIN (billiard or multiprocess) stand in for multiprocessing in the conformance twins.

conformance/lib/others/python-billiard and python-multiprocess put this
folder first on PYTHONPATH and set FORKLORE_MP_STANDIN, so every Python they
start imports this first, and so do the children that spawn and forkserver
start (they run sys.executable, /usr/bin/python3, but inherit the
environment).  It wraps __import__: an absolute import of `multiprocessing`
or `multiprocessing.X` made by the program's own code (the twin run as
__main__ or __mp_main__, the interop peers, the harness's pystart) imports
the stand-in, `STANDIN` or `STANDIN.X`, instead.  Imports made by installed
code are left alone, because the stand-ins themselves use the standard
library's multiprocessing: billiard takes its util, process and exception
classes from it, so its AuthenticationError is multiprocessing's own.
Nothing else changes: the stand-in's own code runs, with its own reprs,
messages and module paths.  Then it runs the next sitecustomize on the path
(the harness's pystart, which makes MP_START_METHOD choose the default
start method), whose `import multiprocessing.context` now gives the
stand-in's context.
"""
import builtins
import importlib.machinery
import importlib.util
import os
import sys
import sysconfig

_standin = os.environ.get('FORKLORE_MP_STANDIN', '')
if _standin not in ('billiard', 'multiprocess'):
    raise ImportError('FORKLORE_MP_STANDIN must be billiard or multiprocess, not %r' % _standin)

# Where installed code lives: the standard library and every site or
# dist-packages folder on the path.
_installed = {os.path.realpath(sysconfig.get_paths()[k]) for k in ('stdlib', 'platstdlib', 'purelib', 'platlib')}
_installed.update(os.path.realpath(p) for p in sys.path
                  if p.rstrip('/').endswith(('site-packages', 'dist-packages')))
_installed = tuple(p.rstrip('/') + '/' for p in _installed)


def _by_the_program(g):
    """Is the import made by the program's own code (globals g)?"""
    if not g:
        return False    # pickle's find_class and the like: leave alone
    if g.get('__name__') in ('__main__', '__mp_main__'):
        return True
    f = g.get('__file__')
    return bool(f) and not os.path.realpath(f).startswith(_installed)


_import = builtins.__import__


def _standin_import(name, globals=None, locals=None, fromlist=(), level=0):
    if level == 0 and (name == 'multiprocessing' or name.startswith('multiprocessing.')) \
            and _by_the_program(globals):
        name = _standin + name[len('multiprocessing'):]
    return _import(name, globals, locals, fromlist, level)


builtins.__import__ = _standin_import

# The next sitecustomize on the path, run as if it were this one.
_here = os.path.dirname(os.path.realpath(__file__))
_next = importlib.machinery.PathFinder.find_spec(
    'sitecustomize', [p for p in sys.path if os.path.realpath(p or '.') != _here])
if _next is not None and _next.origin:
    _module = importlib.util.module_from_spec(_next)
    _next.loader.exec_module(_module)

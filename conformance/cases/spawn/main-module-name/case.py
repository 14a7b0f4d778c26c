# case.py - case spawn/main-module-name, the Python twin: the main module's top level runs again in a spawn or forkserver child, as __mp_main__.
#
# Pins (documented, programming guidelines, "Safe importing of main
# module": under spawn and forkserver a child imports the main module,
# and multiprocessing imports it under the name __mp_main__ so that the
# main guard is false there): the line printed at the top level of the
# main module says __main__ in the main process; under spawn and
# forkserver each child prints it again with __mp_main__, before its
# target runs; under fork a child does not run it.  So the output
# differs by start method, and the case has a golden per method
# (golden/cases/spawn/main-module-name/METHOD/).  start() flushes stdout,
# and the child prints while the parent waits in join(), so the order is
# certain.
import multiprocessing

print('top level of the main module: __name__ is', __name__)


def hello():
    print('child target runs')


if __name__ == '__main__':
    p = multiprocessing.Process(target=hello)
    p.start()
    p.join()
    print('child exitcode:', p.exitcode)

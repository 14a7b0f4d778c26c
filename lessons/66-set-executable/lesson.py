# lesson.py - Lesson 66's Python twin: set_executable() makes spawn run a helper of your own, which runs the interpreter.
import multiprocessing
import os
import sys


def child():
    print('child: came through the helper:', os.environ.get('LESSON66_VIA_HELPER') == 'yes')


def run(ctx):
    p = ctx.Process(target=child)
    p.start()
    p.join()
    print(ctx.get_start_method(), 'child exitcode', p.exitcode)


if __name__ == '__main__':
    here = os.path.dirname(os.path.abspath(__file__))
    # The helper runs the program named here: for Python, the interpreter.
    os.environ['LESSON66_REAL'] = sys.executable
    multiprocessing.set_executable(os.path.join(here, 'helper'))

    # spawn starts a child by running the executable: now the helper.
    run(multiprocessing.get_context('spawn'))
    # fork runs nothing: the child is a copy of this process.
    run(multiprocessing.get_context('fork'))


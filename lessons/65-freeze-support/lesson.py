# lesson.py - Lesson 65's Python twin: freeze_support() first under the main guard, then set_start_method('spawn').
#
# The docs' freeze_support() example, with the fix from "Safe importing of
# main module": freeze_support(); set_start_method('spawn') under the guard.
from multiprocessing import Process, freeze_support, set_start_method, get_start_method


def f():
    print('hello world!')


if __name__ == '__main__':
    freeze_support()
    set_start_method('spawn')
    print('start method:', get_start_method())
    # No join: at exit multiprocessing joins every child that is not a daemon.
    Process(target=f).start()

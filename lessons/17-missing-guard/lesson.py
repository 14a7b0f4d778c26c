# lesson.py - Lesson 17's Python twin: no main guard, so the spawned child tries to start one too.
#
# WRONG ON PURPOSE: the code below belongs under `if __name__ == '__main__':`.
import multiprocessing


def hello():
    print('hello from', multiprocessing.current_process().name)


ctx = multiprocessing.get_context('spawn')
p = ctx.Process(target=hello)
p.start()
p.join()
print('exitcode', p.exitcode)

# lesson.py - Lesson 16's Python twin: get_context gives a program two start methods.
import multiprocessing as mp


def foo():
    print('   ', mp.current_process().name, 'runs in', __name__)


if __name__ == '__main__':
    print('all start methods:', mp.get_all_start_methods())

    mp.set_start_method('spawn')
    try:
        mp.set_start_method('fork')
    except RuntimeError as e:
        print('set_start_method again:', type(e).__name__ + ':', e)
    try:
        mp.get_context('thread')
    except ValueError as e:
        print("get_context('thread'):", type(e).__name__ + ':', e)

    ctx = mp.get_context('fork')
    print('mp.get_start_method():', mp.get_start_method())
    print('ctx.get_start_method():', ctx.get_start_method())

    for p in [mp.Process(target=foo), ctx.Process(target=foo)]:
        p.start()
        p.join()
        print(p)

# lesson.py - Lesson 64's Python twin: the docs' interactive Process session (time.sleep(1000), terminate, no join), as a program.
import multiprocessing
import signal
import time

if __name__ == '__main__':
    p = multiprocessing.Process(target=time.sleep, args=(1000,))
    print(p, p.is_alive())
    p.start()
    print(p, p.is_alive())
    p.terminate()
    time.sleep(0.1)
    # The session looks once, 0.1 s after terminate(); a loaded machine may
    # take longer to end the child, so look again every 10 ms, up to 10 s.
    # is_alive() is the look: it reaps the child once it has ended.
    deadline = time.monotonic() + 10
    while p.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    print(p, p.is_alive())
    print(p.exitcode == -signal.SIGTERM)
    # No join() anywhere: is_alive() reaped the child, so it is gone from
    # active_children(), and no zombie is left.
    print('active children:', len(multiprocessing.active_children()))

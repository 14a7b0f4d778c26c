# lesson.py - Lesson 40's Python twin: an unguarded Pool(processes=5).map whose workers print squares: fine under fork, a bootstrapping RuntimeError in every worker under spawn and forkserver.
#
# WRONG ON PURPOSE: the code below belongs under `if __name__ == '__main__':`
# (lesson 17).  Changed from the example (README.md): print is Python 3's and flushed,
# and map waits at most 5 s (map_async(...).get(timeout=5)), because under
# spawn and forkserver no worker can ever start, and map would wait for ever.
from multiprocessing import Pool, TimeoutError

def my_func(x):
    print(x**2, flush=True)

pool = Pool(processes=5)
target = range(10)
try:
    pool.map_async(my_func, target).get(timeout=5)
except TimeoutError:
    print('map() had no result after 5 s: no worker could start (CPython waits for ever)')

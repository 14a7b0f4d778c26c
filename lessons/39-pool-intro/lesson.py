# lesson.py - Lesson 39's Python twin: the documentation's first example, Pool(5).map(f, [1, 2, 3]).
from multiprocessing import Pool


def f(x):
    return x*x


if __name__ == '__main__':
    with Pool(5) as p:
        print(p.map(f, [1, 2, 3]))

# lesson.py - Lesson 55's Python twin: the documentation's list proxy session: str vs repr, l[4], l[2:5], and no comparison by value.
from multiprocessing import Manager

if __name__ == '__main__':
    manager = Manager()
    l = manager.list([i*i for i in range(10)])
    print(l)
    print(repr(l))
    print(l[4])
    print(l[2:5])

    # The documentation's note: proxies do not compare by value ...
    print(manager.list([1,2,3]) == [1,2,3])
    # ... so compare a copy of the referent instead.
    print(manager.list([1,2,3])._getvalue() == [1,2,3])

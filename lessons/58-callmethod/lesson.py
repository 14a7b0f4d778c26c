# lesson.py - Lesson 58's Python twin: the documentation's _callmethod session: __len__, __getitem__ with a slice, and the IndexError re-raised.
from multiprocessing import Manager

if __name__ == '__main__':
    manager = Manager()
    l = manager.list(range(10))
    print(l._callmethod('__len__'))
    print(l._callmethod('__getitem__', (slice(2, 7),)))  # equivalent to l[2:7]
    print(l._callmethod('__getitem__', (20,)))           # equivalent to l[20]

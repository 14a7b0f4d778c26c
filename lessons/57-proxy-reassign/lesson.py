# lesson.py - Lesson 57's Python twin: the documentation's plain dict inside a list proxy: changed in a copy, then reassigned to propagate.
from multiprocessing import Manager

if __name__ == '__main__':
    manager = Manager()
    # create a list proxy and append a mutable object (a dictionary)
    lproxy = manager.list()
    lproxy.append({})
    # now mutate the dictionary
    d = lproxy[0]
    d['a'] = 1
    d['b'] = 2
    # at this point, the changes to d are not yet synced, but by
    # updating the dictionary, the proxy is notified of the change
    print('before lproxy[0] = d:', lproxy)
    lproxy[0] = d
    print('after lproxy[0] = d: ', lproxy)

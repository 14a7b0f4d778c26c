# lesson.py - Lesson 53's Python twin: the documentation's Namespace session; an attribute starting with '_' stays on the proxy.
import multiprocessing

if __name__ == '__main__':
    manager = multiprocessing.Manager()
    Global = manager.Namespace()
    Global.x = 10
    Global.y = 'hello'
    Global._z = 12.3    # this is an attribute of the proxy
    print(Global)

    # Not in the session: both kinds of attribute read back, one from the
    # server, the other from the proxy itself.
    print(Global.x, Global._z)

# case.py - case connection/listener-errors, the Python twin: a Listener that cannot bind, an accept after close, a Client with nothing to connect to.
#
# Pins (documented under Listener, Listener.accept and close, Client, and
# the address formats): a second Listener on an address in use, AF_INET
# or AF_UNIX, is OSError with errno EADDRINUSE; an unknown family is
# ValueError "Family AF_PIPE is not recognized."; a port out of range is
# OverflowError "bind(): port must be 0-65535."; an authkey that is not
# bytes is TypeError "authkey should be a byte string"; accept() after
# close() is OSError "listener is closed", and close() again does
# nothing; a Client to a closed AF_INET listener is OSError ECONNREFUSED,
# to a closed AF_UNIX one OSError ENOENT (close removed its socket file).
# OSErrors from the system are printed by errno name (their text is the
# platform's, their subclass CPython's mapping); the others by
# type(e).__name__ and message.
import errno
import multiprocessing
from multiprocessing.connection import Client, Listener


def attempt(label, call):
    try:
        call()
        print(label, 'did not fail')
    except Exception as e:
        if isinstance(e, OSError) and e.errno is not None:
            print(label, '-> OSError errno', errno.errorcode[e.errno])
        else:
            print(label, '->', type(e).__name__ + ':', e)


if __name__ == '__main__':
    inet = Listener(('localhost', 0))
    unix = Listener(family='AF_UNIX')
    attempt('Listener(address of a listening AF_INET listener)', lambda: Listener(inet.address))
    attempt('Listener(address of a listening AF_UNIX listener)', lambda: Listener(unix.address))
    attempt("Listener(family='AF_PIPE')", lambda: Listener(family='AF_PIPE'))
    attempt("Listener(('localhost', 70000))", lambda: Listener(('localhost', 70000)))
    attempt("Listener(authkey='text')", lambda: Listener(authkey='text'))
    inet_address, unix_address = inet.address, unix.address
    inet.close()
    unix.close()
    attempt('accept() after close()', inet.accept)
    inet.close()
    print('close() again: no error')
    attempt('Client(address of the closed AF_INET listener)', lambda: Client(inet_address))
    attempt('Client(address of the closed AF_UNIX listener)', lambda: Client(unix_address))

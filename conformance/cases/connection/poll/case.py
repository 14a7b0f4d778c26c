# case.py - case connection/poll, the Python twin: poll() says whether there is anything to read, and poll(timeout) waits that long for it.
#
# Pins (documented under Connection.poll: "If timeout is not specified
# then it will return immediately.  If timeout is a number then this
# specifies the maximum time in seconds to block.  If timeout is None
# then an infinite timeout is used"): poll() is False on an idle
# connection; poll(0.2) is False after waiting at least 0.15 s (a bound
# any machine meets, never the time); poll(-1) and poll(0) do not wait
# for ever (they return False); poll is True once a message, even an
# empty one, is there, and stays True until it is taken; poll(None) with
# a message there returns True; poll is True at EOF, once the peer has
# closed, so that the recv it announces raises EOFError.
import multiprocessing
import time


if __name__ == '__main__':
    a, b = multiprocessing.Pipe()
    print('poll() idle:', a.poll())
    t0 = time.monotonic()
    ready = a.poll(0.2)
    print('poll(0.2) idle:', ready, 'waited at least 0.15 s:', time.monotonic() - t0 >= 0.15)
    print('poll(0) idle:', a.poll(0))
    print('poll(-1) idle:', a.poll(-1))
    b.send_bytes(b'')
    print('poll() after send_bytes(b\'\'):', a.poll())
    print('poll() again:', a.poll())
    print('recv_bytes():', a.recv_bytes())
    print('poll() after taking it:', a.poll())
    b.send(None)
    print('poll(None) with a message there:', a.poll(None))
    print('recv():', a.recv())
    b.close()
    print('poll() after the peer closed:', a.poll())
    try:
        a.recv()
        print('recv() did not fail')
    except EOFError as e:
        print('recv() ->', type(e).__name__, e.args)
    a.close()

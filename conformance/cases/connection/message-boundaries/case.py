# case.py - case connection/message-boundaries, the Python twin: every message arrives whole and alone, whatever its size, including empty ones and one of 16 MiB.
#
# Pins (documented under Connection.recv_bytes: "Return a complete message
# of byte data sent from the other end of the connection as a string"): a
# child sends messages of sizes 0, 1, 5, 0, 70000, 3 and 16 MiB through a
# one-way Pipe, each filled with its own byte, mixed with pickled objects
# sent by send(); the parent receives each with the call that matches and
# gets exactly that message (its length, and whether every byte is its
# own).  The 16 MiB message needs the reader running while it is written,
# hence the child.  Then the child's end closes: EOFError after the last.
import multiprocessing

SIZES = [0, 1, 5, 0, 70000, 3, 16 * 1024 * 1024]


def sender(w):
    for i, n in enumerate(SIZES):
        w.send_bytes(bytes([65 + i]) * n)
        if i % 2 == 1:
            w.send(('after', i))
    w.close()


if __name__ == '__main__':
    r, w = multiprocessing.Pipe(duplex=False)
    p = multiprocessing.Process(target=sender, args=(w,))
    p.start()
    w.close()
    for i, n in enumerate(SIZES):
        m = r.recv_bytes()
        print('message', i, 'length', len(m), 'as sent:', m == bytes([65 + i]) * n)
        if i % 2 == 1:
            print('object:', r.recv())
    try:
        r.recv_bytes()
        print('recv_bytes() after the last did not fail')
    except EOFError as e:
        print('after the last:', type(e).__name__)
    p.join()
    r.close()

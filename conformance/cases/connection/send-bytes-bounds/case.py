# case.py - case connection/send-bytes-bounds, the Python twin: send_bytes(buffer, offset, size) sends that slice, and refuses bounds outside the buffer.
#
# Pins (documented under Connection.send_bytes: "If offset is given then
# data is read from that position in buffer.  If size is given then that
# many bytes will be read from buffer"): the slices sent, including the
# empty one at the very end, and the ValueError for each bound, in
# CPython's words: "offset is negative", "buffer length < offset", "size is
# negative", "buffer length < offset + size".  A refused send sends
# nothing (poll() is False after them all).
# Leaves out: buffers of items wider than a byte (array('i')), where
# offset and size count bytes; C has only byte buffers.
import multiprocessing

BUF = b'0123456789'


if __name__ == '__main__':
    r, w = multiprocessing.Pipe(duplex=False)
    for offset, size in [(0, None), (2, 3), (4, None), (10, None), (10, 0), (0, 10)]:
        w.send_bytes(BUF, offset, size)
        print('send_bytes(buf, %d, %s) ->' % (offset, size), r.recv_bytes())
    for offset, size in [(-1, None), (11, None), (3, -1), (2, 9), (11, 0)]:
        try:
            w.send_bytes(BUF, offset, size)
            print('send_bytes(buf, %d, %s) did not fail' % (offset, size))
        except ValueError as e:
            print('send_bytes(buf, %d, %s) ->' % (offset, size), type(e).__name__ + ':', e)
    print('anything sent by the refused calls:', r.poll())
    r.close()
    w.close()

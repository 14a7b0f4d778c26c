# lesson.py - Lesson 24's Python twin: Connection objects, from the documentation's example.
import array
from multiprocessing import BufferTooShort, Pipe

if __name__ == '__main__':
    a, b = Pipe()
    a.send([1, 'hello', None])
    print(b.recv())
    b.send_bytes(b'thank you')
    print(a.recv_bytes())

    arr1 = array.array('i', range(5))
    arr2 = array.array('i', [0] * 10)
    a.send_bytes(arr1)
    count = b.recv_bytes_into(arr2)
    assert count == len(arr1) * arr1.itemsize
    print(count)
    print(arr2)

    # A buffer too small for the message: nothing is written into it, and
    # the exception carries the whole message instead.
    small = bytearray(4)
    b.send_bytes(b'a message longer than four bytes')
    try:
        a.recv_bytes_into(small)
    except BufferTooShort as e:
        print(type(e).__name__ + ':', e.args[0])
    print(small)

    a.close()
    b.close()

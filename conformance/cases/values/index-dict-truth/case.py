# case.py - case values/index-dict-truth, the Python twin: values received through a Pipe, indexed, updated and tested for truth.
#
# Pins (documented, the language reference and the library's built-in
# types): a tuple or list received from a Connection has its length;
# indexing it at its length is IndexError ("tuple index out of range",
# "list index out of range"), at length - 1 its last item; a dict whose
# key was assigned twice keeps the key in its first place with the
# second value (and so arrives, printed in insertion order); len() of a
# str counts code points, not UTF-8 bytes; the truth of a float is False
# only for zero (nan, inf and tiny floats are true).  Each value is sent
# through a Pipe (pickled) and the one received is what is looked at.
import multiprocessing


def show_index(seq, i):
    try:
        print(type(seq).__name__, 'of', len(seq), 'at', i, '->', repr(seq[i]))
    except IndexError as e:
        print(type(seq).__name__, 'of', len(seq), 'at', i, '->', type(e).__name__ + ':', e)


if __name__ == '__main__':
    here, there = multiprocessing.Pipe()

    def through(value):
        here.send(value)
        return there.recv()

    t = through((1, 'two', 3.0))
    lst = through([10, 20])
    for seq in (t, lst):
        for i in range(len(seq) + 1):
            show_index(seq, i)
    d = {}
    d['k'] = 'first'
    d['j'] = 'other'
    d['k'] = 'second'
    print('dict set twice:', through(d))
    for s in ('héllo', '😀', 'abc', '日本語'):
        print('len of', repr(s), 'received:', len(through(s)))
    for x in (float('nan'), float('inf'), -0.0, 0.0, 5e-324, -1.5):
        print('bool of', repr(x), 'received:', bool(through(x)))

# case.py - case queues/each-start-method, the Python twin: a Queue, a JoinableQueue and a SimpleQueue given to a child under fork, spawn and forkserver.
#
# Pins (CPython 3.11, documented under "Exchanging objects between
# processes" and the contexts and start methods section): each kind of
# queue made by get_context(method) works in a child of that context,
# given in args, both ways: the child gets what the parent put on the
# JoinableQueue and marks it done (the parent's join() returns), and puts
# answers on the Queue and the SimpleQueue, which the parent gets.  Every
# line printed follows a blocking get or join, so the output is certain.
# The start methods are chosen here by context, whatever MP_START_METHOD
# says, so the case prints the same under every setup.
# Left out on purpose: a queue sent in a message rather than in args (that
# is the RuntimeError of queues/unpicklable-put).
import multiprocessing


def child(jq, q, sq):
    x = jq.get()
    q.put(('from the child', x))
    sq.put(x.upper())
    jq.task_done()


if __name__ == '__main__':
    for method in ('fork', 'spawn', 'forkserver'):
        ctx = multiprocessing.get_context(method)
        jq = ctx.JoinableQueue()
        q = ctx.Queue()
        sq = ctx.SimpleQueue()
        jq.put(method)
        p = ctx.Process(target=child, args=(jq, q, sq))
        p.start()
        jq.join()
        print(method, 'join() returned')
        print(method, 'Queue:', q.get(timeout=10))
        print(method, 'SimpleQueue:', sq.get())
        p.join()
        print(method, 'exitcode:', p.exitcode)

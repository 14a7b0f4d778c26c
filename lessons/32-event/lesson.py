# lesson.py - Lesson 32's Python twin: an Event, waited for without and with a timeout.
import multiprocessing


def wait_for_event(e):
    """Wait for the event to be set before doing anything"""
    print('wait_for_event: starting')
    e.wait()
    print('wait_for_event: e.is_set()->', e.is_set())


def wait_for_event_timeout(e, t):
    """Wait t seconds and then timeout"""
    print('wait_for_event_timeout: starting')
    e.wait(t)
    print('wait_for_event_timeout: e.is_set()->', e.is_set())


if __name__ == '__main__':
    e = multiprocessing.Event()
    w1 = multiprocessing.Process(
        name='block',
        target=wait_for_event,
        args=(e,),
    )
    w1.start()

    w2 = multiprocessing.Process(
        name='nonblock',
        target=wait_for_event_timeout,
        args=(e, 2),
    )
    w2.start()

    print('main: waiting before calling Event.set()')
    # PyMOTW sleeps 3 s here, counting on the 2 s timeout to run out
    # first; waiting for w2 to end makes that certain on any machine.
    w2.join()
    e.set()
    print('main: event is set')

    # Wait for w1 too (PyMOTW leaves that to the exit, where
    # multiprocessing unlinks the event's semaphores before it joins).
    w1.join()

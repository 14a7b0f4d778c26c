# case.py - case context/start-methods, the Python twin: what fixes the default start method, and what set_start_method() then refuses or forces.
#
# Pins (CPython 3.11, documented under get_context, get_start_method and
# set_start_method): get_context(m).get_start_method() is m for each of
# get_all_start_methods(); get_start_method(allow_none=True) is None until
# the method is fixed; set_start_method of an unknown name is
# ValueError("cannot find context for 'thread'") and fixes nothing; once
# set, a second set_start_method is RuntimeError('context has already been
# set'), checked before the name (an unknown name then says so too);
# force=True changes it, and set_start_method(None, force=True) unfixes it;
# get_start_method() with no argument, get_context() with none and
# starting a process each fix it.  The default method's name is not
# printed (the harness chooses it), only whether it is fixed.  Leaves out
# get_all_start_methods()'s list, which lesson 16 pins.
import multiprocessing as mp


def nothing():
    pass


def fixed():
    return mp.get_start_method(allow_none=True) is not None


def attempt(label, call):
    try:
        call()
        print(label, 'returned None')
    except (ValueError, RuntimeError) as e:
        print(label + ':', type(e).__name__ + ':', e)


if __name__ == '__main__':
    for m in mp.get_all_start_methods():
        print('get_context(%r).get_start_method():' % m, mp.get_context(m).get_start_method())
    print('get_start_method(allow_none=True) at first:', mp.get_start_method(allow_none=True))
    attempt("set_start_method('thread')", lambda: mp.set_start_method('thread'))
    print('fixed after the refused set:', fixed())
    attempt("set_start_method('spawn')", lambda: mp.set_start_method('spawn'))
    print('get_start_method():', mp.get_start_method())
    attempt("set_start_method('fork')", lambda: mp.set_start_method('fork'))
    attempt("set_start_method('thread')", lambda: mp.set_start_method('thread'))
    attempt("set_start_method('forkserver', force=True)", lambda: mp.set_start_method('forkserver', force=True))
    print('get_start_method():', mp.get_start_method())
    attempt('set_start_method(None, force=True)', lambda: mp.set_start_method(None, force=True))
    print('get_start_method(allow_none=True):', mp.get_start_method(allow_none=True))

    mp.get_start_method()
    print('fixed by get_start_method():', fixed())
    mp.set_start_method(None, force=True)
    mp.get_context()
    print('fixed by get_context():', fixed())
    mp.set_start_method(None, force=True)
    p = mp.Process(target=nothing)
    print('fixed by Process():', fixed())
    p.start()
    print('fixed by start():', fixed())
    p.join()
    attempt("set_start_method('spawn') after start", lambda: mp.set_start_method('spawn'))

# case.py - case process/current-process, the Python twin: current_process() and parent_process() in the main process and in a child.
#
# Pins (CPython 3.11, documented under current_process(), parent_process()
# and the Process attributes): in the main process, current_process() is
# named MainProcess, is not daemonic, is alive, has exitcode None, its pid
# and ident are os.getpid(), its authkey is non-empty bytes, and
# parent_process() is None; in a child, current_process() has the child's
# name, is alive with exitcode None, its pid and ident are the child's
# os.getpid(), its authkey is the main process's (inherited), its repr is
# the started process seen from inside (no pid shown: the child's own
# object has no Popen), and parent_process() is MainProcess with the main
# process's pid, alive.  The child is compared with the main process's pid
# as given to it, not os.getppid(), which under forkserver is the fork
# server.  Leaves out the authkey's length and value and the main
# process's repr, whose class name (_MainProcess) is an implementation
# detail.
import multiprocessing
import os


def child(main_pid, main_authkey):
    me = multiprocessing.current_process()
    print('child: name', me.name, 'daemon', me.daemon, 'alive', me.is_alive(), 'exitcode', me.exitcode)
    print('child: pid and ident are getpid():', me.pid == os.getpid(), me.ident == os.getpid())
    print("child: authkey is the main process's:", me.authkey == main_authkey)
    print('child:', me)
    parent = multiprocessing.parent_process()
    print('child: parent name', parent.name, 'alive', parent.is_alive())
    print("child: parent pid is the main process's:", parent.pid == main_pid)


if __name__ == '__main__':
    me = multiprocessing.current_process()
    print('main: name', me.name, 'daemon', me.daemon, 'alive', me.is_alive(), 'exitcode', me.exitcode)
    print('main: pid and ident are getpid():', me.pid == os.getpid(), me.ident == os.getpid())
    print('main: authkey is non-empty bytes:', isinstance(me.authkey, bytes) and len(me.authkey) > 0)
    print('main: parent_process():', multiprocessing.parent_process())
    p = multiprocessing.Process(target=child, args=(os.getpid(), bytes(me.authkey)))
    p.start()
    p.join()
    print('main: child exitcode', p.exitcode)

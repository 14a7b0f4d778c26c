# case.py - case forkserver/server-dies, the Python twin: a child whose fork server dies before reporting its exit has exitcode 255.
#
# Pins (CPython 3.11's popen_forkserver, observable behaviour named as
# such: the fork server reports each child's exit status on a pipe that
# only it holds; if that pipe ends first, the exit code is unknowable and
# taken as 255): under forkserver the child's parent is the fork server,
# so a child that kills its parent (os.getppid()) with SIGKILL and then
# exits with status 3 is seen by the main process with exitcode 255.
# Under fork and spawn the child's parent is the main process, so the
# child kills nothing and its exitcode is 3: one golden per start method
# (golden/cases/forkserver/server-dies/METHOD/).  The child waits for the
# parent's word, sent once start() has returned: by then the server has
# told the parent the child's pid (a server killed before that would make
# start() itself fail with EOFError, in CPython as in C).  The child kills
# the server before it exits, so the server can never have reported the
# exit.
import multiprocessing
import os
import signal
import sys


def kills_the_server_then_exits(method, conn):
    conn.recv()
    if method == 'forkserver':
        os.kill(os.getppid(), signal.SIGKILL)
    sys.exit(3)


if __name__ == '__main__':
    method = multiprocessing.get_start_method()
    here, there = multiprocessing.Pipe()
    p = multiprocessing.Process(target=kills_the_server_then_exits, args=(method, there))
    p.start()
    here.send('go')
    p.join()
    print('exitcode:', p.exitcode)

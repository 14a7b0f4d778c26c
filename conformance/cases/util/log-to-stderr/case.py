# case.py - case util/log-to-stderr, the Python twin: log_to_stderr() with no level, and called twice.
#
# Pins (documented: multiprocessing.log_to_stderr() adds a handler sending
# output to sys.stderr in the format '[%(levelname)s/%(processName)s]
# %(message)s', and sets the level only if one is given; logging: a logger
# at NOTSET defers to its parent, here the root logger at WARNING): with no
# level the logger stays at NOTSET (level 0), so the INFO and DEBUG records
# of starting, running and joining a child (and of the exit) print
# nothing, while a WARNING record prints, labelled WARNING.  Each call of
# log_to_stderr() adds one more handler (CPython's, observable behaviour
# named as such: logging.Logger.addHandler of a new handler), so after a
# second call each record prints twice.  Everything is on stderr from the
# main process, in program order.
import multiprocessing


def works():
    print('child ran')


if __name__ == '__main__':
    logger = multiprocessing.log_to_stderr()
    print('level after log_to_stderr():', logger.level)
    p = multiprocessing.Process(target=works)
    p.start()
    p.join()
    print('child exitcode:', p.exitcode)
    logger.warning('a warning, one handler')
    logger.info('an info record, below WARNING')
    multiprocessing.log_to_stderr()
    logger.warning('a warning, two handlers')
    logger.error('an error, two handlers')

# case.py - case util/log-handlers, the Python twin: handlers of your own on multiprocessing's logger, with a formatter and a level, instead of log_to_stderr().
#
# Pins (documented: get_logger() returns multiprocessing's logger, "a
# logging.Logger", created with level NOTSET and no handler, whose
# records do not propagate to the root logger; log_to_stderr() is one
# handler among those you may add):
#  - a StreamHandler(sys.stdout) with a Formatter of the fields name,
#    levelname, levelno, processName and message, added with addHandler;
#    logger.setLevel(INFO) lets INFO through, not DEBUG; the handler's own
#    setLevel(WARNING) then holds INFO back at the handler;
#  - a second handler, a FileHandler, gets the same records as the first,
#    each in its own format, until removeHandler;
#  - in a child: under fork the parent's handlers are the child's too
#    (the child's warning comes out through them); under spawn and
#    forkserver only the logger's level is carried, so the child's
#    logger has no handler, and its warning goes to stderr bare
#    (logging's last resort), its INFO nowhere (per-method goldens).
# Left out: %(asctime)s and the other time fields (they change), and
# handlers that are not a stream or a file.
import logging
import multiprocessing
import os
import sys
import tempfile


def child():
    logger = multiprocessing.get_logger()
    logger.info('info from the child')
    logger.warning('warning from the child')


if __name__ == '__main__':
    logger = multiprocessing.get_logger()
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter('%(levelname)s:%(name)s:%(processName)s: %(message)s'))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.info('an info line')
    logger.debug('a debug line, below the logger level')
    handler.setLevel(logging.WARNING)
    logger.info('an info line, below the handler level')
    logger.warning('a warning')

    path = os.path.join(tempfile.gettempdir(), 'log-handlers.log')
    to_file = logging.FileHandler(path)
    to_file.setFormatter(logging.Formatter('%(levelno)d|%(levelname)s|%(message)s'))
    logger.addHandler(to_file)
    logger.error('an error, to both handlers')
    logger.info('an info line, held back by the first handler only')
    logger.removeHandler(to_file)
    to_file.close()
    logger.error('an error, to the first handler only')
    with open(path) as f:
        print('the file holds:', f.read().splitlines())
    os.remove(path)

    p = multiprocessing.Process(target=child)
    p.start()
    p.join()
    print('exitcode', p.exitcode)

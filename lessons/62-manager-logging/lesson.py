# lesson.py - Lesson 62's Python twin: the docs' logging session with a manager: log_to_stderr, a warning, Manager() and its INFO lines.
import logging
import multiprocessing

if __name__ == '__main__':
    logger = multiprocessing.log_to_stderr()
    logger.setLevel(logging.INFO)
    logger.warning('doomed')
    m = multiprocessing.Manager()
    del m

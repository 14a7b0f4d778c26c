# lesson.py - Lesson 03's Python twin: the target is imported from another module.
import multiprocessing

import lesson03_worker

if __name__ == '__main__':
    jobs = []
    for i in range(5):
        p = multiprocessing.Process(
            target=lesson03_worker.worker,
        )
        jobs.append(p)
        p.start()

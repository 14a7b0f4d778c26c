# lesson03_worker.py - Lesson 03's worker module: a target defined outside the main script.


def worker():
    """worker function"""
    print('Worker')
    return

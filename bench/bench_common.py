"""bench_common.py - what the messaging benchmarks' Python sides share: CPU pinning as the C side does it."""
import os
import sys


def choose_cpus(name, pin):
    """(this process's CPU, the child's) for PIN, as the C side chooses them:
    "split" the first two CPUs this process may use, "same" the first for
    both (split falls back to it on one CPU), "none" no pinning."""
    if pin not in ('none', 'same', 'split'):
        sys.exit('%s: PIN must be none, same or split, not %r' % (name, pin))
    if pin == 'none':
        return None, None
    cpus = sorted(os.sched_getaffinity(0))
    return cpus[0], cpus[1] if pin == 'split' and len(cpus) > 1 else cpus[0]


def pin(cpu):
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})

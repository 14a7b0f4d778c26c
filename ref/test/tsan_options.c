/* tsan_options.c - linked into the ThreadSanitizer builds of the unit tests only: the options they run with, and the one report kind they leave out, with why. */

/*
 * die_after_fork=0: every test forks while threads run (a queue's feeder),
 * which TSan otherwise refuses.  The library is made for exactly that: the
 * fork start method hands the child its locks whole (util/finalize.c,
 * connection_lane.c's list, the fork gate of queue_feeder.c).
 *
 * exitcode=66: a report fails the binary even when its checks all pass.
 */
const char *__tsan_default_options(void);
const char *__tsan_default_options(void)
{
    return "die_after_fork=0:exitcode=66";
}

/*
 * A lock of synchronize/mutex.c lives in memory shared between processes.
 * A fork child starts with a copy of TSan's books, which may say that such
 * a lock is held by a thread of the parent (a feeder in the middle of a
 * send); the parent lets it go where the child's TSan cannot see, so the
 * child's first lock of it reads as a "double lock".  Only that report
 * kind, and only for that one function, is left out: a real double lock of
 * these mutexes would hang the test instead, and every data race is still
 * reported.
 */
const char *__tsan_default_suppressions(void);
const char *__tsan_default_suppressions(void)
{
    return "mutex:mp__mutex_lock\n";
}

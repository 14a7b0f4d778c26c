/* mutex.c - the library's internal locks, released only by their holder, that know when it died: the futex lock of futexlock.c, marked owned. */
#include "synchronize.h"

/*
 * CPython's locks are counters: a process killed while it holds one leaves
 * every other waiting for ever, the most common way a multiprocessing
 * program hangs.  The queues', the Pipe's and the semaphores' own locks
 * know their holder instead: when it dies (killed, crashed, exited), or
 * its thread ends holding one, the next process to lock gets the lock
 * together with word of the death (MP__HOLDER_DIED), and a process
 * already waiting is woken with it, within a tenth of a second.  Whoever
 * gets that word decides what the death means for what the lock protects
 * (a Pipe's lanes drop a torn message; a queue reports it).  They were
 * robust pthread mutexes once; now they are the Lock's futex lock, owned
 * as an RLock's is, so that the library has one implementation of "the
 * holder died" (futexlock.c), and the cheaper one: an uncontended lock
 * and unlock are a compare-and-swap and an exchange, where a robust mutex
 * also links itself into the thread's robust list.
 */

int mp__mutex_init(mp__mutex *m)
{
    __atomic_store_n(&m->f.word, 0, __ATOMIC_RELAXED);
    m->f.owned = 1;
    return 0;
}

int mp__mutex_lock(mp__mutex *m, const mp__deadline *d)
{
    /* A free lock is taken at once, without reading the clock or looking
     * for a SIGINT: the lanes of a Pipe take one per message. */
    return mp__futexlock_try(&m->f) ? 1 : mp__futexlock_acquire(&m->f, d, false);
}

int mp__mutex_lock_always(mp__mutex *m)
{
    return mp__futexlock_acquire(&m->f, &mp__forever, true);
}

void mp__mutex_unlock(mp__mutex *m)
{
    mp__futexlock_release(&m->f);
}

/* queue_feeder.c - a Queue's buffer, its feeder thread and the finalizers that flush it at exit (queues.py's _feed, _finalize_close, _finalize_join). */
#include "queues.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* ---- the core's lifetime ------------------------------------------------- */

/* Reachable for good, so leak checkers stay quiet: cores that died while
 * the process exits, and a fork child's frozen feeder records. */
static mp__qcore *parked_cores;
static mp__qflight *frozen_flights;
static pthread_mutex_t park_lock = PTHREAD_MUTEX_INITIALIZER;

static void release_resources(mp__qcore *c)
{
    if (c->reader)
        mp_connection_free(c->reader);
    if (c->writer)
        mp_connection_free(c->writer);
    c->reader = c->writer = NULL;
    mp__shm_close(&c->shm);
    c->sh = NULL;
}

/* The items left in the buffer, in the feeder's record (a feeder stopped
 * at exit leaves some) and in the orphans, released without mu: dropping
 * an item may run finalizers that take locks, this core's among them. */
static void release_items(mp_value **ring, size_t cap, size_t first, size_t count,
                          mp__qflight *f, mp__qorphans *o)
{
    for (size_t i = 0; i < count; i++)
        mp_decref(ring[(first + i) % cap]);
    for (size_t i = 0; f && i < f->nitems; i++) {
        mp_decref(f->items[i]);
        free(f->pickles[i]);
    }
    for (size_t i = 0; o && i < o->n; i++)
        mp_decref(o->items[i]);
    free(ring);
    free(f);
    free(o);
}

void mp__qcore_unref(mp__qcore *c, int n)
{
    if (n <= 0 || __atomic_sub_fetch(&c->refs, (size_t)n, __ATOMIC_ACQ_REL) != 0)
        return;
    if (mp__is_exiting()) {
        pthread_mutex_lock(&park_lock);
        c->parked = parked_cores;
        parked_cores = c;
        pthread_mutex_unlock(&park_lock);
        return;
    }
    /* Marked and emptied under mu, so that a fork meanwhile leaves the
     * child either a live core or one it knows to leave alone. */
    pthread_mutex_lock(c->mu);
    c->dead = true;
    release_resources(c);
    pthread_mutex_unlock(c->mu);
    mp__unregister_after_fork(mp__qcore_after_fork, c);
    if (c->frozen) {
        mp__qflight *last = c->frozen;
        while (last->older)
            last = last->older;
        pthread_mutex_lock(&park_lock);
        last->older = frozen_flights;
        frozen_flights = c->frozen;
        pthread_mutex_unlock(&park_lock);
    }
    release_items(c->ring, c->cap, c->first, c->count, c->flight, c->orphans);
    pthread_mutex_destroy(c->mu);
    pthread_cond_destroy(c->notempty);
    pthread_cond_destroy(c->done);
    /* The sets a fork child inherited are only freed: never destroyed, as
     * they were never initialised in this process. */
    for (mp__qsync *s = c->sync, *older; s; s = older) {
        older = s->older;
        free(s);
    }
    free(c);
}

/* A fresh mutex and conditions for c, in front of the sets it had. */
static int new_sync(mp__qcore *c)
{
    mp__qsync *s = calloc(1, sizeof *s);
    if (!s)
        return mp__fail(MP_ENOMEM, "out of memory");
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->notempty, NULL);
    pthread_cond_init(&s->done, NULL);
    s->older = c->sync;
    c->sync = s;
    c->mu = &s->mu;
    c->notempty = &s->notempty;
    c->done = &s->done;
    return 0;
}

mp__qcore *mp__qcore_new(void)
{
    mp__qcore *c = calloc(1, sizeof *c);
    if (!c) {
        mp__fail(MP_ENOMEM, "out of memory");
        return NULL;
    }
    c->refs = 1;
    c->shm.fd = -1;
    if (new_sync(c) < 0) {
        free(c);
        return NULL;
    }
    return c;
}

/* In the child, with mu whole: the buffer's items join the orphans, to
 * be released by the child's next put or when the core goes.  The
 * sentinel (NULL) is not an item.  Without memory they stay where they
 * are, and the child starts a new buffer: a leak, never a double free. */
static void orphan_buffer(mp__qcore *c)
{
    size_t had = c->orphans ? c->orphans->n : 0, n = had;
    mp__qorphans *o = c->count ? malloc(sizeof *o + (had + c->count) * sizeof(mp_value *)) : NULL;
    if (!o) {
        if (c->count) {
            c->ring = NULL;
            c->cap = 0;
        }
        c->first = c->count = 0;
        return;
    }
    if (had)
        memcpy(o->items, c->orphans->items, had * sizeof(mp_value *));
    for (size_t i = 0; i < c->count; i++)
        if ((o->items[n] = c->ring[(c->first + i) % c->cap]))
            n++;
    o->n = n;
    free(c->orphans);
    c->orphans = o;
    c->first = c->count = 0;
}

/*
 * util.register_after_fork(self, Queue._after_fork): the child has no
 * feeder, so the thread state starts afresh (as _reset(after_fork=True))
 * with an empty buffer; the references the parent's feeder and finalizers
 * held do not exist here.
 *
 * The fork may have caught another thread of the parent inside mu, half
 * way through a change (closing a descriptor whose number is not yet
 * cleared, growing the buffer).  Everything that frees or closes is done
 * under mu, so a mu that was free at the fork means a whole state: the
 * buffer's items are then orphaned (above).  A mu that was held means
 * leaving items and descriptors alone: a small leak in the child rather
 * than a double free or a close of a reused number.  Either way the
 * parent feeder's record is frozen (see mp__qflight).
 */
void mp__qcore_after_fork(void *arg)
{
    mp__qcore *c = arg;
    /* Taken, the inherited mutex says the state is whole; it is let go at
     * once (this thread holds it) and never used again. */
    bool whole = pthread_mutex_trylock(c->mu) == 0;
    if (whole)
        pthread_mutex_unlock(c->mu);
    if (new_sync(c) < 0) {
        /* No memory in a child just forked, and no safe lock to go on
         * with: end the child as an uncaught MemoryError would. */
        fprintf(stderr, "Queue._after_fork: MemoryError\n");
        _exit(1);
    }
    if (c->zombie || c->dead)
        return;
    if (c->flight) {
        c->flight->older = c->frozen;
        c->frozen = c->flight;
        c->flight = NULL;
    }
    if (whole) {
        orphan_buffer(c);
    } else {
        c->ring = NULL;
        c->cap = c->first = c->count = 0;
    }
    size_t drops = (size_t)c->running + (c->close_fin != NULL) + (c->join_fin != NULL);
    c->started = c->running = c->quit_sent = c->closed = c->joincancelled = false;
    c->close_fin = c->join_fin = NULL;
    c->reader_users = 0;
    if (whole && c->reader_closing)
        mp_connection_close(c->reader);
    c->reader_closing = false;
    /* A thread may have been releasing its reference as the fork came. */
    c->refs = c->refs > drops ? c->refs - drops : 0;
    if (c->refs == 0) {
        /* Only the parent's feeder kept it: release what it holds. */
        if (whole)
            release_resources(c);
        c->zombie = true;
        return;
    }
    if (!c->owner_dead)
        mp_debug("Queue._after_fork()");
}

void mp__qcore_release_orphans(mp__qcore *c)
{
    if (!__atomic_load_n(&c->orphans, __ATOMIC_ACQUIRE))
        return;
    pthread_mutex_lock(c->mu);
    mp__qorphans *o = c->orphans;
    c->orphans = NULL;
    pthread_mutex_unlock(c->mu);
    release_items(NULL, 1, 0, 0, NULL, o);
}

/* ---- closing and joining (Queue._finalize_close, _finalize_join) --------- */

bool mp__qcore_claim(mp__finalizer **slot, int *drops)
{
    if (!*slot)
        return false;
    mp__finalize_cancel(*slot);     /* under mu: its callback cannot finish meanwhile */
    *slot = NULL;
    (*drops)++;
    return true;
}

void mp__qcore_send_sentinel(mp__qcore *c, int *drops)
{
    mp__qcore_claim(&c->close_fin, drops);
    if (!c->started || c->quit_sent)
        return;
    c->quit_sent = true;
    mp_debug("telling queue thread to quit");
    c->ring[(c->first + c->count++) % c->cap] = NULL;
    pthread_cond_signal(c->notempty);
}

void mp__qcore_join_feeder(mp__qcore *c, int *drops)
{
    if (!mp__qcore_claim(&c->join_fin, drops))
        return;
    mp_debug("joining queue thread");
    while (c->running)
        pthread_cond_wait(c->done, c->mu);
    mp_debug("... queue thread joined");
}

void mp__qcore_drop_join_if_idle(mp__qcore *c, int *drops)
{
    if (c->owner_dead && !c->running)
        mp__qcore_claim(&c->join_fin, drops);
}

/* An exit-time finalizer's callback: its step under mu, then the
 * references the step let go. */
static void run_step(mp__qcore *c, void (*step)(mp__qcore *, int *))
{
    int drops = 0;
    pthread_mutex_lock(c->mu);
    step(c, &drops);
    pthread_mutex_unlock(c->mu);
    mp__qcore_unref(c, drops);
}

static void close_callback(void *arg) { run_step(arg, mp__qcore_send_sentinel); }
static void join_callback(void *arg) { run_step(arg, mp__qcore_join_feeder); }

/* ---- the feeder thread (Queue._feed) -------------------------------------- */

/* With mu held.  The feeder's reader_close(): put off while a get or
 * empty is using the reader, so its descriptor is not closed under it. */
static void close_reader(mp__qcore *c)
{
    if (c->reader_users > 0)
        c->reader_closing = true;
    else
        mp_connection_close(c->reader);
}

/* A failed item: CPython's feeder prints the traceback and gives back the
 * item's slot (3.11), so the queue does not shrink; while the process
 * exits it only logs, and stops (resources may be going away). */
static bool report(mp__qcore *c, int rc, const mp__exc *err)
{
    mp__exc_restore(err);
    if (mp__is_exiting()) {
        mp_info("error in queue thread: %s", mp_errmsg());
        return false;
    }
    mp__sem_release(&c->sh->sem);
    mp_excepthook(rc);
    return true;
}

/* Write what was gathered; an item that did not go out whole is
 * reported in its turn, as CPython reports each item whose send failed. */
static bool flush(mp__qcore *c, mp__qbatch *b)
{
    size_t sent = 0;
    int rc = 0;
    if (b->n) {
        /* The channel may stay full for as long as nobody reads: a fork
         * need not wait for that (and a blocked send holds no lock a
         * child could inherit).  See util.h's fork gate. */
        mp__fork_gate_leave();
        rc = mp__qchannel_send(c->writer, &c->sh->wlock, b, &sent);
        mp__fork_gate_enter();
    }
    mp__exc err;
    if (rc < 0)
        mp__exc_save(&err);
    bool go_on = true;
    for (size_t k = 0; k < b->n; k++) {
        if (rc < 0 && go_on && k >= sent)
            go_on = report(c, rc, &err);
        free(c->flight->pickles[k]);
        c->flight->pickles[k] = NULL;
    }
    b->n = b->bytes = 0;
    return go_on;
}

/*
 * Pickle and write the items taken, in order.  Pickling here, not in put,
 * is CPython's way, and spares memory: an item waiting in the buffer is
 * one reference, however big, where a pickle would be a copy.  A value
 * that cannot be pickled is reported in its turn, after the items before
 * it are written.  Each item stays in the record, where a fork child
 * reaches it, until its message is out (or reported); then it is
 * released, without mu.  False: stop (the process exits).
 */
static bool feed(mp__qcore *c, mp__qflight *f)
{
    mp__qbatch b = {.n = 0, .bytes = 0};
    size_t released = 0;
    for (size_t i = 0; i < f->nitems; i++) {
        uint8_t *buf;
        size_t len;
        mp__exc err;
        int rc = mp_pickle_dumps(f->items[i], NULL, &buf, &len);
        if (rc < 0)
            mp__exc_save(&err);
        else
            mp__qbatch_add(&b, f->pickles[b.n] = buf, len);
        if (rc >= 0 && b.bytes < MP__QBATCH_BYTES && i + 1 < f->nitems)
            continue;
        if (!flush(c, &b) || (rc < 0 && !report(c, rc, &err)))
            return false;
        for (; released <= i; released++) {
            mp_decref(f->items[released]);
            f->items[released] = NULL;
        }
    }
    return true;
}

/*
 * The feeder runs inside the fork gate (util.h): a fork by the fork start
 * method waits until it has put down what it is doing (pickling, freeing,
 * logging), so that no lock it holds, the allocator's among them, is
 * copied held into the child.  It is in from before it exists (see
 * start_thread) until it has ended (see mp__fork_gate_leave_for_good),
 * and steps out only to wait: for an item here, for room in the channel
 * in flush().  It enters again before taking mu, never while holding it:
 * a fork waits for the gate holding no queue's mutex, but a thread inside
 * the gate may need one.
 */
static void *feeder(void *arg)
{
    mp__qcore *c = arg;
    mp__qflight *f = c->flight;
    int drops = 1;              /* the thread's own reference */
    /* In the gate from the start: start_thread counted it in. */
    mp_debug("starting thread to feed data to pipe");
    pthread_mutex_lock(c->mu);
    for (;;) {
        while (c->count == 0) {
            mp__fork_gate_leave();
            pthread_cond_wait(c->notempty, c->mu);
            pthread_mutex_unlock(c->mu);
            mp__fork_gate_enter();
            pthread_mutex_lock(c->mu);
        }
        if (!c->ring[c->first]) {
            mp_debug("feeder thread got sentinel -- exiting");
            c->first = (c->first + 1) % c->cap;
            c->count--;
            close_reader(c);
            mp_connection_close(c->writer);
            break;
        }
        /* Taken under mu: an item is in the buffer or in the record,
         * never in both, whenever a fork child looks. */
        for (f->nitems = 0; f->nitems < MP__QBATCH_MAX && c->count && c->ring[c->first];
             c->first = (c->first + 1) % c->cap, c->count--)
            f->items[f->nitems++] = c->ring[c->first];
        pthread_mutex_unlock(c->mu);
        bool go_on = feed(c, f);
        pthread_mutex_lock(c->mu);
        if (!go_on)
            break;
        f->nitems = 0;
    }
    mp__thread_ending();        /* before `running` says so to a joiner */
    c->running = false;
    pthread_cond_broadcast(c->done);
    mp__qcore_drop_join_if_idle(c, &drops);
    pthread_mutex_unlock(c->mu);
    mp__qcore_unref(c, drops);
    /* Joined by the next fork, the next feeder's start, or at exit. */
    mp__fork_gate_leave_for_good();
    return NULL;
}

/* With mu held: room for one more item besides the sentinel's slot.  The
 * buffer doubles, oldest item first again. */
static int grow(mp__qcore *c)
{
    if (c->count + 2 <= c->cap)
        return 0;
    size_t cap = c->cap ? c->cap * 2 : 16;
    mp_value **ring = malloc(cap * sizeof *ring);
    if (!ring)
        return mp__fail(MP_ENOMEM, "out of memory");
    for (size_t i = 0; i < c->count; i++)
        ring[i] = c->ring[(c->first + i) % c->cap];
    free(c->ring);
    c->ring = ring;
    c->cap = cap;
    c->first = 0;
    return 0;
}

/* With mu held: Queue._start_thread. */
static int start_thread(mp__qcore *c)
{
    mp_debug("Queue._start_thread()");
    if ((!c->ring && grow(c) < 0) ||
        (!c->flight && !(c->flight = calloc(1, sizeof *c->flight))))
        return mp__fail(MP_ENOMEM, "out of memory");
    /* The exit function flushes the feeder even in a program that never
     * called mp_main (as Python always runs util._exit_function). */
    mp__ensure_atexit();
    /* Feeders are joined once they have ended, not detached (a fork waits
     * for their end, see util.h): the ones gone since the last start go now. */
    mp__join_ended_threads();
    mp_debug("doing self._thread.start()");
    /* The feeder takes no asynchronous signals. */
    sigset_t old;
    mp__block_async_signals(&old);
    __atomic_add_fetch(&c->refs, 1, __ATOMIC_ACQ_REL);
    /* The new thread is counted in the fork gate before it exists: a
     * thread's start, before feeder() runs, allocates too (the
     * sanitizers' runtime does), and a fork right after this put must
     * wait for it.  No thread inside the gate needs this queue's mu, held
     * here: its feeder is the one being started. */
    mp__fork_gate_enter();
    pthread_t t;
    int err = pthread_create(&t, NULL, feeder, c);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err) {
        mp__fork_gate_leave();
        __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL);
        return mp__fail(MP_ERUNTIME, "can't start new thread");
    }
    /* Joining the queue's thread is waiting on `done`; the thread itself
     * is joined once it has ended (mp__fork_gate_leave_for_good). */
    c->started = c->running = true;
    /* A failed registration (out of memory) only loses the flush at exit. */
    if (!c->joincancelled && (c->join_fin = mp__finalize_register(join_callback, c, -5)))
        __atomic_add_fetch(&c->refs, 1, __ATOMIC_ACQ_REL);
    if ((c->close_fin = mp__finalize_register(close_callback, c, 10)))
        __atomic_add_fetch(&c->refs, 1, __ATOMIC_ACQ_REL);
    mp_debug("... done self._thread.start()");
    return 0;
}

/* ---- the buffer (Queue.put's append) --------------------------------------- */

int mp__qcore_push(mp__qcore *c, mp_value *v)
{
    int rc = 0;
    /* Closed again while put waited for room?  CPython would append the
     * item behind the sentinel, where it is never sent; it is refused. */
    if (c->closed)
        return 1;
    if ((!c->started && (rc = start_thread(c)) < 0) || (rc = grow(c)) < 0)
        return rc;
    if (c->joinable && (rc = mp__cond_acquire(&c->sh->cond)) < 0)
        return rc;
    c->ring[(c->first + c->count++) % c->cap] = v;
    if (c->joinable) {
        mp__sem_release(&c->sh->unfinished);
        mp__cond_release(&c->sh->cond);
    }
    pthread_cond_signal(c->notempty);
    return 0;
}

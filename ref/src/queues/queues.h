/* queues.h - the floor of queues.py: what Queue's methods (queue.c), its buffer and feeder thread (queue_feeder.c) and the channel under it (queue_channel.c) share; SimpleQueue (simple_queue.c) keeps to itself but for the get that never waits, which a pool drains its task queue with. */
#ifndef MP_QUEUES_H
#define MP_QUEUES_H

#include "connection/connection.h"

#include <pthread.h>
#include <sys/uio.h>

/* ---- the channel (queue_channel.c) ---------------------------------------- */

/*
 * The channel of a Queue: where CPython has a pipe (Pipe(duplex=False)),
 * one direction of a duplex Pipe of ours, whose messages go through a
 * 256 KiB ring of shared memory (connection_lane.c): the feeder's writes
 * and a reader's reads copy bytes and make no system call while the other
 * side keeps up, and a process that dies inside a message leaves it cut,
 * never torn (the ring's counters say how far it got).  The ring holds
 * what a writer can leave unread: a process that put more than that
 * cannot exit before someone reads (lesson 28), as with CPython's pipe.
 * 0, or MP_EOS or MP_ENOMEM, with nothing left open.
 */
int mp__queue_channel(mp_connection **reader, mp_connection **writer);

/*
 * A batch of messages the feeder writes together: when puts come faster
 * than the channel drains, items wait in the buffer and the feeder takes
 * them a batch at a time (at most MP__QBATCH_MAX messages, and no more
 * once MP__QBATCH_BYTES are gathered), under the queue's wlock, so that
 * the batch stays together in the channel.
 */
#define MP__QBATCH_MAX 256
#define MP__QBATCH_BYTES (64 * 1024)
typedef struct mp__qbatch {
    const uint8_t *buf[MP__QBATCH_MAX];
    size_t len[MP__QBATCH_MAX];
    size_t n, bytes;
} mp__qbatch;

/* Add a message (buf stays the caller's until the write is done). */
void mp__qbatch_add(mp__qbatch *b, const uint8_t *buf, size_t len);

/* Write the batch, message by message, with wlock held so that the
 * messages of several writers never interleave.  *sent counts the
 * messages that went whole (on an error, the rest did not go).  0, MP_EOS
 * (BrokenPipeError once every reader is gone) or MP_ECLOSED for a closed
 * writer. */
int mp__qchannel_send(mp_connection *writer, mp__mutex *wlock, mp__qbatch *b, size_t *sent);

/* With rlock held: the next message into a malloc'd buffer (*buf, *n;
 * the caller frees it, or gives it to its spare).  MP_EEOF at the end of
 * the stream; MP_EOWNERDEAD for a message a process that died left half
 * sent or half taken (it is lost; the next get gets the next one); MP_EOS,
 * MP_ENOMEM, or MP_ECLOSED for a closed reader. */
int mp__qchannel_recv(mp_connection *reader, uint8_t **buf, size_t *n);

/* reader.poll(timeout): 1 when a message waits (or the channel has
 * ended), 0 when none came by the deadline; the errors of
 * mp_connection_poll. */
int mp__qchannel_poll(mp_connection *reader, const mp__deadline *d);

/* ---- a Queue's core (queue_feeder.c) -------------------------------------- */

/* What every process sharing the queue sees (the memfd block). */
typedef struct mp__qshared {
    mp__mutex rlock, wlock;     /* know their holder: a dead one is not waited for */
    mp__sem sem;
    mp__sem unfinished;         /* JoinableQueue: _unfinished_tasks */
    mp__cond cond;              /* JoinableQueue: _cond */
} mp__qshared;

/*
 * Layout.  A queue object (the value users hold) points at a core, which
 * the feeder thread and the exit-time finalizers share with it, as CPython's
 * feeder holds the buffer, the lock and the pipe (here a socket, see
 * mp__queue_channel) but not the Queue itself.  The object can therefore
 * die while its feeder still flushes: dying closes the queue (sends the
 * sentinel), as CPython's Finalize does when a Queue is collected, and the
 * core goes when its last holder lets go.  Holders, each one reference:
 * the object, the running feeder, the close finalizer (priority 10) and
 * the join finalizer (priority -5).
 *
 * Finalizers are claimed under the core's mutex: whoever takes the handle
 * (close(), join_thread(), or the exit function running the callback)
 * acts, and drops the reference.  The exit function may have popped a
 * handle that a thread then claims; its callback still runs with the core
 * pointer, so once the process is exiting a core whose count reaches zero
 * is parked (never freed) instead of destroyed.
 */

/*
 * What the feeder has taken from the buffer and is pickling and writing:
 * the items (one reference each) and the pickles of the messages of the
 * current write.  Kept here rather than on the feeder's stack so that a
 * fork child still reaches everything the parent's feeder held.  The
 * child cannot know how far that feeder had got (it works outside the
 * mutex), so it never touches the record: it is "frozen", a small leak
 * the child keeps reachable, and the child's own feeder gets a new one.
 */
typedef struct mp__qflight {
    mp_value *items[MP__QBATCH_MAX];
    uint8_t *pickles[MP__QBATCH_MAX];
    size_t nitems;
    struct mp__qflight *older;  /* frozen records, newest first */
} mp__qflight;

/* A fork child's copy of the items its parent had put but its feeder had
 * not taken: the child releases them (CPython's child drops its copy of
 * the buffer), but not from the after-fork hook, where releasing an item
 * could run the finalizer of a queue whose own hook has not run yet. */
typedef struct mp__qorphans {
    size_t n;
    mp_value *items[];
} mp__qorphans;

/*
 * The core's mutex and conditions live apart from it, so that a forked
 * child can take a fresh set: it may neither use nor initialise again the
 * copies it inherited, which another thread of the parent may have held
 * or waited on at the fork (POSIX leaves both undefined, and
 * ThreadSanitizer reports them).  The parent's sets stay reachable from
 * the child's, never used again.
 */
typedef struct mp__qsync {
    pthread_mutex_t mu;
    pthread_cond_t notempty, done;
    struct mp__qsync *older;
} mp__qsync;

typedef struct mp__qcore {
    size_t refs;
    mp__qsync *sync;            /* where the three below are */
    pthread_mutex_t *mu;        /* _notempty's lock; guards everything below */
    pthread_cond_t *notempty, *done;
    /* _buffer: the items put and not yet taken by the feeder, one
     * reference each (put neither pickles nor copies), oldest at
     * ring[first]; NULL is the sentinel.  A slot is always kept free for
     * the sentinel, so that close cannot fail. */
    mp_value **ring;
    size_t cap, first, count;
    mp__qflight *flight;        /* the running feeder's record */
    mp__qflight *frozen;        /* a fork child's: the parent feeders' records */
    mp__qorphans *orphans;      /* a fork child's: the parent's items, to release */
    bool started;               /* _thread is not None */
    bool running;               /* the feeder has not ended */
    bool quit_sent;             /* the sentinel is in the buffer */
    bool closed, joincancelled, owner_dead;
    bool dead;                  /* being destroyed (set under mu) */
    bool zombie;                /* a fork child's copy nobody holds */
    mp__finalizer *close_fin, *join_fin;
    int reader_users;           /* calls using the reader right now */
    bool reader_closing;        /* the feeder closed it; the last user really closes it */
    mp_connection *reader, *writer;
    mp__shm shm;
    mp__qshared *sh;
    int maxsize;
    bool joinable;
    struct mp__qcore *parked;
} mp__qcore;

/* A core with one reference (the caller's) and nothing open; NULL with
 * MP_ENOMEM.  Its descriptors and block are the caller's to fill in. */
mp__qcore *mp__qcore_new(void);

/* Drop n references; the last one closes and frees everything (or, while
 * the process exits, parks the core). */
void mp__qcore_unref(mp__qcore *c, int n);

/* Queue._after_fork, registered with mp__register_after_fork for each core. */
void mp__qcore_after_fork(void *arg);

/* With mu held: append v to the buffer, starting the feeder first if it
 * is not running (Queue.put's part under _notempty).  For a JoinableQueue
 * the unfinished count goes up under the shared condition's lock.  1 when
 * the queue is closed, else 0 or an error; on 0 the buffer owns v's
 * reference, otherwise the caller still does. */
int mp__qcore_push(mp__qcore *c, mp_value *v);

/* Release the parent's items a fork child inherited (see mp__qorphans);
 * call without mu, from a thread of the program. */
void mp__qcore_release_orphans(mp__qcore *c);

/* With mu held.  Claim the finalizer in *slot: cancel it and count the
 * reference it held in *drops.  False when there was none (already
 * claimed, or never registered). */
bool mp__qcore_claim(mp__finalizer **slot, int *drops);

/* With mu held.  Claim the close finalizer and give a running feeder its
 * sentinel, once; each reference this lets go is counted in *drops, for
 * mp__qcore_unref after mu is released. */
void mp__qcore_send_sentinel(mp__qcore *c, int *drops);

/* With mu held.  Claim the join finalizer and wait for the feeder. */
void mp__qcore_join_feeder(mp__qcore *c, int *drops);

/* With mu held.  Once the object is gone and the feeder has ended, nobody
 * can join any more (CPython's thread object is collected then). */
void mp__qcore_drop_join_if_idle(mp__qcore *c, int *drops);

/* ---- SimpleQueue (simple_queue.c) ----------------------------------------- */

/* get() that never waits: MP_EEMPTY when no message is there, or when the
 * only one is being taken by another reader (a pool's terminate drains
 * its task queue so while worker threads still read it).  Thread-safe. */
int mp__simple_queue_get_nowait(mp_simple_queue *q, mp_value **out);

/* SimpleQueue.put(v) (v taken over) that does not wait for room: 0 put,
 * 1 when the ring has no room for it now (nothing written), or put's
 * errors.  The pool's caller-side put of a task (pool/handlers.c). */
int mp__simple_queue_try_put(mp_simple_queue *q, mp_value *v);

#endif

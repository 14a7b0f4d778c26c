/* pool.h - the floor of pool.py: the task registry (task.c), the workers' slots (slots.c), a worker's loop (worker.c), the results (result.c), the pool and its threads (pool.c, handlers.c) and the calls that give it tasks (submit.c). */
#ifndef MP_POOL_H
#define MP_POOL_H

#include "queues/queues.h"
#include "start/start.h"
#include "synchronize/synchronize.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

/* ---- the task registry (task.c) ------------------------------------------- */

/* A registered task by name, or NULL. */
mp_task_fn mp__task_find(const char *name);

/* ---- the slots (slots.c) ---------------------------------------------------- */

/*
 * What each worker is running, in a block of shared memory the parent and
 * the workers map: one slot per place in the pool (a worker that replaces
 * another takes its place's slot).  A worker marks its slot busy with the
 * job and the chunk's index before it runs a chunk, and clears it once the
 * result is in the result queue; the worker handler reads the slot of a
 * worker that has died, when nobody writes it any more.  The slots are a
 * value (a library object), given to workers in their args under every
 * start method.
 */
typedef struct mp__pool_slots mp__pool_slots;
mp__pool_slots *mp__pool_slots_new(size_t n);
mp__pool_slots *mp__pool_slots_of(const mp_value *v);
void mp__pool_slot_begin(mp__pool_slots *s, size_t i, uint64_t job, uint64_t index);
void mp__pool_slot_end(mp__pool_slots *s, size_t i);
/* True (with *job, *index) if slot i is busy; it is then cleared. */
bool mp__pool_slot_take(mp__pool_slots *s, size_t i, uint64_t *job, uint64_t *index);

/* ---- a worker (worker.c) ------------------------------------------------------ */

/*
 * The messages.  A task: (job, index, function's name, mode, payload),
 * mode APPLY with the args tuple as payload, MAP or STAR with a tuple of
 * the chunk's items; None tells a worker to end.  A result: (job, index,
 * True, value) or (job, index, False, (code, errno, type name, message));
 * a list of the chunk's values for MAP and STAR.  None tells the result
 * handler to end.
 */
enum { MP__POOL_APPLY, MP__POOL_MAP, MP__POOL_STAR };

/* The workers' target: args (inqueue, outqueue, slots, slot, initializer's
 * name or None, initargs, maxtasks). */
int mp__pool_worker(const mp_value *args);

/* A failure message's error part, from the thread's last error (code
 * given). */
mp_value *mp__pool_error_value(int code);

/* ---- results (result.c) -------------------------------------------------------- */

enum { MP__JOB_APPLY, MP__JOB_MAP, MP__JOB_IMAP, MP__JOB_IMAP_UNORDERED };

/*
 * One job: an ApplyResult (one chunk), a MapResult or an IMapIterator (a
 * chunk per chunksize items).  Held by the user (until freed) and by the
 * pool's cache (until every chunk has come); the result handler sets the
 * chunks, under mu, and the waiting calls wait on cond.
 *
 * Chunk c is kept in slot c % window.  The window is every chunk
 * (nchunks, 1 for apply), except for a stream, an imap over a producer
 * (stream.c), whose inputs are not all known: there it is the chunks
 * allowed in flight, and chunk c is given out (produced) only once its
 * slot is free, next() done with the chunk before it there, so an
 * iterator's memory stays within window chunks however long its input
 * (imap_unordered's chunks are done with out of order: a slow one holds
 * its slot, and the window goes on around it).
 */
struct mp_async_result {
    int kind;
    uint64_t id;
    _Atomic size_t refs;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    bool ready, success;
    _Atomic uint32_t moves;     /* counts the changes waiters wait for (see wait_until) */
    size_t length, chunksize, nchunks, left;
    size_t window;              /* slots */
    size_t produced;            /* chunks given out so far (nchunks but for a stream) */
    _Atomic size_t consumed;    /* imap: chunks next() is done with */
    bool ended;                 /* nchunks is known (a stream: its producer has ended) */
    bool stream;
    _Atomic bool abandoned;     /* a stream freed by its user */
    _Atomic uint8_t *live;      /* per slot: a chunk given out and not yet done with by next() */
    size_t *ids;                /* a stream: per slot, its chunk */
    uint8_t *done;              /* per slot: its chunk's result came */
    mp_value **items;           /* map: per item, its value, one reference */
    mp_value **chunks;          /* imap: per slot, its chunk's list of values */
    size_t *sizes;              /* a stream: per slot, its chunk's length */
    mp_value *value;            /* apply's value; map's list once ready */
    mp__exc *err;               /* map and apply: the first failure */
    mp__exc **errs;             /* imap: per slot, a failed chunk's error */
    size_t *arrived;            /* imap_unordered: a ring of the chunks in the order they came */
    size_t narrived, sub;       /* imap: chunks come; next()'s place in the current one */
    bool exhausted;
    void (*callback)(const mp_value *result, void *data);
    void (*error_callback)(int code, void *data);
    void *data;
    mp_pool *pool;              /* a stream's pool while it produces, told when next() makes room */
    pthread_mutex_t produce;    /* a stream's: held around its producer's calls, and by free */
    struct mp_async_result *next;   /* in the pool's cache */
};

struct mp_imap_iterator {
    struct mp_async_result r;
};

/* A job of kind over length items in chunks of chunksize (apply: 1 and
 * 1), or with window > 0 a stream of that many chunks in flight (imap
 * kinds; length unknown); two references (the caller's and the
 * cache's).  NULL with MP_ENOMEM. */
mp_async_result *mp__job_new(int kind, size_t length, size_t chunksize, size_t window,
                             const mp_pool_call_opts *opts);
void mp__job_unref(mp_async_result *r);
/* Chunk index's outcome: value (taken over: a chunk's list, or apply's
 * value) on success, else the error e.  Ignored for a chunk already set,
 * or not given out.  Calls the callbacks (outside mu) once the last chunk
 * is in.  True when the job is then complete. */
bool mp__job_set(mp_async_result *r, size_t index, mp_value *value, const mp__exc *e);

/* ---- the pool (pool.c, handlers.c, submit.c) ---------------------------------- */

enum { MP__POOL_RUN, MP__POOL_CLOSE, MP__POOL_TERMINATE };
enum { MP__H_WORKERS, MP__H_TASKS, MP__H_RESULTS, MP__H_COUNT };
#define MP__POOL_BUCKETS 64

/* A job's tasks that the task handler has not all put yet. */
typedef struct mp__pool_work {
    mp_async_result *job;       /* one reference */
    mp_task_fn func;
    const char *name;           /* its registered name, or NULL */
    mp_task_fn fn;              /* a ThreadPool's: sent by address, not by name */
    int mode;                   /* MP__POOL_APPLY, _MAP, _STAR */
    mp_value *payload;          /* apply's args, or the iterable */
    size_t next;                /* the next chunk to put */
    mp_pool_next_fn produce;    /* a stream's producer, and its data */
    void *data;
    mp__exc *failed;            /* a stream's: the producer's error, not yet sent */
    struct mp__pool_work *next_work;
} mp__pool_work;

/*
 * mu guards everything but the queues, which are thread-safe, and the
 * workers, which only the worker handler touches while it runs (and the
 * thread that joins or terminates the pool, once it has ended).
 */
struct mp_pool {
    mp_context *ctx;
    bool threads;               /* a ThreadPool: its workers are threads (mp_dummy()'s processes) */
    int processes, maxtasks;
    mp_value *init;             /* the initializer's name, or None */
    mp_value *initargs;
    mp_simple_queue *inq, *outq;
    mp__pool_slots *slots;
    mp_process **workers;       /* one per place; NULL while none */
    double *born;               /* per place: when its worker started (monotonic s) */
    double *not_before;         /* per place: no new worker before then (see maintain) */
    pthread_mutex_t mu;
    pthread_cond_t cond;        /* the task list, the handlers' ends */
    int state;
    uint64_t next_job;
    mp_async_result *cache[MP__POOL_BUCKETS];   /* jobs not complete, by id */
    size_t cached;
    mp__pool_work *head, *tail;
    bool putting;               /* a task is taken off the list and not yet put */
    bool tasks_end;             /* the task handler's sentinel */
    bool started[MP__H_COUNT], ended[MP__H_COUNT];
    int wake[2];                /* wakes the worker handler */
    bool terminated, joined;
    mp__finalizer *fin;
    sigset_t mask;              /* the program's signal mask, for the workers */
    /* The message each handler has in hand, kept here rather than on its
     * stack so that a worker forked meanwhile still reaches its copy. */
    mp_value *held[MP__H_COUNT];
};

/* Start the worker of place i (the caller is out of the fork gate, or is
 * the program's own thread).  0 or the error of starting it. */
int mp__pool_start_worker(mp_pool *p, size_t i);
/* Wake the worker handler. */
void mp__pool_wake(mp_pool *p);
/* Start the three handler threads: 0 or MP_ERUNTIME. */
int mp__pool_start_handlers(mp_pool *p);
/* Wait (mu held) until handler h has ended, or has never started. */
void mp__pool_wait_ended(mp_pool *p, int h);
/* With mu held, the list empty and nobody putting: put w's one task (an
 * apply's) from the calling thread, sparing a wake-up of the task
 * handler.  Unlocks mu.  True when put (w freed); false when the task
 * handler is to put it (w at the list's head, in the order submitted). */
bool mp__pool_put_now(mp_pool *p, mp__pool_work *w);
/* Queue work (its payload taken over) as a job of kind over length
 * items in chunks of chunksize, or with window > 0 a stream (stream.c).
 * The caller's reference to the job, or NULL with MP_EVALUE "Pool not
 * running" or MP_ENOMEM. */
mp_async_result *mp__pool_submit(mp_pool *p, mp__pool_work work, int kind, size_t length, size_t chunksize,
                                 size_t window, const mp_pool_call_opts *opts);
/* The task message of chunk i of w's job: payload (taken over) is its
 * args or its chunk's items.  NULL with MP_ENOMEM. */
mp_value *mp__pool_message(const mp__pool_work *w, size_t i, mp_value *payload);
/* Release a work and its reference to its job. */
void mp__pool_free_work(mp__pool_work *w);
/* With mu held: take the work at *pw off the list. */
void mp__pool_unlink_work(mp_pool *p, mp__pool_work **pw);
/* From the task handler, mu not held: put msg (taken over; NULL: the
 * error of making it) as chunk i of job; a chunk that cannot go fails with
 * its error. */
void mp__pool_put_task(mp_pool *p, mp_async_result *job, size_t i, mp_value *msg);
/* From the task handler, with mu held (let go meanwhile): the next step of
 * the stream whose work is at *pw: a chunk from its producer put, or its
 * error, or its end (the work then off the list and freed). */
void mp__pool_stream_step(mp_pool *p, mp__pool_work **pw);
/* A job is complete: out of the cache (its reference dropped). */
void mp__pool_job_done(mp_pool *p, mp_async_result *job);

#endif

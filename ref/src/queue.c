/* queue.c - Queue and JoinableQueue: a pipe written by a feeder thread, with process-shared locks and counters (queues.py). */
#include "internal.h"
#include "semlock.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * Layout.  A queue object (the value users hold) points at a `core`, which
 * the feeder thread and the exit-time finalizers share with it, as CPython's
 * feeder holds the buffer, the lock and the pipe but not the Queue itself.
 * The object can therefore die while its feeder still flushes: dying closes
 * the queue (sends the sentinel), as CPython's Finalize does when a Queue is
 * collected, and the core goes when its last holder lets go.  Holders, each
 * one reference: the object, the running feeder, the close finalizer
 * (priority 10) and the join finalizer (priority -5).
 *
 * Finalizers are claimed under the core's mutex: whoever takes the handle
 * (close(), join_thread(), or the exit function running the callback)
 * acts, and drops the reference.  The exit function may have popped a
 * handle that a thread then claims; its callback still runs with the core
 * pointer, so once the process is exiting a core whose count reaches zero
 * is parked (never freed) instead of destroyed.
 */

/* What every process sharing the queue sees (the memfd block). */
typedef struct shared {
    mp__sem rlock, wlock, sem;
    mp__sem unfinished;         /* JoinableQueue: _unfinished_tasks */
    mp__cond cond;              /* JoinableQueue: _cond */
} shared;

/* One item, already pickled by put (values are immutable once put, so
 * pickling then or in the feeder is the same), or the error pickling
 * gave, which the feeder reports in the item's turn.  Holding bytes, not
 * values, keeps a forked child clean: the hook can free a node without
 * running any value's release.  Neither buf nor err: the sentinel. */
typedef struct node {
    uint8_t *buf;
    size_t len;
    mp__exc *err;
    struct node *next;
} node;

typedef struct core {
    size_t refs;
    pthread_mutex_t mu;         /* _notempty's lock; guards everything below */
    pthread_cond_t notempty, done;
    node *head, *tail;          /* _buffer */
    node *inflight;             /* the feeder's current item, reachable for a fork child */
    node *sentinel;             /* allocated with the thread, so close cannot fail */
    bool started;               /* _thread is not None */
    bool running;               /* the feeder has not ended */
    bool closed, joincancelled, owner_dead;
    bool dead;                  /* being destroyed (set under mu) */
    bool zombie;                /* a fork child's copy nobody holds */
    mp__finalizer *close_fin, *join_fin;
    int reader_users;           /* calls using the reader right now */
    bool reader_closing;        /* the feeder closed it; the last user really closes it */
    mp_connection *reader, *writer;
    mp__shm shm;
    shared *sh;
    int maxsize;
    bool joinable;
    struct core *parked;
} core;

struct mp_queue {
    mp__object ob;
    core *c;
};

static const mp_class queue_class, joinable_class;

/* ---- the core's lifetime ------------------------------------------------- */

static core *parked_cores;      /* reachable, so leak checkers stay quiet */
static pthread_mutex_t park_lock = PTHREAD_MUTEX_INITIALIZER;

static void after_fork(void *arg);

static void free_node(node *n)
{
    free(n->buf);
    free(n->err);
    free(n);
}

static void free_nodes(node *n)
{
    while (n) {
        node *next = n->next;
        free_node(n);
        n = next;
    }
}

static void release_resources(core *c)
{
    if (c->reader)
        mp_connection_free(c->reader);
    if (c->writer)
        mp_connection_free(c->writer);
    c->reader = c->writer = NULL;
    mp__shm_close(&c->shm);
    c->sh = NULL;
}

static void core_unref(core *c, int n)
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
    pthread_mutex_lock(&c->mu);
    c->dead = true;
    release_resources(c);
    pthread_mutex_unlock(&c->mu);
    mp__unregister_after_fork(after_fork, c);
    free_nodes(c->head);
    free(c->sentinel);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->notempty);
    pthread_cond_destroy(&c->done);
    free(c);
}

static core *core_new(void)
{
    core *c = calloc(1, sizeof *c);
    if (!c) {
        mp__fail(MP_ENOMEM, "out of memory");
        return NULL;
    }
    c->refs = 1;
    c->shm.fd = -1;
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->notempty, NULL);
    pthread_cond_init(&c->done, NULL);
    return c;
}

/*
 * util.register_after_fork(self, Queue._after_fork): the child has no
 * feeder, so the thread state starts afresh (as _reset(after_fork=True))
 * with an empty buffer; the references the parent's feeder and finalizers
 * held do not exist here.
 *
 * The fork may have caught another thread of the parent inside mu, half
 * way through a change (closing a descriptor whose number is not yet
 * cleared, linking a node).  Everything that frees or closes is done under
 * mu, so a mu that was free at the fork means a whole state: then the
 * buffer is freed (the feeder publishes its item in `inflight` before
 * unlinking it, so a node is in the list, in inflight, or both).  A mu
 * that was held means leaving nodes and descriptors alone: a small leak in
 * the child rather than a double free or a close of a reused number.
 */
static void after_fork(void *arg)
{
    core *c = arg;
    bool whole = pthread_mutex_trylock(&c->mu) == 0;
    pthread_mutex_init(&c->mu, NULL);
    if (c->zombie || c->dead)
        return;
    pthread_cond_init(&c->notempty, NULL);
    pthread_cond_init(&c->done, NULL);
    if (whole) {
        bool listed = false;
        for (node *n = c->head; n; n = n->next)
            listed |= n == c->inflight;
        if (c->inflight && !listed)
            free_node(c->inflight);
        free_nodes(c->head);
    }
    c->head = c->tail = c->inflight = NULL;
    size_t drops = (size_t)c->running + (c->close_fin != NULL) + (c->join_fin != NULL);
    c->started = c->running = c->closed = c->joincancelled = false;
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

/* ---- closing and joining (Queue._finalize_close, _finalize_join) --------- */

/* With mu held.  Claim the close finalizer (*drops counts the reference
 * it held) and give a running feeder its sentinel, once. */
static void send_sentinel(core *c, int *drops)
{
    if (c->close_fin) {
        mp__finalize_cancel(c->close_fin);  /* under mu: its callback cannot finish meanwhile */
        c->close_fin = NULL;
        (*drops)++;
    }
    node *s = c->sentinel;
    if (!c->started || !s)
        return;
    c->sentinel = NULL;
    mp_debug("telling queue thread to quit");
    *s = (node){NULL, 0, NULL, NULL};
    if (c->tail)
        c->tail->next = s;
    else
        c->head = s;
    c->tail = s;
    pthread_cond_signal(&c->notempty);
}

/* With mu held.  Claim the join finalizer and wait for the feeder. */
static void join_feeder(core *c, int *drops)
{
    mp__finalizer *f = c->join_fin;
    if (!f)
        return;
    c->join_fin = NULL;
    mp__finalize_cancel(f);
    (*drops)++;
    mp_debug("joining queue thread");
    while (c->running)
        pthread_cond_wait(&c->done, &c->mu);
    mp_debug("... queue thread joined");
}

/* With mu held.  Once the object is gone and the feeder has ended, nobody
 * can join any more (CPython's thread object is collected then). */
static void drop_join_if_idle(core *c, int *drops)
{
    if (c->owner_dead && !c->running && c->join_fin) {
        mp__finalize_cancel(c->join_fin);
        c->join_fin = NULL;
        (*drops)++;
    }
}

static void close_callback(void *arg)
{
    core *c = arg;
    int drops = 0;
    pthread_mutex_lock(&c->mu);
    send_sentinel(c, &drops);
    pthread_mutex_unlock(&c->mu);
    core_unref(c, drops);
}

static void join_callback(void *arg)
{
    core *c = arg;
    int drops = 0;
    pthread_mutex_lock(&c->mu);
    join_feeder(c, &drops);
    pthread_mutex_unlock(&c->mu);
    core_unref(c, drops);
}

/* ---- the feeder thread (Queue._feed) -------------------------------------- */

/* With mu held.  The feeder's reader_close(): put off while a get or
 * empty is using the reader, so its descriptor is not closed under it. */
static void close_reader(core *c)
{
    if (c->reader_users > 0)
        c->reader_closing = true;
    else
        mp_connection_close(c->reader);
}

/* Write one message with wlock held, so the messages of several writers
 * never interleave.  The pipe keeps its 64 KiB, as CPython's: a bigger one
 * (F_SETPIPE_SZ) writes 1 MiB payloads some 10-15% faster, but lets a
 * child that put less than its size exit before anyone reads, where
 * CPython's child waits (the "joining processes that use queues" rule,
 * lesson 28). */
static int send_one(core *c, const node *n)
{
    int rc = mp__sem_acquire(&c->sh->wlock, -1);
    if (rc >= 0) {
        rc = mp__conn_send(c->writer, n->buf, n->len);
        mp__sem_release(&c->sh->wlock);
    }
    return rc;
}

/* A failed item: CPython's feeder prints the traceback and gives back the
 * item's slot (3.11), so the queue does not shrink; while the process
 * exits it only logs, and stops (resources may be going away). */
static bool report(core *c, int rc, const mp__exc *err)
{
    if (err)
        mp__exc_restore(err);
    if (mp__is_exiting()) {
        mp_info("error in queue thread: %s", mp_errmsg());
        return false;
    }
    mp__sem_release(&c->sh->sem);
    mp_excepthook(rc);
    return true;
}

static void *feeder(void *arg)
{
    core *c = arg;
    int drops = 1;              /* the thread's own reference */
    mp__thread_block_sigpipe();  /* already blocked (start_thread); tells the writes so */
    mp_debug("starting thread to feed data to pipe");
    pthread_mutex_lock(&c->mu);
    for (;;) {
        while (!c->head)
            pthread_cond_wait(&c->notempty, &c->mu);
        node *n = c->head;
        __atomic_store_n(&c->inflight, n, __ATOMIC_SEQ_CST);
        if (!(c->head = n->next))
            c->tail = NULL;
        if (!n->buf && !n->err) {
            c->inflight = NULL;
            free(n);
            mp_debug("feeder thread got sentinel -- exiting");
            close_reader(c);
            mp_connection_close(c->writer);
            break;
        }
        pthread_mutex_unlock(&c->mu);
        int rc = n->err ? n->err->code : send_one(c, n);
        bool go_on = rc >= 0 || report(c, rc, n->err);
        pthread_mutex_lock(&c->mu);
        /* Unpublished before it is freed: a fork child may lose a node
         * here, but never frees one twice. */
        __atomic_store_n(&c->inflight, NULL, __ATOMIC_SEQ_CST);
        free_node(n);
        if (!go_on)
            break;
    }
    c->running = false;
    pthread_cond_broadcast(&c->done);
    drop_join_if_idle(c, &drops);
    pthread_mutex_unlock(&c->mu);
    core_unref(c, drops);
    return NULL;
}

/* With mu held: Queue._start_thread. */
static int start_thread(core *c)
{
    mp_debug("Queue._start_thread()");
    if (!c->sentinel && !(c->sentinel = malloc(sizeof *c->sentinel)))
        return mp__fail(MP_ENOMEM, "out of memory");
    /* The exit function flushes the feeder even in a program that never
     * called mp_main (as Python always runs util._exit_function). */
    mp__ensure_atexit();
    mp__exiting_watch();
    mp_debug("doing self._thread.start()");
    /* The feeder takes no asynchronous signals: a C program's handlers
     * then run in its own threads, as Python's run in the main thread. */
    sigset_t all, old;
    sigfillset(&all);
    sigdelset(&all, SIGSEGV);
    sigdelset(&all, SIGBUS);
    sigdelset(&all, SIGFPE);
    sigdelset(&all, SIGILL);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    __atomic_add_fetch(&c->refs, 1, __ATOMIC_ACQ_REL);
    pthread_t t;
    int err = pthread_create(&t, NULL, feeder, c);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err) {
        __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL);
        return mp__fail(MP_ERUNTIME, "can't start new thread");
    }
    /* Joining is waiting on `done`, so nothing ever pthread_joins it. */
    pthread_detach(t);
    c->started = c->running = true;
    /* A failed registration (out of memory) only loses the flush at exit. */
    if (!c->joincancelled && (c->join_fin = mp__finalize_register(join_callback, c, -5)))
        __atomic_add_fetch(&c->refs, 1, __ATOMIC_ACQ_REL);
    if ((c->close_fin = mp__finalize_register(close_callback, c, 10)))
        __atomic_add_fetch(&c->refs, 1, __ATOMIC_ACQ_REL);
    mp_debug("... done self._thread.start()");
    return 0;
}

/* ---- the object ------------------------------------------------------------ */

/* "Queue <multiprocessing.queues.Queue object at 0x...> is closed": CPython
 * words it with the repr whatever the class. */
static int fail_repr(int code, mp_queue *q, const char *what)
{
    char *r = mp_repr(&q->ob.h);
    mp__fail(code, "Queue %s %s", r ? r : "<Queue>", what);
    free(r);
    return code;
}

static void q_finalize(mp__object *o)
{
    core *c = ((mp_queue *)o)->c;
    if (!c)
        return;
    int drops = 1;
    pthread_mutex_lock(&c->mu);
    c->owner_dead = true;
    send_sentinel(c, &drops);
    drop_join_if_idle(c, &drops);
    pthread_mutex_unlock(&c->mu);
    core_unref(c, drops);
}

/* Passed to a spawn or forkserver child: the memfd first, so that outside
 * a child's description mp__reduce_fd fails at once with CPython's
 * assert_spawning RuntimeError. */
static mp_value *q_reduce(mp__object *o)
{
    core *c = ((mp_queue *)o)->c;
    int m = mp__reduce_fd(o, c->shm.fd);
    if (m < 0)
        return NULL;
    pthread_mutex_lock(&c->mu);
    int rfd = c->reader_closing ? MP_ECLOSED : mp_connection_fileno(c->reader);
    int wfd = mp_connection_fileno(c->writer);
    pthread_mutex_unlock(&c->mu);
    if (rfd < 0 || wfd < 0) {
        mp__fail(MP_ECLOSED, "handle is closed");
        return NULL;
    }
    int r = mp__reduce_fd(o, rfd), w = r < 0 ? r : mp__reduce_fd(o, wfd);
    return w < 0 ? NULL : mp_tuple_of(c->maxsize, m, r, w);
}

static mp__object *rebuild(const mp_class *cls, const mp_value *state)
{
    bool ok = mp_typeof(state) == MP_T_TUPLE && mp_len(state) == 4;
    for (size_t i = 0; ok && i < 4; i++)
        ok = mp_typeof(mp_item(state, i)) == MP_T_INT;
    if (!ok) {
        mp__fail(MP_EUNPICKLE, "bad state for a %s", cls->name);
        return NULL;
    }
    int64_t maxsize = mp_as_int(mp_item(state, 0));
    int fds[3];
    for (int i = 0; i < 3; i++)
        fds[i] = mp__rebuild_fd(mp_as_int(mp_item(state, (size_t)i + 1)));
    mp_queue *q = NULL;
    core *c = NULL;
    if (fds[0] < 0 || fds[1] < 0 || fds[2] < 0 || maxsize < 1 || maxsize > MP__SEM_VALUE_MAX) {
        if (fds[0] >= 0 && fds[1] >= 0 && fds[2] >= 0)
            mp__fail(MP_EUNPICKLE, "bad state for a %s", cls->name);
        goto fail;
    }
    if (!(c = core_new()))
        goto fail;
    c->maxsize = (int)maxsize;
    c->joinable = cls == &joinable_class;
    int rc = mp__shm_attach(&c->shm, fds[0], sizeof(shared));
    fds[0] = -1;
    if (rc < 0)
        goto fail;
    c->sh = c->shm.addr;
    if (!(c->reader = mp_connection_new(fds[1], true, false)))
        goto fail;
    fds[1] = -1;
    if (!(c->writer = mp_connection_new(fds[2], false, true)))
        goto fail;
    fds[2] = -1;
    if (!(q = (mp_queue *)mp__object_alloc(cls)) || mp__register_after_fork(after_fork, c) < 0)
        goto fail;
    /* In CPython's order of unpickling: rlock, wlock, sem, then _cond and
     * _unfinished_tasks. */
    mp__sem_attached(&c->sh->rlock);
    mp__sem_attached(&c->sh->wlock);
    mp__sem_attached(&c->sh->sem);
    if (c->joinable) {
        mp__cond_attached(&c->sh->cond);
        mp__sem_attached(&c->sh->unfinished);
    }
    q->c = c;
    return &q->ob;
fail:
    for (int i = 0; i < 3; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    if (q)
        mp_decref(&q->ob.h);
    if (c)
        core_unref(c, 1);
    return NULL;
}

static mp__object *rebuild_queue(const mp_value *s) { return rebuild(&queue_class, s); }
static mp__object *rebuild_joinable(const mp_value *s) { return rebuild(&joinable_class, s); }

static const mp__native queue_native = {sizeof(mp_queue), q_finalize, q_reduce, rebuild_queue};
static const mp__native joinable_native = {sizeof(mp_queue), q_finalize, q_reduce,
                                           rebuild_joinable};
static const mp_class queue_class = {
    .name = "Queue", .module = "multiprocessing.queues", .native = &queue_native};
static const mp_class joinable_class = {
    .name = "JoinableQueue", .module = "multiprocessing.queues", .native = &joinable_native};
MP_CLASS(queue_class);
MP_CLASS(joinable_class);

/* Queue.__init__: the pipe, then rlock, wlock and the bounded semaphore
 * (and for JoinableQueue the unfinished count and the condition), in
 * CPython's order so the debug log matches. */
static mp_queue *queue_new(const mp_class *cls, int maxsize)
{
    core *c = core_new();
    mp_queue *q = c ? (mp_queue *)mp__object_alloc(cls) : NULL;
    if (!q)
        goto fail;
    c->maxsize = maxsize <= 0 ? MP__SEM_VALUE_MAX : maxsize;
    c->joinable = cls == &joinable_class;
    if (mp_pipe(&c->reader, &c->writer, &(mp_pipe_opts){.duplex = MP_NO}) < 0 ||
        mp__shm_create(&c->shm, "forklore-queue", sizeof(shared)) < 0)
        goto fail;
    shared *sh = c->sh = c->shm.addr;
    if (mp__sem_init(&sh->rlock, 1, 1) < 0 || mp__sem_init(&sh->wlock, 1, 1) < 0 ||
        mp__sem_init(&sh->sem, c->maxsize, c->maxsize) < 0)
        goto fail;
    if (c->joinable && (mp__sem_init(&sh->unfinished, 0, MP__SEM_VALUE_MAX) < 0 ||
                        mp__cond_init(&sh->cond) < 0))
        goto fail;
    if (mp__register_after_fork(after_fork, c) < 0)
        goto fail;
    q->c = c;
    return q;
fail:
    if (q)
        mp_decref(&q->ob.h);
    if (c)
        core_unref(c, 1);
    return NULL;
}

mp_queue *mp_queue_new(int maxsize) { return queue_new(&queue_class, maxsize); }
mp_queue *mp_joinable_queue_new(int maxsize) { return queue_new(&joinable_class, maxsize); }
mp_queue *mp_context_queue(mp_context *ctx, int maxsize) { (void)ctx; return mp_queue_new(maxsize); }
mp_queue *mp_context_joinable_queue(mp_context *ctx, int maxsize)
{
    (void)ctx;
    return mp_joinable_queue_new(maxsize);
}

mp_queue *mp_as_queue(const mp_value *v)
{
    const mp_class *c = mp_class_of(v);
    return c == &queue_class || c == &joinable_class ? (mp_queue *)v : NULL;
}

void mp_queue_free(mp_queue *q)
{
    if (q)
        mp_decref(&q->ob.h);
}

static int no_queue(void)
{
    return mp__fail(MP_ETYPE, "expected a Queue, got NULL");
}

/* ---- put and get ------------------------------------------------------------ */

int mp__queue_put(mp_queue *q, mp_arg obj, const mp_queue_opts *opts)
{
    mp_value *v = mp_value_from_arg(obj);
    if (!v)
        return mp_errcode() < 0 ? mp_errcode() : mp__fail(MP_ENOMEM, "out of memory");
    double t;
    int rc = q ? mp__queue_timeout(opts ? opts->block : 0, opts ? opts->timeout : 0, &t)
               : no_queue();
    if (rc < 0)
        goto out;
    core *c = q->c;
    pthread_mutex_lock(&c->mu);
    bool closed = c->closed;
    pthread_mutex_unlock(&c->mu);
    if (closed) {
        rc = fail_repr(MP_EVALUE, q, "is closed");
        goto out;
    }
    if ((rc = mp__sem_acquire(&c->sh->sem, t)) <= 0) {
        rc = rc < 0 ? rc : mp__fail(MP_EFULL, "%s", "");
        goto out;
    }
    /* Pickled here, in the caller; a failure is not put's but the
     * feeder's to report, in the item's turn, as CPython's feeder does. */
    node *n = calloc(1, sizeof *n);
    if (n && (rc = mp_pickle_dumps(v, NULL, &n->buf, &n->len)) < 0 &&
        (n->err = malloc(sizeof *n->err))) {
        mp__exc_save(n->err);
        n->err->code = rc;
    }
    rc = 0;
    mp_decref(v);
    v = NULL;
    pthread_mutex_lock(&c->mu);
    /* Closed again while put waited for room?  CPython would append the
     * item behind the sentinel, where it is never sent; it is refused. */
    if (!n || (!n->buf && !n->err))
        rc = mp__fail(MP_ENOMEM, "out of memory");
    else if (c->closed)
        rc = fail_repr(MP_EVALUE, q, "is closed");
    else if (!c->started)
        rc = start_thread(c);
    if (rc == 0 && c->joinable)
        rc = mp__cond_acquire(&c->sh->cond);
    if (rc == 0) {
        if (c->tail)
            c->tail->next = n;
        else
            c->head = n;
        c->tail = n;
        if (c->joinable) {
            mp__sem_release(&c->sh->unfinished);
            mp__cond_release(&c->sh->cond);
        }
        pthread_cond_signal(&c->notempty);
    } else {
        if (n)
            free_node(n);
        mp__sem_release(&c->sh->sem);
    }
    pthread_mutex_unlock(&c->mu);
out:
    mp_decref(v);
    return rc;
}

/* A get or empty is using the reader; closing waits for the last one. */
static int reader_enter(mp_queue *q, bool check_closed)
{
    core *c = q->c;
    int rc = 0;
    pthread_mutex_lock(&c->mu);
    if (check_closed && c->closed)
        rc = 1;
    else if (c->reader_closing || mp_connection_closed(c->reader))
        rc = mp__fail(MP_ECLOSED, "handle is closed");
    else
        c->reader_users++;
    pthread_mutex_unlock(&c->mu);
    return rc == 1 ? fail_repr(MP_EVALUE, q, "is closed") : rc;
}

static void reader_leave(core *c)
{
    pthread_mutex_lock(&c->mu);
    if (--c->reader_users == 0 && c->reader_closing) {
        mp_connection_close(c->reader);
        c->reader_closing = false;
    }
    pthread_mutex_unlock(&c->mu);
}

/* Queue.get: the message is read under rlock, unpickled after. */
int mp_queue_get_ex(mp_queue *q, mp_value **out, const mp_queue_opts *opts)
{
    double t;
    if (!out)
        return mp__fail(MP_EVALUE, "get needs somewhere to store the value");
    *out = NULL;
    if (!q)
        return no_queue();
    int rc = mp__queue_timeout(opts ? opts->block : 0, opts ? opts->timeout : 0, &t);
    if (rc < 0 || (rc = reader_enter(q, true)) < 0)
        return rc;
    core *c = q->c;
    uint8_t *buf = NULL;
    size_t n = 0;
    double deadline = mp__monotonic() + t;
    if ((rc = mp__sem_acquire(&c->sh->rlock, t)) == 1) {
        double left = t < 0 ? -1.0 : deadline - mp__monotonic();
        rc = t < 0 ? 1 : mp_connection_poll(c->reader, left > 0 ? left : 0);
        if (rc == 1 && (rc = mp__conn_recv(c->reader, MP_ALL, &buf, &n)) == 0)
            mp__sem_release(&c->sh->sem);
        mp__sem_release(&c->sh->rlock);
    }
    reader_leave(c);
    if (rc == 0 && !buf)
        return mp__fail(MP_EEMPTY, "%s", "");
    if (rc < 0)
        return rc;
    rc = mp_pickle_loads(buf, n, NULL, out);
    free(buf);
    return rc;
}

int mp_queue_get(mp_queue *q, mp_value **out) { return mp_queue_get_ex(q, out, NULL); }

int mp_queue_get_nowait(mp_queue *q, mp_value **out)
{
    return mp_queue_get_ex(q, out, &(mp_queue_opts){.block = MP_NO});
}

/* ---- the rest of Queue ------------------------------------------------------ */

int mp_queue_qsize(mp_queue *q)
{
    if (!q)
        return no_queue();
    return q->c->maxsize - mp__sem_value(&q->c->sh->sem);
}

/* not reader.poll().  When the reader cannot be polled (closed by this
 * process's feeder) CPython raises OSError; here the error is recorded
 * and true returned, so a loop `while (!empty)` ends. */
bool mp_queue_empty(mp_queue *q)
{
    if (!q) {
        no_queue();
        return true;
    }
    if (reader_enter(q, false) < 0)
        return true;
    int r = mp_connection_poll(q->c->reader, 0);
    reader_leave(q->c);
    return r != 1;
}

bool mp_queue_full(mp_queue *q)
{
    if (!q) {
        no_queue();
        return false;
    }
    return mp__sem_is_zero(&q->c->sh->sem);
}

int mp_queue_close(mp_queue *q)
{
    if (!q)
        return no_queue();
    core *c = q->c;
    int drops = 0;
    pthread_mutex_lock(&c->mu);
    c->closed = true;
    send_sentinel(c, &drops);
    pthread_mutex_unlock(&c->mu);
    core_unref(c, drops);
    return 0;
}

int mp_queue_join_thread(mp_queue *q)
{
    if (!q)
        return no_queue();
    mp_debug("Queue.join_thread()");
    core *c = q->c;
    int drops = 0;
    pthread_mutex_lock(&c->mu);
    bool closed = c->closed;
    if (closed)
        join_feeder(c, &drops);
    pthread_mutex_unlock(&c->mu);
    core_unref(c, drops);
    return closed ? 0 : fail_repr(MP_EASSERT, q, "not closed");
}

void mp_queue_cancel_join_thread(mp_queue *q)
{
    if (!q)
        return;
    mp_debug("Queue.cancel_join_thread()");
    core *c = q->c;
    int drops = 0;
    pthread_mutex_lock(&c->mu);
    c->joincancelled = true;
    if (c->join_fin) {
        mp__finalize_cancel(c->join_fin);
        c->join_fin = NULL;
        drops++;
    }
    pthread_mutex_unlock(&c->mu);
    core_unref(c, drops);
}

/* ---- JoinableQueue ---------------------------------------------------------- */

static int check_joinable(mp_queue *q, const char *method)
{
    if (!q)
        return no_queue();
    if (!q->c->joinable)
        return mp__fail(MP_EATTR, "'%s' object has no attribute '%s'", q->ob.cls->name, method);
    return 0;
}

int mp_joinable_queue_task_done(mp_queue *q)
{
    int rc = check_joinable(q, "task_done");
    shared *sh = rc < 0 ? NULL : q->c->sh;
    if (rc < 0 || (rc = mp__cond_acquire(&sh->cond)) < 0)
        return rc;
    if ((rc = mp__sem_acquire(&sh->unfinished, 0)) == 0)
        rc = mp__fail(MP_EVALUE, "task_done() called too many times");
    else if (rc == 1)
        rc = mp__sem_is_zero(&sh->unfinished) ? mp__cond_notify(&sh->cond, INT_MAX) : 0;
    mp__cond_release(&sh->cond);
    return rc;
}

/* One wait, as CPython's: the notify comes when the count reaches zero. */
int mp_joinable_queue_join(mp_queue *q)
{
    int rc = check_joinable(q, "join");
    shared *sh = rc < 0 ? NULL : q->c->sh;
    if (rc < 0 || (rc = mp__cond_acquire(&sh->cond)) < 0)
        return rc;
    if (!mp__sem_is_zero(&sh->unfinished))
        rc = mp__cond_wait(&sh->cond, -1);
    mp__cond_release(&sh->cond);
    return rc < 0 ? rc : 0;
}

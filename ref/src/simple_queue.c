/* simple_queue.c - SimpleQueue: a one-way socket with a process-shared lock at each end, written and read in the caller (queues.py). */
#include "queue.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

/* What every process sharing the queue sees (the memfd block). */
typedef struct shared {
    mp__sem rlock, wlock;
    mp__qahead ahead;
} shared;

/*
 * The two locks order readers among themselves and writers among
 * themselves, across processes.  The mutex is this process's alone: it
 * lets close() run while another thread is inside get() or put() without
 * pulling the descriptor from under it (the last user closes the channel),
 * where CPython relies on the GIL and on Linux keeping a closed pipe
 * readable in a blocked read.
 */
struct mp_simple_queue {
    mp__object ob;
    pthread_mutex_t mu;
    bool closed;                /* close() was called (the handles are "closed") */
    int users;                  /* calls using the channel right now */
    mp_connection *reader, *writer;
    mp__shm shm;
    shared *sh;
};

static const mp_class simple_queue_class;

static void close_channel(mp_simple_queue *q)
{
    mp_connection_close(q->reader);
    mp_connection_close(q->writer);
}

/* A forked child has none of the parent's threads: nobody is inside.  If
 * one held mu at the fork, it may have been half way through closing the
 * channel; then the descriptors are left alone (a leak in the child rather
 * than a close of a number already reused). */
static void after_fork(void *arg)
{
    mp_simple_queue *q = arg;
    bool whole = pthread_mutex_trylock(&q->mu) == 0;
    pthread_mutex_init(&q->mu, NULL);
    q->users = 0;
    if (whole && q->closed)
        close_channel(q);
}

static int enter(mp_simple_queue *q)
{
    int rc = 0;
    pthread_mutex_lock(&q->mu);
    if (q->closed)
        rc = mp__fail(MP_ECLOSED, "handle is closed");
    else
        q->users++;
    pthread_mutex_unlock(&q->mu);
    return rc;
}

static void leave(mp_simple_queue *q)
{
    pthread_mutex_lock(&q->mu);
    if (--q->users == 0 && q->closed)
        close_channel(q);
    pthread_mutex_unlock(&q->mu);
}

/* ---- the class ---------------------------------------------------------------- */

static void finalize(mp__object *o)
{
    mp_simple_queue *q = (mp_simple_queue *)o;
    mp__unregister_after_fork(after_fork, q);
    if (q->reader)
        mp_connection_free(q->reader);
    if (q->writer)
        mp_connection_free(q->writer);
    mp__shm_close(&q->shm);
    pthread_mutex_destroy(&q->mu);
}

/* The memfd first: outside a child's description that fails at once with
 * "SimpleQueue objects should only be shared between processes through
 * inheritance", as CPython's assert_spawning. */
static mp_value *reduce(mp__object *o)
{
    mp_simple_queue *q = (mp_simple_queue *)o;
    int m = mp__reduce_fd(o, q->shm.fd);
    if (m < 0)
        return NULL;
    pthread_mutex_lock(&q->mu);
    bool closed = q->closed;
    int rfd = mp_connection_fileno(q->reader), wfd = mp_connection_fileno(q->writer);
    pthread_mutex_unlock(&q->mu);
    if (closed || rfd < 0 || wfd < 0) {
        mp__fail(MP_ECLOSED, "handle is closed");
        return NULL;
    }
    int r = mp__reduce_fd(o, rfd), w = r < 0 ? r : mp__reduce_fd(o, wfd);
    return w < 0 ? NULL : mp_tuple_of(m, r, w);
}

static mp_simple_queue *alloc(void)
{
    mp_simple_queue *q = (mp_simple_queue *)mp__object_alloc(&simple_queue_class);
    if (q) {
        pthread_mutex_init(&q->mu, NULL);
        q->shm.fd = -1;
    }
    return q;
}

static mp__object *rebuild(const mp_value *state)
{
    bool ok = mp_typeof(state) == MP_T_TUPLE && mp_len(state) == 3;
    for (size_t i = 0; ok && i < 3; i++)
        ok = mp_typeof(mp_item(state, i)) == MP_T_INT;
    if (!ok) {
        mp__fail(MP_EUNPICKLE, "bad state for a SimpleQueue");
        return NULL;
    }
    int fds[3];
    for (int i = 0; i < 3; i++)
        fds[i] = mp__rebuild_fd(mp_as_int(mp_item(state, (size_t)i)));
    mp_simple_queue *q = NULL;
    if (fds[0] < 0 || fds[1] < 0 || fds[2] < 0 || !(q = alloc()))
        goto fail;
    int rc = mp__shm_attach(&q->shm, fds[0], sizeof(shared));
    fds[0] = -1;
    if (rc < 0)
        goto fail;
    q->sh = q->shm.addr;
    if (!(q->reader = mp_connection_new(fds[1], true, false)))
        goto fail;
    fds[1] = -1;
    if (!(q->writer = mp_connection_new(fds[2], false, true)))
        goto fail;
    fds[2] = -1;
    if (mp__register_after_fork(after_fork, q) < 0)
        goto fail;
    mp__sem_attached(&q->sh->rlock);
    mp__sem_attached(&q->sh->wlock);
    return &q->ob;
fail:
    for (int i = 0; i < 3; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    if (q)
        mp_decref(&q->ob.h);
    return NULL;
}

static const mp__native native = {sizeof(mp_simple_queue), finalize, reduce, rebuild};
static const mp_class simple_queue_class = {
    .name = "SimpleQueue", .module = "multiprocessing.queues", .native = &native};
MP_CLASS(simple_queue_class);

/* SimpleQueue.__init__: the channel (CPython's pipe), then rlock and wlock. */
mp_simple_queue *mp_simple_queue_new(void)
{
    mp_simple_queue *q = alloc();
    if (!q)
        return NULL;
    if (mp__queue_channel(&q->reader, &q->writer) < 0 ||
        mp__shm_create(&q->shm, "forklore-simplequeue", sizeof(shared)) < 0)
        goto fail;
    q->sh = q->shm.addr;
    if (mp__sem_init(&q->sh->rlock, 1, 1) < 0 || mp__sem_init(&q->sh->wlock, 1, 1) < 0 ||
        mp__register_after_fork(after_fork, q) < 0)
        goto fail;
    return q;
fail:
    mp_decref(&q->ob.h);
    return NULL;
}

mp_simple_queue *mp_context_simple_queue(mp_context *ctx)
{
    (void)ctx;
    return mp_simple_queue_new();
}

mp_simple_queue *mp_as_simple_queue(const mp_value *v)
{
    return mp_class_of(v) == &simple_queue_class ? (mp_simple_queue *)v : NULL;
}

void mp_simple_queue_free(mp_simple_queue *q)
{
    if (q)
        mp_decref(&q->ob.h);
}

static int no_queue(void)
{
    return mp__fail(MP_ETYPE, "expected a SimpleQueue, got NULL");
}

/* ---- the methods ------------------------------------------------------------ */

/* Pickled before anything else, as CPython does, so a value that cannot
 * be pickled fails here (in the caller) even on a closed queue. */
int mp__simple_queue_put(mp_simple_queue *q, mp_arg obj)
{
    mp_value *v = mp_value_from_arg(obj);
    if (!v)
        return mp_errcode() < 0 ? mp_errcode() : mp__fail(MP_ENOMEM, "out of memory");
    uint8_t *buf = NULL;
    size_t n;
    int rc = q ? mp_pickle_dumps(v, NULL, &buf, &n) : no_queue();
    mp_decref(v);
    if (rc < 0 || (rc = enter(q)) < 0) {
        free(buf);
        return rc;
    }
    /* One send() with MSG_NOSIGNAL (the channel is a socket): a reader
     * gone is EPIPE, with no SIGPIPE to mask around the write. */
    if ((rc = mp__sem_acquire(&q->sh->wlock, -1)) >= 0) {
        rc = mp__conn_send(q->writer, buf, n);
        mp__sem_release(&q->sh->wlock);
    }
    leave(q);
    free(buf);
    return rc;
}

/* Read under rlock, through the read-ahead the shared block keeps (see
 * queue_channel.c); unpickle after letting go of it. */
int mp_simple_queue_get(mp_simple_queue *q, mp_value **out)
{
    if (!out)
        return mp__fail(MP_EVALUE, "get needs somewhere to store the value");
    *out = NULL;
    if (!q)
        return no_queue();
    int rc = enter(q);
    if (rc < 0)
        return rc;
    uint8_t small[256], *buf = NULL;
    size_t n = 0;
    if ((rc = mp__sem_acquire(&q->sh->rlock, -1)) >= 0) {
        rc = mp__qchannel_recv(q->reader, &q->sh->ahead, small, sizeof small, &buf, &n);
        mp__sem_release(&q->sh->rlock);
    }
    leave(q);
    if (rc < 0)
        return rc;
    rc = mp_pickle_loads(buf, n, NULL, out);
    if (buf != small)
        free(buf);
    return rc;
}

/* not reader.poll().  On a closed queue CPython raises OSError "handle is
 * closed": the error is recorded and true returned. */
bool mp_simple_queue_empty(mp_simple_queue *q)
{
    if (!q) {
        no_queue();
        return true;
    }
    if (enter(q) < 0)
        return true;
    int r = mp__qchannel_poll(q->reader, &q->sh->ahead, 0);
    leave(q);
    return r != 1;
}

/* reader.close(); writer.close(): idempotent.  A get or put running in
 * another thread finishes first; the last one out closes the channel. */
int mp_simple_queue_close(mp_simple_queue *q)
{
    if (!q)
        return no_queue();
    pthread_mutex_lock(&q->mu);
    q->closed = true;
    if (q->users == 0)
        close_channel(q);
    pthread_mutex_unlock(&q->mu);
    return 0;
}

/* queue.c - Queue and JoinableQueue: the methods, over a channel written by a feeder thread (queue_feeder.c), with process-shared locks and counters (queues.py). */
#include "queues.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct mp_queue {
    mp__object ob;
    mp__qcore *c;
    mp__spare spare;            /* get's buffer for large pickles, kept for the next */
};

static const mp_class queue_class, joinable_class;

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
    mp__spare_free(&((mp_queue *)o)->spare);
    mp__qcore *c = ((mp_queue *)o)->c;
    if (!c)
        return;
    int drops = 1;
    pthread_mutex_lock(c->mu);
    c->owner_dead = true;
    mp__qcore_send_sentinel(c, &drops);
    mp__qcore_drop_join_if_idle(c, &drops);
    pthread_mutex_unlock(c->mu);
    mp__qcore_unref(c, drops);
}

/* Passed to a spawn or forkserver child: the memfd first, so that outside
 * a child's description mp__reduce_fd fails at once with CPython's
 * assert_spawning RuntimeError. */
static mp_value *q_reduce(mp__object *o)
{
    mp__qcore *c = ((mp_queue *)o)->c;
    int m = mp__reduce_fd(o, c->shm.fd);
    if (m < 0)
        return NULL;
    /* The channel's two ends go as themselves (each passes its socket and
     * its ring's memfd), not through fileno(), which would take the
     * channel off its ring. */
    pthread_mutex_lock(c->mu);
    bool closed = c->reader_closing || mp_connection_closed(c->reader) ||
                  mp_connection_closed(c->writer);
    mp_value *state = closed ? NULL : mp_tuple_of(c->maxsize, m, c->reader, c->writer);
    pthread_mutex_unlock(c->mu);
    if (closed)
        mp__fail(MP_ECLOSED, "handle is closed");
    return state;
}

static mp__object *rebuild(const mp_class *cls, const mp_value *state)
{
    mp_connection *reader = mp_as_connection(mp_item(state, 2));
    mp_connection *writer = mp_as_connection(mp_item(state, 3));
    bool ok = mp_typeof(state) == MP_T_TUPLE && mp_len(state) == 4 && reader && writer &&
              mp_typeof(mp_item(state, 0)) == MP_T_INT && mp_typeof(mp_item(state, 1)) == MP_T_INT;
    int64_t maxsize = ok ? mp_as_int(mp_item(state, 0)) : 0;
    if (!ok || maxsize < 1 || maxsize > MP__SEM_VALUE_MAX) {
        mp__fail(MP_EUNPICKLE, "bad state for a %s", cls->name);
        return NULL;
    }
    int fds[1] = {mp__rebuild_fd(mp_as_int(mp_item(state, 1)))};
    mp_queue *q = NULL;
    mp__qcore *c = NULL;
    if (fds[0] < 0 || !(c = mp__qcore_new()))
        goto fail;
    c->maxsize = (int)maxsize;
    c->joinable = cls == &joinable_class;
    int rc = mp__shm_attach(&c->shm, fds[0], sizeof(mp__qshared));
    fds[0] = -1;
    if (rc < 0)
        goto fail;
    c->sh = c->shm.addr;
    /* The ends were rebuilt with the state; the core keeps them. */
    c->reader = (mp_connection *)mp_incref((const mp_value *)reader);
    c->writer = (mp_connection *)mp_incref((const mp_value *)writer);
    if (!(q = (mp_queue *)mp__object_alloc(cls)) || mp__register_after_fork(mp__qcore_after_fork, c) < 0)
        goto fail;
    /* In CPython's order of unpickling: rlock, wlock, sem, then _cond and
     * _unfinished_tasks (the locks log as the SemLocks they stand for). */
    mp_debug("recreated blocker with handle %lu", (unsigned long)(uintptr_t)&c->sh->rlock);
    mp_debug("recreated blocker with handle %lu", (unsigned long)(uintptr_t)&c->sh->wlock);
    mp__sem_attached(&c->sh->sem);
    if (c->joinable) {
        mp__cond_attached(&c->sh->cond);
        mp__sem_attached(&c->sh->unfinished);
    }
    q->c = c;
    return &q->ob;
fail:
    if (fds[0] >= 0)
        close(fds[0]);
    if (q)
        mp_decref(&q->ob.h);
    if (c)
        mp__qcore_unref(c, 1);
    return NULL;
}

static mp__object *rebuild_queue(const mp_value *s) { return rebuild(&queue_class, s); }
static mp__object *rebuild_joinable(const mp_value *s) { return rebuild(&joinable_class, s); }

static const mp__native queue_native = {.size = sizeof(mp_queue), .finalize = q_finalize,
    .reduce = q_reduce, .rebuild = rebuild_queue};
static const mp__native joinable_native = {.size = sizeof(mp_queue), .finalize = q_finalize,
    .reduce = q_reduce, .rebuild = rebuild_joinable};
static const mp_class queue_class = {
    .name = "Queue", .module = "multiprocessing.queues", .native = &queue_native};
static const mp_class joinable_class = {
    .name = "JoinableQueue", .module = "multiprocessing.queues", .native = &joinable_native};
MP_CLASS(queue_class);
MP_CLASS(joinable_class);

/* Queue.__init__: the channel (CPython's pipe), then rlock, wlock and the
 * bounded semaphore (and for JoinableQueue the unfinished count and the
 * condition), in CPython's order so the debug log matches. */
static mp_queue *queue_new(const mp_class *cls, int maxsize)
{
    mp__qcore *c = mp__qcore_new();
    mp_queue *q = c ? (mp_queue *)mp__object_alloc(cls) : NULL;
    if (!q)
        goto fail;
    c->maxsize = maxsize <= 0 ? MP__SEM_VALUE_MAX : maxsize;
    c->joinable = cls == &joinable_class;
    if (mp__queue_channel(&c->reader, &c->writer) < 0 ||
        mp__shm_create(&c->shm, "forklore-queue", sizeof(mp__qshared)) < 0)
        goto fail;
    mp__qshared *sh = c->sh = c->shm.addr;
    if (mp__mutex_init(&sh->rlock) < 0 || mp__mutex_init(&sh->wlock) < 0)
        goto fail;
    /* The locks log as the SemLocks CPython makes for them. */
    mp_debug("created semlock with handle %lu", (unsigned long)(uintptr_t)&sh->rlock);
    mp_debug("created semlock with handle %lu", (unsigned long)(uintptr_t)&sh->wlock);
    if (mp__sem_init(&sh->sem, c->maxsize, c->maxsize) < 0)
        goto fail;
    if (c->joinable && (mp__sem_init(&sh->unfinished, 0, MP__SEM_VALUE_MAX) < 0 ||
                        mp__cond_init(&sh->cond) < 0))
        goto fail;
    if (mp__register_after_fork(mp__qcore_after_fork, c) < 0)
        goto fail;
    q->c = c;
    return q;
fail:
    if (q)
        mp_decref(&q->ob.h);
    if (c)
        mp__qcore_unref(c, 1);
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

/* Queue.put: the value itself goes into the buffer (one reference, no
 * copy); the feeder pickles it in its turn, and a value that cannot be
 * pickled is the feeder's to report, as in CPython. */
/* put's and get's block and timeout as one deadline: block false only
 * tries (its timeout ignored, as CPython's); otherwise the timeout, whose
 * zero value is Python's None.  0, or MP_EVALUE for a NaN. */
static int queue_deadline(const mp_queue_opts *opts, mp__deadline *d)
{
    if (opts && opts->block == MP_NO) {
        *d = mp__now;
        return 0;
    }
    return mp__deadline_set(d, opts ? opts->timeout : MP_WAIT_FOREVER);
}

int mp__queue_put(mp_queue *q, mp_arg obj, const mp_queue_opts *opts)
{
    mp_value *v;
    int rc = mp__value_from_arg(obj, &v);
    if (rc < 0)
        return rc;
    mp__deadline d;
    /* A NaN timeout is no ValueError here: CPython's semaphore tries at
     * once, and only a full queue hands the NaN to sem_timedwait, whose
     * EINVAL is the OSError put raises. */
    bool nan_timeout = opts && opts->block != MP_NO && opts->timeout.given && isnan(opts->timeout.seconds);
    if (nan_timeout)
        d = mp__now;
    rc = !q ? no_queue() : nan_timeout ? 0 : queue_deadline(opts, &d);
    if (rc < 0)
        goto out;
    mp__qcore *c = q->c;
    mp__qcore_release_orphans(c);
    pthread_mutex_lock(c->mu);
    bool closed = c->closed;
    pthread_mutex_unlock(c->mu);
    if (closed) {
        rc = fail_repr(MP_EVALUE, q, "is closed");
        goto out;
    }
    if ((rc = mp__sem_acquire(&c->sh->sem, &d)) <= 0) {
        rc = rc < 0 ? rc
           : nan_timeout ? mp__fail_os(EINVAL, "[Errno %d] %s", EINVAL, strerror(EINVAL))
           : mp__fail(MP_EFULL, "%s", "");
        goto out;
    }
    /* The line is made before the buffer owns v (the feeder may release
     * it at once) and written once v is in. */
    mp__buf tb = {0};
    bool traced = MP__TRACING && q->ob.trace_n;
    if (traced) {
        mp__trace_begin(&tb, "put");
        mp__trace_obj(&tb, q->ob.cls->name, &q->ob);
        mp__trace_repr(&tb, v);
    }
    pthread_mutex_lock(c->mu);
    if ((rc = mp__qcore_push(c, v)) == 0)
        v = NULL;
    else
        mp__sem_release(&c->sh->sem);
    pthread_mutex_unlock(c->mu);
    if (traced && rc == 0)
        mp__trace_end(&tb);
    else
        free(tb.data);
    if (rc == 1)
        rc = fail_repr(MP_EVALUE, q, "is closed");
out:
    /* Released without mu: a value's release may run finalizers. */
    mp_decref(v);
    return rc;
}

/* A get or empty is using the reader; closing waits for the last one. */
static int reader_enter(mp_queue *q, bool check_closed)
{
    mp__qcore *c = q->c;
    int rc = 0;
    pthread_mutex_lock(c->mu);
    if (check_closed && c->closed)
        rc = 1;
    else if (c->reader_closing || mp_connection_closed(c->reader))
        rc = mp__fail(MP_ECLOSED, "handle is closed");
    else
        c->reader_users++;
    pthread_mutex_unlock(c->mu);
    return rc == 1 ? fail_repr(MP_EVALUE, q, "is closed") : rc;
}

static void reader_leave(mp__qcore *c)
{
    pthread_mutex_lock(c->mu);
    if (--c->reader_users == 0 && c->reader_closing) {
        mp_connection_close(c->reader);
        c->reader_closing = false;
    }
    pthread_mutex_unlock(c->mu);
}

/* Queue.get: the message is read under rlock and unpickled after.  A
 * message a dead process left half sent or half taken is reported once
 * (MP_EOWNERDEAD) and its slot given back, as a message taken would. */
int mp_queue_get_ex(mp_queue *q, mp_value **out, const mp_queue_opts *opts)
{
    mp__deadline d;
    if (!out)
        return mp__fail(MP_EVALUE, "get needs somewhere to store the value");
    *out = NULL;
    if (!q)
        return no_queue();
    int rc = queue_deadline(opts, &d);
    if (rc < 0 || (rc = reader_enter(q, true)) < 0)
        return rc;
    mp__qcore *c = q->c;
    uint8_t *buf = NULL;
    size_t n = 0;
    /* A reader that died holding rlock was waiting, or inside a message:
     * the channel knows the difference and drops what it must. */
    if ((rc = mp__mutex_lock(&c->sh->rlock, &d)) > 0) {
        /* The wait is poll()'s, even without a limit, so that a SIGINT
         * is KeyboardInterrupt before any byte of the message is taken. */
        rc = mp__qchannel_poll(c->reader, &d);
        if (rc == 1)
            rc = mp__qchannel_recv(c->reader, &buf, &n);
        if (rc == 0 || rc == MP_EOWNERDEAD)
            mp__sem_release(&c->sh->sem);
        mp__mutex_unlock(&c->sh->rlock);
    }
    reader_leave(c);
    if (rc == 0 && !buf)
        return mp__fail(MP_EEMPTY, "%s", "");
    if (rc < 0)
        return rc;
    rc = mp_pickle_loads(buf, n, NULL, out);
    mp__spare_give(&q->spare, buf);
    if (MP__TRACING && rc == 0)
        mp__trace_message("get", q->ob.cls->name, &q->ob, (long)n, *out);
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
    int r = mp__qchannel_poll(q->c->reader, &mp__now);
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
    mp__qcore *c = q->c;
    int drops = 0;
    pthread_mutex_lock(c->mu);
    c->closed = true;
    mp__qcore_send_sentinel(c, &drops);
    pthread_mutex_unlock(c->mu);
    mp__qcore_unref(c, drops);
    return 0;
}

int mp_queue_join_thread(mp_queue *q)
{
    if (!q)
        return no_queue();
    mp_debug("Queue.join_thread()");
    mp__qcore *c = q->c;
    int drops = 0;
    pthread_mutex_lock(c->mu);
    bool closed = c->closed;
    if (closed)
        mp__qcore_join_feeder(c, &drops);
    pthread_mutex_unlock(c->mu);
    mp__qcore_unref(c, drops);
    return closed ? 0 : fail_repr(MP_EASSERT, q, "not closed");
}

void mp_queue_cancel_join_thread(mp_queue *q)
{
    if (!q)
        return;
    mp_debug("Queue.cancel_join_thread()");
    mp__qcore *c = q->c;
    int drops = 0;
    pthread_mutex_lock(c->mu);
    c->joincancelled = true;
    mp__qcore_claim(&c->join_fin, &drops);
    pthread_mutex_unlock(c->mu);
    mp__qcore_unref(c, drops);
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
    mp__qshared *sh = rc < 0 ? NULL : q->c->sh;
    if (rc < 0 || (rc = mp__cond_acquire(&sh->cond)) < 0)
        return rc;
    if ((rc = mp__sem_acquire(&sh->unfinished, &mp__now)) == 0)
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
    mp__qshared *sh = rc < 0 ? NULL : q->c->sh;
    if (rc < 0 || (rc = mp__cond_acquire(&sh->cond)) < 0)
        return rc;
    if (!mp__sem_is_zero(&sh->unfinished))
        rc = mp__cond_wait(&sh->cond, &mp__forever);
    mp__cond_release(&sh->cond);
    return rc < 0 ? rc : 0;
}

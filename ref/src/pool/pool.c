/* pool.c - the Pool object: its making, close, terminate, join, repr, and the start of a worker (pool.py's Pool). */
#include "pool.h"
#include "queues/queues.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int mp__pool_start_worker(mp_pool *p, size_t i)
{
    mp_value *args = mp_tuple_of(p->inq, p->outq, mp_incref((mp_value *)p->slots), i, mp_incref(p->init),
                                 mp_incref(p->initargs), p->maxtasks);
    mp_process *w = mp_context_process(p->ctx, &(mp_process_opts){
        .target = mp__pool_worker, .args = args, .daemon = MP_YES});
    if (!w)
        return mp_errcode();
    /* CPython renames ForkProcess-5 to ForkPoolWorker-5. */
    const char *name = mp_process_name(w);
    const char *at = p->threads ? NULL : strstr(name, "Process");     /* a thread keeps Thread-N (worker) */
    char *renamed = NULL;
    if (at && asprintf(&renamed, "%.*sPoolWorker%s", (int)(at - name), name, at + strlen("Process")) >= 0) {
        mp_process_set_name(w, renamed);
        free(renamed);
    }
    int rc = mp_process_start(w);
    if (rc < 0) {
        mp_process_free(w);
        return rc;
    }
    mp_debug("added worker");
    p->workers[i] = w;
    return 0;
}

/* At exit, a pool still running is terminated (CPython's Finalize of
 * _terminate_pool, exitpriority 15): before the daemonic workers are. */
static void at_exit(void *arg)
{
    mp_pool *p = arg;
    p->fin = NULL;
    mp_pool_terminate(p);
}

static void release(mp_pool *p)
{
    for (size_t i = 0; p->workers && i < (size_t)p->processes; i++)
        mp_process_free(p->workers[i]);
    free(p->workers);
    free(p->born);
    free(p->not_before);
    for (size_t b = 0; b < MP__POOL_BUCKETS; b++)
        for (mp_async_result *j = p->cache[b], *next; j; j = next) {
            next = j->next;
            mp__job_unref(j);
        }
    for (mp__pool_work *w = p->head, *next; w; w = next) {
        next = w->next_work;
        /* A stream left here by terminate no longer has a pool to tell. */
        pthread_mutex_lock(&w->job->mu);
        w->job->pool = NULL;
        pthread_mutex_unlock(&w->job->mu);
        free(w->failed);
        mp__pool_free_work(w);
    }
    mp_simple_queue_free(p->inq);
    mp_simple_queue_free(p->outq);
    mp_decref((mp_value *)p->slots);
    mp_decref(p->init);
    mp_decref(p->initargs);
    if (p->wake[0] >= 0)
        close(p->wake[0]);
    if (p->wake[1] >= 0)
        close(p->wake[1]);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cond);
    free(p);
}

mp_pool *mp_context_pool(mp_context *ctx, const mp_pool_opts *opts)
{
    static const mp_pool_opts none;
    if (!opts)
        opts = &none;
    mp_value *initargs = opts->initargs;
    const char *init = opts->initializer ? mp_target_name(opts->initializer) : NULL;
    bool threads = ctx && mp__context_threads(ctx);
    int rc = 0;
    if (threads && opts->maxtasksperchild)
        rc = mp__fail(MP_ETYPE, "ThreadPool.__init__() got an unexpected keyword argument 'maxtasksperchild'");
    else if (opts->processes < 0)
        rc = mp__fail(MP_EVALUE, "Number of processes must be at least 1");
    else if (opts->maxtasksperchild < 0)
        rc = mp__fail(MP_EVALUE, "maxtasksperchild must be a positive int or None");
    else if (opts->initializer && !init && !threads)
        rc = mp__fail(MP_EPICKLE, "Can't pickle the Pool's initializer: it is not registered with MP_TARGET");
    else if (initargs && mp_typeof(initargs) != MP_T_TUPLE)
        rc = mp__fail(MP_ETYPE, "initargs must be a tuple, not %s", mp_type_name(initargs));
    else if (!ctx && !(ctx = mp_get_context(NULL)))
        rc = mp_errcode();
    mp_pool *p = rc == 0 ? calloc(1, sizeof *p) : NULL;
    if (!p) {
        if (rc == 0)
            mp__fail(MP_ENOMEM, "out of memory");
        mp_decref(initargs);
        return NULL;
    }
    /* The default () made only now and held by the pool at once: a worker
     * of an unguarded Pool (lesson 40) is terminated at any moment of this
     * call, and valgrind reported a tuple held only in a local as lost. */
    p->initargs = initargs ? initargs : mp_tuple_new(0);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cond, NULL);
    p->wake[0] = p->wake[1] = -1;
    pthread_sigmask(SIG_SETMASK, NULL, &p->mask);
    p->ctx = ctx;
    p->threads = threads;
    p->processes = opts->processes ? opts->processes : mp_cpu_count();
    p->maxtasks = opts->maxtasksperchild;
    /* A thread finds the initializer by its address: nothing is pickled. */
    p->init = threads && opts->initializer ? mp_int((int64_t)(intptr_t)opts->initializer)
              : init ? mp_str(init) : mp_none();
    p->workers = calloc((size_t)p->processes, sizeof *p->workers);
    p->born = calloc((size_t)p->processes, sizeof *p->born);
    p->not_before = calloc((size_t)p->processes, sizeof *p->not_before);
    if (!p->initargs || !p->init || !p->workers || !p->born || !p->not_before) {
        mp__fail(MP_ENOMEM, "out of memory");
        release(p);
        return NULL;
    }
    if (pipe2(p->wake, O_CLOEXEC | O_NONBLOCK) < 0) {
        mp__fail_errno("pipe");
        release(p);
        return NULL;
    }
    if (!(p->inq = mp_context_simple_queue(ctx)) || !(p->outq = mp_context_simple_queue(ctx)) ||
        !(p->slots = mp__pool_slots_new((size_t)p->processes))) {
        release(p);
        return NULL;
    }
    /* MP_TRACE: the pool's own queues carry tasks, which the workers
     * trace as task.start and task.done. */
    mp__trace_off((mp__object *)p->inq);
    mp__trace_off((mp__object *)p->outq);
    for (size_t i = 0; i < (size_t)p->processes; i++) {
        if ((rc = mp__pool_start_worker(p, i)) < 0) {
            mp__exc e;
            mp__exc_save(&e);
            for (size_t k = 0; k < i; k++) {
                mp_process_terminate(p->workers[k]);
                mp_process_join(p->workers[k], MP_WAIT_FOREVER);
            }
            release(p);
            mp__exc_restore(&e);
            return NULL;
        }
    }
    if ((rc = mp__pool_start_handlers(p)) < 0) {
        mp__exc e;
        mp__exc_save(&e);
        mp_pool_free(p);
        mp__exc_restore(&e);
        return NULL;
    }
    mp__ensure_atexit();
    p->fin = mp__finalize_register(at_exit, p, 15);
    return p;
}

mp_pool *mp_pool_new(const mp_pool_opts *opts)
{
    return mp_context_pool(NULL, opts);
}

mp_pool *mp_thread_pool_new(const mp_pool_opts *opts)
{
    return mp_context_pool(mp_dummy(), opts);
}

int mp_pool_close(mp_pool *p)
{
    mp_debug("closing pool");
    pthread_mutex_lock(&p->mu);
    if (p->state == MP__POOL_RUN)
        p->state = MP__POOL_CLOSE;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->mu);
    mp__pool_wake(p);
    return 0;
}

/* Drop the tasks in the task queue, never waiting: a ThreadPool's
 * workers may still be reading it. */
static void drop_tasks(mp_pool *p)
{
    mp_value *v = NULL;
    while (mp__simple_queue_get_nowait(p->inq, &v) == 0)
        mp_decref(v);
}

/* With mu held: the task handler may be stuck putting into a queue no
 * worker reads any more; take what is there until it has ended
 * (CPython's _help_stuff_finish). */
static void drain_inqueue(mp_pool *p)
{
    while (p->started[MP__H_TASKS] && !p->ended[MP__H_TASKS]) {
        pthread_mutex_unlock(&p->mu);
        drop_tasks(p);
        usleep(1000);
        pthread_mutex_lock(&p->mu);
    }
}

int mp_pool_terminate(mp_pool *p)
{
    mp_debug("terminating pool");
    pthread_mutex_lock(&p->mu);
    if (p->terminated) {
        pthread_mutex_unlock(&p->mu);
        return 0;
    }
    p->terminated = true;
    p->state = MP__POOL_TERMINATE;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->mu);
    mp__pool_wake(p);
    pthread_mutex_lock(&p->mu);
    mp__pool_wait_ended(p, MP__H_WORKERS);
    pthread_mutex_unlock(&p->mu);
    if (p->threads) {
        /* A thread cannot be stopped: once the task handler has stopped,
         * the tasks not taken are dropped and each worker finds a
         * sentinel next, ending after the task it runs
         * (ThreadPool._help_stuff_finish); join() waits for them. */
        pthread_mutex_lock(&p->mu);
        drain_inqueue(p);
        pthread_mutex_unlock(&p->mu);
        drop_tasks(p);
        for (int i = 0; i < p->processes; i++)
            mp_simple_queue_put(p->inq, mp_none());
        goto results;
    }
    mp_debug("terminating workers");
    for (size_t i = 0; i < (size_t)p->processes; i++)
        if (p->workers[i] && mp_process_is_alive(p->workers[i]))
            mp_process_terminate(p->workers[i]);
    /* Joined before the drain, so that no worker takes a task from under
     * it (its get would then wait for one that never comes). */
    mp_debug("joining pool workers");
    for (size_t i = 0; i < (size_t)p->processes; i++)
        if (p->workers[i])
            mp_process_join(p->workers[i], MP_WAIT_FOREVER);
    pthread_mutex_lock(&p->mu);
    drain_inqueue(p);
    pthread_mutex_unlock(&p->mu);
results:
    pthread_mutex_lock(&p->mu);
    bool results = p->started[MP__H_RESULTS];
    pthread_mutex_unlock(&p->mu);
    if (results)
        mp_simple_queue_put(p->outq, mp_none());
    pthread_mutex_lock(&p->mu);
    mp__pool_wait_ended(p, MP__H_RESULTS);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

int mp_pool_join(mp_pool *p)
{
    mp_debug("joining pool");
    pthread_mutex_lock(&p->mu);
    if (p->state == MP__POOL_RUN) {
        pthread_mutex_unlock(&p->mu);
        return mp__fail(MP_EVALUE, "Pool is still running");
    }
    for (int h = 0; h < MP__H_COUNT; h++)
        mp__pool_wait_ended(p, h);
    pthread_mutex_unlock(&p->mu);
    mp__join_ended_threads();
    for (size_t i = 0; i < (size_t)p->processes; i++)
        if (p->workers[i])
            mp_process_join(p->workers[i], MP_WAIT_FOREVER);
    return 0;
}

void mp_pool_free(mp_pool *p)
{
    if (!p)
        return;
    if (p->fin && mp__finalize_cancel(p->fin))
        p->fin = NULL;
    mp_pool_terminate(p);
    mp_pool_join(p);
    release(p);
}

char *mp_pool_repr(const mp_pool *p)
{
    static const char *const names[] = {"RUN", "CLOSE", "TERMINATE"};
    mp_pool *q = (mp_pool *)p;  /* mu is taken to read the state */
    pthread_mutex_lock(&q->mu);
    int state = p->state;
    pthread_mutex_unlock(&q->mu);
    mp__buf b = {0};
    mp__buf_printf(&b, "<multiprocessing.pool.%s state=%s pool_size=%d>", p->threads ? "ThreadPool" : "Pool",
                   names[state], p->processes);
    return mp__buf_finish(&b);
}

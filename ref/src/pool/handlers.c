/* handlers.c - a pool's three threads: the worker handler (replaces ended workers, fails the task of one that died), the task handler and the result handler (pool.py's _handle_workers, _handle_tasks, _handle_results). */
#include "pool.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Each thread is a library thread, inside the fork gate (util.h) from
 * before it exists to its end, so that the fork start method never forks
 * while one of them is inside malloc.  Each steps out where it may wait
 * long or runs what is not the library's: the worker handler around its
 * poll() and around starting a worker (a fork waits for the gate to
 * empty: inside, it would wait for itself), the task handler around its
 * wait for tasks and its put (the task queue's ring may be full), the
 * result handler around its get and the callbacks.  Each enters again
 * holding no lock, and mu is never held across a step in or out.
 */
static void leave(void) { mp__fork_gate_leave(); }
static void enter(void) { mp__fork_gate_enter(); }

static bool keep_workers(const mp_pool *p)
{
    return p->state == MP__POOL_RUN || (p->cached > 0 && p->state != MP__POOL_TERMINATE);
}

void mp__pool_wake(mp_pool *p)
{
    char c = 1;
    while (write(p->wake[1], &c, 1) < 0 && errno == EINTR)
        ;
}

/* With mu held: cond_wait out of the gate. */
static void wait_out(mp_pool *p)
{
    leave();
    pthread_cond_wait(&p->cond, &p->mu);
    pthread_mutex_unlock(&p->mu);
    enter();
    pthread_mutex_lock(&p->mu);
}

/* The end of a handler: said before `ended`, which its joiner waits for. */
static void *finish(mp_pool *p, int h)
{
    mp__thread_ending();
    pthread_mutex_lock(&p->mu);
    p->ended[h] = true;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->mu);
    mp__fork_gate_leave_for_good();
    return NULL;
}

/* ---- the worker handler ------------------------------------------------------ */

/* How a worker ended, in words for WorkerLostError. */
static void describe_end(char *buf, size_t n, int code)
{
    if (code < 0) {
        const char *abbrev = sigabbrev_np(-code);
        snprintf(buf, n, "signal %d (SIG%s)", -code, abbrev ? abbrev : "?");
    } else
        snprintf(buf, n, "exitcode %d", code);
}

/* A worker that has ended: reap it, fail the task it was running if any
 * (through the result queue, behind what it sent), and free its place. */
static void bury(mp_pool *p, size_t i)
{
    mp_process *w = p->workers[i];
    mp_process_join(w, MP_WAIT_FOREVER);
    uint64_t job, index;
    if (mp__pool_slot_take(p->slots, i, &job, &index)) {
        char how[64];
        describe_end(how, sizeof how, mp_process_exitcode(w));
        mp__fail(MP_EWORKERLOST, "Worker %s (pid %d) exited prematurely: %s", mp_process_name(w),
                 (int)mp_process_pid(w), how);
        mp_debug("%s", mp_errmsg());
        p->held[MP__H_WORKERS] = mp_tuple_of((int64_t)job, (int64_t)index, (bool)false,
                                             mp__pool_error_value(MP_EWORKERLOST));
        leave();
        if (mp_simple_queue_put(p->outq, mp_incref(p->held[MP__H_WORKERS])) < 0)
            mp_warning("pool could not report a lost task: %s", mp_errmsg());
        enter();
        mp_decref(p->held[MP__H_WORKERS]);
        p->held[MP__H_WORKERS] = NULL;
    }
    mp_debug("cleaning up worker %d", (int)mp_process_pid(w));
    mp_process_free(w);
    p->workers[i] = NULL;
}

/* A worker that fails as it starts (lesson 40: an unguarded Pool under
 * spawn, where each worker dies in its own Pool()) is replaced by one that
 * fails the same way, for as long as the pool lives.  CPython's take tens
 * of milliseconds each to start; ours one, so without a pause the pool
 * would start thousands a second and bury the program under tracebacks.
 * So a place whose worker ended abnormally (an exit code not 0) within
 * HOLD_OFF of its start is refilled HOLD_OFF after that start: at most ten
 * such workers a second per place.  A worker that ended normally (its
 * maxtasksperchild done) or lived longer is replaced at once; a task lost
 * with a worker is failed at once either way (bury). */
#define HOLD_OFF 0.1

/* Pool._maintain_pool: bury the ended workers, start new ones. */
static void maintain(mp_pool *p)
{
    for (size_t i = 0; i < (size_t)p->processes; i++) {
        if (p->workers[i] && !mp_process_is_alive(p->workers[i])) {
            bool failed = mp_process_exitcode(p->workers[i]) != 0;
            bury(p, i);
            if (failed && mp__monotonic() - p->born[i] < HOLD_OFF)
                p->not_before[i] = p->born[i] + HOLD_OFF;
        }
        pthread_mutex_lock(&p->mu);
        bool again = keep_workers(p);
        pthread_mutex_unlock(&p->mu);
        if (!p->workers[i] && again && mp__monotonic() >= p->not_before[i]) {
            /* The worker gets the program's signal mask, not this
             * thread's, which holds off SIGTERM and SIGINT. */
            sigset_t mine;
            pthread_sigmask(SIG_SETMASK, &p->mask, &mine);
            leave();
            p->born[i] = mp__monotonic();
            int rc = mp__pool_start_worker(p, i);
            enter();
            pthread_sigmask(SIG_SETMASK, &mine, NULL);
            if (rc < 0)
                mp_warning("pool could not start a worker: %s", mp_errmsg());
        }
    }
}

static void *worker_handler(void *arg)
{
    mp_pool *p = arg;
    struct pollfd *fds = calloc((size_t)p->processes + 1, sizeof *fds);
    for (;;) {
        pthread_mutex_lock(&p->mu);
        bool go = keep_workers(p);
        pthread_mutex_unlock(&p->mu);
        if (!go || !fds)
            break;
        maintain(p);
        nfds_t n = 0;
        fds[n++] = (struct pollfd){.fd = p->wake[0], .events = POLLIN};
        for (size_t i = 0; i < (size_t)p->processes; i++)
            if (p->workers[i])
                fds[n++] = (struct pollfd){.fd = mp_process_sentinel(p->workers[i]), .events = POLLIN};
        leave();
        /* A worker that could not be started is tried again after a while. */
        int timeout = n < (nfds_t)p->processes + 1 ? 100 : -1;
        if (poll(fds, n, timeout) > 0 && (fds[0].revents & POLLIN)) {
            char buf[64];
            while (read(p->wake[0], buf, sizeof buf) > 0)
                ;
        }
        enter();
    }
    free(fds);
    pthread_mutex_lock(&p->mu);
    p->tasks_end = true;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->mu);
    mp_debug("worker handler exiting");
    return finish(p, MP__H_WORKERS);
}

/* ---- the task handler ---------------------------------------------------------- */

mp_value *mp__pool_message(const mp__pool_work *w, size_t i, mp_value *payload)
{
    /* A ThreadPool's worker shares this address space: the function goes
     * by address, so one not registered runs too (CPython's ThreadPool
     * pickles nothing). */
    mp_value *fn = w->fn ? mp_int((int64_t)(intptr_t)w->fn) : mp_str(w->name);
    return mp_tuple_of((int64_t)w->job->id, (int64_t)i, fn, w->mode, payload);
}

/* Chunk i of a work as a task message. */
static mp_value *task_message(mp__pool_work *w, size_t i)
{
    mp_async_result *job = w->job;
    mp_value *payload;
    if (w->mode == MP__POOL_APPLY)
        payload = mp_incref(w->payload);
    else {
        size_t first = i * job->chunksize;
        size_t n = job->length - first < job->chunksize ? job->length - first : job->chunksize;
        payload = mp_tuple_new(n);
        for (size_t k = 0; payload && k < n; k++)
            mp_tuple_set(payload, k, mp_incref(mp_item(w->payload, first + k)));
    }
    return mp__pool_message(w, i, payload);
}

void mp__pool_free_work(mp__pool_work *w)
{
    mp__job_unref(w->job);
    mp_decref(w->payload);
    free(w);
}

/* A chunk that could not be sent fails with its error, as CPython's
 * task handler sets it. */
static void fail_chunk(mp_pool *p, mp_async_result *job, size_t i, int code)
{
    mp__exc e;
    mp__exc_save(&e);       /* the failure of the call that returned code */
    e.code = code;
    leave();
    bool complete = mp__job_set(job, i, NULL, &e);
    enter();
    if (complete)
        mp__pool_job_done(p, job);
}

void mp__pool_put_task(mp_pool *p, mp_async_result *job, size_t i, mp_value *msg)
{
    p->held[MP__H_TASKS] = msg;
    int rc = msg ? 0 : mp_errcode();
    if (msg) {
        leave();
        rc = mp_simple_queue_put(p->inq, mp_incref(msg));
        enter();
    }
    mp_decref(msg);
    p->held[MP__H_TASKS] = NULL;
    if (rc < 0)
        fail_chunk(p, job, i, rc);
}

/* With mu held: where the first work with a task to put now is linked,
 * or NULL.  A stream waits for its next chunk's slot to be free (not to
 * end, once its iterator is freed), and the works behind it go on
 * meanwhile. */
static mp__pool_work **ready_work(mp_pool *p)
{
    for (mp__pool_work **pw = &p->head; *pw; pw = &(*pw)->next_work) {
        mp_async_result *j = (*pw)->job;
        if (!j->stream || atomic_load(&j->abandoned) || !atomic_load(&j->live[j->produced % j->window]))
            return pw;
    }
    return NULL;
}

void mp__pool_unlink_work(mp_pool *p, mp__pool_work **pw)
{
    mp__pool_work *w = *pw;
    *pw = w->next_work;
    if (p->tail == w) {
        p->tail = NULL;
        for (mp__pool_work *x = p->head; x; x = x->next_work)
            p->tail = x;
    }
}

static void *task_handler(void *arg)
{
    mp_pool *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        /* A caller putting its own task (mp__pool_put_now) goes first. */
        mp__pool_work **pw = NULL;
        while ((p->putting || (!(pw = ready_work(p)) && !p->tasks_end)) && p->state != MP__POOL_TERMINATE)
            wait_out(p);
        if (p->state == MP__POOL_TERMINATE)
            break;
        if (!pw) {
            /* The worker handler is done: tell the result handler, then
             * each worker, that there is no more work. */
            pthread_mutex_unlock(&p->mu);
            mp_debug("task handler got sentinel");
            leave();
            mp_simple_queue_put(p->outq, mp_none());
            for (int i = 0; i < p->processes; i++)
                mp_simple_queue_put(p->inq, mp_none());
            enter();
            pthread_mutex_lock(&p->mu);
            break;
        }
        mp__pool_work *w = *pw;
        if (w->job->stream) {
            mp__pool_stream_step(p, pw);
            continue;
        }
        size_t i = w->next++;
        bool last = w->next >= w->job->nchunks || w->mode == MP__POOL_APPLY;
        if (last)
            mp__pool_unlink_work(p, pw);
        p->putting = true;
        pthread_mutex_unlock(&p->mu);
        mp__pool_put_task(p, w->job, i, task_message(w, i));
        if (last)
            mp__pool_free_work(w);
        pthread_mutex_lock(&p->mu);
        p->putting = false;
    }
    pthread_mutex_unlock(&p->mu);
    mp_debug("task handler exiting");
    return finish(p, MP__H_TASKS);
}

/*
 * An apply's round trip is the caller's put, a worker, the result handler
 * and the caller's wake; through the task handler it would be one thread
 * more to wake.  So a caller whose task would be the next put anyway puts
 * it itself, as long as the queue has room for it: putting is then set,
 * as the task handler sets it around its own put, so that tasks still go
 * in the order they came.  A task that does not fit now, or fails to go,
 * goes back to the task handler, which waits or fails it as for any task
 * (in its thread, where CPython's error_callback runs).  The message is
 * kept in held[MP__H_TASKS], which only the one putting uses, for the
 * worker forked meanwhile (see struct mp_pool).
 */
bool mp__pool_put_now(mp_pool *p, mp__pool_work *w)
{
    p->putting = true;
    pthread_mutex_unlock(&p->mu);
    mp_value *msg = p->held[MP__H_TASKS] = task_message(w, 0);
    int rc = msg ? mp__simple_queue_try_put(p->inq, mp_incref(msg)) : 1;
    mp_decref(msg);
    p->held[MP__H_TASKS] = NULL;
    pthread_mutex_lock(&p->mu);
    p->putting = false;
    if (rc != 0) {
        w->next_work = p->head;
        p->head = w;
        if (!p->tail)
            p->tail = w;
    }
    /* The task handler waits for putting to end only when it has work. */
    if (p->head || p->tasks_end)
        pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->mu);
    if (rc == 0)
        mp__pool_free_work(w);
    return rc == 0;
}

/* ---- the result handler ------------------------------------------------------------ */

/* The job of id, with a reference of the caller's, or NULL. */
static mp_async_result *find_job(mp_pool *p, uint64_t id)
{
    pthread_mutex_lock(&p->mu);
    mp_async_result *j = p->cache[id % MP__POOL_BUCKETS];
    while (j && j->id != id)
        j = j->next;
    if (j)
        atomic_fetch_add(&j->refs, 1);
    pthread_mutex_unlock(&p->mu);
    return j;
}

/* One result message: (job, index, ok, value or error). */
static void deliver(mp_pool *p, const mp_value *msg)
{
    if (mp_typeof(msg) != MP_T_TUPLE || mp_len(msg) != 4)
        return;
    mp_async_result *job = find_job(p, (uint64_t)mp_as_int(mp_item(msg, 0)));
    if (!job)
        return;
    size_t index = (size_t)mp_as_int(mp_item(msg, 1));
    const mp_value *v = mp_item(msg, 3);
    bool complete;
    leave();
    if (mp_as_bool(mp_item(msg, 2)))
        complete = mp__job_set(job, index, mp_incref(v), NULL);
    else {
        mp__exc e = {.code = (int)mp_as_int(mp_item(v, 0)), .err = (int)mp_as_int(mp_item(v, 1))};
        snprintf(e.type, sizeof e.type, "%s", mp_as_str(mp_item(v, 2)) ? mp_as_str(mp_item(v, 2)) : "");
        snprintf(e.msg, sizeof e.msg, "%s", mp_as_str(mp_item(v, 3)) ? mp_as_str(mp_item(v, 3)) : "");
        if (e.code >= 0 || e.code < MP__ELAST)
            e.code = MP_EEXCEPTION;
        complete = mp__job_set(job, index, NULL, &e);
    }
    enter();
    if (complete)
        mp__pool_job_done(p, job);
    mp__job_unref(job);
}

static void *result_handler(void *arg)
{
    mp_pool *p = arg;
    for (;;) {
        leave();
        int rc = mp_simple_queue_get(p->outq, &p->held[MP__H_RESULTS]);
        enter();
        mp_value *msg = p->held[MP__H_RESULTS];
        if (rc == MP_EOWNERDEAD)
            continue;       /* a worker died sending it: its slot names the task */
        if (rc < 0) {
            mp_debug("result handler got EOFError/OSError -- exiting");
            break;
        }
        if (mp_typeof(msg) == MP_T_NONE) {
            pthread_mutex_lock(&p->mu);
            bool stop = p->state == MP__POOL_TERMINATE || p->cached == 0;
            pthread_mutex_unlock(&p->mu);
            if (stop) {
                mp_debug("result handler got sentinel");
                break;
            }
            continue;
        }
        deliver(p, msg);
        p->held[MP__H_RESULTS] = NULL;
        mp_decref(msg);
    }
    mp_debug("result handler exiting");
    return finish(p, MP__H_RESULTS);
}

void mp__pool_job_done(mp_pool *p, mp_async_result *job)
{
    pthread_mutex_lock(&p->mu);
    mp_async_result **pp = &p->cache[job->id % MP__POOL_BUCKETS];
    while (*pp && *pp != job)
        pp = &(*pp)->next;
    bool found = *pp != NULL;
    if (found) {
        *pp = job->next;
        p->cached--;
    }
    bool wake = p->cached == 0 && p->state != MP__POOL_RUN;
    pthread_mutex_unlock(&p->mu);
    if (wake)
        mp__pool_wake(p);
    if (found)
        mp__job_unref(job);
}

/* ---- starting them ------------------------------------------------------------------ */

int mp__pool_start_handlers(mp_pool *p)
{
    void *(*const fns[MP__H_COUNT])(void *) = {worker_handler, task_handler, result_handler};
    /* They take no asynchronous signals. */
    sigset_t old;
    mp__block_async_signals(&old);
    int rc = 0;
    mp__join_ended_threads();
    for (int h = 0; h < MP__H_COUNT && rc == 0; h++) {
        /* Counted in the gate before it exists, as a queue's feeder. */
        enter();
        pthread_t t;
        mp__thread_number();    /* each is a threading.Thread in CPython, named Thread-N */
        if (pthread_create(&t, NULL, fns[h], p) != 0) {
            leave();
            rc = mp__fail(MP_ERUNTIME, "can't start new thread");
        } else {
            pthread_mutex_lock(&p->mu);
            p->started[h] = true;
            pthread_mutex_unlock(&p->mu);
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

void mp__pool_wait_ended(mp_pool *p, int h)
{
    while (p->started[h] && !p->ended[h])
        pthread_cond_wait(&p->cond, &p->mu);
}

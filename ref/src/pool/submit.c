/* submit.c - the calls that give a pool work: apply, map, starmap, imap, imap_unordered, async and not (pool.py's Pool methods). */
#include "pool.h"

#include <stdlib.h>

mp_async_result *mp__pool_submit(mp_pool *p, mp__pool_work work, int kind, size_t length, size_t chunksize,
                                 size_t window, const mp_pool_call_opts *opts)
{
    mp_value *payload = work.payload;
    mp__pool_work *w = calloc(1, sizeof *w);
    mp_async_result *job = w ? mp__job_new(kind, length, chunksize, window, opts) : NULL;
    if (!job) {
        if (!w)
            mp__fail(MP_ENOMEM, "out of memory");
        free(w);
        mp_decref(payload);
        return NULL;
    }
    *w = work;
    w->job = job;
    int mode = w->mode;
    w->fn = p->threads ? w->func : NULL;   /* a ThreadPool sends it by address */
    pthread_mutex_lock(&p->mu);
    if (p->state != MP__POOL_RUN) {
        pthread_mutex_unlock(&p->mu);
        mp__fail(MP_EVALUE, "Pool not running");
        mp__job_unref(job);     /* the cache's */
        mp__job_unref(job);     /* the caller's */
        free(w);
        mp_decref(payload);
        return NULL;
    }
    job->id = p->next_job++;
    if (MP__TRACING) {
        mp__buf b;
        mp__trace_begin(&b, "task.submit");
        mp__buf_printf(&b, " job=%lld", (long long)job->id);
        if (!job->stream)
            mp__buf_printf(&b, " tasks=%zu", kind == MP__JOB_APPLY ? (size_t)1 : job->nchunks);
        mp__trace_end(&b);
    }
    if (job->stream)
        job->pool = p;      /* see stream.c */
    else if (job->nchunks == 0 && kind != MP__JOB_APPLY) {
        /* An empty iterable: ready at once, no callback, as CPython's
         * MapResult with chunksize 0. */
        pthread_mutex_unlock(&p->mu);
        job->value = mp_list_new();
        job->ready = true;
        if (!job->value) {
            mp__fail(MP_ENOMEM, "out of memory");
            mp__exc e;
            mp__exc_save(&e);
            job->success = false;
            if ((job->err = malloc(sizeof e)))
                *job->err = e;
        }
        mp__job_unref(job);     /* the cache's */
        mp_decref(payload);
        free(w);
        return job;
    }
    job->next = p->cache[job->id % MP__POOL_BUCKETS];
    p->cache[job->id % MP__POOL_BUCKETS] = job;
    p->cached++;
    atomic_fetch_add(&job->refs, 1);  /* the work's */
    if (!w->name && !w->fn) {
        /* What CPython's task handler meets when it pickles the task: each
         * chunk fails with the PicklingError. */
        pthread_mutex_unlock(&p->mu);
        mp__fail(MP_EPICKLE, "Can't pickle <function %p>: it is not registered with MP_TASK", (void *)(uintptr_t)w->func);
        mp__exc e;
        mp__exc_save(&e);
        bool complete = false;
        for (size_t i = 0; i < (job->nchunks ? job->nchunks : 1); i++)
            complete = mp__job_set(job, i, NULL, &e);
        if (complete)
            mp__pool_job_done(p, job);
        mp__job_unref(job);     /* the work's */
        mp_decref(payload);
        free(w);
        return job;
    }
    if (mode == MP__POOL_APPLY && !p->head && !p->putting) {
        mp__pool_put_now(p, w);
        return job;
    }
    if (p->tail)
        p->tail->next_work = w;
    else
        p->head = w;
    p->tail = w;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->mu);
    return job;
}

/* Queue a job of kind for func over payload (taken over): apply's args,
 * or the iterable of length items in chunks of chunksize.  The caller's
 * reference to the job, or NULL. */
static mp_async_result *submit(mp_pool *p, int kind, int mode, mp_task_fn func, mp_value *payload,
                               size_t length, size_t chunksize, const mp_pool_call_opts *opts)
{
    return mp__pool_submit(p, (mp__pool_work){.func = func, .name = mp_task_name(func), .mode = mode, .payload = payload}, kind,
                           length, chunksize, 0, opts);
}

mp_async_result *mp_pool_apply_async(mp_pool *p, mp_task_fn func, const mp_pool_call_opts *opts)
{
    mp_value *args = opts && opts->args ? opts->args : mp_tuple_new(0);
    if (args && mp_typeof(args) != MP_T_TUPLE) {
        mp__fail(MP_ETYPE, "args must be a tuple, not %s", mp_type_name(args));
        mp_decref(args);
        return NULL;
    }
    if (!args)
        return NULL;
    return submit(p, MP__JOB_APPLY, MP__POOL_APPLY, func, args, 1, 1, opts);
}

/* The iterable's own reference and length, or NULL with CPython's error. */
static mp_value *items_of(const mp_value *iterable)
{
    if (mp_typeof(iterable) != MP_T_LIST && mp_typeof(iterable) != MP_T_TUPLE) {
        mp__fail(MP_ETYPE, "'%s' object is not iterable", iterable ? mp_type_name(iterable) : "NoneType");
        return NULL;
    }
    return mp_incref(iterable);
}

/* Pool._map_async's chunksize: len / (4 * processes), rounded up. */
static size_t default_chunksize(const mp_pool *p, size_t length)
{
    size_t per = (size_t)p->processes * 4;
    return length / per + (length % per != 0);
}

static mp_async_result *map_async(mp_pool *p, int mode, mp_task_fn func, const mp_value *iterable,
                                  const mp_pool_call_opts *opts)
{
    mp_value *items = items_of(iterable);
    if (!items)
        return NULL;
    size_t n = mp_len(items);
    size_t cs = opts && opts->chunksize ? opts->chunksize : default_chunksize(p, n);
    return submit(p, MP__JOB_MAP, mode, func, items, n, cs, opts);
}

mp_async_result *mp_pool_map_async(mp_pool *p, mp_task_fn func, const mp_value *iterable,
                                   const mp_pool_call_opts *opts)
{
    return map_async(p, MP__POOL_MAP, func, iterable, opts);
}

mp_async_result *mp_pool_starmap_async(mp_pool *p, mp_task_fn func, const mp_value *iterable,
                                       const mp_pool_call_opts *opts)
{
    return map_async(p, MP__POOL_STAR, func, iterable, opts);
}

/* The blocking forms: the async call, then get() without a limit. */
static int wait_for(mp_async_result *r, mp_value **out)
{
    *out = NULL;
    if (!r)
        return mp_errcode();
    int rc = mp_async_result_get(r, MP_WAIT_FOREVER, out);
    mp_async_result_free(r);
    return rc;
}

int mp_pool_apply(mp_pool *p, mp_task_fn func, const mp_pool_call_opts *opts, mp_value **out)
{
    return wait_for(mp_pool_apply_async(p, func, opts), out);
}

int mp_pool_map(mp_pool *p, mp_task_fn func, const mp_value *iterable, const mp_pool_call_opts *opts,
                mp_value **out)
{
    return wait_for(mp_pool_map_async(p, func, iterable, opts), out);
}

int mp_pool_starmap(mp_pool *p, mp_task_fn func, const mp_value *iterable, const mp_pool_call_opts *opts,
                    mp_value **out)
{
    return wait_for(mp_pool_starmap_async(p, func, iterable, opts), out);
}

static mp_imap_iterator *imap(mp_pool *p, int kind, mp_task_fn func, const mp_value *iterable,
                              const mp_pool_call_opts *opts)
{
    mp_value *items = items_of(iterable);
    if (!items)
        return NULL;
    size_t cs = opts && opts->chunksize ? opts->chunksize : 1;
    mp_pool_call_opts none = {0};   /* imap has no callbacks */
    return (mp_imap_iterator *)submit(p, kind, MP__POOL_MAP, func, items, mp_len(items), cs, &none);
}

mp_imap_iterator *mp_pool_imap(mp_pool *p, mp_task_fn func, const mp_value *iterable,
                               const mp_pool_call_opts *opts)
{
    return imap(p, MP__JOB_IMAP, func, iterable, opts);
}

mp_imap_iterator *mp_pool_imap_unordered(mp_pool *p, mp_task_fn func, const mp_value *iterable,
                                         const mp_pool_call_opts *opts)
{
    return imap(p, MP__JOB_IMAP_UNORDERED, func, iterable, opts);
}

/* result.c - AsyncResult (ApplyResult, MapResult) and IMapIterator: a job's chunks as they come, and the waits for them (pool.py's ApplyResult, MapResult, IMapIterator, IMapUnorderedIterator). */
#include "pool.h"
#include "synchronize/ring.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

mp_async_result *mp__job_new(int kind, size_t length, size_t chunksize, size_t window,
                             const mp_pool_call_opts *opts)
{
    bool imap = kind == MP__JOB_IMAP || kind == MP__JOB_IMAP_UNORDERED;
    mp_async_result *r = calloc(1, imap ? sizeof(mp_imap_iterator) : sizeof *r);
    if (!r) {
        mp__fail(MP_ENOMEM, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&r->mu, NULL);
    pthread_mutex_init(&r->produce, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&r->cond, &ca);
    pthread_condattr_destroy(&ca);
    r->kind = kind;
    r->refs = 2;
    r->success = true;
    r->length = length;
    r->chunksize = chunksize;
    r->stream = window > 0;
    r->ended = !r->stream;
    r->nchunks = r->produced = r->left = !r->stream && chunksize ? (length + chunksize - 1) / chunksize : 0;
    r->window = r->stream ? window : r->nchunks ? r->nchunks : 1;
    if (opts) {
        r->callback = opts->callback;
        r->error_callback = opts->error_callback;
        r->data = opts->data;
    }
    r->done = calloc(r->window, 1);
    r->live = calloc(r->window, sizeof *r->live);
    for (size_t i = 0; r->live && !r->stream && i < r->window; i++)
        atomic_init(&r->live[i], 1);
    if (kind == MP__JOB_MAP)
        r->items = calloc(length ? length : 1, sizeof *r->items);
    if (imap) {
        r->chunks = calloc(r->window, sizeof *r->chunks);
        r->errs = calloc(r->window, sizeof *r->errs);
        r->arrived = calloc(r->window, sizeof *r->arrived);
    }
    if (r->stream) {
        r->sizes = calloc(r->window, sizeof *r->sizes);
        r->ids = calloc(r->window, sizeof *r->ids);
    }
    if (!r->done || !r->live || (kind == MP__JOB_MAP && !r->items) || (imap && (!r->chunks || !r->errs || !r->arrived)) ||
        (r->stream && (!r->sizes || !r->ids))) {
        r->refs = 1;
        mp__job_unref(r);
        mp__fail(MP_ENOMEM, "out of memory");
        return NULL;
    }
    return r;
}

void mp__job_unref(mp_async_result *r)
{
    if (!r || atomic_fetch_sub(&r->refs, 1) != 1)
        return;
    for (size_t i = 0; r->items && i < r->length; i++)
        mp_decref(r->items[i]);
    for (size_t i = 0; r->chunks && i < r->window; i++)
        mp_decref(r->chunks[i]);
    for (size_t i = 0; r->errs && i < r->window; i++)
        free(r->errs[i]);
    free(r->items);
    free(r->chunks);
    free(r->sizes);
    free(r->ids);
    free((void *)r->live);
    free(r->errs);
    free(r->arrived);
    free(r->done);
    free(r->err);
    mp_decref(r->value);
    pthread_mutex_destroy(&r->mu);
    pthread_mutex_destroy(&r->produce);
    pthread_cond_destroy(&r->cond);
    free(r);
}

/* The length of chunk c (a short last one too). */
static size_t chunk_len(const mp_async_result *r, size_t c)
{
    if (r->stream)
        return r->sizes[c % r->window];
    size_t first = c * r->chunksize;
    return r->length - first < r->chunksize ? r->length - first : r->chunksize;
}

/* With mu held: keep e as the job's first failure (map, apply). */
static void keep_error(mp_async_result *r, const mp__exc *e)
{
    if (!r->success)
        return;
    r->success = false;
    if ((r->err = malloc(sizeof *r->err)))
        *r->err = *e;
}

/* With mu held: a map's list of the values, in order. */
static mp_value *map_list(mp_async_result *r)
{
    mp_value *list = mp_list_new();
    for (size_t i = 0; list && i < r->length; i++)
        if (mp_list_append(list, mp_incref(r->items[i] ? r->items[i] : mp_none())) < 0) {
            mp_decref(list);
            return NULL;
        }
    return list;
}

bool mp__job_set(mp_async_result *r, size_t index, mp_value *value, const mp__exc *e)
{
    pthread_mutex_lock(&r->mu);
    size_t slot = index % r->window;
    /* Only the chunk given out in that slot, and once (a worker that
     * died after sending its result is reported too). */
    bool mine = index < r->produced && atomic_load(&r->live[slot]) && !r->done[slot] &&
                (!r->stream || r->ids[slot] == index);
    if (!mine || r->ready) {
        pthread_mutex_unlock(&r->mu);
        mp_decref(value);
        return false;
    }
    r->done[slot] = 1;
    r->left--;
    mp__exc bad;
    if (r->kind == MP__JOB_APPLY) {
        if (e)
            keep_error(r, e);
        else
            r->value = value, value = NULL;
    } else {
        if (!e && (mp_typeof(value) != MP_T_LIST || mp_len(value) != chunk_len(r, index))) {
            mp__fail(MP_EUNPICKLE, "a pool worker sent a chunk of the wrong shape");
            mp__exc_save(&bad);
            e = &bad;
        }
        size_t first = index * r->chunksize;
        if (r->kind == MP__JOB_MAP && e)
            keep_error(r, e);
        else if (r->kind == MP__JOB_MAP)
            for (size_t k = 0; k < mp_len(value); k++)
                r->items[first + k] = mp_incref(mp_item(value, k));
        else if (e && (r->errs[slot] = malloc(sizeof *e)))
            *r->errs[slot] = *e;
        else if (!e)
            r->chunks[slot] = value, value = NULL;
        if (r->arrived)
            r->arrived[r->narrived++ % r->window] = index;
    }
    mp_decref(value);
    bool complete = r->ended && r->left == 0;
    if (r->kind == MP__JOB_MAP && complete && r->success && !(r->value = map_list(r))) {
        mp__exc oom;
        mp__fail(MP_ENOMEM, "out of memory");
        mp__exc_save(&oom);
        keep_error(r, &oom);
    }
    bool final = complete && (r->kind == MP__JOB_APPLY || r->kind == MP__JOB_MAP);
    if (!final) {
        atomic_fetch_add(&r->moves, 1);
        pthread_cond_broadcast(&r->cond);
        pthread_mutex_unlock(&r->mu);
        return complete;
    }
    pthread_mutex_unlock(&r->mu);
    /* As CPython's _set: the callback runs before the result is ready,
     * in this (the result handler's) thread. */
    if (r->success && r->callback)
        r->callback(r->value, r->data);
    else if (!r->success && r->error_callback && r->err) {
        mp__exc saved;
        mp__exc_save(&saved);
        mp__exc_restore(r->err);
        r->error_callback(r->err->code, r->data);
        mp__exc_restore(&saved);
    }
    /* Broadcast once mu is let go, so that a waiter it wakes does not
     * wake only to wait for mu (r lives on: the caller holds a reference). */
    pthread_mutex_lock(&r->mu);
    r->ready = true;
    atomic_fetch_add(&r->moves, 1);
    pthread_mutex_unlock(&r->mu);
    pthread_cond_broadcast(&r->cond);
    return true;
}

/* ---- waiting ------------------------------------------------------------- */

/* With mu held: wait on cond until done(r) or the deadline; a SIGINT is
 * looked for every tenth of a second, as a condition variable does not
 * wake for it.  1 done, 0 timed out, MP_EINTERRUPT. */
static int wait_until(mp_async_result *r, bool (*done)(const mp_async_result *), mp_timeout t)
{
    mp__deadline d;
    if (t.given && isnan(t.seconds))
        d = mp__now;        /* CPython's Event.wait does not wait for a NaN */
    else
        mp__deadline_set(&d, t);
    bool spun = false;
    while (!done(r)) {
        int rc = mp__interrupted();
        if (rc < 0)
            return rc;
        if (d.kind == MP__NOW)
            return 0;
        /* A result often comes within microseconds (an apply's round
         * trip): spin a little first, mu let go, as the queues' rings do
         * (ring.h), rather than pay a sleep and a wake-up call. */
        if (!spun) {
            spun = true;
            uint32_t seen = atomic_load(&r->moves);
            pthread_mutex_unlock(&r->mu);
            bool moved = mp__ring_spin(&r->moves, seen);
            pthread_mutex_lock(&r->mu);
            if (moved)
                continue;
        }
        bool last;
        struct timespec slice = mp__deadline_slice(&d, 100 * 1000 * 1000, &last);
        if (pthread_cond_clockwait(&r->cond, &r->mu, CLOCK_MONOTONIC, &slice) != 0 &&
            last && !done(r))
            return 0;
    }
    return 1;
}

static bool is_ready(const mp_async_result *r) { return r->ready; }

int mp_async_result_wait(mp_async_result *r, mp_timeout timeout)
{
    pthread_mutex_lock(&r->mu);
    int rc = wait_until(r, is_ready, timeout);
    pthread_mutex_unlock(&r->mu);
    return rc < 0 ? rc : 0;
}

int mp_async_result_get(mp_async_result *r, mp_timeout timeout, mp_value **out)
{
    *out = NULL;
    pthread_mutex_lock(&r->mu);
    int rc = wait_until(r, is_ready, timeout);
    if (rc == 1 && r->success)
        *out = mp_incref(r->value);
    else if (rc == 1 && r->err)
        mp__exc_restore(r->err), rc = r->err->code;
    else if (rc == 1)
        rc = mp__fail(MP_ENOMEM, "out of memory");
    else if (rc == 0)
        rc = mp__fail(MP_ETIMEOUT, "%s", "");
    pthread_mutex_unlock(&r->mu);
    return rc < 0 ? rc : 0;
}

bool mp_async_result_ready(mp_async_result *r)
{
    pthread_mutex_lock(&r->mu);
    bool ready = r->ready;
    pthread_mutex_unlock(&r->mu);
    return ready;
}

int mp_async_result_successful(mp_async_result *r)
{
    pthread_mutex_lock(&r->mu);
    int rc = r->ready ? r->success
        : mp__fail(MP_EVALUE, "<multiprocessing.pool.%s object at %p> not ready",
                   r->kind == MP__JOB_APPLY ? "ApplyResult" : "MapResult", (void *)r);
    pthread_mutex_unlock(&r->mu);
    return rc;
}

void mp_async_result_free(mp_async_result *r)
{
    mp__job_unref(r);
}

/* ---- IMapIterator -------------------------------------------------------- */

/* next() goes through the chunks in order for imap, as they came for
 * imap_unordered, and through each chunk's values. */
static bool at_end(const mp_async_result *r)
{
    return r->exhausted || (r->ended && atomic_load(&r->consumed) >= r->nchunks);
}

/* The chunk next() is at (there is one: see has_next). */
static size_t current(const mp_async_result *r)
{
    size_t c = atomic_load(&r->consumed);
    return r->kind == MP__JOB_IMAP ? c : r->arrived[c % r->window];
}

/* With mu held: is a result (or the end) there for next()? */
static bool has_next(const mp_async_result *r)
{
    if (at_end(r))
        return true;
    size_t c = atomic_load(&r->consumed);
    if (r->kind == MP__JOB_IMAP)
        return c < r->produced && r->done[c % r->window];
    return c < r->narrived;
}

/* With mu held: tell a stream's pool that it may go on (its task handler
 * may wait for room, or for an abandoned stream to end): lock order
 * r->mu, then the pool's. */
static void tell_pool(mp_async_result *r)
{
    if (!r->pool)
        return;
    pthread_mutex_lock(&r->pool->mu);
    pthread_cond_broadcast(&r->pool->cond);
    pthread_mutex_unlock(&r->pool->mu);
}

/* With mu held: next() is done with chunk c: its slot is free for chunk
 * c + window. */
static void chunk_done(mp_async_result *r, size_t c)
{
    size_t slot = c % r->window;
    mp_decref(r->chunks[slot]);
    r->chunks[slot] = NULL;
    free(r->errs[slot]);
    r->errs[slot] = NULL;
    r->done[slot] = 0;
    atomic_store(&r->live[slot], 0);
    r->sub = 0;
    atomic_fetch_add(&r->consumed, 1);
    tell_pool(r);
}

int mp_imap_iterator_next(mp_imap_iterator *it, mp_timeout timeout, mp_value **out)
{
    mp_async_result *r = &it->r;
    *out = NULL;
    pthread_mutex_lock(&r->mu);
    int rc = wait_until(r, has_next, timeout);
    if (rc == 0)
        rc = mp__fail(MP_ETIMEOUT, "%s", "");
    else if (rc == 1 && at_end(r))
        rc = mp__fail(MP_ESTOPITERATION, "%s", "");
    else if (rc == 1) {
        size_t c = current(r), slot = c % r->window;
        if (r->errs[slot]) {
            mp__exc_restore(r->errs[slot]);
            rc = r->errs[slot]->code;
            /* CPython's imap with chunks is a generator over them, which
             * the exception ends; with single items it goes on. */
            if (r->chunksize > 1)
                r->exhausted = true;
            chunk_done(r, c);
        } else {
            *out = mp_incref(mp_item(r->chunks[slot], r->sub));
            if (++r->sub >= mp_len(r->chunks[slot]))
                chunk_done(r, c);
            rc = 0;
        }
    }
    pthread_mutex_unlock(&r->mu);
    return rc;
}

/* A stream's producer is not called once this returns (produce is held
 * around its calls), and its pool is told to end it. */
void mp_imap_iterator_free(mp_imap_iterator *it)
{
    if (!it)
        return;
    mp_async_result *r = &it->r;
    if (r->stream) {
        pthread_mutex_lock(&r->produce);
        pthread_mutex_lock(&r->mu);
        r->abandoned = true;
        tell_pool(r);
        pthread_mutex_unlock(&r->mu);
        pthread_mutex_unlock(&r->produce);
    }
    mp__job_unref(r);
}

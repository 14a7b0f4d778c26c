/* result.c - AsyncResult (ApplyResult, MapResult) and IMapIterator: a job's chunks as they come, and the waits for them (pool.py's ApplyResult, MapResult, IMapIterator, IMapUnorderedIterator). */
#include "pool.h"
#include "synchronize/ring.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

mp_async_result *mp__job_new(int kind, size_t length, size_t chunksize, const mp_pool_call_opts *opts)
{
    mp_async_result *r = calloc(1, kind == MP__JOB_APPLY || kind == MP__JOB_MAP
                                       ? sizeof *r : sizeof(mp_imap_iterator));
    if (!r) {
        mp__fail(MP_ENOMEM, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&r->mu, NULL);
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
    r->nchunks = chunksize ? (length + chunksize - 1) / chunksize : 0;
    r->left = r->nchunks;
    if (opts) {
        r->callback = opts->callback;
        r->error_callback = opts->error_callback;
        r->data = opts->data;
    }
    size_t n = r->nchunks ? r->nchunks : 1;
    r->done = calloc(n, 1);
    if (kind != MP__JOB_APPLY)
        r->items = calloc(length ? length : 1, sizeof *r->items);
    if (kind == MP__JOB_IMAP || kind == MP__JOB_IMAP_UNORDERED) {
        r->errs = calloc(n, sizeof *r->errs);
        r->arrived = calloc(n, sizeof *r->arrived);
    }
    bool imap = kind == MP__JOB_IMAP || kind == MP__JOB_IMAP_UNORDERED;
    if (!r->done || (kind != MP__JOB_APPLY && !r->items) || (imap && (!r->errs || !r->arrived))) {
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
    for (size_t i = 0; r->errs && i < r->nchunks; i++)
        free(r->errs[i]);
    free(r->items);
    free(r->errs);
    free(r->arrived);
    free(r->done);
    free(r->err);
    mp_decref(r->value);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cond);
    free(r);
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
    size_t nchunks = r->nchunks ? r->nchunks : 1;
    if (index >= nchunks || r->done[index] || r->ready) {
        pthread_mutex_unlock(&r->mu);
        mp_decref(value);
        return false;
    }
    r->done[index] = 1;
    r->left = r->left ? r->left - 1 : 0;
    if (r->kind == MP__JOB_APPLY) {
        if (e)
            keep_error(r, e);
        else
            r->value = value, value = NULL;
    } else {
        size_t first = index * r->chunksize;
        if (!e && mp_typeof(value) == MP_T_LIST && mp_len(value) == (r->length - first < r->chunksize
                                                                      ? r->length - first : r->chunksize)) {
            for (size_t k = 0; k < mp_len(value); k++)
                r->items[first + k] = mp_incref(mp_item(value, k));
        } else if (!e) {
            mp__fail(MP_EUNPICKLE, "a pool worker sent a chunk of the wrong shape");
            mp__exc bad;
            mp__exc_save(&bad);
            e = &bad;
            if (r->kind == MP__JOB_MAP)
                keep_error(r, e);
            else if ((r->errs[index] = malloc(sizeof bad)))
                *r->errs[index] = bad;
        }
        if (e && r->kind == MP__JOB_MAP)
            keep_error(r, e);
        else if (e && !r->errs[index] && (r->errs[index] = malloc(sizeof *e)))
            *r->errs[index] = *e;
        if (r->arrived)
            r->arrived[r->narrived++] = index;
    }
    mp_decref(value);
    bool complete = r->left == 0;
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
        struct timespec slice;
        clock_gettime(CLOCK_MONOTONIC, &slice);
        slice.tv_nsec += 100 * 1000 * 1000;
        if (slice.tv_nsec >= 1000000000) {
            slice.tv_sec++;
            slice.tv_nsec -= 1000000000;
        }
        bool last = d.kind == MP__AT && (d.at.tv_sec < slice.tv_sec ||
                                         (d.at.tv_sec == slice.tv_sec && d.at.tv_nsec <= slice.tv_nsec));
        if (pthread_cond_clockwait(&r->cond, &r->mu, CLOCK_MONOTONIC, last ? &d.at : &slice) != 0 &&
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

/* next()'s place runs over chunksize places per chunk (a short last chunk
 * too), the chunks in order for imap, as they came for imap_unordered. */
static bool at_end(const mp_async_result *r)
{
    return r->exhausted || r->pos >= r->nchunks * r->chunksize;
}

/* With mu held: is a result (or the end) there for next()? */
static bool has_next(const mp_async_result *r)
{
    if (at_end(r))
        return true;
    if (r->kind == MP__JOB_IMAP)
        return r->done[r->pos / r->chunksize];
    return r->pos / r->chunksize < r->narrived;
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
        size_t chunk = r->kind == MP__JOB_IMAP ? r->pos / r->chunksize : r->arrived[r->pos / r->chunksize];
        size_t k = r->pos % r->chunksize;
        size_t size = r->length - chunk * r->chunksize < r->chunksize ? r->length - chunk * r->chunksize
                                                                      : r->chunksize;
        if (r->errs[chunk]) {
            mp__exc_restore(r->errs[chunk]);
            rc = r->errs[chunk]->code;
            /* CPython's imap with chunks is a generator over them, which
             * the exception ends; with single items it goes on. */
            if (r->chunksize > 1)
                r->exhausted = true;
            r->pos = (r->pos / r->chunksize + 1) * r->chunksize;
        } else {
            *out = mp_incref(r->items[chunk * r->chunksize + k]);
            r->pos = k + 1 == size ? (r->pos / r->chunksize + 1) * r->chunksize : r->pos + 1;
            rc = 0;
        }
    }
    pthread_mutex_unlock(&r->mu);
    return rc;
}

void mp_imap_iterator_free(mp_imap_iterator *it)
{
    mp__job_unref(it ? &it->r : NULL);
}

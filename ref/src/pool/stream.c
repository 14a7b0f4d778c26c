/* stream.c - imap over a C iterator with a bounded number of chunks in flight (Forklore's own: CPython's task handler reads its whole input first). */
#include "pool.h"

#include <stdlib.h>

/*
 * A stream is an imap job whose window (see struct mp_async_result) is
 * its max_in_flight, and a work that stays on the task list until its
 * producer ends.  The task handler takes a step of it whenever its window
 * has room (ready_work in handlers.c): it draws a chunk from the producer,
 * out of the fork gate (the producer is the program's code) and holding
 * the job's produce lock (so that mp_imap_iterator_free can promise no
 * call after it), then puts the chunk as any other.  next() makes room as
 * it finishes a chunk and tells the pool, through job->pool, which the
 * stream holds only while its work is on the list (release() clears it
 * for the works a terminated pool leaves there).
 */

static void leave(void) { mp__fork_gate_leave(); }
static void enter(void) { mp__fork_gate_enter(); }

/* Up to chunksize inputs drawn from w's producer into a list: 1 while
 * there are more, 0 at their end (or the iterator's free), or the
 * producer's error code (saved into w->failed). */
static int draw(mp__pool_work *w, mp_value **chunk)
{
    mp_async_result *job = w->job;
    *chunk = NULL;
    int rc = 1;
    leave();
    pthread_mutex_lock(&job->produce);
    if (atomic_load(&job->abandoned))
        rc = 0;
    else if (!(*chunk = mp_list_new()))
        rc = mp_errcode();
    while (rc == 1 && mp_len(*chunk) < job->chunksize) {
        mp_value *item = NULL;
        unsigned long mark = mp__fail_mark();
        if ((rc = w->produce(w->data, &item)) < 0)
            rc = mp__fail_since(mark, rc, "%s", "");
        else if (rc > 0 && (rc = mp_list_append(*chunk, item ? item : mp_none())) == 0)
            rc = 1;
        else if (rc == 0)
            mp_decref(item);
    }
    pthread_mutex_unlock(&job->produce);
    enter();
    if (rc < 0 && (w->failed = malloc(sizeof *w->failed))) {
        mp__exc_save(w->failed);
        w->failed->code = rc;
    }
    if (*chunk && mp_len(*chunk) == 0) {
        mp_decref(*chunk);
        *chunk = NULL;
    }
    return rc;
}

/* A new chunk of len inputs: its index, counted in the window. */
static size_t take_index(mp_async_result *job, size_t len)
{
    pthread_mutex_lock(&job->mu);
    size_t i = job->produced++;
    job->sizes[i % job->window] = len;
    job->ids[i % job->window] = i;
    atomic_store(&job->live[i % job->window], 1);
    job->left++;
    pthread_mutex_unlock(&job->mu);
    return i;
}

/* The stream has no more chunks: its length is known now, and next() may
 * see its end.  True when every result is in (the job is then complete). */
static bool end(mp_async_result *job)
{
    pthread_mutex_lock(&job->mu);
    job->ended = true;
    job->nchunks = job->produced;
    job->pool = NULL;
    bool complete = job->left == 0;
    atomic_fetch_add(&job->moves, 1);
    pthread_mutex_unlock(&job->mu);
    pthread_cond_broadcast(&job->cond);
    return complete;
}

void mp__pool_stream_step(mp_pool *p, mp__pool_work **pw)
{
    mp__pool_work *w = *pw;
    mp_async_result *job = w->job;
    pthread_mutex_unlock(&p->mu);
    int rc = 0;
    if (w->failed && !atomic_load(&job->abandoned)) {
        /* The producer's error, a chunk of its own after the inputs before
         * it (CPython sets it at the index after theirs). */
        size_t i = take_index(job, 0);
        leave();
        bool complete = mp__job_set(job, i, NULL, w->failed);
        enter();
        if (complete)
            mp__pool_job_done(p, job);
    } else {
        mp_value *chunk;
        rc = draw(w, &chunk);
        if (chunk) {
            size_t i = take_index(job, mp_len(chunk));
            mp__pool_put_task(p, job, i, mp__pool_message(w, i, chunk));
        }
    }
    if (rc == 1 || (rc < 0 && w->failed && !atomic_load(&job->abandoned))) {
        pthread_mutex_lock(&p->mu);
        return;     /* more to come, or the error to send */
    }
    if (end(job))
        mp__pool_job_done(p, job);
    pthread_mutex_lock(&p->mu);
    for (mp__pool_work **at = &p->head; *at; at = &(*at)->next_work)
        if (*at == w) {
            mp__pool_unlink_work(p, at);
            break;
        }
    pthread_mutex_unlock(&p->mu);
    free(w->failed);
    mp__pool_free_work(w);
    pthread_mutex_lock(&p->mu);
}

mp_imap_iterator *mp_pool_imap_iter(mp_pool *p, mp_task_fn func, mp_pool_next_fn next, void *data,
                                    const mp_pool_imap_opts *opts)
{
    static const mp_pool_imap_opts none;
    if (!opts)
        opts = &none;
    const char *name = mp_task_name(func);
    if (!next) {
        mp__fail(MP_ETYPE, "'NoneType' object is not iterable");
        return NULL;
    }
    if (!name && !p->threads) {     /* a ThreadPool sends it by address */
        mp__fail(MP_EPICKLE, "Can't pickle <function %p>: it is not registered with MP_TASK", (void *)(uintptr_t)func);
        return NULL;
    }
    size_t window = opts->max_in_flight ? opts->max_in_flight : 4 * (size_t)p->processes;
    mp__pool_work w = {.func = func, .name = name, .mode = MP__POOL_MAP, .produce = next, .data = data};
    return (mp_imap_iterator *)mp__pool_submit(p, w, opts->unordered ? MP__JOB_IMAP_UNORDERED : MP__JOB_IMAP, 0,
                                               opts->chunksize ? opts->chunksize : 1, window, NULL);
}

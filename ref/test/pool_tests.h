/* pool_tests.h - what the pool unit tests share (test_pool.c, test_thread_pool.c): a list of the first n ints, a pool's repr as text, imap's order, what the callbacks saw. */
#ifndef POOL_TESTS_H
#define POOL_TESTS_H

#include <mp.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* list(range(n)). */
static inline mp_value *range(int64_t n)
{
    mp_value *l = mp_list_new();
    for (int64_t i = 0; i < n; i++)
        mp_list_append(l, mp_int(i));
    return l;
}

/* imap(square, items, chunksize) gives the squares of 0..len-1 in order,
 * then StopIteration (named so). */
static inline bool imap_gives_squares(mp_pool *p, mp_task_fn square, const mp_value *items, size_t chunksize)
{
    mp_imap_iterator *it = mp_pool_imap(p, square, items, &(mp_pool_call_opts){.chunksize = chunksize});
    bool in_order = it != NULL;
    int64_t i = 0;
    int rc = -1;
    mp_value *v = NULL;
    while (it && (rc = mp_imap_iterator_next(it, MP_WAIT_FOREVER, &v)) == 0) {
        in_order = in_order && mp_as_int(v) == i * i;
        i++;
        mp_decref(v);
    }
    mp_imap_iterator_free(it);
    return in_order && (size_t)i == mp_len(items) && rc == MP_ESTOPITERATION &&
           strcmp(mp_errname(rc), "StopIteration") == 0;
}

/* repr(pool) as text, good until the next call. */
static inline const char *pool_repr(const mp_pool *p)
{
    static char buf[128];
    char *r = mp_pool_repr(p);
    snprintf(buf, sizeof buf, "%s", r ? r : "(null)");
    free(r);
    return buf;
}

/* What a job's callbacks saw, and in which thread (a result handler's,
 * never the caller's main). */
typedef struct seen_cb {
    pthread_mutex_t mu;
    char result[256];
    int code;
    char name[64], msg[128];
    bool other_thread;
    pthread_t main;
    int calls;
} seen_cb;

static inline void on_result(const mp_value *result, void *data)
{
    seen_cb *s = data;
    pthread_mutex_lock(&s->mu);
    char *r = mp_repr(result);
    snprintf(s->result, sizeof s->result, "%s", r ? r : "?");
    free(r);
    s->other_thread = !pthread_equal(pthread_self(), s->main);
    s->calls++;
    pthread_mutex_unlock(&s->mu);
}

static inline void on_error(int code, void *data)
{
    seen_cb *s = data;
    pthread_mutex_lock(&s->mu);
    s->code = code;
    snprintf(s->name, sizeof s->name, "%s", mp_errname(code));
    snprintf(s->msg, sizeof s->msg, "%s", mp_errmsg());
    s->other_thread = !pthread_equal(pthread_self(), s->main);
    s->calls++;
    pthread_mutex_unlock(&s->mu);
}

#endif

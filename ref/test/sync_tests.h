/* sync_tests.h - what the synchronization unit tests share: the start methods, a monotonic clock, a repr as text, an error check. */
#ifndef SYNC_TESTS_H
#define SYNC_TESTS_H

#include <mp.h>

#include "tap.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const methods[] = {"fork", "spawn", "forkserver"};

/* Seconds on the monotonic clock (mp.h alone: these tests may run
 * against another implementation). */
static inline double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* repr(o) as text, good until the next call (long enough for a pool's
 * map of 50 items). */
static inline const char *rep(const void *o)
{
    static char buf[4096];
    char *r = mp_repr(o);
    snprintf(buf, sizeof buf, "%s", r ? r : "(null)");
    free(r);
    return buf;
}

/* rc is code with mp_errmsg() msg; says what came instead when not. */
static inline bool err_is(int rc, int code, const char *msg)
{
    bool ok = rc == code && strcmp(mp_errmsg(), msg) == 0;
    if (!ok)
        tap_diag("got %d (%s) '%s', want %d '%s'", rc, mp_errname(rc), mp_errmsg(), code, msg);
    return ok;
}

#endif

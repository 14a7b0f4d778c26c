/* case.c - case queues/get-empty: get on an empty Queue raises queue.Empty, at once or after its timeout.

   Mirrors case.py, which says what is pinned.  A caught error prints as
   case.py prints it: type(e).__name__ (the last part of mp_errname's
   dotted name) and repr(str(e)).

   Run:  bats conformance/cases/queues.bats --filter get-empty
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mp.h"

static double monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* print(label, 'raised', type(e).__name__, repr(str(e))), or 'returned'.
 * Returns rc for an error the case does not expect to catch (the caller
 * then ends as an uncaught exception would), else 0.  A value got is
 * dropped, as case.py drops it. */
static int attempt(const char *label, int rc, mp_value *got)
{
    mp_decref(got);
    if (rc >= 0) {
        mp_print(label, "returned");
        return 0;
    }
    if (rc != MP_EEMPTY && rc != MP_EVALUE)
        return rc;
    const char *name = mp_errname(rc), *dot = strrchr(name, '.');
    mp_value *msg = mp_str(mp_errmsg());
    char *r = msg != NULL ? mp_repr(msg) : NULL;
    mp_decref(msg);
    if (r == NULL)
        return MP_ENOMEM;
    mp_print(label, "raised", dot != NULL ? dot + 1 : name, r);
    free(r);
    return 0;
}

/* attempt(label, lambda: q.get(...)) with get's options. */
static int try_get(const char *label, mp_queue *q, mp_queue_opts opts)
{
    mp_value *v = NULL;
    int rc = mp_queue_get_ex(q, &v, &opts);
    return attempt(label, rc, rc < 0 ? NULL : v);
}

static int run(mp_queue *q)
{
    int rc;
    mp_value *v = NULL;
    rc = mp_queue_get_nowait(q, &v);
    if ((rc = attempt("get_nowait():", rc, rc < 0 ? NULL : v)) < 0 ||
        (rc = try_get("get(block=False):", q, (mp_queue_opts){.block = MP_NO})) < 0 ||
        (rc = try_get("get(False, 5):", q, (mp_queue_opts){.block = MP_NO, .timeout = MP_TIMEOUT(5)})) < 0 ||
        (rc = try_get("get(timeout=0):", q, (mp_queue_opts){.timeout = MP_TIMEOUT(0)})) < 0 ||
        (rc = try_get("get(timeout=-1):", q, (mp_queue_opts){.timeout = MP_TIMEOUT(-1)})) < 0 ||
        (rc = try_get("get(timeout=nan):", q, (mp_queue_opts){.timeout = MP_TIMEOUT(NAN)})) < 0)
        return rc;
    double start = monotonic();
    if ((rc = try_get("get(timeout=0.2):", q, (mp_queue_opts){.timeout = MP_TIMEOUT(0.2)})) < 0)
        return rc;
    mp_print("waited at least 0.15 s:", (bool)(monotonic() - start >= 0.15));
    /* The feeder writes later: a get that waits (with a bound) sees it. */
    if ((rc = mp_queue_put(q, mp_list_of("x", 1))) < 0 ||
        (rc = mp_queue_get_ex(q, &v, &(mp_queue_opts){.timeout = MP_TIMEOUT(5)})) < 0)
        return rc;
    mp_print("get(timeout=5):", v);
    mp_decref(v);
    v = NULL;
    rc = mp_queue_get_nowait(q, &v);
    return attempt("get_nowait():", rc, rc < 0 ? NULL : v);
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_queue *q = mp_queue_new(0);
    if (q == NULL)
        return mp_excepthook(mp_errcode());
    int rc = run(q);
    mp_queue_free(q);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

/* case.c - case queues/put-full: put on a full Queue(maxsize) raises queue.Full, at once or after its timeout.

   Mirrors case.py, which says what is pinned.  A caught error prints as
   case.py prints it: type(e).__name__ (the last part of mp_errname's
   dotted name) and repr(str(e)).

   Run:  bats conformance/cases/queues.bats --filter put-full
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
 * then ends as an uncaught exception would), else 0. */
static int attempt(const char *label, int rc)
{
    if (rc >= 0) {
        mp_print(label, "returned");
        return 0;
    }
    if (rc != MP_EFULL && rc != MP_EOS)
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

/* print('get:', q.get()) */
static int get_and_show(mp_queue *q)
{
    mp_value *v;
    int rc = mp_queue_get(q, &v);
    if (rc < 0)
        return rc;
    mp_print("get:", v);
    mp_decref(v);
    return 0;
}

static int run(mp_queue *q)
{
    int rc;
    if ((rc = mp_queue_put(q, "a")) < 0 || (rc = mp_queue_put(q, "b")) < 0)
        return rc;
    mp_print("qsize:", mp_queue_qsize(q), "full:", mp_queue_full(q));
    if ((rc = attempt("put_nowait(c):", mp_queue_put_nowait(q, "c"))) < 0 ||
        (rc = attempt("put(c, block=False):", mp_queue_put_ex(q, "c", .block = MP_NO))) < 0 ||
        (rc = attempt("put(c, False, 5):",
                      mp_queue_put_ex(q, "c", .block = MP_NO, .timeout = MP_TIMEOUT(5)))) < 0 ||
        (rc = attempt("put(c, timeout=0):", mp_queue_put_ex(q, "c", .timeout = MP_TIMEOUT(0)))) < 0 ||
        (rc = attempt("put(c, timeout=-1):", mp_queue_put_ex(q, "c", .timeout = MP_TIMEOUT(-1)))) < 0 ||
        (rc = attempt("put(c, timeout=nan):", mp_queue_put_ex(q, "c", .timeout = MP_TIMEOUT(NAN)))) < 0)
        return rc;
    double start = monotonic();
    if ((rc = attempt("put(c, timeout=0.2):", mp_queue_put_ex(q, "c", .timeout = MP_TIMEOUT(0.2)))) < 0)
        return rc;
    mp_print("waited at least 0.15 s:", (bool)(monotonic() - start >= 0.15));
    if ((rc = get_and_show(q)) < 0 ||
        (rc = attempt("put(c, timeout=nan):", mp_queue_put_ex(q, "c", .timeout = MP_TIMEOUT(NAN)))) < 0)
        return rc;
    mp_print("qsize:", mp_queue_qsize(q), "full:", mp_queue_full(q));
    if ((rc = get_and_show(q)) < 0 || (rc = get_and_show(q)) < 0)
        return rc;
    mp_print("qsize:", mp_queue_qsize(q), "full:", mp_queue_full(q));
    return 0;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_queue *q = mp_queue_new(2);
    if (q == NULL)
        return mp_excepthook(mp_errcode());
    int rc = run(q);
    mp_queue_free(q);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

/* case.c - case queues/closed: what a Queue and a JoinableQueue do after close().

   Mirrors case.py, which says what is pinned.  A caught error prints as
   case.py prints it: type(e).__name__ (the last part of mp_errname's
   dotted name) and repr(str(e)).  empty() returns bool in C, so the
   OSError CPython raises is the MP_ECLOSED it records (mp.h): the case
   reads mp_errcode() after it, knowing the failure before it was a
   ValueError, so only empty() can have recorded MP_ECLOSED.

   Run:  bats conformance/cases/queues.bats --filter closed
*/
#include <stdlib.h>
#include <string.h>

#include "mp.h"

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
    if (rc != MP_EVALUE && rc != MP_EASSERT && rc != MP_ECLOSED)
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

static int queue_closed(mp_queue *q)
{
    int rc;
    mp_value *v = NULL;
    if ((rc = attempt("join_thread() before close():", mp_queue_join_thread(q), NULL)) < 0 ||
        (rc = mp_queue_put(q, "kept")) < 0 ||
        (rc = attempt("close():", mp_queue_close(q), NULL)) < 0 ||
        (rc = attempt("close() again:", mp_queue_close(q), NULL)) < 0 ||
        (rc = attempt("put(x):", mp_queue_put(q, "x"), NULL)) < 0 ||
        (rc = attempt("put_nowait(x):", mp_queue_put_nowait(q, "x"), NULL)) < 0)
        return rc;
    rc = mp_queue_get(q, &v);
    if ((rc = attempt("get():", rc, rc < 0 ? NULL : v)) < 0)
        return rc;
    rc = mp_queue_get_nowait(q, &v);
    if ((rc = attempt("get_nowait():", rc, rc < 0 ? NULL : v)) < 0 ||
        (rc = attempt("join_thread():", mp_queue_join_thread(q), NULL)) < 0)
        return rc;
    /* The last failure was get_nowait's ValueError: MP_ECLOSED now can
     * only come from empty(), CPython's OSError. */
    (void)mp_queue_empty(q);
    if ((rc = attempt("empty():", mp_errcode() == MP_ECLOSED ? MP_ECLOSED : 0, NULL)) < 0)
        return rc;
    mp_print("qsize():", mp_queue_qsize(q));
    return 0;
}

static int joinable_closed(mp_queue *jq)
{
    int rc;
    mp_value *v = NULL;
    if ((rc = mp_queue_close(jq)) < 0 ||
        (rc = attempt("JoinableQueue put(x):", mp_queue_put(jq, "x"), NULL)) < 0)
        return rc;
    rc = mp_queue_get_ex(jq, &v, &(mp_queue_opts){.timeout = MP_TIMEOUT(1)});
    return attempt("JoinableQueue get(timeout=1):", rc, rc < 0 ? NULL : v);
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_queue *q = mp_queue_new(0);
    if (q == NULL)
        return mp_excepthook(mp_errcode());
    int rc = queue_closed(q);
    mp_queue_free(q);
    if (rc < 0)
        return mp_excepthook(rc);
    mp_queue *jq = mp_joinable_queue_new(0);
    if (jq == NULL)
        return mp_excepthook(mp_errcode());
    rc = joinable_closed(jq);
    mp_queue_free(jq);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

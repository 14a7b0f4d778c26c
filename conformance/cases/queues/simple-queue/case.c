/* case.c - case queues/simple-queue: SimpleQueue's put, get, empty and close, and its errors.

   Mirrors case.py, which says what is pinned.  A caught error prints as
   case.py prints it: type(e).__name__ and repr(str(e)).  empty() returns
   bool in C, so the OSError CPython raises after close() is the
   MP_ECLOSED it records (mp.h): the case reads mp_errcode() after it,
   knowing the failure before it was a RuntimeError, so only empty() can
   have recorded MP_ECLOSED.

   Run:  bats conformance/cases/queues.bats --filter simple-queue
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
    if (rc != MP_ERUNTIME && rc != MP_ECLOSED)
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

/* print('get():', sq.get()) */
static int get_and_show(mp_simple_queue *sq)
{
    mp_value *v;
    int rc = mp_simple_queue_get(sq, &v);
    if (rc < 0)
        return rc;
    mp_print("get():", v);
    mp_decref(v);
    return 0;
}

static int run(mp_simple_queue *sq, mp_queue *other)
{
    int rc;
    mp_print("empty():", mp_simple_queue_empty(sq));
    if ((rc = mp_simple_queue_put(sq, "a")) < 0 ||
        (rc = mp_simple_queue_put(sq, mp_list_of(1, mp_tuple_of(2, mp_none())))) < 0)
        return rc;
    mp_print("empty() after two puts:", mp_simple_queue_empty(sq));
    if ((rc = get_and_show(sq)) < 0 || (rc = get_and_show(sq)) < 0)
        return rc;
    mp_print("empty():", mp_simple_queue_empty(sq));
    if ((rc = attempt("put(a Queue):", mp_simple_queue_put(sq, other), NULL)) < 0 ||
        (rc = mp_simple_queue_put(sq, "still works")) < 0 ||
        (rc = get_and_show(sq)) < 0 ||
        (rc = attempt("close():", mp_simple_queue_close(sq), NULL)) < 0 ||
        (rc = attempt("close() again:", mp_simple_queue_close(sq), NULL)) < 0)
        return rc;
    /* The last failure was put's RuntimeError: MP_ECLOSED now can only
     * come from empty(), CPython's OSError. */
    (void)mp_simple_queue_empty(sq);
    if ((rc = attempt("empty():", mp_errcode() == MP_ECLOSED ? MP_ECLOSED : 0, NULL)) < 0 ||
        (rc = attempt("put(x):", mp_simple_queue_put(sq, "x"), NULL)) < 0)
        return rc;
    mp_value *v = NULL;
    rc = mp_simple_queue_get(sq, &v);
    if ((rc = attempt("get():", rc, rc < 0 ? NULL : v)) < 0)
        return rc;
    return attempt("put(a Queue):", mp_simple_queue_put(sq, other), NULL);
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_simple_queue *sq = mp_simple_queue_new();
    mp_queue *other = mp_queue_new(0);
    int rc = sq != NULL && other != NULL ? run(sq, other) : mp_errcode();
    mp_queue_free(other);
    mp_simple_queue_free(sq);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

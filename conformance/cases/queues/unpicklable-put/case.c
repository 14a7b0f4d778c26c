/* case.c - case queues/unpicklable-put: a value the feeder cannot pickle is reported and dropped, and the queue goes on.

   Mirrors case.py, which says what is pinned.  The feeder's report on
   stderr has CPython's header and exception line; C has no stack lines
   to print, and normalisation drops CPython's.

   Run:  bats conformance/cases/queues.bats --filter unpicklable-put
*/
#include "mp.h"

static int run(mp_queue *q, mp_queue *other)
{
    int rc;
    mp_value *v;
    /* q.put(other): the queue stays ours; the feeder meets it later. */
    if ((rc = mp_queue_put(q, other)) < 0)
        return rc;
    mp_print("put(a Queue) returned");
    if ((rc = mp_queue_put(q, "next")) < 0)
        return rc;
    mp_print("put(next) returned: the slot was given back");
    if ((rc = mp_queue_get_ex(q, &v, &(mp_queue_opts){.timeout = MP_TIMEOUT(10)})) < 0)
        return rc;
    mp_print("get(timeout=10):", v);
    mp_decref(v);
    mp_print("qsize:", mp_queue_qsize(q));
    return 0;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_queue *q = mp_queue_new(1), *other = mp_queue_new(0);
    int rc = q != NULL && other != NULL ? run(q, other) : mp_errcode();
    mp_queue_free(other);
    mp_queue_free(q);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

/* case.c - case queues/joinable: JoinableQueue's join() waits for a task_done() per item, and one too many is ValueError.

   Mirrors case.py, which says what is pinned and why the qsize() printed
   after join() shows that join() waited.  A caught error prints as
   case.py prints it: type(e).__name__ and repr(str(e)).

   Run:  bats conformance/cases/queues.bats --filter joinable
*/
#include <stdlib.h>
#include <string.h>

#include "mp.h"

/* print(label, 'raised', type(e).__name__, repr(str(e))), or 'returned'.
 * Returns rc for an error the case does not expect to catch (the caller
 * then ends as an uncaught exception would), else 0. */
static int attempt(const char *label, int rc)
{
    if (rc >= 0) {
        mp_print(label, "returned");
        return 0;
    }
    if (rc != MP_EVALUE && rc != MP_EATTR)
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

static int worker(const mp_value *args)
{
    mp_queue *jq = mp_as_queue(mp_item(args, 0)), *results = mp_as_queue(mp_item(args, 1));
    for (int i = 0; i < 3; i++) {
        mp_value *x;
        int rc = mp_queue_get(jq, &x);
        if (rc < 0)
            return rc;
        int64_t n = mp_as_int(x);
        mp_decref(x);
        if ((rc = mp_queue_put(results, n * n)) < 0 ||
            (rc = mp_joinable_queue_task_done(jq)) < 0)
            return rc;
    }
    return 0;
}
MP_TARGET(worker);

static int run(mp_queue *jq, mp_queue *results)
{
    int rc;
    if ((rc = attempt("join() with nothing put:", mp_joinable_queue_join(jq))) < 0 ||
        (rc = attempt("task_done() with nothing put:", mp_joinable_queue_task_done(jq))) < 0)
        return rc;
    for (int x = 1; x <= 3; x++)
        if ((rc = mp_queue_put(jq, x)) < 0)
            return rc;
    mp_process *p = mp_process_new(&(mp_process_opts){.target = worker, .args = mp_tuple_of(jq, results)});
    if (p == NULL)
        return mp_errcode();
    mp_value *got = NULL;
    if ((rc = mp_process_start(p)) == 0 && (rc = mp_joinable_queue_join(jq)) == 0)
        mp_print("join() returned; results.qsize():", mp_queue_qsize(results));
    /* Made after the start, so that a forked child holds no copy of it. */
    if (rc == 0 && (got = mp_list_new()) == NULL)
        rc = mp_errcode();
    for (int i = 0; i < 3 && rc == 0; i++) {
        mp_value *v;
        if ((rc = mp_queue_get_ex(results, &v, &(mp_queue_opts){.timeout = MP_TIMEOUT(10)})) == 0)
            rc = mp_list_append(got, v);
    }
    if (rc == 0) {
        mp_print("results:", got);
        rc = attempt("task_done() once more:", mp_joinable_queue_task_done(jq));
    }
    mp_decref(got);
    if (rc == 0 && (rc = mp_process_join(p, MP_WAIT_FOREVER)) == 0)
        mp_print("worker exitcode:", mp_process_exitcode(p));
    mp_process_free(p);
    if (rc < 0)
        return rc;

    mp_queue *q = mp_queue_new(0);
    if (q == NULL)
        return mp_errcode();
    if ((rc = attempt("Queue task_done():", mp_joinable_queue_task_done(q))) == 0)
        rc = attempt("Queue join():", mp_joinable_queue_join(q));
    mp_queue_free(q);
    return rc;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_queue *jq = mp_joinable_queue_new(0), *results = mp_queue_new(0);
    int rc = jq != NULL && results != NULL ? run(jq, results) : mp_errcode();
    mp_queue_free(results);
    mp_queue_free(jq);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

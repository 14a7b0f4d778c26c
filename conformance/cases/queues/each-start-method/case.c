/* case.c - case queues/each-start-method: a Queue, a JoinableQueue and a SimpleQueue given to a child under fork, spawn and forkserver.

   Mirrors case.py, which says what is pinned.

   Run:  bats conformance/cases/queues.bats --filter each-start-method
*/
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "mp.h"

static int child(const mp_value *args)
{
    mp_queue *jq = mp_as_queue(mp_item(args, 0)), *q = mp_as_queue(mp_item(args, 1));
    mp_simple_queue *sq = mp_as_simple_queue(mp_item(args, 2));
    mp_value *x;
    int rc = mp_queue_get(jq, &x);
    if (rc < 0)
        return rc;
    char *upper = strdup(mp_as_str(x));
    if (upper == NULL) {
        mp_decref(x);
        return MP_ENOMEM;
    }
    for (char *c = upper; *c != '\0'; c++)
        *c = (char)toupper((unsigned char)*c);
    if ((rc = mp_queue_put(q, mp_tuple_of("from the child", (const mp_value *)x))) == 0 &&
        (rc = mp_simple_queue_put(sq, upper)) == 0)
        rc = mp_joinable_queue_task_done(jq);
    free(upper);
    mp_decref(x);
    return rc;
}
MP_TARGET(child);

static int one_method(const char *method)
{
    mp_context *ctx = mp_get_context(method);
    if (ctx == NULL)
        return mp_errcode();
    mp_queue *jq = mp_context_joinable_queue(ctx, 0), *q = mp_context_queue(ctx, 0);
    mp_simple_queue *sq = mp_context_simple_queue(ctx);
    mp_process *p = NULL;
    mp_value *v = NULL;
    int rc = jq != NULL && q != NULL && sq != NULL ? 0 : mp_errcode();
    if (rc == 0 && (rc = mp_queue_put(jq, method)) == 0) {
        p = mp_context_process(ctx, &(mp_process_opts){.target = child, .args = mp_tuple_of(jq, q, sq)});
        rc = p != NULL ? mp_process_start(p) : mp_errcode();
    }
    if (rc == 0 && (rc = mp_joinable_queue_join(jq)) == 0)
        mp_print(method, "join() returned");
    if (rc == 0 && (rc = mp_queue_get_ex(q, &v, &(mp_queue_opts){.timeout = MP_TIMEOUT(10)})) == 0) {
        mp_print(method, "Queue:", v);
        mp_decref(v);
    }
    if (rc == 0 && (rc = mp_simple_queue_get(sq, &v)) == 0) {
        mp_print(method, "SimpleQueue:", v);
        mp_decref(v);
    }
    if (rc == 0 && (rc = mp_process_join(p, MP_WAIT_FOREVER)) == 0)
        mp_print(method, "exitcode:", mp_process_exitcode(p));
    mp_process_free(p);
    mp_simple_queue_free(sq);
    mp_queue_free(q);
    mp_queue_free(jq);
    return rc;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    const char *methods[] = {"fork", "spawn", "forkserver"};
    int rc = 0;
    for (size_t i = 0; i < sizeof methods / sizeof methods[0] && rc == 0; i++)
        rc = one_method(methods[i]);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

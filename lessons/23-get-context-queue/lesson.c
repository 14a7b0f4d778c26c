/* lesson.c - Lesson 23: get_context('spawn'), then a queue.

   The same program as lesson 22, the other way the documentation offers:
   a spawn context has the module's API bound to one start method and
   leaves the default alone.  The queue and the process both come from it.

   Usage:  make lesson-23         build and run this program
           make lesson-23 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (the contexts and start methods section of the
   multiprocessing docs).
*/
#include "mp.h"

static int foo(const mp_value *args)
{
    mp_queue *q = mp_as_queue(mp_item(args, 0));
    return mp_queue_put(q, "hello");
}
MP_TARGET(foo);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_context *ctx = mp_get_context("spawn");
    if (ctx == NULL)
        return mp_excepthook(mp_errcode());
    mp_queue *q = mp_context_queue(ctx, 0);
    if (q == NULL)
        return mp_excepthook(mp_errcode());
    mp_value *args = mp_tuple_of(q);
    if (args == NULL)
        return mp_excepthook(mp_errcode());
    mp_process *p = mp_context_process(ctx, &(mp_process_opts){.target = foo, .args = args});
    if (p == NULL)
        return mp_excepthook(mp_errcode());
    mp_value *item;
    int rc;
    if ((rc = mp_process_start(p)) < 0 ||
        (rc = mp_queue_get(q, &item)) < 0)
        return mp_excepthook(rc);
    mp_print(item);
    mp_decref(item);
    if ((rc = mp_process_join(p, MP_WAIT_FOREVER)) < 0)
        return mp_excepthook(rc);
    mp_process_free(p);
    mp_queue_free(q);
    return 0;
}

/* lesson.c - Lesson 22: set_start_method('spawn'), then a queue.

   The documentation's example of choosing the start method: set it once,
   first thing under the main guard.  The queue and process made afterwards
   use spawn: the child is a new run of this program, where mp_main() finds
   foo by its registered name.

   Usage:  make lesson-22         build and run this program
           make lesson-22 PY=1    run its Python twin, lesson.py

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

    int rc;
    if ((rc = mp_set_start_method("spawn", false)) < 0)
        return mp_excepthook(rc);
    mp_queue *q = mp_queue_new(0);
    if (q == NULL)
        return mp_excepthook(mp_errcode());
    mp_value *args = mp_tuple_of(q);
    if (args == NULL)
        return mp_excepthook(mp_errcode());
    mp_process *p = mp_process_new(&(mp_process_opts){.target = foo, .args = args});
    if (p == NULL)
        return mp_excepthook(mp_errcode());
    mp_value *item;
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

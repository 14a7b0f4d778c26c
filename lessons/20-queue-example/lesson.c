/* lesson.c - Lesson 20: the documentation's Queue example.

   A child puts a list on a Queue; the parent gets it and prints it.  The
   list is pickled on the way, so the parent gets an equal copy.  The parent
   takes the item before it joins the child.

   Usage:  make lesson-20         build and run this program
           make lesson-20 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (the Queue example of the multiprocessing docs).
*/
#include "mp.h"

static int f(const mp_value *args)
{
    mp_queue *q = mp_as_queue(mp_item(args, 0));
    mp_value *item = mp_list_of(42, mp_none(), "hello");
    if (item == NULL)
        return mp_errcode();
    return mp_queue_put(q, item);
}
MP_TARGET(f);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_queue *q = mp_queue_new(0);
    if (q == NULL)
        return mp_excepthook(mp_errcode());
    /* The tuple takes a reference of its own to q. */
    mp_value *args = mp_tuple_of(q);
    if (args == NULL)
        return mp_excepthook(mp_errcode());
    mp_process *p = mp_process_new(&(mp_process_opts){.target = f, .args = args});
    if (p == NULL)
        return mp_excepthook(mp_errcode());
    mp_value *item;
    int rc;
    if ((rc = mp_process_start(p)) < 0 ||
        (rc = mp_queue_get(q, &item)) < 0)
        return mp_excepthook(rc);
    mp_print(item);             /* prints "[42, None, 'hello']" */
    mp_decref(item);
    if ((rc = mp_process_join(p, MP_WAIT_FOREVER)) < 0)
        return mp_excepthook(rc);
    mp_process_free(p);
    mp_queue_free(q);
    return 0;
}

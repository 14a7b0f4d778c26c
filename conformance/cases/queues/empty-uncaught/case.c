/* case.c - case queues/empty-uncaught: an uncaught queue.Empty, its traceback on the same file as stdout.

   Mirrors case.py, which says what is pinned.  mp_excepthook is the
   uncaught error: it prints the traceback and gives the exit status.

   Run:  bats conformance/cases/queues.bats --filter empty-uncaught
*/
#include <unistd.h>

#include "mp.h"

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    dup2(STDOUT_FILENO, STDERR_FILENO);
    mp_queue *q = mp_queue_new(0);
    if (q == NULL)
        return mp_excepthook(mp_errcode());
    mp_print("empty:", mp_queue_empty(q));
    mp_print("get_nowait() on the empty queue, uncaught:");
    mp_value *item = NULL;
    int rc = mp_queue_get_nowait(q, &item);
    mp_decref(item);
    mp_queue_free(q);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

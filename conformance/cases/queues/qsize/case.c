/* case.c - case queues/qsize: qsize(), empty() and full() of a Queue(2) as it fills and drains.

   Mirrors case.py, which says what is pinned and why each line printed is
   certain (empty() is polled after a put, as the feeder writes later).

   Run:  bats conformance/cases/queues.bats --filter qsize
*/
#include <unistd.h>

#include "mp.h"

static void show(mp_queue *q)
{
    mp_print("qsize:", mp_queue_qsize(q), "full:", mp_queue_full(q));
}

/* The feeder thread writes after put returns: wait for it, with a bound. */
static void wait_not_empty(mp_queue *q)
{
    for (int tries = 0; tries < 1000 && mp_queue_empty(q); tries++)
        usleep(10000);
    mp_print("empty once the feeder has written:", mp_queue_empty(q));
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
    mp_print("empty:", mp_queue_empty(q));
    show(q);
    if ((rc = mp_queue_put(q, 1)) < 0)
        return rc;
    show(q);
    wait_not_empty(q);
    if ((rc = mp_queue_put(q, 2)) < 0)
        return rc;
    show(q);
    if ((rc = get_and_show(q)) < 0)
        return rc;
    show(q);
    wait_not_empty(q);
    if ((rc = get_and_show(q)) < 0)
        return rc;
    show(q);
    mp_print("empty:", mp_queue_empty(q));

    mp_queue *zero = mp_queue_new(0), *negative = mp_queue_new(-1);
    if (zero != NULL && negative != NULL)
        mp_print("Queue(0) full:", mp_queue_full(zero), "Queue(-1) full:", mp_queue_full(negative));
    else
        rc = mp_errcode();
    mp_queue_free(zero);
    mp_queue_free(negative);
    return rc;
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

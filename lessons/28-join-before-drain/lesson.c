/* lesson.c - Lesson 28: joining a process before draining its queue.

   Queue.put() hands the object to a feeder thread, which writes it to the
   pipe, and a process waits for its feeder before it exits.  A megabyte
   does not fit in a pipe, so a child that put one cannot exit until the
   parent reads it: joining before getting would wait forever.  Here the
   join has a timeout, so the program can show the child still alive, then
   drain the queue and join for good.  A second child shows the fix: get
   first, then join.

   Usage:  make lesson-28         build and run this program
           make lesson-28 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (the "Joining processes that use queues" guideline of
   the multiprocessing docs).
*/
#include <stdlib.h>
#include <string.h>

#include "mp.h"

#define SIZE 1000000

/* q.put('X' * 1000000) */
static int f(const mp_value *args)
{
    mp_queue *q = mp_as_queue(mp_item(args, 0));
    char *xs = malloc(SIZE);
    if (xs == NULL)
        return MP_ENOMEM;
    memset(xs, 'X', SIZE);
    mp_value *v = mp_str_n(xs, SIZE);
    free(xs);
    if (v == NULL)
        return mp_errcode();
    return mp_queue_put(q, v);
}
MP_TARGET(f);

/* p.exitcode as a value: None while the child runs, else the int. */
static mp_value *exitcode(mp_process *p)
{
    int code = mp_process_exitcode(p);
    return code == MP_EXITCODE_NONE ? mp_none() : mp_int(code);
}

/* A new process running f(queue), started; NULL with the error in *rc. */
static mp_process *start_child(mp_queue *queue, int *rc)
{
    mp_process *p = mp_process_new(&(mp_process_opts){.target = f, .args = mp_tuple_of(queue)});
    if (p == NULL) {
        *rc = mp_errcode();
        return NULL;
    }
    if ((*rc = mp_process_start(p)) < 0) {
        mp_process_free(p);
        return NULL;
    }
    return p;
}

/* obj = queue.get(); print(what, len(obj)) */
static int get_and_show(mp_queue *queue, const char *what)
{
    mp_value *obj;
    int rc = mp_queue_get(queue, &obj);
    if (rc < 0)
        return rc;
    mp_print(what, mp_len(obj));
    mp_decref(obj);
    return 0;
}

/* p.join(); print(what, 'alive:', p.is_alive(), 'exitcode:', p.exitcode) */
static int join_and_show(mp_process *p, const char *what)
{
    int rc = mp_process_join(p, MP_WAIT_FOREVER);
    if (rc < 0)
        return rc;
    mp_value *code = exitcode(p);
    mp_print(what, "alive:", mp_process_is_alive(p), "exitcode:", code);
    mp_decref(code);
    return 0;
}

static int run(mp_queue *queue)
{
    int rc;

    /* The wrong order: join first.  The child's feeder thread cannot push a
     * megabyte into the pipe until someone reads it, and the child waits
     * for its feeder before it exits, so a join without a timeout here
     * would never return.  A timeout lets us look, then drain, then join. */
    mp_process *p = start_child(queue, &rc);
    if (p == NULL)
        return rc;
    if ((rc = mp_process_join(p, MP_TIMEOUT(0.5))) >= 0) {
        mp_value *code = exitcode(p);
        mp_print("joined before draining: child still alive after the timeout:",
                 mp_process_is_alive(p), "exitcode:", code);
        mp_decref(code);
        rc = get_and_show(queue, "then got an item of length");
    }
    if (rc >= 0)
        rc = join_and_show(p, "and joined:");
    mp_process_free(p);
    if (rc < 0)
        return rc;

    /* The fix: get first, then join. */
    if ((p = start_child(queue, &rc)) == NULL)
        return rc;
    rc = get_and_show(queue, "drained first: got an item of length");
    if (rc >= 0)
        rc = join_and_show(p, "then joined:");
    mp_process_free(p);
    return rc;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_queue *queue = mp_queue_new(0);
    if (queue == NULL)
        return mp_excepthook(mp_errcode());
    int rc = run(queue);
    mp_queue_free(queue);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

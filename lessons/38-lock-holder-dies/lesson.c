/* lesson.c - Lesson 38: a Lock and a Queue whose holder was killed, a Condition whose waiter was; Forklore reports the death and carries on, where CPython waits for ever.

   This lesson differs from its twin on purpose.  A child takes a Lock and
   is killed (SIGKILL) while it holds it: in CPython nothing tells the next
   acquirer, which waits for ever; here the parent's acquire gets the lock
   together with MP_EOWNERDEAD, and carries on.  Then a child is killed
   inside a message it is putting on a Queue: in CPython the reader waits
   for ever for the rest of the message, and nobody can write to the
   queue again; here the get that meets the half message reports it,
   once, as MP_EOWNERDEAD, and the queue goes on, having lost that one
   message.  Last, a child is killed while it waits on a Condition: in
   CPython the next notify() waits for ever for it to wake, holding the
   condition's lock; here notify() returns at once, the dead waiter having
   cost one wake-up.  The lines that start "after the death:" are where
   the two programs differ (README.md).

   Usage:  make lesson-38         build and run this program
           make lesson-38 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py, except in the lines "after the death:".
*/
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "mp.h"

#define BIG ((size_t)4 << 20)   /* larger than the queue's channel holds */

/* Take the lock, say so, and wait there until killed. */
static int hold(const mp_value *args)
{
    int rc = mp_lock_acquire(mp_as_lock(mp_item(args, 0)));
    if (rc < 0)
        return rc;
    rc = mp_event_set(mp_as_event(mp_item(args, 1)));
    if (rc < 0)
        return rc;
    for (;;)
        pause();
}
MP_TARGET(hold);

/* Put a small message, then one too big for the channel: the feeder
   thread is inside that one, holding the queue's write lock, until the
   reader has taken it all. */
static int writer(const mp_value *args)
{
    mp_queue *q = mp_as_queue(mp_item(args, 0));
    int rc = mp_queue_put(q, "first");
    uint8_t *b = rc < 0 ? NULL : malloc(BIG);
    if (rc < 0 || b == NULL)
        return rc < 0 ? rc : MP_ENOMEM;
    for (size_t i = 0; i < BIG; i++)
        b[i] = 'x';
    mp_value *big = mp_bytes(b, BIG);   /* b'x' * BIG */
    free(b);
    return mp_queue_put(q, big);        /* big == NULL: put reports it */
}
MP_TARGET(writer);

/* Wait on the condition until notified; say so first, the lock held. */
static int waits(const mp_value *args)
{
    mp_condition *cond = mp_as_condition(mp_item(args, 0));
    int rc = mp_condition_acquire(cond);
    if (rc < 0)
        return rc;
    if ((rc = mp_event_set(mp_as_event(mp_item(args, 1)))) >= 0)
        rc = mp_condition_wait(cond, MP_WAIT_FOREVER);
    int released = mp_condition_release(cond);
    return rc < 0 ? rc : released;
}
MP_TARGET(waits);

/* Start a process running target(args); NULL with the error recorded. */
static mp_process *start(mp_target_fn target, mp_value *args)
{
    mp_process *p = mp_process_new(&(mp_process_opts){.target = target, .args = args});
    if (p != NULL && mp_process_start(p) < 0) {
        mp_process_free(p);
        return NULL;
    }
    return p;
}

/* print(label, 'Name: message') for an error code. */
static void print_error(const char *label, int rc)
{
    static const mp_print_opts joined = {.sep = ""};
    mp_print_ex(joined, label, " ", mp_errname(rc), ": ", mp_errmsg());
}

/* p.kill(); p.join() */
static int kill_and_join(mp_process *p)
{
    int rc = mp_process_kill(p);
    return rc < 0 ? rc : mp_process_join(p, MP_WAIT_FOREVER);
}

static int lock_part(void)
{
    mp_lock *lock = mp_lock_new();
    mp_event *held = mp_event_new();
    mp_process *p = NULL;
    int rc = lock != NULL && held != NULL ? 0 : mp_errcode();
    if (rc >= 0 && (p = start(hold, mp_tuple_of(lock, held))) == NULL)
        rc = mp_errcode();
    if (rc >= 0 && (rc = mp_event_wait(held, MP_WAIT_FOREVER)) >= 0)
        mp_print("Lock: held by the child:", lock);
    if (rc >= 0 && (rc = kill_and_join(p)) >= 0)
        mp_print("Lock: the child was killed, exitcode", mp_process_exitcode(p));

    /* The lock knows its holder: the acquire sees that process dead and
       hands the lock over, with the news.  The parent holds it now. */
    if (rc >= 0) {
        rc = mp_lock_acquire_ex(lock, .timeout = MP_TIMEOUT(2));
        if (rc == MP_EOWNERDEAD) {
            print_error("Lock after the death: acquire(timeout=2) ->", rc);
            rc = 0;
        } else if (rc >= 0) {
            mp_print("Lock after the death: acquire(timeout=2) ->", (bool)(rc == 1),
                     "(the death was not reported)");
            rc = rc == 1 ? 0 : mp_raise("RuntimeError", "the dead holder's lock was not handed over");
        }
    }

    /* What the dead holder protected would be put right here; then the
       lock is released and works as before. */
    if (rc >= 0 && (rc = mp_lock_release(lock)) >= 0 &&
        (rc = mp_lock_acquire_ex(lock, .timeout = MP_TIMEOUT(2))) >= 0) {
        mp_print("Lock: release(), then acquire(timeout=2) ->", (bool)(rc == 1));
        rc = rc == 1 ? mp_lock_release(lock) : 0;
    }
    mp_process_free(p);
    mp_event_free(held);
    mp_lock_free(lock);
    return rc;
}

/* get(timeout=2), printed after "label": the value's repr, or the error's
   name and message. */
static int show_get(mp_queue *q, const char *label)
{
    mp_value *v;
    int rc = mp_queue_get_ex(q, &v, &(mp_queue_opts){.timeout = MP_TIMEOUT(2)});
    if (rc < 0) {
        print_error(label, rc);
        return rc == MP_EOWNERDEAD ? 0 : rc;
    }
    char *r = mp_repr(v);
    mp_print(label, r != NULL ? r : "?");
    free(r);
    mp_decref(v);
    return 0;
}

static int queue_part(void)
{
    mp_queue *q = mp_queue_new(0);
    mp_process *p = NULL;
    mp_value *first = NULL;
    int rc = q != NULL ? 0 : mp_errcode();
    if (rc >= 0 && (p = start(writer, mp_tuple_of(q))) == NULL)
        rc = mp_errcode();
    if (rc >= 0 && (rc = mp_queue_get(q, &first)) >= 0) {
        char *r = mp_repr(first);
        mp_print("Queue: got", r != NULL ? r : "?");
        free(r);
        mp_decref(first);
    }
    /* Once the channel holds anything again, the big message has begun,
       and cannot be whole in it: the writer is inside it. */
    while (rc >= 0 && mp_queue_empty(q))
        nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
    if (rc >= 0 && (rc = kill_and_join(p)) >= 0)
        mp_print("Queue: the writer was killed inside its big message, exitcode",
                 mp_process_exitcode(p));

    /* The get that meets the half message drops it and says so, once... */
    if (rc >= 0)
        rc = show_get(q, "Queue after the death: get(timeout=2) ->");
    /* ...and the queue goes on: the dead writer's locks are free again. */
    if (rc >= 0 && (rc = mp_queue_put(q, "later")) >= 0)
        rc = show_get(q, "Queue after the death: put('later'), get(timeout=2) ->");
    mp_process_free(p);
    mp_queue_free(q);
    return rc;
}

static int condition_part(void)
{
    mp_condition *cond = mp_condition_new(NULL);
    mp_event *waiting = mp_event_new();
    mp_process *p = NULL;
    int rc = cond != NULL && waiting != NULL ? 0 : mp_errcode();
    if (rc >= 0 && (p = start(waits, mp_tuple_of(cond, waiting))) == NULL)
        rc = mp_errcode();
    if (rc >= 0)
        rc = mp_event_wait(waiting, MP_WAIT_FOREVER);
    /* The child set the event holding the lock: taking it waits until the
       child's wait() has let it go, counted as a sleeper. */
    if (rc >= 0 && (rc = mp_condition_acquire(cond)) >= 0) {
        mp_print("Condition: the child waits on it:", cond);
        rc = mp_condition_release(cond);
    }
    if (rc >= 0 && (rc = kill_and_join(p)) >= 0)
        mp_print("Condition: the waiter was killed asleep, exitcode", mp_process_exitcode(p));

    /* notify() marks the oldest sleeper's slot and returns, waiting for
       nobody: the dead sleeper's wake-up is lost, and nothing else. */
    if (rc >= 0 && (rc = mp_condition_acquire(cond)) >= 0) {
        rc = mp_condition_notify(cond, 1);
        int released = mp_condition_release(cond);
        if (rc >= 0 && (rc = released) >= 0)
            mp_print("Condition after the death: notify() returned at once (the dead waiter cost one wake-up)");
    }
    mp_process_free(p);
    mp_event_free(waiting);
    mp_condition_free(cond);
    return rc;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    int rc = lock_part();
    if (rc >= 0)
        rc = queue_part();
    if (rc >= 0)
        rc = condition_part();
    return rc < 0 ? mp_excepthook(rc) : 0;
}

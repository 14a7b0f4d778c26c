/* lesson.c - Lesson 37: RLock, BoundedSemaphore and Barrier, the primitives the seeds show no example of.

   One program through the API of the three, printing what CPython prints:
   an RLock taken twice by its holder (its repr counts), refused to
   another process, and refused a release it does not owe; a Semaphore
   released above its start, and a BoundedSemaphore that refuses to be; a
   Barrier of three parties whose last arrival runs an action, and whose
   wait gives each party its own index; and a Barrier aborted, so that
   every wait on it fails with BrokenBarrierError.

   Usage:  make lesson-37         build and run this program
           make lesson-37 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (no seed has an example of these three: the program
   shows the documented API, with CPython 3.11's words).
*/
#include <stdio.h>

#include "mp.h"

/* Another process cannot take an RLock this one holds. */
static int try_rlock(const mp_value *args)
{
    int got = mp_lock_acquire_ex(mp_as_lock(mp_item(args, 0)), .block = MP_NO);
    if (got < 0)
        return got;
    return mp_queue_put(mp_as_queue(mp_item(args, 1)), (bool)(got == 1));
}
MP_TARGET(try_rlock);

/* One party of the barrier: report the index wait() gave it. */
static int arrive(const mp_value *args)
{
    int index = mp_barrier_wait(mp_as_barrier(mp_item(args, 0)), MP_WAIT_FOREVER);
    if (index < 0)
        return index;
    return mp_queue_put(mp_as_queue(mp_item(args, 1)), index);
}
MP_TARGET(arrive);

/* The barrier's action: run once, by the last party to arrive. */
static int announce(const mp_value *args)
{
    (void)args;                 /* called with () */
    mp_print_ex((mp_print_opts){.flush = true}, "action: all 3 parties have arrived");
    return 0;
}
MP_TARGET(announce);

/* Wait at a barrier that is, or will be, aborted: the error ends it. */
static int wait_at_aborted(const mp_value *args)
{
    int rc = mp_barrier_wait(mp_as_barrier(mp_item(args, 0)), MP_WAIT_FOREVER);
    return rc < 0 ? rc : 0;
}
MP_TARGET(wait_at_aborted);

/* Print "what -> Name: message" for a call that must fail with code want:
   the error as `except Name as e: print(..., e)` shows it.  Returns 0, or
   the call's own result when it did not fail so (a bug to report).
   printf and mp_print both write to the one stdout of stdio, in order. */
static int show_error(const char *what, int rc, int want)
{
    if (rc != want)
        return rc < 0 ? rc : mp_raise("RuntimeError", "%s did not fail", what);
    printf("%s -> %s: %s\n", what, mp_errname(rc), mp_errmsg());
    return 0;
}

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

/* The next value of the queue, as an int (or a bool's 0 and 1). */
static int get_int(mp_queue *q, int *out)
{
    mp_value *v;
    int rc = mp_queue_get(q, &v);
    if (rc < 0)
        return rc;
    *out = (int)mp_as_int(v);
    mp_decref(v);
    return 0;
}

/* RLock: the process (and thread) holding it may take it again; it is
   free once released as many times as it was acquired. */
static int rlock_part(mp_queue *results)
{
    mp_lock *rlock = mp_rlock_new();
    if (rlock == NULL)
        return mp_errcode();
    int rc, got = 0;
    mp_print(rlock);
    if ((rc = mp_lock_acquire(rlock)) < 0 || (rc = mp_lock_acquire(rlock)) < 0)
        goto out;
    mp_print(rlock);
    mp_process *p = start(try_rlock, mp_tuple_of(rlock, results));
    if (p == NULL || (rc = get_int(results, &got)) < 0) {
        rc = p == NULL ? mp_errcode() : rc;
        mp_process_free(p);
        goto out;
    }
    mp_print("another process: acquire(block=False) ->", (bool)got);
    rc = mp_process_join(p, MP_WAIT_FOREVER);
    mp_process_free(p);
    if (rc < 0 || (rc = mp_lock_release(rlock)) < 0)
        goto out;
    mp_print(rlock);
    if ((rc = mp_lock_release(rlock)) < 0)
        goto out;
    mp_print(rlock);
    rc = show_error("release() once more", mp_lock_release(rlock), MP_EASSERT);
out:
    mp_lock_free(rlock);
    return rc;
}

/* Semaphore and BoundedSemaphore: release() adds one to the count; a
   bounded one refuses to go above its initial value. */
static int semaphore_part(void)
{
    mp_semaphore *s = mp_semaphore_new(2), *bs = mp_bounded_semaphore_new(2);
    int rc = s != NULL && bs != NULL ? 0 : mp_errcode();
    if (rc >= 0 && (rc = mp_semaphore_release(s)) >= 0)
        mp_print(s);
    if (rc >= 0 && (rc = mp_semaphore_acquire(bs)) >= 0)
        mp_print(bs);
    if (rc >= 0 && (rc = mp_semaphore_release(bs)) >= 0)
        mp_print(bs);
    if (rc >= 0)
        rc = show_error("release() once more", mp_semaphore_release(bs), MP_EVALUE);
    mp_semaphore_free(s);
    mp_semaphore_free(bs);
    return rc;
}

/* At file scope for valgrind: a forked child never returns into its
   parent's functions, and its copy of a local array would be counted as
   leaked. */
static mp_process *parties[2];

/* Barrier: three parties (two children and this process); the last to
   arrive runs the action before any of them goes on, and wait() gives
   each party a different index. */
static int barrier_part(mp_queue *results)
{
    mp_barrier *barrier = mp_barrier_new(3, &(mp_barrier_opts){.action = announce});
    if (barrier == NULL)
        return mp_errcode();
    mp_print("parties:", mp_barrier_parties(barrier), "n_waiting:", mp_barrier_n_waiting(barrier),
             "broken:", mp_barrier_broken(barrier));
    int rc = 0, indexes[3] = {0};
    for (int i = 0; i < 2 && rc >= 0; i++) {
        parties[i] = start(arrive, mp_tuple_of(barrier, results));
        rc = parties[i] != NULL ? 0 : mp_errcode();
    }
    /* The action may print from a child: flush what this process printed
       first, so that its line comes after these. */
    fflush(stdout);
    if (rc >= 0)
        rc = indexes[0] = mp_barrier_wait(barrier, MP_WAIT_FOREVER);
    for (int i = 1; i < 3 && rc >= 0; i++)
        rc = get_int(results, &indexes[i]);
    for (int i = 0; i < 2; i++) {
        if (parties[i] != NULL && rc >= 0)
            rc = mp_process_join(parties[i], MP_WAIT_FOREVER);
        mp_process_free(parties[i]);
        parties[i] = NULL;
    }
    if (rc >= 0) {
        /* sorted(indexes): three ints, sorted by insertion */
        for (int i = 1; i < 3; i++)
            for (int j = i; j > 0 && indexes[j - 1] > indexes[j]; j--) {
                int t = indexes[j];
                indexes[j] = indexes[j - 1];
                indexes[j - 1] = t;
            }
        mp_value *sorted = mp_list_of(indexes[0], indexes[1], indexes[2]);
        if (sorted == NULL)
            rc = mp_errcode();
        else
            mp_print("indexes:", sorted);   /* mp_print only looks */
        mp_decref(sorted);
    }
    mp_barrier_free(barrier);
    return rc;
}

/* abort(): the barrier is broken; every party waiting, or to come, gets
   BrokenBarrierError. */
static int abort_part(void)
{
    mp_barrier *aborted = mp_barrier_new(2, NULL);
    if (aborted == NULL)
        return mp_errcode();
    int rc = 0;
    mp_process *p = start(wait_at_aborted, mp_tuple_of(aborted));
    if (p == NULL)
        rc = mp_errcode();
    if (rc >= 0)
        rc = mp_barrier_abort(aborted);
    if (rc >= 0)
        rc = mp_process_join(p, MP_WAIT_FOREVER);
    if (rc >= 0) {
        mp_print("the child waiting at it: exitcode", mp_process_exitcode(p));
        rc = mp_barrier_wait(aborted, MP_WAIT_FOREVER);
        if (rc == MP_EBROKENBARRIER) {
            /* except BrokenBarrierError: (the name without its module) */
            mp_print("wait() after abort() -> BrokenBarrierError");
            rc = 0;
        } else if (rc >= 0) {
            rc = mp_raise("RuntimeError", "wait() on an aborted barrier returned %d", rc);
        }
    }
    if (rc >= 0)
        mp_print("broken:", mp_barrier_broken(aborted));
    mp_process_free(p);
    mp_barrier_free(aborted);
    return rc;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_queue *results = mp_queue_new(0);
    int rc = results != NULL ? 0 : mp_errcode();
    if (rc >= 0)
        rc = rlock_part(results);
    if (rc >= 0)
        rc = semaphore_part();
    if (rc >= 0)
        rc = barrier_part(results);
    if (rc >= 0)
        rc = abort_part();
    mp_queue_free(results);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

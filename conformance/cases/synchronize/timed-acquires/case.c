/* case.c - case synchronize/timed-acquires: timed acquires and waits that expire return False, and succeed once free.

   Mirrors case.py, which says what is pinned.  The acquire calls return
   1 or 0 (True or False) or a negative error, which ends the program as
   an uncaught exception would.  mp_print shows a primitive as its repr.

   Run:  bats conformance/cases/synchronize.bats --filter timed-acquires
*/
#include <time.h>

#include "mp.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int holds(const mp_value *args)
{
    mp_lock *lock = mp_as_lock(mp_item(args, 0)), *rlock = mp_as_lock(mp_item(args, 1));
    mp_connection *conn = mp_as_connection(mp_item(args, 2));
    mp_value *msg = NULL;
    int rc = mp_lock_acquire(lock);
    if (rc < 0)
        return rc;
    if ((rc = mp_lock_acquire(rlock)) >= 0) {
        if ((rc = mp_connection_send(conn, "holding both")) == 0)
            rc = mp_connection_recv(conn, &msg);
        mp_decref(msg);
        int r2 = mp_lock_release(rlock);
        rc = rc < 0 ? rc : r2;
    }
    int r1 = mp_lock_release(lock);
    rc = rc < 0 ? rc : r1;
    return rc < 0 ? rc : 0;
}
MP_TARGET(holds);

/* print(label, '->', got, 'waited at least 0.1 s:', ...) for a result
 * (1 or 0) the caller just got after starting the clock at t0; an error
 * is returned as it is. */
static int timed(const char *label, double t0, int got)
{
    if (got < 0)
        return got;
    mp_print(label, "->", (bool)got, "waited at least 0.1 s:", (bool)(now() - t0 >= 0.1));
    return 0;
}

/* print(label, '->', got) for a result that is not timed. */
static int shown(const char *label, int got)
{
    if (got < 0)
        return got;
    mp_print(label, "->", (bool)got);
    return 0;
}

static int locks(void)
{
    mp_lock *lock = mp_lock_new(), *rlock = mp_rlock_new();
    mp_connection *here = NULL, *there = NULL;
    mp_process *p = NULL;
    mp_value *msg = NULL;
    int rc = lock && rlock ? mp_pipe(&here, &there, NULL) : mp_errcode();
    if (rc == 0) {
        mp_print("free:", lock, rlock);
        p = mp_process_new(&(mp_process_opts){.target = holds, .args = mp_tuple_of(lock, rlock, there)});
        rc = p ? mp_process_start(p) : mp_errcode();
    }
    if (rc == 0 && (rc = mp_connection_recv(here, &msg)) == 0)
        mp_print("child says:", msg);
    double t0 = now();
    if (rc == 0)
        rc = timed("Lock held by the child, acquire(timeout=0.2)", t0,
                   mp_lock_acquire_ex(lock, .timeout = MP_TIMEOUT(0.2)));
    if (rc == 0)
        rc = shown("Lock held by the child, acquire(block=False)", mp_lock_acquire_ex(lock, .block = MP_NO));
    t0 = now();
    if (rc == 0)
        rc = timed("RLock held by the child, acquire(timeout=0.2)", t0,
                   mp_lock_acquire_ex(rlock, .timeout = MP_TIMEOUT(0.2)));
    if (rc == 0)
        rc = shown("RLock held by the child, acquire(False)", mp_lock_acquire_ex(rlock, .block = MP_NO));
    if (rc == 0 && (rc = mp_connection_send(here, "release")) == 0 &&
        (rc = mp_process_join(p, MP_WAIT_FOREVER)) == 0)
        mp_print("child exitcode:", mp_process_exitcode(p));
    if (rc == 0)
        rc = shown("Lock released, acquire(timeout=0.2)", mp_lock_acquire_ex(lock, .timeout = MP_TIMEOUT(0.2)));
    if (rc == 0)
        rc = shown("RLock released, acquire(timeout=0.2)", mp_lock_acquire_ex(rlock, .timeout = MP_TIMEOUT(0.2)));
    if (rc == 0 && (rc = mp_lock_release(lock)) == 0)
        rc = mp_lock_release(rlock);
    mp_decref(msg);
    mp_process_free(p);
    mp_connection_free(here);
    mp_connection_free(there);
    mp_lock_free(lock);
    mp_lock_free(rlock);
    return rc;
}

static int semaphores(void)
{
    mp_semaphore *sem = mp_semaphore_new(0), *bounded = mp_bounded_semaphore_new(1);
    int rc = sem && bounded ? 0 : mp_errcode(), got;
    if (rc == 0)
        mp_print(sem);
    double t0 = now();
    if (rc == 0)
        rc = timed("Semaphore(0), acquire(timeout=0.2)", t0, mp_semaphore_acquire_ex(sem, .timeout = MP_TIMEOUT(0.2)));
    if (rc == 0)
        rc = shown("Semaphore(0), acquire(block=False)", mp_semaphore_acquire_ex(sem, .block = MP_NO));
    if (rc == 0 && (rc = mp_semaphore_release(sem)) == 0)
        mp_print("after release:", sem);
    if (rc == 0 && (rc = got = mp_semaphore_acquire_ex(sem, .timeout = MP_TIMEOUT(0.2))) >= 0)
        mp_print("acquire(timeout=0.2) ->", (bool)got, sem), rc = 0;
    if (rc == 0)
        mp_print(bounded);
    if (rc == 0 && (rc = got = mp_semaphore_acquire(bounded)) >= 0)
        mp_print("BoundedSemaphore(1), acquire() ->", (bool)got, bounded), rc = 0;
    t0 = now();
    if (rc == 0)
        rc = timed("then acquire(timeout=0.2)", t0, mp_semaphore_acquire_ex(bounded, .timeout = MP_TIMEOUT(0.2)));
    if (rc == 0 && (rc = mp_semaphore_release(bounded)) == 0)
        mp_print("after release:", bounded);
    mp_semaphore_free(sem);
    mp_semaphore_free(bounded);
    return rc;
}

static int event_and_condition(void)
{
    mp_event *event = mp_event_new();
    mp_condition *cond = mp_condition_new(NULL);
    int rc = event && cond ? 0 : mp_errcode();
    double t0 = now();
    if (rc == 0)
        rc = timed("Event never set, wait(0.2)", t0, mp_event_wait(event, MP_TIMEOUT(0.2)));
    if (rc == 0)
        mp_print("is_set() ->", mp_event_is_set(event));
    if (rc == 0 && (rc = mp_condition_acquire(cond)) >= 0) {
        t0 = now();
        rc = timed("Condition never notified, wait(0.2)", t0, mp_condition_wait(cond, MP_TIMEOUT(0.2)));
        int r2 = mp_condition_release(cond);
        rc = rc < 0 ? rc : r2;
    }
    mp_event_free(event);
    mp_condition_free(cond);
    return rc;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    int rc = locks();
    if (rc == 0)
        rc = semaphores();
    if (rc == 0)
        rc = event_and_condition();
    return rc < 0 ? mp_excepthook(rc) : 0;
}

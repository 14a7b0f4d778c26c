/* lesson.c - Lesson 33: a Condition lets two stage-2 processes go on once stage 1 is done.

   Two "stage_2" processes take the condition's lock and wait on it; then
   "s1" does the first stage of the work under the lock and wakes them all
   with notify_all().  Each stage_2 goes on (and prints "running") only
   after that, one at a time, as each must take the lock back.

   Usage:  make lesson-33         build and run this program
           make lesson-33 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (PyMOTW-3's Condition example, stage_1 and stage_2).
*/
#include <stdio.h>

#include "mp.h"

/* perform first stage of work, then notify stage_2 to continue */
static int stage_1(const mp_value *args)
{
    mp_condition *cond = mp_as_condition(mp_item(args, 0));
    const char *name = mp_process_name(mp_current_process());
    mp_print("Starting", name);
    int rc = mp_condition_acquire(cond);            /* with cond: */
    if (rc < 0)
        return rc;
    mp_print_ex((mp_print_opts){.sep = ""}, name, " done and ready for stage 2");
    rc = mp_condition_notify_all(cond);
    int released = mp_condition_release(cond);     /* end of with */
    return rc < 0 ? rc : released;
}
MP_TARGET(stage_1);

/* wait for the condition telling us stage_1 is done */
static int stage_2(const mp_value *args)
{
    mp_condition *cond = mp_as_condition(mp_item(args, 0));
    mp_semaphore *waiting = mp_as_semaphore(mp_item(args, 1));
    const char *name = mp_process_name(mp_current_process());
    mp_print("Starting", name);
    int rc = mp_condition_acquire(cond);            /* with cond: */
    if (rc < 0)
        return rc;
    rc = mp_semaphore_release(waiting);             /* not in PyMOTW: see main */
    if (rc >= 0)
        rc = mp_condition_wait(cond, MP_WAIT_FOREVER);
    if (rc >= 0)
        mp_print_ex((mp_print_opts){.sep = ""}, name, " running");
    int released = mp_condition_release(cond);     /* end of with */
    return rc < 0 ? rc : released;
}
MP_TARGET(stage_2);

/* At file scope for valgrind: a forked child never returns into main, and
   its copy of local pointers to processes made before it would be
   counted as leaked. */
static mp_process *s1, *s2_clients[2];

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_condition *condition = mp_condition_new(NULL);   /* over a new RLock */
    mp_semaphore *waiting = mp_semaphore_new(0);
    int rc = condition != NULL && waiting != NULL ? 0 : mp_errcode();
    if (rc >= 0) {
        s1 = mp_process_new(&(mp_process_opts){
            .name = "s1", .target = stage_1, .args = mp_tuple_of(condition)});
        rc = s1 != NULL ? 0 : mp_errcode();
    }
    for (int i = 1; i <= 2 && rc >= 0; i++) {
        char name[16];
        snprintf(name, sizeof name, "stage_2[%d]", i);
        s2_clients[i - 1] = mp_process_new(&(mp_process_opts){
            .name = name, .target = stage_2, .args = mp_tuple_of(condition, waiting)});
        rc = s2_clients[i - 1] != NULL ? 0 : mp_errcode();
    }

    for (int i = 0; i < 2 && rc >= 0; i++)
        rc = mp_process_start(s2_clients[i]);
    /* PyMOTW sleeps 1 s here, counting on both stage_2 processes to be in
       wait() by then; one that is not misses notify_all() and waits for
       ever.  Each releases `waiting` while it holds the condition's lock,
       which only its wait() lets go: so once both have, s1 cannot take
       the lock to notify before both are waiting. */
    for (int i = 0; i < 2 && rc >= 0; i++)
        rc = mp_semaphore_acquire(waiting);
    if (rc >= 0)
        rc = mp_process_start(s1);

    if (rc >= 0)
        rc = mp_process_join(s1, MP_WAIT_FOREVER);
    for (int i = 0; i < 2 && rc >= 0; i++)
        rc = mp_process_join(s2_clients[i], MP_WAIT_FOREVER);

    mp_process_free(s1);
    for (int i = 0; i < 2; i++)
        mp_process_free(s2_clients[i]);
    mp_semaphore_free(waiting);
    mp_condition_free(condition);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

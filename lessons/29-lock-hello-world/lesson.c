/* lesson.c - Lesson 29: the documentation's Lock example, 'hello world', i from ten processes.

   Ten children share one Lock, given to each in its args.  Each takes the
   lock, prints its line and lets the lock go, so that only one process
   writes to stdout at a time and no two lines are mixed.  Which child
   takes the lock first is up to the scheduler.

   Usage:  make lesson-29         build and run this program
           make lesson-29 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (the Lock example of the multiprocessing docs,
   "Synchronization between processes").
*/
#include "mp.h"

static int f(const mp_value *args)
{
    mp_lock *l = mp_as_lock(mp_item(args, 0));
    int rc = mp_lock_acquire(l);
    if (rc < 0)
        return rc;
    /* try: ... finally: l.release() -- C has no finally, so the release
       comes after the print on the one path there is. */
    mp_print("hello world", mp_as_int(mp_item(args, 1)));
    return mp_lock_release(l);
}
MP_TARGET(f);

static mp_process *processes[10];

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_lock *lock = mp_lock_new();
    if (lock == NULL)
        return mp_excepthook(mp_errcode());

    /* processes = [Process(target=f, args=(lock, num)) ...]: the tuple
       takes a reference of its own to the lock, the process one to the
       tuple.  Kept in a file-scope array, so that valgrind does not count
       a forked child's copy of them as leaked (a child never returns into
       main). */
    int rc = 0;
    for (int num = 0; num < 10 && rc >= 0; num++) {
        processes[num] = mp_process_new(&(mp_process_opts){
            .target = f, .args = mp_tuple_of(lock, num)});
        rc = processes[num] != NULL ? mp_process_start(processes[num]) : mp_errcode();
    }

    /* Wait for the children: the documentation's example leaves that to
       the exit (see the README for why the twin does not). */
    for (int num = 0; num < 10; num++) {
        if (processes[num] != NULL && rc >= 0)
            rc = mp_process_join(processes[num], MP_WAIT_FOREVER);
        mp_process_free(processes[num]);
    }
    mp_lock_free(lock);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

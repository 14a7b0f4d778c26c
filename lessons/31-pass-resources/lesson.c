/* lesson.c - Lesson 31: explicitly pass resources to child processes (the lock in args, not a global).

   The documentation's programming guideline: a child should get what it
   uses (here a Lock) as an argument of its Process, not find it in a
   global of the parent.  Ten children each get the lock in args, print
   one line while they hold it, and let it go; the parent joins them and
   then takes the lock without waiting, as nobody holds it any more.

   Usage:  make lesson-31         build and run this program
           make lesson-31 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (the multiprocessing docs, "Programming guidelines":
   "Explicitly pass resources to child processes").
*/
#include "mp.h"

/* def f(l): the lock comes in args, never from a global. */
static int f(const mp_value *args)
{
    mp_lock *l = mp_as_lock(mp_item(args, 0));
    int rc = mp_lock_acquire(l);            /* with l: */
    if (rc < 0)
        return rc;
    mp_print(mp_process_name(mp_current_process()), "uses the lock it was given");
    return mp_lock_release(l);              /* the end of the with block */
}
MP_TARGET(f);

/* At file scope for valgrind: a forked child never returns into main, and
   its copy of a local array would be counted as leaked. */
static mp_process *processes[10];

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_lock *lock = mp_lock_new();
    if (lock == NULL)
        return mp_excepthook(mp_errcode());

    /* Process(target=f, args=(lock,)): the tuple takes a reference of its
       own to the lock, which so lives as long as any child needs it. */
    int rc = 0;
    for (int i = 0; i < 10 && rc >= 0; i++) {
        processes[i] = mp_process_new(&(mp_process_opts){.target = f, .args = mp_tuple_of(lock)});
        rc = processes[i] != NULL ? mp_process_start(processes[i]) : mp_errcode();
    }
    for (int i = 0; i < 10; i++) {
        if (processes[i] != NULL && rc >= 0)
            rc = mp_process_join(processes[i], MP_WAIT_FOREVER);
        mp_process_free(processes[i]);
    }

    /* Every child let the lock go: the parent takes it at once. */
    if (rc >= 0)
        rc = mp_lock_acquire_ex(lock, .block = MP_NO);
    if (rc >= 0) {
        mp_print("the parent takes the lock without waiting:", (bool)(rc == 1));
        rc = rc == 1 ? mp_lock_release(lock) : 0;
    }
    mp_lock_free(lock);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

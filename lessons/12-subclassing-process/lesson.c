/* lesson.c - Lesson 12: a "subclass" of Process overrides run().

   Instead of a target, a process can carry its own run().  In C a
   subclass is a struct that embeds mp_process first, described by an
   mp_process_class giving the class name and the run() override.  The
   default names then use the class name: Worker-1 ... Worker-5.

   Usage:  make lesson-12         build and run this program
           make lesson-12 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (PyMOTW-3's subclassing example).
*/
#include "mp.h"

/* class Worker(multiprocessing.Process): it adds no fields of its own. */
typedef struct Worker {
    mp_process base;            /* first, so a Worker * is an mp_process * */
} Worker;

static int Worker_run(mp_process *self)
{
    mp_print("In", mp_process_name(self));      /* print('In {}'.format(self.name)) */
    return 0;
}

static const mp_process_class Worker_class = {
    .name = "Worker",
    .size = sizeof(Worker),
    .run = Worker_run,
};
/* Registered by name, so that a child started by spawn or forkserver (a new
 * run of this program) can rebuild a Worker, as Python unpickles one by
 * importing its class. */
MP_PROCESS_CLASS(Worker_class);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_process *jobs[5];
    int rc;
    for (int i = 0; i < 5; i++) {
        mp_process *p = mp_process_new(&(mp_process_opts){.cls = &Worker_class});
        if (p == NULL)
            return mp_excepthook(mp_errcode());
        jobs[i] = p;
        if ((rc = mp_process_start(p)) < 0)
            return mp_excepthook(rc);
    }
    for (int i = 0; i < 5; i++) {
        if ((rc = mp_process_join(jobs[i], MP_WAIT_FOREVER)) < 0)
            return mp_excepthook(rc);
        mp_process_free(jobs[i]);
    }
    return 0;
}

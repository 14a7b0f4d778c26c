/* lesson.c - Lesson 04: every process knows its own name.

   mp_current_process() is the object describing the calling process.
   Two children are named when they are made; the third gets the
   default name "Process-N", where N counts the process objects this
   program has made (here 3, as it was made third).

   Usage:  make lesson-4          build and run this program
           make lesson-4 PY=1     run its Python twin, lesson.py

   Mirrors lesson.py (PyMOTW-3's naming example).
*/
#include <unistd.h>

#include "mp.h"

static int worker(const mp_value *args)
{
    (void)args;
    const char *name = mp_process_name(mp_current_process());
    mp_print(name, "Starting");
    sleep(2);
    mp_print(name, "Exiting");
    return 0;
}
MP_TARGET(worker);

static int my_service(const mp_value *args)
{
    (void)args;
    const char *name = mp_process_name(mp_current_process());
    mp_print(name, "Starting");
    sleep(3);
    mp_print(name, "Exiting");
    return 0;
}
MP_TARGET(my_service);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_process *service = mp_process_new(&(mp_process_opts){
        .name = "my_service",
        .target = my_service,
    });
    mp_process *worker_1 = mp_process_new(&(mp_process_opts){
        .name = "worker 1",
        .target = worker,
    });
    mp_process *worker_2 = mp_process_new(&(mp_process_opts){
        .target = worker,       /* default name */
    });
    if (service == NULL || worker_1 == NULL || worker_2 == NULL)
        return mp_excepthook(mp_errcode());

    int rc;
    if ((rc = mp_process_start(worker_1)) < 0 ||
        (rc = mp_process_start(worker_2)) < 0 ||
        (rc = mp_process_start(service)) < 0)
        return mp_excepthook(rc);

    mp_process_free(service);
    mp_process_free(worker_1);
    mp_process_free(worker_2);
    return 0;
}

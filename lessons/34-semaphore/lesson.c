/* lesson.c - Lesson 34: a Semaphore(2) lets at most two of five processes work at once.

   Five workers share a Semaphore whose count starts at 2.  Each acquires
   it (taking one from the count, or waiting while it is 0), prints
   "acquire", works (sleeps) a while, prints "release" and releases it.
   So at most two workers are between their two lines at any moment.
   Each line is flushed as it is printed, so that the lines reach stdout
   in the order they happen.

   Usage:  make lesson-34         build and run this program
           make lesson-34 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (PyMOTW-3's Semaphore example).
*/
#include <time.h>

#include "mp.h"

static void sleep_seconds(double t)
{
    struct timespec ts = {.tv_sec = (time_t)t, .tv_nsec = (long)((t - (time_t)t) * 1e9)};
    nanosleep(&ts, NULL);
}

/* print(name + " ...", flush=True): no separator, and flushed at once. */
static const mp_print_opts flushed = {.sep = "", .flush = true};

static int worker(const mp_value *args)
{
    mp_semaphore *s = mp_as_semaphore(mp_item(args, 0));
    const char *name = mp_process_name(mp_current_process());
    int rc = mp_semaphore_acquire(s);
    if (rc < 0)
        return rc;
    mp_print_ex(flushed, name, " acquire");
    sleep_seconds(mp_as_float(mp_item(args, 1)));
    mp_print_ex(flushed, name, " release");
    return mp_semaphore_release(s);
}
MP_TARGET(worker);

/* At file scope for valgrind: a forked child never returns into main, and
   its copy of a local array would be counted as leaked. */
static mp_process *processes[5];

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_semaphore *s = mp_semaphore_new(2);
    int rc = s != NULL ? 0 : mp_errcode();
    for (int i = 0; i < 5 && rc >= 0; i++) {
        /* PyMOTW sleeps i * 2 seconds (up to 8 s); a tenth of that keeps
           the lesson quick and the workers still overlap. */
        processes[i] = mp_process_new(&(mp_process_opts){
            .target = worker, .args = mp_tuple_of(s, i * 0.2)});
        rc = processes[i] != NULL ? mp_process_start(processes[i]) : mp_errcode();
    }

    /* Wait for the workers (PyMOTW leaves that to the exit). */
    for (int i = 0; i < 5; i++) {
        if (processes[i] != NULL && rc >= 0)
            rc = mp_process_join(processes[i], MP_WAIT_FOREVER);
        mp_process_free(processes[i]);
    }
    mp_semaphore_free(s);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

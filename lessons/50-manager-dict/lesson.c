/* lesson.c - Lesson 50: a managed dict filled by ten worker processes (PyMOTW).

   Each worker gets a proxy for the same dict and sets one key, d[i] =
   i * 2.  The ten assignments are ten messages to the manager's server,
   which applies them to its one dict; after joining them all, the parent
   prints the dict and every key is there.  Which worker gets to the
   server first is up to the scheduler, so the keys' order varies.

   Usage:  make lesson-50         build and run this program
           make lesson-50 PY=1    run its Python twin, lesson.py
*/
#include "mp.h"

/* d[key] = value */
static int worker(const mp_value *args)
{
    return mp_proxy_call(mp_item(args, 0), NULL, "__setitem__", mp_item(args, 1), mp_item(args, 2));
}
MP_TARGET(worker);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_manager *mgr = mp_context_manager(NULL);          /* multiprocessing.Manager() */
    if (mgr == NULL)
        return mp_excepthook(mp_errcode());
    mp_value *d = mp_manager_dict(mgr);
    mp_process *jobs[10] = {0};
    int rc = d != NULL ? 0 : mp_errcode();
    for (int i = 0; rc >= 0 && i < 10; i++)
        if ((jobs[i] = mp_process_new(&(mp_process_opts){
                 .target = worker, .args = mp_tuple_of(mp_incref(d), i, i * 2)})) == NULL)
            rc = mp_errcode();
    for (int i = 0; rc >= 0 && i < 10; i++)
        rc = mp_process_start(jobs[i]);
    for (int i = 0; rc >= 0 && i < 10; i++)
        rc = mp_process_join(jobs[i], MP_WAIT_FOREVER);
    if (rc >= 0)
        mp_print("Results:", d);
    for (int i = 0; i < 10; i++)
        mp_process_free(jobs[i]);
    mp_decref(d);
    mp_manager_free(mgr);       /* Python's manager is shut down at exit */
    return rc < 0 ? mp_excepthook(rc) : 0;
}

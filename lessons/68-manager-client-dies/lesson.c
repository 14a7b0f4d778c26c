/* lesson.c - Lesson 68: a manager's client killed while it holds an object; Forklore's server drops that client's references, where CPython's keeps the object for ever.

   This lesson differs from its twin on purpose.  A child connects to the
   manager, makes a list there (so it holds the one reference to it), and
   is killed.  Nothing tells CPython's server: the dead client's reference
   stays counted, and the list lives as long as the server.  Forklore's
   server knows which process made each reference (the kernel tells it,
   for a client on an AF_UNIX socket), notices that the process has ended,
   and drops its references: the list goes.  The line that starts "after
   the death:" is where the two programs differ (README.md).

   Usage:  make lesson-68         build and run this program
           make lesson-68 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py, except in the line "after the death:".
*/
#include <time.h>

#include "mp.h"

/* A program of the manager's own: it connects, and makes a list there. */
static int client(const mp_value *args)
{
    mp_manager *m = mp_manager_new(&mp_sync_manager, &(mp_manager_opts){
                                                         .address = mp_incref(mp_item(args, 0))});
    int rc = m != NULL ? mp_manager_connect(m) : mp_errcode();
    mp_value *bag = rc < 0 ? NULL
                           : mp_manager_list(m, mp_list_of("held by a client that will be killed"));
    if (bag == NULL)
        return mp_errcode();
    if ((rc = mp_event_set(mp_as_event(mp_item(args, 1)))) < 0)
        return rc;
    for (;;)
        nanosleep(&(struct timespec){.tv_sec = 3600}, NULL);
}
MP_TARGET(client);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_manager *m = mp_context_manager(NULL);           /* with Manager() as m: */
    mp_event *ready = mp_event_new();
    if (m == NULL || ready == NULL)
        return mp_excepthook(mp_errcode());
    mp_process *p = mp_process_new(&(mp_process_opts){
        .target = client, .args = mp_tuple_of(mp_manager_address(m), ready)});
    int rc = p != NULL ? mp_process_start(p) : mp_errcode();
    if (rc >= 0)
        rc = mp_event_wait(ready, MP_WAIT_FOREVER);
    if (rc >= 0)
        mp_print("objects in the server while the client holds its list:",
                 mp_manager_number_of_objects(m));
    if (rc >= 0 && (rc = mp_process_kill(p)) >= 0 && (rc = mp_process_join(p, MP_WAIT_FOREVER)) >= 0)
        mp_print("the client was killed, exitcode", mp_process_exitcode(p));

    /* The server looks for ended clients twice a second. */
    int n = 1;
    for (int i = 0; rc >= 0 && i < 100 && (n = mp_manager_number_of_objects(m)) == 1; i++)
        nanosleep(&(struct timespec){.tv_nsec = 50000000}, NULL);
    if (rc >= 0)
        mp_print("after the death: objects in the server:", n,
                 "(the dead client's references were dropped)");
    mp_process_free(p);
    mp_event_free(ready);
    mp_manager_free(m);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

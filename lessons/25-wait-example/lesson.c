/* lesson.c - Lesson 25: wait() for messages from several processes at once.

   Four children each get the writing end of their own one-way pipe, send
   ten (i, name) tuples and close it.  The parent waits on all the reading
   ends with wait(), which returns those with a message (or EOF) to read;
   it prints each message and drops a reader once it reaches EOF.

   Usage:  make lesson-25         build and run this program
           make lesson-25 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (the wait() example of the multiprocessing docs).
*/
#include "mp.h"

#define NCHILDREN 4

static int foo(const mp_value *args)
{
    mp_connection *w = mp_as_connection(mp_item(args, 0));
    int rc = 0;
    for (int i = 0; i < 10 && rc >= 0; i++)
        rc = mp_connection_send(w, mp_tuple_of(i, mp_process_name(mp_current_process())));
    mp_connection_close(w);
    return rc;
}
MP_TARGET(foo);

/* The readers still open, as a list value for wait(); NULL on failure.
 * Each item takes a reference of its own to its connection. */
static mp_value *as_list(mp_connection **readers, int n)
{
    mp_value *list = mp_list_new();
    for (int i = 0; i < n && list != NULL; i++)
        if (mp_list_append(list, mp_value_from_arg(MP_ARG(readers[i]))) < 0) {
            mp_decref(list);
            list = NULL;
        }
    return list;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_connection *readers[NCHILDREN];
    int nreaders = 0, rc;

    for (int i = 0; i < NCHILDREN; i++) {
        mp_connection *r, *w;
        if ((rc = mp_pipe(&r, &w, &(mp_pipe_opts){.duplex = MP_NO})) < 0)
            return mp_excepthook(rc);
        readers[nreaders++] = r;
        mp_process *p = mp_process_new(&(mp_process_opts){.target = foo, .args = mp_tuple_of(w)});
        if (p == NULL)
            return mp_excepthook(mp_errcode());
        if ((rc = mp_process_start(p)) < 0)
            return mp_excepthook(rc);
        mp_process_free(p);
        /* Close our copy of the writable end now, so that p holds the only
         * one: when p closes it, wait() reports r as ready (at EOF) at once. */
        mp_connection_close(w);
        mp_connection_free(w);
    }

    while (nreaders > 0) {
        mp_value *list = as_list(readers, nreaders), *ready;
        if (list == NULL)
            return mp_excepthook(mp_errcode());
        rc = mp_wait(list, MP_WAIT_FOREVER, &ready);
        mp_decref(list);
        if (rc < 0)
            return mp_excepthook(rc);
        for (size_t j = 0; j < mp_len(ready); j++) {
            mp_connection *r = mp_as_connection(mp_item(ready, j));
            mp_value *msg;
            rc = mp_connection_recv(r, &msg);
            if (rc == MP_EEOF) {
                /* readers.remove(r), keeping the others in order; the
                 * reader is done, so drop our reference to it. */
                int k = 0;
                while (readers[k] != r)
                    k++;
                for (nreaders--; k < nreaders; k++)
                    readers[k] = readers[k + 1];
                mp_connection_free(r);
            } else if (rc < 0) {
                mp_decref(ready);
                return mp_excepthook(rc);
            } else {
                mp_print(msg);
                mp_decref(msg);
            }
        }
        mp_decref(ready);
    }
    return 0;
}

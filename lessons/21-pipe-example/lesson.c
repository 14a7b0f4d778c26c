/* lesson.c - Lesson 21: the documentation's Pipe example.

   Pipe() gives two connected ends.  The child sends a list on its end and
   closes it; the parent receives the list on the other end and prints it.
   What is sent is pickled, so the parent gets an equal copy.

   Usage:  make lesson-21         build and run this program
           make lesson-21 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (the Pipe example of the multiprocessing docs).
*/
#include "mp.h"

static int f(const mp_value *args)
{
    mp_connection *conn = mp_as_connection(mp_item(args, 0));
    int rc = mp_connection_send(conn, mp_list_of(42, mp_none(), "hello"));
    if (rc < 0)
        return rc;
    return mp_connection_close(conn);
}
MP_TARGET(f);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_connection *parent_conn, *child_conn;
    int rc;
    if ((rc = mp_pipe(&parent_conn, &child_conn, NULL)) < 0)
        return mp_excepthook(rc);
    /* The tuple takes a reference of its own to child_conn. */
    mp_process *p = mp_process_new(&(mp_process_opts){.target = f,
                                                      .args = mp_tuple_of(child_conn)});
    if (p == NULL)
        return mp_excepthook(mp_errcode());
    mp_value *msg;
    if ((rc = mp_process_start(p)) < 0 ||
        (rc = mp_connection_recv(parent_conn, &msg)) < 0)
        return mp_excepthook(rc);
    mp_print(msg);              /* prints "[42, None, 'hello']" */
    mp_decref(msg);
    if ((rc = mp_process_join(p, MP_WAIT_FOREVER)) < 0)
        return mp_excepthook(rc);
    mp_process_free(p);
    mp_connection_free(parent_conn);
    mp_connection_free(child_conn);
    return 0;
}

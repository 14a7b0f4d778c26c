/* case.c - case process/misuse: the errors of calls made on a process in the wrong state.

   Mirrors case.py, which says what is pinned.  Python's `p.name = None`
   is mp_process_set_name(p, NULL), the one name that is not a string in C.

   Run:  bats conformance/cases/process.bats --filter misuse
*/
#include <stdio.h>

#include "mp.h"

static int waits(const mp_value *args)
{
    mp_value *msg = NULL;
    int rc = mp_connection_recv(mp_as_connection(mp_item(args, 0)), &msg);
    mp_decref(msg);
    return rc;
}
MP_TARGET(waits);

/* What Python prints for a call that returned None or raised. */
static void attempt(const char *label, int rc)
{
    if (rc < 0)
        printf("%s: %s: %s\n", label, mp_errname(rc), mp_errmsg());
    else
        printf("%s returned None\n", label);
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_connection *reader, *writer;
    int rc = mp_pipe(&reader, &writer, &(mp_pipe_opts){.duplex = MP_NO});
    if (rc < 0)
        return mp_excepthook(rc);
    mp_process *p = mp_process_new(&(mp_process_opts){.target = waits, .args = mp_tuple_of(reader)});
    if (p == NULL)
        rc = mp_errcode();
    if (rc == 0) {
        attempt("join() before start", mp_process_join(p, MP_WAIT_FOREVER));
        attempt("terminate() before start", mp_process_terminate(p));
        attempt("kill() before start", mp_process_kill(p));
        attempt("name = None", mp_process_set_name(p, NULL));
        mp_print("name after the refused set:", mp_process_name(p));
        rc = mp_process_start(p);
    }
    if (rc == 0) {
        attempt("start() again", mp_process_start(p));
        attempt("daemon = True once started", mp_process_set_daemon(p, true));
        mp_print("daemon after the refused set:", mp_process_daemon(p), "alive:", mp_process_is_alive(p));
        rc = mp_connection_send(writer, "stop");
    }
    if (rc == 0 && (rc = mp_process_join(p, MP_WAIT_FOREVER)) == 0) {
        mp_print("exitcode:", mp_process_exitcode(p));
        attempt("terminate() after join", mp_process_terminate(p));
        mp_print("exitcode after terminate():", mp_process_exitcode(p));
    }
    mp_process_free(p);
    mp_connection_free(reader);
    mp_connection_free(writer);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

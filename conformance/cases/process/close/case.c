/* case.c - case process/close: close() refuses a live process, and a closed process refuses most calls.

   Mirrors case.py, which says what is pinned.  is_alive(), exitcode, pid
   and ident return a bool or a number, so they report a misuse only by
   recording it, and a call that succeeds leaves the last failure in
   place: the case records a marker first (mp_raise) and takes a changed
   error code as the accessor's ValueError.

   Run:  bats conformance/cases/process.bats --filter close
*/
#include <stdio.h>
#include <stdlib.h>

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

enum accessor { IS_ALIVE, EXITCODE, PID, IDENT };

/* An accessor that records its failure: the marker shows whether it did. */
static void attempt_accessor(const char *label, mp_process *p, enum accessor which)
{
    mp_raise("Marker", "not an error of the accessor");
    long long got = 0;
    switch (which) {
    case IS_ALIVE: got = mp_process_is_alive(p); break;
    case EXITCODE: got = mp_process_exitcode(p); break;
    case PID: got = mp_process_pid(p); break;
    case IDENT: got = mp_process_ident(p); break;
    }
    if (mp_errcode() != MP_EEXCEPTION)
        printf("%s: %s: %s\n", label, mp_errname(mp_errcode()), mp_errmsg());
    else
        printf("%s returned %lld\n", label, got);       /* a difference shows in the diff */
}

static void print_repr(const mp_process *p)
{
    char *r = mp_process_repr(p);
    if (r != NULL)
        puts(r);
    free(r);
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_connection *reader, *writer;
    int rc = mp_pipe(&reader, &writer, &(mp_pipe_opts){.duplex = MP_NO});
    if (rc < 0)
        return mp_excepthook(rc);
    mp_process *p = mp_process_new(&(mp_process_opts){.target = waits, .args = mp_tuple_of(reader)});
    rc = p == NULL ? mp_errcode() : mp_process_start(p);
    if (rc == 0) {
        attempt("close() while running", mp_process_close(p));
        mp_print("alive after the refused close():", mp_process_is_alive(p));
        rc = mp_connection_send(writer, "stop");
    }
    if (rc == 0 && (rc = mp_process_join(p, MP_WAIT_FOREVER)) == 0) {
        attempt("close() after join", mp_process_close(p));
        attempt("close() again", mp_process_close(p));
        attempt_accessor("is_alive()", p, IS_ALIVE);
        attempt("join()", mp_process_join(p, MP_WAIT_FOREVER));
        attempt("terminate()", mp_process_terminate(p));
        attempt("kill()", mp_process_kill(p));
        attempt("start()", mp_process_start(p));
        attempt_accessor("exitcode", p, EXITCODE);
        attempt_accessor("pid", p, PID);
        attempt_accessor("ident", p, IDENT);
        attempt("sentinel", mp_process_sentinel(p));
        mp_print("name", mp_process_name(p), "daemon", mp_process_daemon(p));
        print_repr(p);
    }
    mp_process *q = NULL;
    if (rc == 0) {
        q = mp_process_new(&(mp_process_opts){.target = waits, .args = mp_tuple_of(reader)});
        rc = q == NULL ? mp_errcode() : 0;
    }
    if (rc == 0) {
        attempt("close() before start", mp_process_close(q));
        attempt("start() after close", mp_process_start(q));
        print_repr(q);
    }
    mp_process_free(q);
    mp_process_free(p);
    mp_connection_free(reader);
    mp_connection_free(writer);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

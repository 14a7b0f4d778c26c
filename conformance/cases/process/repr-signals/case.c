/* case.c - case process/repr-signals: the repr of a process ended by a signal names the signal.

   Mirrors case.py, which says what is pinned.  mp_print shows a process
   as its repr.

   Run:  bats conformance/cases/process.bats --filter repr-signals
*/
#include <signal.h>

#include "mp.h"

static int blocks(const mp_value *args)
{
    mp_connection *conn = mp_as_connection(mp_item(args, 0));
    mp_value *msg = NULL;
    int rc = mp_connection_send(conn, "ready");
    if (rc == 0)
        rc = mp_connection_recv(conn, &msg);
    mp_decref(msg);
    return rc;
}
MP_TARGET(blocks);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    const int signums[] = {SIGHUP, SIGUSR1, SIGKILL, SIGRTMIN + 1};
    int rc = 0;
    for (size_t i = 0; i < sizeof signums / sizeof signums[0] && rc == 0; i++) {
        mp_connection *here, *there;
        if ((rc = mp_pipe(&here, &there, NULL)) < 0)
            break;
        mp_process *p = mp_process_new(&(mp_process_opts){.target = blocks, .args = mp_tuple_of(there)});
        mp_value *msg = NULL;
        if (p == NULL)
            rc = mp_errcode();
        if (rc == 0 && (rc = mp_process_start(p)) == 0 && (rc = mp_connection_recv(here, &msg)) == 0) {
            if (kill(mp_process_pid(p), signums[i]) < 0)
                rc = mp_raise("OSError", "kill failed");
        }
        if (rc == 0 && (rc = mp_process_join(p, MP_WAIT_FOREVER)) == 0)
            mp_print("signal", signums[i], "exitcode", mp_process_exitcode(p), "repr", p);
        mp_decref(msg);
        mp_process_free(p);
        mp_connection_free(here);
        mp_connection_free(there);
    }
    return rc < 0 ? mp_excepthook(rc) : 0;
}

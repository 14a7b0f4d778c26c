/* case.c - case process/repr-states: a process's repr in each state.

   Mirrors case.py, which says what is pinned.  mp_print shows a process
   as its repr.

   Run:  bats conformance/cases/process.bats --filter repr-states
*/
#include "mp.h"

static int waits(const mp_value *args)
{
    mp_value *msg = NULL;
    int rc = mp_connection_recv(mp_as_connection(mp_item(args, 0)), &msg);
    mp_decref(msg);
    return rc < 0 ? rc : mp_sys_exit((int)mp_as_int(mp_item(args, 1)));
}
MP_TARGET(waits);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_connection *reader, *writer, *never, *never_w;   /* nothing is sent on never */
    int rc = mp_pipe(&reader, &writer, &(mp_pipe_opts){.duplex = MP_NO});
    if (rc < 0)
        return mp_excepthook(rc);
    if ((rc = mp_pipe(&never, &never_w, &(mp_pipe_opts){.duplex = MP_NO})) < 0) {
        mp_connection_free(reader);
        mp_connection_free(writer);
        return mp_excepthook(rc);
    }
    mp_process *procs[3] = {
        mp_process_new(&(mp_process_opts){.target = waits, .args = mp_tuple_of(reader, 0)}),
        mp_process_new(&(mp_process_opts){.target = waits, .args = mp_tuple_of(reader, 3), .name = "it's mine"}),
        mp_process_new(&(mp_process_opts){.target = waits, .args = mp_tuple_of(never, 0), .daemon = MP_YES}),
    };
    for (int i = 0; i < 3 && rc == 0; i++)
        if (procs[i] == NULL)
            rc = mp_errcode();
    for (int i = 0; i < 3 && rc == 0; i++)
        mp_print("initial:", procs[i]);
    for (int i = 0; i < 3 && rc == 0; i++)
        rc = mp_process_start(procs[i]);
    for (int i = 0; i < 3 && rc == 0; i++)
        mp_print("running:", procs[i]);
    if (rc == 0 && (rc = mp_process_terminate(procs[2])) == 0 &&
        (rc = mp_connection_send(writer, "stop")) == 0)
        rc = mp_connection_send(writer, "stop");
    for (int i = 0; i < 3 && rc == 0; i++)
        rc = mp_process_join(procs[i], MP_WAIT_FOREVER);
    for (int i = 0; i < 3 && rc == 0; i++)
        mp_print("ended:", procs[i]);
    for (int i = 0; i < 3; i++)
        mp_process_free(procs[i]);
    mp_connection_free(reader);
    mp_connection_free(writer);
    mp_connection_free(never);
    mp_connection_free(never_w);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

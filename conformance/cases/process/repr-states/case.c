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

    /* One pipe per child (see case.py); pipes[2] is never written to. */
    mp_connection *readers[3] = {NULL}, *writers[3] = {NULL};
    int rc = 0;
    for (int i = 0; i < 3 && rc == 0; i++)
        rc = mp_pipe(&readers[i], &writers[i], &(mp_pipe_opts){.duplex = MP_NO});
    if (rc < 0) {
        for (int i = 0; i < 3; i++) {
            mp_connection_free(readers[i]);
            mp_connection_free(writers[i]);
        }
        return mp_excepthook(rc);
    }
    mp_process *procs[3] = {
        mp_process_new(&(mp_process_opts){.target = waits, .args = mp_tuple_of(readers[0], 0)}),
        mp_process_new(&(mp_process_opts){.target = waits, .args = mp_tuple_of(readers[1], 3), .name = "it's mine"}),
        mp_process_new(&(mp_process_opts){.target = waits, .args = mp_tuple_of(readers[2], 0), .daemon = MP_YES}),
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
        (rc = mp_connection_send(writers[0], "stop")) == 0)
        rc = mp_connection_send(writers[1], "stop");
    for (int i = 0; i < 3 && rc == 0; i++)
        rc = mp_process_join(procs[i], MP_WAIT_FOREVER);
    for (int i = 0; i < 3 && rc == 0; i++)
        mp_print("ended:", procs[i]);
    for (int i = 0; i < 3; i++)
        mp_process_free(procs[i]);
    for (int i = 0; i < 3; i++) {
        mp_connection_free(readers[i]);
        mp_connection_free(writers[i]);
    }
    return rc < 0 ? mp_excepthook(rc) : 0;
}

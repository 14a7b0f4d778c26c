/* case.c - case forkserver/server-dies: a child whose fork server dies before reporting its exit has exitcode 255.

   Mirrors case.py, which says what is pinned.

   Run:  bats conformance/cases/forkserver.bats --filter server-dies
*/
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "mp.h"

static int kills_the_server_then_exits(const mp_value *args)
{
    mp_value *go = NULL;
    int rc = mp_connection_recv(mp_as_connection(mp_item(args, 1)), &go);
    mp_decref(go);
    if (rc < 0)
        return rc;
    if (strcmp(mp_as_str(mp_item(args, 0)), "forkserver") == 0)
        kill(getppid(), SIGKILL);
    return mp_sys_exit(3);
}
MP_TARGET(kills_the_server_then_exits);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    const char *method = mp_get_start_method(false);
    mp_connection *here, *there;
    int rc = mp_pipe(&here, &there, NULL);
    if (rc < 0)
        return mp_excepthook(rc);
    mp_process *p = mp_process_new(&(mp_process_opts){
        .target = kills_the_server_then_exits, .args = mp_tuple_of(method, there)});
    rc = p ? mp_process_start(p) : mp_errcode();
    if (rc == 0 && (rc = mp_connection_send(here, "go")) == 0 &&
        (rc = mp_process_join(p, MP_WAIT_FOREVER)) == 0)
        mp_print("exitcode:", mp_process_exitcode(p));
    mp_process_free(p);
    mp_connection_free(here);
    mp_connection_free(there);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

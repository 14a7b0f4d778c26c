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
    if (strcmp(mp_as_str(mp_item(args, 0)), "forkserver") == 0)
        kill(getppid(), SIGKILL);
    return mp_sys_exit(3);
}
MP_TARGET(kills_the_server_then_exits);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    const char *method = mp_get_start_method(false);
    mp_process *p = mp_process_new(&(mp_process_opts){
        .target = kills_the_server_then_exits, .args = mp_tuple_of(method)});
    if (p == NULL)
        return mp_excepthook(mp_errcode());
    int rc = mp_process_start(p);
    if (rc == 0 && (rc = mp_process_join(p, MP_WAIT_FOREVER)) == 0)
        mp_print("exitcode:", mp_process_exitcode(p));
    mp_process_free(p);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

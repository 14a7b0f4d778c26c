/* case.c - case connection/listener-forked-child: a forked child closing the Listener it inherited leaves the parent's socket file.

   Mirrors case.py, which says what is pinned.  A Listener is not a value
   that args can carry; the forked child reaches the one it inherited
   through a file-static pointer, as case.py's child gets the object
   itself (fork copies it, nothing is pickled).

   Run:  bats conformance/cases/connection.bats --filter listener-forked-child
*/
#include <unistd.h>

#include "mp.h"

static mp_listener *listener;

static int closes(const mp_value *args)
{
    (void)args;
    int rc = mp_listener_close(listener);
    if (rc == 0)
        mp_print("child: closed the listener it inherited");
    return rc;
}
MP_TARGET(closes);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_context *ctx = mp_get_context("fork");
    if (ctx == NULL || (listener = mp_listener_new(&(mp_listener_opts){.family = "AF_UNIX"})) == NULL)
        return mp_excepthook(mp_errcode());
    mp_value *path = mp_incref(mp_listener_address(listener));
    mp_process *p = mp_context_process(ctx, &(mp_process_opts){.target = closes});
    int rc = p ? mp_process_start(p) : mp_errcode();
    if (rc == 0 && (rc = mp_process_join(p, MP_WAIT_FOREVER)) == 0) {
        mp_print("child exitcode:", mp_process_exitcode(p));
        mp_print("socket file still there after the child closed its copy:",
                 (bool)(access(mp_as_str(path), F_OK) == 0));
        rc = mp_listener_close(listener);
    }
    if (rc == 0)
        mp_print("socket file there after the parent closed it:", (bool)(access(mp_as_str(path), F_OK) == 0));
    mp_decref(path);
    mp_process_free(p);
    mp_listener_free(listener);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

/* case.c - case process/current-process: current_process() and parent_process() in the main process and in a child.

   Mirrors case.py, which says what is pinned.  exitcode MP_EXITCODE_NONE
   prints as Python's None.

   Run:  bats conformance/cases/process.bats --filter current-process
*/
#include <unistd.h>

#include "mp.h"

static mp_value *exitcode(mp_process *p)
{
    int code = mp_process_exitcode(p);
    return code == MP_EXITCODE_NONE ? mp_none() : mp_int(code);
}

static int child(const mp_value *args)
{
    mp_process *me = mp_current_process();
    mp_value *code = exitcode(me);
    mp_print("child: name", mp_process_name(me), "daemon", mp_process_daemon(me),
             "alive", mp_process_is_alive(me), "exitcode", code);
    mp_decref(code);
    mp_print("child: pid and ident are getpid():", (bool)(mp_process_pid(me) == getpid()),
             (bool)(mp_process_ident(me) == getpid()));
    mp_print("child: authkey is the main process's:", mp_equal(mp_process_authkey(me), mp_item(args, 1)));
    mp_print("child:", me);
    mp_process *parent = mp_parent_process();
    if (parent == NULL)
        return mp_raise("AttributeError", "'NoneType' object has no attribute 'name'");
    mp_print("child: parent name", mp_process_name(parent), "alive", mp_process_is_alive(parent));
    mp_print("child: parent pid is the main process's:",
             (bool)(mp_process_pid(parent) == mp_as_int(mp_item(args, 0))));
    return 0;
}
MP_TARGET(child);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_process *me = mp_current_process();
    const mp_value *authkey = mp_process_authkey(me);
    mp_value *code = exitcode(me);
    mp_print("main: name", mp_process_name(me), "daemon", mp_process_daemon(me),
             "alive", mp_process_is_alive(me), "exitcode", code);
    mp_decref(code);
    mp_print("main: pid and ident are getpid():", (bool)(mp_process_pid(me) == getpid()),
             (bool)(mp_process_ident(me) == getpid()));
    mp_print("main: authkey is non-empty bytes:",
             (bool)(mp_typeof(authkey) == MP_T_BYTES && mp_len(authkey) > 0));
    mp_value *parent = mp_parent_process() == NULL ? mp_none() : mp_str("not None");
    mp_print("main: parent_process():", parent);
    mp_decref(parent);

    int rc;
    mp_process *p = mp_process_new(&(mp_process_opts){.target = child, .args = mp_tuple_of(getpid(), authkey)});
    if (p == NULL)
        return mp_excepthook(mp_errcode());
    if ((rc = mp_process_start(p)) == 0 && (rc = mp_process_join(p, MP_WAIT_FOREVER)) == 0)
        mp_print("main: child exitcode", mp_process_exitcode(p));
    mp_process_free(p);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

/* case.c - case process/daemon-children: daemon=None inherits the creating process's flag, and a daemonic process cannot start children.

   Mirrors case.py, which says what is pinned.  Python's daemon=None is the
   zero value of mp_process_opts.daemon; daemon=False is MP_NO.

   Run:  bats conformance/cases/process.bats --filter daemon-children
*/
#include <stdio.h>

#include "mp.h"

static int nothing(const mp_value *args)
{
    (void)args;
    return 0;
}
MP_TARGET(nothing);

static int in_daemon(const mp_value *args)
{
    (void)args;
    mp_print("daemonic child: daemon", mp_process_daemon(mp_current_process()));
    mp_process *inherited = mp_process_new(&(mp_process_opts){.target = nothing});
    mp_process *explicit = mp_process_new(&(mp_process_opts){.target = nothing, .daemon = MP_NO});
    int rc = 0;
    if (inherited == NULL || explicit == NULL)
        rc = mp_errcode();
    else {
        mp_print("daemonic child: Process().daemon", mp_process_daemon(inherited));
        mp_print("daemonic child: Process(daemon=False).daemon", mp_process_daemon(explicit));
        const struct { const char *label; mp_process *p; } tries[] = {
            {"Process()", inherited}, {"Process(daemon=False)", explicit},
        };
        for (size_t i = 0; i < 2 && rc == 0; i++) {
            int start = mp_process_start(tries[i].p);
            if (start == MP_EASSERT)
                printf("daemonic child: %s.start(): %s: %s\n", tries[i].label, mp_errname(start), mp_errmsg());
            else if (start == 0)
                mp_print("daemonic child:", tries[i].label, "started");
            else
                rc = start;
        }
    }
    mp_process_free(inherited);
    mp_process_free(explicit);
    return rc;
}
MP_TARGET(in_daemon);

static int in_plain(const mp_value *args)
{
    (void)args;
    mp_print("non-daemonic child: daemon", mp_process_daemon(mp_current_process()));
    mp_process *p = mp_process_new(&(mp_process_opts){.target = nothing});
    if (p == NULL)
        return mp_errcode();
    mp_print("non-daemonic child: Process().daemon", mp_process_daemon(p));
    mp_process_free(p);
    mp_process *g = mp_process_new(&(mp_process_opts){.target = nothing, .daemon = MP_YES});
    if (g == NULL)
        return mp_errcode();
    int rc;
    if ((rc = mp_process_start(g)) == 0 && (rc = mp_process_join(g, MP_WAIT_FOREVER)) == 0)
        mp_print("non-daemonic child: daemonic grandchild exitcode", mp_process_exitcode(g));
    mp_process_free(g);
    return rc;
}
MP_TARGET(in_plain);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_process *p = mp_process_new(&(mp_process_opts){.target = nothing});
    if (p == NULL)
        return mp_excepthook(mp_errcode());
    mp_print("main: Process().daemon", mp_process_daemon(p));
    mp_process_free(p);

    const struct { const char *name; mp_target_fn target; int daemon; } children[] = {
        {"in_daemon", in_daemon, MP_YES}, {"in_plain", in_plain, 0},
    };
    int rc = 0;
    for (size_t i = 0; i < 2 && rc == 0; i++) {
        p = mp_process_new(&(mp_process_opts){.target = children[i].target, .daemon = children[i].daemon});
        if (p == NULL)
            return mp_excepthook(mp_errcode());
        if ((rc = mp_process_start(p)) == 0 && (rc = mp_process_join(p, MP_WAIT_FOREVER)) == 0)
            mp_print("main:", children[i].name, "exitcode", mp_process_exitcode(p));
        mp_process_free(p);
    }
    return rc < 0 ? mp_excepthook(rc) : 0;
}

/* case.c - case spawn/main-module-name: the main module's top level runs again in a spawn or forkserver child, as __mp_main__.

   Mirrors case.py, which says what is pinned.  What main() does before
   mp_main() is the C analog of a module's top level: a child that
   re-runs the program (spawn, forkserver) runs it, and mp_module_name()
   is __name__ there.

   Run:  bats conformance/cases/spawn.bats --filter main-module-name
*/
#include "mp.h"

static int hello(const mp_value *args)
{
    (void)args;
    mp_print("child target runs");
    return 0;
}
MP_TARGET(hello);

int main(int argc, char **argv)
{
    mp_print("top level of the main module: __name__ is", mp_module_name());
    mp_main(argc, argv);

    mp_process *p = mp_process_new(&(mp_process_opts){.target = hello});
    if (p == NULL)
        return mp_excepthook(mp_errcode());
    int rc = mp_process_start(p);
    if (rc == 0 && (rc = mp_process_join(p, MP_WAIT_FOREVER)) == 0)
        mp_print("child exitcode:", mp_process_exitcode(p));
    mp_process_free(p);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

/* case.c - case process/sys-exit: the exitcode of a child that calls sys.exit(n), for n beyond 0..255.

   Mirrors case.py, which says what is pinned.  mp_sys_exit(n) returned
   from a target is Python's sys.exit(n) in it.

   Run:  bats conformance/cases/process.bats --filter sys-exit
*/
#include <stdio.h>

#include "mp.h"

static int exit_with(const mp_value *args)
{
    int n = (int)mp_as_int(mp_item(args, 0));
    mp_print("child exits with", n);
    return mp_sys_exit(n);
}
MP_TARGET(exit_with);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    const int codes[] = {1, 256, -1, 1000};
    int rc = 0;
    for (size_t i = 0; i < sizeof codes / sizeof codes[0] && rc == 0; i++) {
        mp_process *p = mp_process_new(&(mp_process_opts){.target = exit_with, .args = mp_tuple_of(codes[i])});
        if (p == NULL)
            return mp_excepthook(mp_errcode());
        if ((rc = mp_process_start(p)) == 0 && (rc = mp_process_join(p, MP_WAIT_FOREVER)) == 0)
            printf("sys.exit(%d): exitcode %d\n", codes[i], mp_process_exitcode(p));
        mp_process_free(p);
    }
    return rc < 0 ? mp_excepthook(rc) : 0;
}

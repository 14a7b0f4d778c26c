/* case.c - case context/process-classes: each context's Process class names and shows its processes.

   Mirrors case.py, which says what is pinned.  mp_context_process is
   ctx.Process; mp_print shows a process as its repr.

   Run:  bats conformance/cases/context.bats --filter process-classes
*/
#include "mp.h"

static int show_self(const mp_value *args)
{
    (void)args;
    mp_print("  in the child:", mp_current_process());
    return 0;
}
MP_TARGET(show_self);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    const char *methods[] = {"fork", "spawn", "forkserver", NULL};   /* NULL: the module's Process */
    int rc = 0;
    for (size_t i = 0; i < sizeof methods / sizeof methods[0] && rc == 0; i++) {
        mp_context *ctx = NULL;
        if (methods[i] != NULL && (ctx = mp_get_context(methods[i])) == NULL)
            return mp_excepthook(mp_errcode());
        mp_process *p = mp_context_process(ctx, &(mp_process_opts){.target = show_self});
        if (p == NULL)
            return mp_excepthook(mp_errcode());
        mp_print_ex((mp_print_opts){.sep = ""}, mp_process_name(p), ": ", p);
        if ((rc = mp_process_start(p)) == 0 && (rc = mp_process_join(p, MP_WAIT_FOREVER)) == 0)
            mp_print("  after join:", p);
        mp_process_free(p);
    }
    return rc < 0 ? mp_excepthook(rc) : 0;
}

/* case.c - case process/exit-codes: a child's exitcode for each way it can end, read before join().

   Mirrors case.py, which says what is pinned.  The raising child's
   traceback goes to stderr, where C prints the header and the exception
   line as CPython does and no stack lines (normalisation drops them).

   Run:  bats conformance/cases/process.bats --filter exit-codes
*/
#include <unistd.h>

#include "mp.h"

static int exit_with(const mp_value *args)
{
    return mp_sys_exit((int)mp_as_int(mp_item(args, 0)));
}
MP_TARGET(exit_with);

static int os_exit(const mp_value *args)
{
    _exit((int)mp_as_int(mp_item(args, 0)));    /* no shutdown, as os._exit */
}
MP_TARGET(os_exit);

static int returns(const mp_value *args)
{
    (void)args;
    return 5;           /* a target's return value is not its exit code */
}
MP_TARGET(returns);

static int raises(const mp_value *args)
{
    (void)args;
    return mp_raise("ValueError", "from the child");
}
MP_TARGET(raises);

static int sleeps(const mp_value *args)
{
    (void)args;
    sleep(30);
    return 0;
}
MP_TARGET(sleeps);

/* Print label, what, p.exitcode as Python prints it (None until the
 * child has been reaped) and, when alive is set, "alive:" p.is_alive().
 * mp_print borrows, so the int made here is let go after it. */
static void show(const char *label, const char *what, mp_process *p, bool alive)
{
    int code = mp_process_exitcode(p);
    mp_value *v = code == MP_EXITCODE_NONE ? mp_none() : mp_int(code);
    if (alive)
        mp_print(label, what, v, "alive:", mp_process_is_alive(p));
    else
        mp_print(label, what, v);
    mp_decref(v);
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    struct {
        const char *label;
        mp_target_fn target;
        int arg;                /* -1: no argument */
    } cases[] = {
        {"sys.exit(0)", exit_with, 0},
        {"sys.exit(3)", exit_with, 3},
        {"sys.exit(255)", exit_with, 255},
        {"os._exit(7)", os_exit, 7},
        {"return 5", returns, -1},
        {"raise", raises, -1},
        {"terminate()", sleeps, -1},
        {"kill()", sleeps, -1},
    };
    int rc = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0] && rc == 0; i++) {
        const char *label = cases[i].label;
        mp_process *p = mp_process_new(&(mp_process_opts){
            .target = cases[i].target,
            .args = cases[i].arg < 0 ? NULL : mp_tuple_of(mp_int(cases[i].arg))});
        if (p == NULL)
            return mp_excepthook(mp_errcode());
        show(label, "exitcode before start:", p, false);
        if ((rc = mp_process_start(p)) == 0) {
            if (label[0] == 't')
                rc = mp_process_terminate(p);
            else if (label[0] == 'k')
                rc = mp_process_kill(p);
        }
        mp_value *ready = NULL, *sentinels = mp_list_of(mp_process_sentinel(p));
        if (rc == 0)
            rc = mp_wait(sentinels, MP_WAIT_FOREVER, &ready);
        mp_decref(sentinels);
        mp_decref(ready);
        /* As case.py: wait, up to 10 s, for the exit to be seen (reaped). */
        for (int tries = 0; rc == 0 && tries < 1000 && mp_process_exitcode(p) == MP_EXITCODE_NONE; tries++)
            usleep(10000);
        if (rc == 0) {
            show(label, "exitcode before join:", p, true);
            rc = mp_process_join(p, MP_WAIT_FOREVER);
        }
        if (rc == 0)
            show(label, "exitcode after join:", p, false);
        mp_process_free(p);
    }
    return rc < 0 ? mp_excepthook(rc) : 0;
}

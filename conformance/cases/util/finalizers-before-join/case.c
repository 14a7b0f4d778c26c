/* case.c - case util/finalizers-before-join: at exit, the finalizers of priority >= 0 run before the children are joined.

   Mirrors case.py, which says what is pinned.  The listener and the
   child are left as they are when main() returns, on purpose; they are
   freed (as CPython collects them at shutdown) by a handler that atexit()
   runs after the library's exit function, since it is registered before
   mp_main() registers that one.

   Run:  bats conformance/cases/util.bats --filter finalizers-before-join
*/
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "mp.h"

static mp_listener *listener;
static mp_process *child;

static int waits_for_unlink(const mp_value *args)
{
    const char *path = mp_as_str(mp_item(args, 0));
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    now = t0;
    while (access(path, F_OK) == 0 && now.tv_sec - t0.tv_sec < 15) {
        usleep(10000);
        clock_gettime(CLOCK_MONOTONIC, &now);
    }
    mp_print("child: the socket file was removed while the child ran:", (bool)(access(path, F_OK) != 0));
    return 0;
}
MP_TARGET(waits_for_unlink);

static void free_at_exit(void)
{
    mp_process_free(child);
    mp_listener_free(listener);
}

int main(int argc, char **argv)
{
    atexit(free_at_exit);
    mp_main(argc, argv);

    listener = mp_listener_new(&(mp_listener_opts){.family = "AF_UNIX"});
    if (listener == NULL)
        return mp_excepthook(mp_errcode());
    const mp_value *address = mp_listener_address(listener);
    const char *path = mp_as_str(address);
    child = mp_process_new(&(mp_process_opts){.target = waits_for_unlink, .args = mp_tuple_of(address)});
    if (child == NULL)
        return mp_excepthook(mp_errcode());
    int rc = mp_process_start(child);
    if (rc < 0)
        return mp_excepthook(rc);
    mp_print("parent: the socket file exists:", (bool)(access(path, F_OK) == 0));
    mp_print_ex((mp_print_opts){.flush = true},
                "parent: leaving main with the listener open and the child running");
    return 0;
}

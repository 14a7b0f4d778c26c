/* case.c - case util/finalizers-newest-first: at exit, finalizers of one priority run newest first, seen through two that fail.

   Mirrors case.py, which says what is pinned.  The listeners are left
   open when main() returns, on purpose; they are freed (as CPython
   collects them at shutdown) by a handler that atexit() runs after the
   library's exit function, since it is registered before mp_main()
   registers that one.

   Run:  bats conformance/cases/util.bats --filter finalizers-newest-first
*/
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "mp.h"

static mp_listener *first, *second;

static void free_at_exit(void)
{
    mp_listener_free(second);
    mp_listener_free(first);
}

/* Listener(os.path.join(tempfile.gettempdir(), name), family='AF_UNIX') */
static mp_listener *listen_at(const char *name)
{
    const char *folder = getenv("TMPDIR");
    char path[256];
    snprintf(path, sizeof path, "%s/%s", folder != NULL && folder[0] ? folder : "/tmp", name);
    return mp_listener_new(&(mp_listener_opts){.address = mp_str(path), .family = "AF_UNIX"});
}

int main(int argc, char **argv)
{
    atexit(free_at_exit);
    mp_main(argc, argv);

    if ((first = listen_at("first")) == NULL || (second = listen_at("second")) == NULL)
        return mp_excepthook(mp_errcode());
    unlink(mp_as_str(mp_listener_address(first)));
    unlink(mp_as_str(mp_listener_address(second)));
    mp_print_ex((mp_print_opts){.flush = true},
                "both socket files removed; the Listeners are left open for the exit");
    return 0;
}

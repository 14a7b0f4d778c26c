/* interrupt.c - SIGINT as Python's KeyboardInterrupt: a flag the handler sets, and the library's blocking waits that raise it. */
#include "core.h"

#include <signal.h>
#include <stdatomic.h>

/*
 * Python turns SIGINT into KeyboardInterrupt, raised in the main thread
 * from whatever it was waiting in; a program that does not catch it ends
 * through its usual exit path, where multiprocessing terminates the
 * daemonic children, joins the others and removes its temporary directory,
 * and the process then dies by SIGINT.  A C program has SIGINT's default
 * action instead: it dies at once, and its children and files are left
 * behind.
 *
 * So mp_main() installs this handler, when SIGINT still has its default
 * action (a program that set its own handler keeps it).  The handler only
 * sets a flag, which is async-signal-safe; the library's blocking waits
 * (a join, a get, a recv, an accept, a lock) look at it when a signal
 * interrupts them and before they block, and fail with MP_EINTERRUPT,
 * "KeyboardInterrupt".  The program's usual `return mp_excepthook(rc);`
 * then ends it as CPython's would.  A second SIGINT while the first is
 * still pending (the program is busy outside the library, where nothing
 * looks at the flag) takes the default action: Ctrl-C twice always stops
 * a C program.
 */
static volatile sig_atomic_t pending;
static _Atomic bool die_by_sigint;

static void on_sigint(int sig)
{
    if (pending) {
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    pending = 1;
}

void mp__sigint_install(void)
{
    struct sigaction old;
    if (sigaction(SIGINT, NULL, &old) < 0 || old.sa_handler != SIG_DFL ||
        (old.sa_flags & SA_SIGINFO))
        return;
    /* No SA_RESTART: a waitpid() or read() it interrupts must return, so
     * that the wait can look at the flag. */
    struct sigaction sa = {.sa_handler = on_sigint};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
}

int mp__interrupted(void)
{
    if (!pending)
        return 0;
    pending = 0;
    return mp__fail(MP_EINTERRUPT, "%s", "");
}

void mp__interrupt_reset(void)
{
    pending = 0;
    atomic_store(&die_by_sigint, false);
}

void mp__interrupt_exit_by_signal(bool yes)
{
    atomic_store(&die_by_sigint, yes);
}

void mp__interrupt_finish(void)
{
    if (!atomic_load(&die_by_sigint))
        return;
    signal(SIGINT, SIG_DFL);
    raise(SIGINT);
}

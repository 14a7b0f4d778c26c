/* main.c - the main guard: mp_main(), and how a process learns from its command line that it re-ran the program for a child. */
#include "start.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the main guard ----------------------------------------------------- */

static bool bootstrapped;       /* mp_main() has been reached */
static const char *module_name = "__main__";
static const char *argv0;

/* The command line of a child that re-runs the program starts with one of
 * these; the values after them are descriptor numbers. */
static const char spawn_flag[] = "--multiprocessing-fork";
static const char server_flag[] = "--multiprocessing-forkserver";

static int fd_arg(const char *arg, const char *key)
{
    size_t k = strlen(key);
    if (!arg || strncmp(arg, key, k) != 0 || arg[k] != '=')
        return -1;
    char *end;
    long v = strtol(arg + k + 1, &end, 10);
    return *end || v < 0 || v > 1 << 20 ? -1 : (int)v;
}

/*
 * How this process was started, from its own command line.  Read from
 * /proc/self/cmdline, not from main()'s argv, because it must be known
 * before main() runs (the fork server starts from a constructor) and in
 * code above the main guard.  The whole of it is read, however long the
 * program's path: a command line cut short would make a child that re-ran
 * the program take itself for the main program, and start children of
 * its own without end.
 */
static enum { PLAIN, SPAWNED, SERVER, UNREAD } started_as = UNREAD;
static int server_listener = -1, server_alive = -1;

/* The buffer while it is read, at file scope: a process killed during its
 * start (a pool terminated while its spawn workers start) still holds it
 * from a global, so valgrind does not count it as lost. */
static char *cmdline;

static void read_command_line(void)
{
    started_as = PLAIN;
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    size_t len = 0, cap = 4096;
    cmdline = malloc(cap + 1);
    for (;;) {
        if (!cmdline)
            break;
        ssize_t n = read(fd, cmdline + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        if (len == cap) {
            char *more = realloc(cmdline, 2 * cap + 1);
            if (!more) {
                free(cmdline);
                cmdline = NULL;
                break;
            }
            cmdline = more;
            cap *= 2;
        }
    }
    close(fd);
    if (!cmdline)
        return;
    cmdline[len] = '\0';
    /* argv[0], argv[1], ... are NUL-terminated, one after the other. */
    const char *args[4] = {NULL, NULL, NULL, NULL};
    size_t at = 0;
    for (int i = 0; i < 4 && at < len; i++) {
        args[i] = cmdline + at;
        at += strlen(cmdline + at) + 1;
    }
    if (args[1] && strcmp(args[1], spawn_flag) == 0) {
        started_as = SPAWNED;
    } else if (args[1] && strcmp(args[1], server_flag) == 0) {
        started_as = SERVER;
        server_listener = fd_arg(args[2], "listener");
        server_alive = fd_arg(args[3], "alive");
    }
    free(cmdline);
    cmdline = NULL;
}

/* Is this process a fresh run of the program for a child (spawn) or for
 * the fork server and its children? */
static bool rerun_child(void)
{
    if (started_as == UNREAD)
        read_command_line();
    return started_as == SPAWNED || started_as == SERVER;
}

/*
 * The forkserver starts before main(): CPython 3.11's server does not run
 * the main module (it preloads nothing of it), so ours runs none of
 * main() either, and a program without the main guard still has a
 * working server.  Each child the server forks comes back here and goes
 * on into main() from the top, like CPython's child re-running the main
 * module; mp_main() then reads its description, or, without the guard,
 * the program body meets the bootstrapping RuntimeError, as in CPython.
 */
static int forkserver_child_fd = -1;

__attribute__((constructor(101))) static void maybe_forkserver(void)
{
    if (!rerun_child() || started_as != SERVER)
        return;
    if (server_listener < 0 || server_alive < 0) {
        fprintf(stderr, "mp: bad %s command line\n", server_flag);
        _exit(1);
    }
    forkserver_child_fd = mp__forkserver_main(server_listener, server_alive);
}

bool mp__spawn_inheriting(void)
{
    return !bootstrapped && rerun_child();
}

void mp__set_bootstrapped(void)
{
    bootstrapped = true;
}

void mp__set_module_name(const char *name)
{
    module_name = name;
}

const char *mp__argv0(void)
{
    return argv0 ? argv0 : mp__executable();
}

void mp_main(int argc, char **argv)
{
    argv0 = argc > 0 && argv ? argv[0] : NULL;
    /* SIGINT becomes KeyboardInterrupt (core/interrupt.c), in the main
     * program and in every child, unless the program chose its own. */
    mp__sigint_install();
    if (argc >= 3 && strcmp(argv[1], spawn_flag) == 0) {
        int fd = fd_arg(argv[2], "pipe_handle");
        int sentinel = argc >= 4 ? fd_arg(argv[3], "sentinel") : -1;
        if (fd < 0) {
            fprintf(stderr, "mp: bad %s command line\n", spawn_flag);
            exit(1);
        }
        /* The sentinel's write end stays open, untouched, until we die;
         * only our own children must not inherit it. */
        if (sentinel >= 0)
            fcntl(sentinel, F_SETFD, FD_CLOEXEC);
        mp__ensure_atexit();
        exit(mp__spawn_child_main(fd, "spawn"));
    }
    if (forkserver_child_fd >= 0) {
        mp__ensure_atexit();
        exit(mp__spawn_child_main(forkserver_child_fd, "forkserver"));
    }
    bootstrapped = true;
    mp_current_process();
    mp__ensure_atexit();
}

const char *mp_module_name(void)
{
    return rerun_child() ? "__mp_main__" : module_name;
}

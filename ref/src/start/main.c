/* main.c - the main guard: mp_main(), and how a process learns from its command line that it re-ran the program for a child. */
#include "start.h"

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

/* Is argv[1] of this process one of the flags?  Read from /proc so that it
 * works before mp_main() has seen argv: code above the guard runs first. */
static bool rerun_child(void)
{
    static int known = -1;
    if (known < 0) {
        char buf[256] = "";
        int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
        if (fd >= 0)
            close(fd);
        const char *arg1 = n > 0 ? buf + strlen(buf) + 1 : "";
        known = n > 0 && arg1 < buf + n &&
                (strcmp(arg1, spawn_flag) == 0 || strcmp(arg1, server_flag) == 0);
    }
    return known;
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
    char buf[512] = "";
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
        close(fd);
    if (n <= 0)
        return;
    const char *args[4] = {buf, NULL, NULL, NULL};
    for (int i = 1; i < 4; i++) {
        const char *next = args[i - 1] + strlen(args[i - 1]) + 1;
        if (next >= buf + n)
            return;
        args[i] = next;
    }
    if (strcmp(args[1], server_flag) != 0)
        return;
    int listener = fd_arg(args[2], "listener"), alive = fd_arg(args[3], "alive");
    if (listener < 0 || alive < 0) {
        fprintf(stderr, "mp: bad %s command line\n", server_flag);
        _exit(1);
    }
    forkserver_child_fd = mp__forkserver_main(listener, alive);
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

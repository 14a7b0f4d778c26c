/* main.c - a program's life: the main guard, target registry, a child's bootstrap, shutdown at exit. */
#include "internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

/* ---- targets ------------------------------------------------------------ */

static mp_target_entry *targets;

void mp__target_register(mp_target_entry *e)
{
    for (mp_target_entry *t = targets; t; t = t->next) {
        if (strcmp(t->name, e->name) == 0 && t->fn != e->fn) {
            /* Runs before main(): there is no caller to return an error to,
             * and a child could otherwise run the wrong function. */
            fprintf(stderr, "mp: two different targets are registered as '%s'\n", e->name);
            abort();
        }
    }
    e->next = targets;
    targets = e;
}

mp_target_fn mp__target_find(const char *name)
{
    for (mp_target_entry *t = targets; t; t = t->next)
        if (strcmp(t->name, name) == 0)
            return t->fn;
    return NULL;
}

const char *mp_target_name(mp_target_fn fn)
{
    for (mp_target_entry *t = targets; t; t = t->next)
        if (t->fn == fn)
            return t->name;
    return NULL;
}

/* ---- process classes ---------------------------------------------------- */

static mp_class_entry *classes;

void mp__class_register(mp_class_entry *e)
{
    for (mp_class_entry *c = classes; c; c = c->next) {
        if (strcmp(c->cls->name, e->cls->name) == 0 && c->cls != e->cls) {
            fprintf(stderr, "mp: two different process classes are registered as '%s'\n",
                    e->cls->name);
            abort();
        }
    }
    e->next = classes;
    classes = e;
}

const mp_process_class *mp__class_find(const char *name)
{
    for (mp_class_entry *c = classes; c; c = c->next)
        if (strcmp(c->cls->name, name) == 0)
            return c->cls;
    return NULL;
}

/* ---- the main guard ----------------------------------------------------- */

static bool atexit_done;
static bool exiting;
static bool bootstrapped;       /* mp_main() has been reached */
static const char *module_name = "__main__";
static const char *argv0;

/* util.get_temp_dir(): one private directory per program, made on first
 * use (the forkserver's listener lives there), removed at exit by the
 * process that made it. */
static char temp_dir[4096];
static pid_t temp_dir_owner;

const char *mp__get_temp_dir(void)
{
    if (temp_dir[0])
        return temp_dir;
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    snprintf(temp_dir, sizeof temp_dir, "%s/pymp-XXXXXX", base);
    if (!mkdtemp(temp_dir)) {
        mp__fail_errno(temp_dir);
        temp_dir[0] = 0;
        return NULL;
    }
    temp_dir_owner = getpid();
    mp_info("created temp directory %s", temp_dir);
    return temp_dir;
}

static void remove_temp_dir(void)
{
    if (!temp_dir[0] || temp_dir_owner != getpid())
        return;
    /* Only our own sockets are left in it, one level deep. */
    DIR *d = opendir(temp_dir);
    struct dirent *e;
    char path[4096 + 256];
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(path, sizeof path, "%s/%s", temp_dir, e->d_name);
            unlink(path);
        }
    }
    if (d)
        closedir(d);
    rmdir(temp_dir);
    temp_dir[0] = 0;
}

static void at_exit(void)
{
    mp__exit_function();
    mp__forkserver_stop();
    remove_temp_dir();
}

void mp__ensure_atexit(void)
{
    if (!atexit_done) {
        atexit_done = true;
        atexit(at_exit);
    }
}

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

/* ---- shutdown ----------------------------------------------------------- */

/* util._exit_function: the same messages, in the same order, as CPython. */
void mp__exit_function(void)
{
    if (exiting)
        return;
    exiting = true;
    mp_info("process shutting down");
    mp_debug("running all \"atexit\" finalizers with priority >= 0");
    mp__run_finalizers(0);

    size_t n = mp_active_children(NULL, 0);
    mp_process **kids = n ? malloc(n * sizeof *kids) : NULL;
    n = kids ? mp_active_children(kids, n) : 0;
    for (size_t i = 0; i < n; i++) {
        if (mp_process_daemon(kids[i])) {
            mp_info("calling terminate() for daemon %s", mp_process_name(kids[i]));
            mp__popen_send_signal(kids[i], SIGTERM);
        }
    }
    free(kids);
    /* active_children() again: the terminated ones may have been reaped. */
    n = mp_active_children(NULL, 0);
    kids = n ? malloc(n * sizeof *kids) : NULL;
    n = kids ? mp_active_children(kids, n) : 0;
    for (size_t i = 0; i < n; i++)
        kids[i]->refs++;        /* join drops the set's reference */
    for (size_t i = 0; i < n; i++) {
        mp_info("calling join() for process %s", mp_process_name(kids[i]));
        mp_process_join(kids[i], MP_WAIT_FOREVER);
        mp_process_free(kids[i]);
    }
    free(kids);
    mp_debug("running the remaining \"atexit\" finalizers");
    mp__run_finalizers(INT_MIN);
    mp__lanes_forget_all();
}

/* ---- a child's bootstrap ------------------------------------------------ */

/* BaseProcess._bootstrap: become the current process, run, shut down, and
 * report an uncaught error the way Python reports an uncaught exception. */
int mp__process_bootstrap(mp_process *p, const char *parent_name, pid_t parent_pid,
                          int parent_sentinel)
{
    int exitcode;
    mp__exc saved;

    mp__process_after_fork_child(p, parent_name, parent_pid, parent_sentinel);
    exiting = false;
    /* As CPython's _bootstrap: the after-fork hooks run once the child is
     * its own process (so their log lines carry its name).  In a child
     * that re-ran the program there are none. */
    mp__run_after_fork();
    /* A child must not compete with its parent for the terminal's input
     * (util._close_stdin).  At the descriptor level, so as not to touch
     * stdio's state: what the child does not write is not copied. */
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull >= 0) {
        dup2(devnull, STDIN_FILENO);
        close(devnull);
    }
    mp_info("child process calling self.run()");
    int rc = mp_process_run(p);
    if (rc < 0)
        mp__exc_save(&saved);
    mp__exit_function();
    if (rc < 0)
        mp__exc_restore(&saved);
    if (rc >= 0) {
        exitcode = 0;
    } else if (rc == MP_ESYSTEMEXIT) {
        exitcode = mp__exit_status();
    } else {
        fprintf(stderr, "Process %s:\n", mp_process_name(p));
        exitcode = mp_excepthook(rc);
    }
    mp_info("process exiting with exitcode %d", exitcode);
    mp__flush_std_streams();
    return exitcode;
}

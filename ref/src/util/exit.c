/* exit.c - a process's end: the exit function (util._exit_function), the atexit hook, the temp directory, flushing. */
#include "util.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * util._exiting: set as the exit function starts, so that a queue's feeder
 * thread that fails while the process shuts down says so quietly instead
 * of raising.  Read by other threads, hence atomic.  A child the library
 * starts clears it (mp__util_after_fork_child).
 */
static bool exiting;

bool mp__is_exiting(void)
{
    return __atomic_load_n(&exiting, __ATOMIC_ACQUIRE);
}

/*
 * What the floors above this one add to the exit function.  util.py can
 * call process.active_children() because Python resolves names at run
 * time; a C floor must not call up, so the process floor hands its part
 * in when it first has children, and any floor may add a last step.
 */
static void (*children_step)(void);
static void (*last_steps[4])(void);
static int nlast;

void mp__exit_set_children_step(void (*fn)(void))
{
    children_step = fn;
}

void mp__exit_add_last_step(void (*fn)(void))
{
    for (int i = 0; i < nlast; i++)
        if (last_steps[i] == fn)
            return;
    if (nlast < (int)(sizeof last_steps / sizeof last_steps[0]))
        last_steps[nlast++] = fn;
}

/* util._exit_function: the same messages, in the same order, as CPython. */
void mp__exit_function(void)
{
    if (mp__is_exiting())
        return;
    __atomic_store_n(&exiting, true, __ATOMIC_RELEASE);
    mp_info("process shutting down");
    mp_debug("running all \"atexit\" finalizers with priority >= 0");
    mp__run_finalizers(0);
    if (children_step)
        children_step();
    mp_debug("running the remaining \"atexit\" finalizers");
    mp__run_finalizers(INT_MIN);
    /* The feeders those finalizers joined are ending: join them. */
    mp__join_ending_threads();
    for (int i = 0; i < nlast; i++)
        last_steps[i]();
}

/* ---- the temporary directory --------------------------------------------- */

/* util.get_temp_dir(): one private directory per program, made on first
 * use (the forkserver's listener lives there), removed at exit by the
 * process that made it. */
static char temp_dir[4096];
static pid_t temp_dir_owner;

static void remove_temp_dir(void);

static void remove_temp_dir_fin(void *arg)
{
    (void)arg;
    remove_temp_dir();
}

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
    /* As CPython's Finalize(exitpriority=-100): a child that made one (a
     * manager's server, for its listener) ends through the finalizers,
     * not atexit. */
    mp__finalize_register(remove_temp_dir_fin, NULL, -100);
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

/* ---- atexit ------------------------------------------------------------------ */

static bool atexit_done;

static void at_exit(void)
{
    mp__exit_function();
    remove_temp_dir();
    /* After an uncaught KeyboardInterrupt CPython ends by SIGINT, once all
     * of the above is done. */
    mp__interrupt_finish();
}

void mp__ensure_atexit(void)
{
    if (!atexit_done) {
        atexit_done = true;
        atexit(at_exit);
    }
}

void mp__flush_std_streams(void)
{
    fflush(stdout);
    fflush(stderr);
}

/* ---- a new child ----------------------------------------------------------- */

void mp__util_after_fork_child(void)
{
    __atomic_store_n(&exiting, false, __ATOMIC_RELEASE);
}

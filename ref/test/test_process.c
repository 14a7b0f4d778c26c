/* test_process.c - unit tests for Process: misuse errors, repr states, exit codes, identities.
 *
 * Usage: test_process      prints TAP.  The messages checked are CPython 3.11's
 * own (multiprocessing/process.py), so a change of wording is a conformance bug.
 * No check depends on how long something takes: a child that must still be
 * running when a check looks waits for the parent's word (start_held).
 */
#include "core/core.h"
#include "tap.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void nap(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- targets ------------------------------------------------------------ */

static int returns_five(const mp_value *args) { (void)args; return 5; }
MP_TARGET(returns_five);

static int exits_three(const mp_value *args) { (void)args; return mp_sys_exit(3); }
MP_TARGET(exits_three);

static int raises(const mp_value *args)
{
    (void)args;
    return mp_raise("RuntimeError", "There was an error!");
}
MP_TARGET(raises);

static int returns_error(const mp_value *args)
{
    (void)args;
    return MP_EINDEX;
}
MP_TARGET(returns_error);

static int sleeps(const mp_value *args)
{
    nap(mp_as_float(mp_item(args, 0)));
    return 0;
}
MP_TARGET(sleeps);

/* args: (r, w), a pipe's two ends, inherited through fork: close w and
 * read r until EOF, so the child runs exactly until the parent closes its
 * own w, however slow the machine. */
static int waits_for_eof(const mp_value *args)
{
    char c;
    close((int)mp_as_int(mp_item(args, 1)));
    while (read((int)mp_as_int(mp_item(args, 0)), &c, 1) != 0)
        ;
    return 0;
}
MP_TARGET(waits_for_eof);

/* Writes facts about the child's view of the world to the pipe given as
 * args[0], one line each, for the parent to check. */
static int reports(const mp_value *args)
{
    int fd = (int)mp_as_int(mp_item(args, 0));
    FILE *f = fdopen(fd, "w");
    mp_process *me = mp_current_process(), *par = mp_parent_process();
    fprintf(f, "name=%s\n", mp_process_name(me));
    fprintf(f, "pid_ok=%d\n", mp_process_pid(me) == getpid());
    fprintf(f, "parent=%s\n", par ? mp_process_name(par) : "None");
    fprintf(f, "parent_pid_ok=%d\n", par && mp_process_pid(par) == getppid());
    fprintf(f, "parent_alive=%d\n", par && mp_process_is_alive(par));
    char *r = mp_process_repr(me);
    fprintf(f, "repr=%s\n", r);
    free(r);
    /* A grandchild: its default name carries the nested identity. */
    mp_process *g = mp_process_new(&(mp_process_opts){.target = returns_five});
    fprintf(f, "grandchild=%s\n", mp_process_name(g));
    int rc = mp_process_start(g);
    fprintf(f, "grandchild_start=%d\n", rc);
    mp_process_join(g, MP_WAIT_FOREVER);
    fprintf(f, "grandchild_exit=%d\n", mp_process_exitcode(g));
    mp_process_free(g);
    fclose(f);
    return 0;
}
MP_TARGET(reports);

static int daemon_starts_child(const mp_value *args)
{
    (void)args;
    mp_process *g = mp_process_new(&(mp_process_opts){.target = returns_five});
    int rc = mp_process_start(g);
    mp_process_free(g);
    /* Report through the exit code: 0 if start was refused as CPython refuses it. */
    return mp_sys_exit(rc == MP_EASSERT &&
                       strcmp(mp_errmsg(), "daemonic processes are not allowed to have children") == 0
                       ? 0 : 7);
}
MP_TARGET(daemon_starts_child);

/* ---- helpers ------------------------------------------------------------ */

/* A child that runs until hold_end(): fds[1] is the parent's end. */
static mp_process *start_held(int fds[2])
{
    fds[0] = fds[1] = -1;
    if (pipe(fds) < 0)
        return NULL;
    mp_process *p = mp_process_new(&(mp_process_opts){.target = waits_for_eof,
                                                      .args = mp_tuple_of(fds[0], fds[1])});
    int rc = mp_process_start(p);
    close(fds[0]);
    return rc == 0 ? p : NULL;
}

static void hold_end(int fds[2])
{
    close(fds[1]);
}

static int run_to_end(mp_target_fn fn, mp_value *args)
{
    mp_process *p = mp_process_new(&(mp_process_opts){.target = fn, .args = args});
    if (!p || mp_process_start(p) < 0 || mp_process_join(p, MP_WAIT_FOREVER) < 0)
        return 1000;
    int code = mp_process_exitcode(p);
    mp_process_free(p);
    return code;
}

/* repr with the pids replaced, so it can be compared with a literal. */
static char *repr_nopid(const mp_process *p)
{
    char *r = mp_process_repr(p), buf[256];
    size_t o = 0;
    for (const char *s = r; *s && o < sizeof buf - 8;) {
        if ((strncmp(s, "pid=", 4) == 0 || strncmp(s, "parent=", 7) == 0) && s[strcspn(s, "=") + 1] >= '0'
            && s[strcspn(s, "=") + 1] <= '9') {
            size_t k = strcspn(s, "=") + 1;
            memcpy(buf + o, s, k);
            o += k;
            memcpy(buf + o, "PID", 3);
            o += 3;
            s += k;
            while (*s >= '0' && *s <= '9')
                s++;
        } else {
            buf[o++] = *s++;
        }
    }
    buf[o] = 0;
    free(r);
    return strdup(buf);
}

static void is_repr(const mp_process *p, const char *want, const char *what)
{
    char *got = repr_nopid(p);
    tap_is_str(got, want, "repr %s", what);
    free(got);
}

static void is_err(int rc, int code, const char *msg, const char *what)
{
    TAP_OK(rc == code, "%s gives %s", what, mp_errname(code));
    tap_is_str(mp_errmsg(), msg, "%s message", what);
}

/* ---- tests -------------------------------------------------------------- */

static void test_main_process(void)
{
    mp_process *me = mp_current_process();
    tap_is_str(mp_process_name(me), "MainProcess", "current_process().name");
    is_repr(me, "<_MainProcess name='MainProcess' parent=None started>", "of the main process");
    TAP_OK(mp_parent_process() == NULL, "parent_process() is None in the main process");
    TAP_OK(mp_process_pid(me) == getpid(), "current_process().pid is os.getpid()");
    TAP_OK(mp_process_is_alive(me), "the current process is alive");
    size_t len = 0;
    mp_as_bytes(mp_process_authkey(me), &len);
    TAP_OK(len == 32, "authkey is 32 random bytes");
    TAP_OK(mp_cpu_count() >= 1, "cpu_count() >= 1");
    is_err(mp_process_join(me, MP_TIMEOUT(0)), MP_EASSERT, "can only join a child process",
           "joining the current process");
}

static void test_names_and_repr(void)
{
    static const mp_process_class worker = {.name = "Worker", .size = sizeof(mp_process)};
    mp_process *a = mp_process_new(NULL);
    mp_process *b = mp_process_new(&(mp_process_opts){.cls = &worker});
    mp_process *c = mp_process_new(&(mp_process_opts){.name = "my_service"});
    char want[64];
    int n = atoi(strchr(mp_process_name(a), '-') + 1);

    snprintf(want, sizeof want, "Worker-%d", n + 1);
    tap_is_str(mp_process_name(b), want, "a subclass's default name uses its class name and the shared counter");
    tap_is_str(mp_process_name(c), "my_service", "a given name");
    snprintf(want, sizeof want, "<Process name='Process-%d' parent=PID initial>", n);
    is_repr(a, want, "before start");
    TAP_OK(mp_process_pid(a) == 0, "pid is None before start");
    TAP_OK(mp_process_exitcode(a) == MP_EXITCODE_NONE, "exitcode is None before start");
    TAP_OK(!mp_process_is_alive(a), "not alive before start");
    is_err(mp_process_join(a, MP_TIMEOUT(0)), MP_EASSERT, "can only join a started process", "join before start");
    is_err(mp_process_sentinel(a), MP_EVALUE, "process not started", "sentinel before start");
    TAP_OK(mp_process_set_daemon(a, true) == 0, "daemon can be set before start");
    snprintf(want, sizeof want, "<Process name='Process-%d' parent=PID initial daemon>", n);
    is_repr(a, want, "with daemon");
    mp_process_free(a);
    mp_process_free(b);
    mp_process_free(c);

    mp_process *bad = mp_process_new(&(mp_process_opts){.args = mp_list_new()});
    TAP_OK(bad == NULL, "args that are not a tuple are refused");
    tap_is_str(mp_errmsg(), "args must be a tuple, not list", "with a TypeError message");
}

/* The child cannot end before hold_end(), so every "alive" below holds
 * on any machine, and a join with a timeout that returned while it runs
 * returned because of its timeout. */
static void test_lifecycle(void)
{
    int held[2];
    mp_process *p = start_held(held);
    TAP_OK(p != NULL, "start");
    if (!p)
        return;
    TAP_OK(mp_process_pid(p) > 0 && mp_process_ident(p) == mp_process_pid(p), "pid and ident after start");
    TAP_OK(mp_process_is_alive(p), "alive while running");
    TAP_OK(mp_active_children(NULL, 0) == 1, "active_children() has it");
    is_err(mp_process_start(p), MP_EASSERT, "cannot start a process twice", "start twice");
    is_err(mp_process_set_daemon(p, true), MP_EASSERT, "process has already started", "daemon after start");
    is_err(mp_process_close(p), MP_EVALUE,
           "Cannot close a process while it is still running. You should first call join() or terminate().",
           "close while alive");
    double t = now();
    TAP_OK(mp_process_join(p, MP_TIMEOUT(0.05)) == 0, "join with a timeout returns 0 while it runs");
    double waited = now() - t;
    TAP_OK(waited >= 0.04, "join(0.05) waited its timeout (%.3f s)", waited);
    TAP_OK(mp_process_is_alive(p), "still alive after the timed-out join");
    int fd = mp_process_sentinel(p);
    TAP_OK(fd >= 0, "sentinel after start");
    TAP_OK(mp__wait_readable(fd, &mp__now) == 0, "the sentinel is not readable while it runs");
    hold_end(held);
    TAP_OK(mp_process_join(p, MP_WAIT_FOREVER) == 0, "join");
    TAP_OK(mp__wait_readable(fd, &mp__now) == 1, "the sentinel is readable once the child has ended");
    TAP_OK(mp_process_exitcode(p) == 0, "exitcode 0");
    char *r = repr_nopid(p);
    TAP_OK(strstr(r, " pid=PID parent=PID stopped exitcode=0>") != NULL, "repr after join: %s", r);
    free(r);
    TAP_OK(mp_active_children(NULL, 0) == 0, "active_children() is empty after join");
    TAP_OK(mp_process_close(p) == 0, "close after join");
    r = repr_nopid(p);
    TAP_OK(strstr(r, " parent=PID closed>") != NULL && !strstr(r, "pid=PID "), "repr after close: %s", r);
    free(r);
    TAP_OK(!mp_process_is_alive(p), "is_alive after close is refused");
    tap_is_str(mp_errmsg(), "process object is closed", "with CPython's ValueError message");
    is_err(mp_process_start(p), MP_EVALUE, "process object is closed", "start after close");
    mp_process_free(p);
}

static void test_exit_codes(void)
{
    TAP_OK(run_to_end(returns_five, NULL) == 0, "a target's return value is ignored: exitcode 0");
    TAP_OK(run_to_end(exits_three, NULL) == 3, "mp_sys_exit(3) gives exitcode 3");
    TAP_OK(run_to_end(raises, NULL) == 1, "an uncaught error gives exitcode 1");
    TAP_OK(run_to_end(returns_error, NULL) == 1, "a returned error code is an uncaught error too");

    mp_process *p = mp_process_new(&(mp_process_opts){.target = sleeps, .args = mp_tuple_of(5.0)});
    mp_process_start(p);
    TAP_OK(mp_process_terminate(p) == 0, "terminate");
    mp_process_join(p, MP_WAIT_FOREVER);
    TAP_OK(mp_process_exitcode(p) == -SIGTERM, "terminated: exitcode -SIGTERM");
    char *r = repr_nopid(p);
    TAP_OK(strstr(r, "stopped exitcode=-SIGTERM>") != NULL, "repr names the signal: %s", r);
    free(r);
    TAP_OK(mp_process_terminate(p) == 0, "terminate after the end does nothing");
    mp_process_free(p);

    p = mp_process_new(&(mp_process_opts){.target = sleeps, .args = mp_tuple_of(5.0)});
    mp_process_start(p);
    mp_process_kill(p);
    mp_process_join(p, MP_WAIT_FOREVER);
    TAP_OK(mp_process_exitcode(p) == -SIGKILL, "killed: exitcode -SIGKILL");
    mp_process_free(p);
}

static void test_child_view(void)
{
    int fds[2];
    if (pipe(fds) < 0) {
        tap_ok(false, "pipe");
        return;
    }
    mp_process *p = mp_process_new(&(mp_process_opts){.target = reports, .args = mp_tuple_of(fds[1])});
    const char *name = mp_process_name(p);
    char expect_name[64], expect_grand[64], line[256], got[4096] = "";
    snprintf(expect_name, sizeof expect_name, "name=%s\n", name);
    snprintf(expect_grand, sizeof expect_grand, "grandchild=%s:1\n", name);
    mp_process_start(p);
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    while (fgets(line, sizeof line, f))
        strncat(got, line, sizeof got - strlen(got) - 1);
    fclose(f);
    mp_process_join(p, MP_WAIT_FOREVER);
    TAP_OK(mp_process_exitcode(p) == 0, "the reporting child exited 0");
    TAP_OK(strstr(got, expect_name) != NULL, "current_process() in the child is the process object");
    TAP_OK(strstr(got, "pid_ok=1\n") != NULL, "its pid is the child's getpid()");
    TAP_OK(strstr(got, "parent=MainProcess\n") != NULL, "parent_process() is named MainProcess");
    TAP_OK(strstr(got, "parent_pid_ok=1\n") != NULL, "parent_process().pid is getppid()");
    TAP_OK(strstr(got, "parent_alive=1\n") != NULL, "parent_process().is_alive() while the parent runs");
    TAP_OK(strstr(got, " started>\n") != NULL && strstr(got, "repr=<Process name=") != NULL,
           "the child's own repr says started, without a pid");
    TAP_OK(strstr(got, expect_grand) != NULL, "a child's child is named with the nested identity");
    TAP_OK(strstr(got, "grandchild_start=0\n") && strstr(got, "grandchild_exit=0\n"),
           "a child can start and join its own child");
    if (tap_failures)
        tap_diag("child reported:\n%s", got);
    mp_process_free(p);

    p = mp_process_new(&(mp_process_opts){.target = daemon_starts_child, .daemon = MP_YES});
    mp_process_start(p);
    mp_process_join(p, MP_WAIT_FOREVER);
    TAP_OK(mp_process_exitcode(p) == 0, "a daemonic process may not have children (AssertionError)");
    mp_process_free(p);
}

static void test_free_running(void)
{
    int held[2];
    mp_process *p = start_held(held);
    pid_t pid = p ? mp_process_pid(p) : 0;
    mp_process_free(p);
    TAP_OK(pid > 0 && mp_active_children(NULL, 0) == 1, "a freed running process stays in active_children()");
    hold_end(held);
    /* Until the child has ended, without reaping it (WNOWAIT): that is
     * left to active_children().  Its sentinel would not do: it turns
     * readable as the child's descriptors close, a moment before the
     * child can be reaped. */
    siginfo_t si;
    while (pid > 0 && waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) < 0 && errno == EINTR)
        ;
    mp_process *buf[4];
    TAP_OK(mp_active_children(buf, 4) == 0, "and is reaped by active_children() once it ends");
}

/* Output that another thread of the parent buffers after the flush that
 * precedes fork() is the parent's to write: the child must not write its
 * copy too (a Pool's worker handler forks replacement workers while the
 * main thread prints; lesson 48 printed a line twice).  A prepare handler
 * of pthread_atfork, which runs inside fork() after the library's flush,
 * stands in for that thread, deterministically.  The line has no newline,
 * so it stays buffered whatever stdout's buffering. */
static bool buffer_at_fork;
static void print_at_fork(void)
{
    if (buffer_at_fork)
        fputs("buffered by the parent at the fork", stdout);
}

static void test_stdout_buffered_at_fork(void)
{
    char path[] = "/tmp/mp-test-stdout-XXXXXX";
    int fd = mkstemp(path), saved = dup(1), n = -1;
    fflush(stdout);
    if (fd >= 0 && saved >= 0 && dup2(fd, 1) == 1 && pthread_atfork(print_at_fork, NULL, NULL) == 0) {
        mp_process *p = mp_context_process(mp_get_context("fork"), &(mp_process_opts){.target = returns_five});
        buffer_at_fork = true;
        int rc = p ? mp_process_start(p) : -1;
        buffer_at_fork = false;
        if (rc == 0)
            mp_process_join(p, MP_WAIT_FOREVER);
        mp_process_free(p);
        fputs("\n", stdout);
        fflush(stdout);
        char text[256] = "";
        ssize_t got = pread(fd, text, sizeof text - 1, 0);
        n = 0;
        for (char *at = text; got > 0 && (at = strstr(at, "buffered by the parent at the fork")); at++)
            n++;
    }
    fflush(stdout);
    if (saved >= 0) {
        dup2(saved, 1);
        close(saved);
    }
    if (fd >= 0) {
        close(fd);
        unlink(path);
    }
    tap_is_int(n, 1, "a line the parent buffered at the fork is written once (by the parent), not by the forked child too");
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    test_main_process();
    test_names_and_repr();
    test_lifecycle();
    test_exit_codes();
    test_child_view();
    test_free_running();
    test_stdout_buffered_at_fork();
    return tap_done();
}

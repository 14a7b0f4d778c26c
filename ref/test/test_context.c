/* test_context.c - unit tests for contexts and the spawn and forkserver start methods.
 *
 * Usage: test_context      prints TAP.  The binary is also the program that
 * spawn and forkserver re-run for their children, which is what the targets
 * below exercise: arguments, state and identity must survive the trip.
 */
#include "core/core.h"
#include "tap.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const methods[] = {"fork", "spawn", "forkserver"};

/* ---- targets: each reports through its exit code (0 = as expected) ----- */

static int exits_seven(const mp_value *args) { (void)args; return mp_sys_exit(7); }
MP_TARGET(exits_seven);

static int raises(const mp_value *args)
{
    (void)args;
    return mp_raise("ValueError", "raised in a child");
}
MP_TARGET(raises);

static int sleeps(const mp_value *args)
{
    double s = mp_as_float(mp_item(args, 0));
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
    return 0;
}
MP_TARGET(sleeps);

/* args[0] is a value; args[1] its repr as the parent saw it. */
static int checks_args(const mp_value *args)
{
    char *r = mp_repr(mp_item(args, 0));
    int same = r && strcmp(r, mp_as_str(mp_item(args, 1))) == 0;
    free(r);
    return mp_sys_exit(same ? 0 : 3);
}
MP_TARGET(checks_args);

/* args: (parent's authkey, daemon expected, parent pid). */
static int checks_identity(const mp_value *args)
{
    mp_process *me = mp_current_process(), *par = mp_parent_process();
    int bad = 0;
    bad |= !mp_equal(mp_process_authkey(me), mp_item(args, 0)) << 0;
    bad |= (mp_process_daemon(me) != mp_as_bool(mp_item(args, 1))) << 1;
    bad |= (!par || strcmp(mp_process_name(par), "MainProcess") != 0) << 2;
    bad |= (!par || mp_process_pid(par) != (pid_t)mp_as_int(mp_item(args, 2))) << 3;
    bad |= (!par || !mp_process_is_alive(par)) << 4;
    bad |= (mp_process_pid(me) != getpid()) << 5;
    return mp_sys_exit(bad);
}
MP_TARGET(checks_identity);

/* A subclass with a field of its own, carried by getstate/setstate. */
typedef struct Counter {
    mp_process base;
    int64_t count;
} Counter;

static int counter_run(mp_process *self)
{
    return mp_sys_exit((int)((Counter *)self)->count);
}

static mp_value *counter_getstate(mp_process *self)
{
    return mp_int(((Counter *)self)->count);
}

static int counter_setstate(mp_process *self, const mp_value *state)
{
    ((Counter *)self)->count = mp_as_int(state);
    return 0;
}

static const mp_process_class Counter_class = {
    .name = "Counter", .size = sizeof(Counter), .run = counter_run,
    .getstate = counter_getstate, .setstate = counter_setstate,
};
MP_PROCESS_CLASS(Counter_class);

/* The same shape without the hooks: its field cannot travel. */
static const mp_process_class Lossy_class = {
    .name = "Lossy", .size = sizeof(Counter), .run = counter_run,
};
MP_PROCESS_CLASS(Lossy_class);

/* A function that was never registered with MP_TARGET. */
static int unregistered(const mp_value *args) { (void)args; return 0; }

/* ---- helpers ------------------------------------------------------------ */

static int run_in(mp_context *ctx, mp_process_opts opts)
{
    mp_process *p = mp_context_process(ctx, &opts);
    int code;
    if (!p)
        return 1000;
    if (mp_process_start(p) < 0) {
        tap_diag("start: %s: %s", mp_errname(mp_errcode()), mp_errmsg());
        mp_process_free(p);
        return 1001;
    }
    mp_process_join(p, MP_WAIT_FOREVER);
    code = mp_process_exitcode(p);
    mp_process_free(p);
    return code;
}

/* ---- tests -------------------------------------------------------------- */

static void test_api(void)
{
    const char *all[4];
    TAP_OK(mp_get_context("bogus") == NULL, "get_context('bogus') fails");
    tap_is_str(mp_errmsg(), "cannot find context for 'bogus'", "with CPython's ValueError message");
    size_t n = mp_get_all_start_methods(all, 4);
    TAP_OK(n == 3, "three start methods");

    tap_is_str(all[0], "fork", "fork comes first, whatever the default (CPython 3.11)");
    TAP_OK(mp_get_start_method(true) == NULL, "get_start_method(allow_none=True) is None before use");
    TAP_OK(mp_set_start_method("bogus", false) == MP_EVALUE, "set_start_method('bogus') is ValueError");
    TAP_OK(mp_set_start_method("spawn", false) == 0, "set_start_method('spawn')");
    TAP_OK(mp_set_start_method("fork", false) == MP_ERUNTIME, "a second set_start_method is RuntimeError");
    tap_is_str(mp_errmsg(), "context has already been set", "with CPython's message");
    TAP_OK(mp_set_start_method("fork", true) == 0, "force=True sets it again");
    tap_is_str(mp_get_start_method(false), "fork", "get_start_method()");
    TAP_OK(mp_set_start_method(NULL, true) == 0 && mp_get_start_method(true) == NULL,
           "set_start_method(None, force=True) unfixes it");
    tap_is_str(mp_context_get_start_method(mp_get_context("forkserver")), "forkserver",
               "a concrete context's get_start_method()");

    static const char *const names[] = {"ForkProcess", "SpawnProcess", "ForkServerProcess"};
    for (int i = 0; i < 3; i++) {
        mp_process *p = mp_context_process(mp_get_context(methods[i]), NULL);
        char want[64], *r = mp_process_repr(p);
        snprintf(want, sizeof want, "<%s name='%s-", names[i], names[i]);
        TAP_OK(strncmp(r, want, strlen(want)) == 0, "ctx.Process() under %s is a %s: %s",
               methods[i], names[i], r);
        free(r);
        mp_process_free(p);
    }
}

static void test_method(const char *m)
{
    mp_context *ctx = mp_get_context(m);

    TAP_OK(run_in(ctx, (mp_process_opts){.target = exits_seven}) == 7, "%s: sys.exit(7) gives 7", m);
    TAP_OK(run_in(ctx, (mp_process_opts){.target = raises}) == 1, "%s: an uncaught error gives 1", m);

    mp_value *v = mp_tuple_of("str \xc3\xa9\n", -5, 2.5, mp_bytes("\x00\xff", 2),
                              mp_list_of(1, mp_none(), (bool)true), mp_dict_new());
    char *r = mp_repr(v);
    TAP_OK(run_in(ctx, (mp_process_opts){.target = checks_args, .args = mp_tuple_of(v, r)}) == 0,
           "%s: arguments arrive equal: %s", m, r);
    free(r);

    mp_value *key = mp_incref(mp_process_authkey(mp_current_process()));
    int code = run_in(ctx, (mp_process_opts){.target = checks_identity, .daemon = MP_YES,
                                             .args = mp_tuple_of(key, (bool)true, getpid())});
    TAP_OK(code == 0, "%s: authkey, daemon flag and parent_process() arrive (report %d)", m, code);

    Counter *c = (Counter *)mp_context_process(ctx, &(mp_process_opts){.cls = &Counter_class});
    c->count = 42;
    mp_process_start(&c->base);
    mp_process_join(&c->base, MP_WAIT_FOREVER);
    TAP_OK(mp_process_exitcode(&c->base) == 42, "%s: a subclass's own field arrives through getstate", m);
    mp_process_free(&c->base);

    mp_process *p = mp_context_process(ctx, &(mp_process_opts){.target = sleeps, .args = mp_tuple_of(5.0)});
    mp_process_start(p);
    mp_process_join(p, MP_TIMEOUT(0.05));
    TAP_OK(mp_process_is_alive(p), "%s: alive after a timed-out join", m);
    mp_process_terminate(p);
    mp_process_join(p, MP_WAIT_FOREVER);
    TAP_OK(mp_process_exitcode(p) == -SIGTERM, "%s: terminate() gives -SIGTERM", m);
    TAP_OK(mp__wait_readable(mp_process_sentinel(p), &mp__now) == 1, "%s: the sentinel is readable at the end", m);
    mp_process_free(p);
}

static void test_refusals(void)
{
    for (int i = 1; i < 3; i++) {
        mp_context *ctx = mp_get_context(methods[i]);
        mp_process *p = mp_context_process(ctx, &(mp_process_opts){.target = unregistered});
        TAP_OK(mp_process_start(p) == MP_EPICKLE, "%s: an unregistered target is PicklingError", methods[i]);
        TAP_OK(strstr(mp_errmsg(), "MP_TARGET") != NULL, "%s: which says how to fix it: %s",
               methods[i], mp_errmsg());
        TAP_OK(mp_process_pid(p) == 0 && mp_active_children(NULL, 0) == 0, "%s: and nothing was started",
               methods[i]);
        mp_process_free(p);

        p = mp_context_process(ctx, &(mp_process_opts){.cls = &Lossy_class});
        TAP_OK(mp_process_start(p) == MP_EPICKLE, "%s: fields without getstate are PicklingError, not lost",
               methods[i]);
        mp_process_free(p);
    }
    /* Under fork nothing needs pickling: the same two start. */
    mp_context *fork = mp_get_context("fork");
    TAP_OK(run_in(fork, (mp_process_opts){.target = unregistered}) == 0, "fork: an unregistered target runs");
}

/* args: (fd,): exit 0 if fd is not open here, 5 if it leaked in. */
static int fd_closed(const mp_value *args)
{
    return mp_sys_exit(fcntl((int)mp_as_int(mp_item(args, 0)), F_GETFD) < 0 ? 0 : 5);
}
MP_TARGET(fd_closed);

/* args: (data, n): exit 0 if data is n bytes, all 'x'. */
static int checks_big(const mp_value *args)
{
    size_t len;
    const uint8_t *b = mp_as_bytes(mp_item(args, 0), &len);
    if (!b || len != (size_t)mp_as_int(mp_item(args, 1)))
        return mp_sys_exit(6);
    for (size_t i = 0; i < len; i++)
        if (b[i] != 'x')
            return mp_sys_exit(7);
    return mp_sys_exit(0);
}
MP_TARGET(checks_big);

/* A description far larger than a socket buffer: what does not fit
 * before the child exists is sent after it starts, so start() neither
 * blocks for ever nor truncates. */
static void test_big_description(void)
{
    const size_t n = 8u << 20;
    for (int i = 1; i < 3; i++) {
        char *buf = malloc(n);
        memset(buf, 'x', n);
        mp_value *data = mp_bytes(buf, n);
        free(buf);
        mp_process *c = mp_context_process(mp_get_context(methods[i]),
                                           &(mp_process_opts){.target = checks_big,
                                                              .args = mp_tuple_of(data, (long long)n)});
        tap_is_int(mp_process_start(c), 0, "%s: start with 8 MiB of args", methods[i]);
        mp_process_join(c, MP_WAIT_FOREVER);
        tap_is_int(mp_process_exitcode(c), 0, "%s: the child got all of it", methods[i]);
        mp_process_free(c);
    }
}

/* A descriptor the program opened without O_CLOEXEC stays behind under
 * spawn and forkserver, whose children get only what they are passed (as
 * CPython's); fork copies it, as fork does. */
static void test_no_stray_fds(void)
{
    int p[2];
    if (pipe(p) < 0 || dup2(p[0], 100) < 0) {
        tap_skip("pipe or dup2 failed", "stray descriptors");
        return;
    }
    for (int i = 1; i < 3; i++) {
        mp_process *c = mp_context_process(mp_get_context(methods[i]),
                                           &(mp_process_opts){.target = fd_closed,
                                                              .args = mp_tuple_of(100)});
        mp_process_start(c);
        mp_process_join(c, MP_WAIT_FOREVER);
        tap_is_int(mp_process_exitcode(c), 0, "%s: a descriptor without O_CLOEXEC does not leak "
                   "into the child", methods[i]);
        mp_process_free(c);
    }
    close(100);
    close(p[0]);
    close(p[1]);
}

/* get_context() with no method: the concrete context, fixing the default. */
static void test_get_context_none(void)
{
    mp_set_start_method(NULL, true);
    TAP_OK(mp_get_start_method(true) == NULL, "unfixed before get_context()");
    mp_context *c = mp_get_context(NULL);
    TAP_OK(c != NULL && c == mp_get_context(mp_get_start_method(true)),
           "get_context() is the concrete context of the default method");
    tap_is_int(mp_set_start_method("spawn", false), MP_ERUNTIME, "and it fixed the method");
    tap_is_str(mp_errmsg(), "context has already been set", "CPython's words");
    mp_process *p = mp_context_process(c, &(mp_process_opts){0});
    const char *want = strcmp(mp_context_get_start_method(c), "fork") == 0 ? "ForkProcess"
                       : strcmp(mp_context_get_start_method(c), "spawn") == 0 ? "SpawnProcess"
                       : "ForkServerProcess";
    TAP_OK(p && strncmp(mp_process_name(p), want, strlen(want)) == 0,
           "its processes are %s-N: %s", want, p ? mp_process_name(p) : "(null)");
    mp_process_free(p);
    mp_set_start_method(NULL, true);
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    test_get_context_none();
    test_api();
    for (int i = 0; i < 3; i++)
        test_method(methods[i]);
    test_refusals();
    test_no_stray_fds();
    test_big_description();
    return tap_done();
}

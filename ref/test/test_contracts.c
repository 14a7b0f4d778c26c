/* test_contracts.c - every failure the contracts of mp.h document, provoked once: its code and its message.
 *
 * Usage: test_contracts      prints TAP.
 *
 * Each CONTRACT* line below makes one call fail the way its contract
 * comment in ref/include/mp.h says it fails, and checks what it returned,
 * the code recorded (mp_errcode()) and the message (mp_errmsg()), which
 * should be CPython 3.11's wherever CPython has the same failure: a
 * difference is a conformance bug, to be fixed in the code, the contract
 * and this file together.  scripts/check-contracts reads this file beside
 * mp.h and fails when a code a contract names is provoked here by no
 * CONTRACT* line and is not in not_provoked[] below with a reason, or when
 * a message asserted here is not quoted in mp.h: so the header and the code
 * cannot drift apart without a test failing.
 *
 * Rules for the checker's sake: every CONTRACT* macro takes the bare
 * function name first and the code and the message last; a message may
 * write <repr> where an object's repr stands, as mp.h does.
 */
#include <mp.h>

#include "tap.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- checking one failure ----------------------------------------------- */

/* Before each call the recorded failure is set to one no call records, so
 * a call that fails without recording its own is caught. */
static void forget(void)
{
    mp_raise("Unrecorded", "nothing was recorded");
}

/* got matches want, where "<repr>" in want stands for any "<...>". */
static bool same_message(const char *got, const char *want)
{
    while (*want) {
        if (strncmp(want, "<repr>", 6) == 0) {
            if (*got != '<' || !(got = strchr(got, '>')))
                return false;
            got++;
            want += 6;
        } else if (*got++ != *want++) {
            return false;
        }
    }
    return *got == 0;
}

/* One TAP line: the call returned as documented (returned), recorded code
 * and message as documented. */
static void expect(const char *fn, const char *call, bool returned, long long got, int got_code,
                   const char *got_msg, const char *code_name, int code, const char *msg)
{
    bool ok = returned && got_code == code && same_message(got_msg, msg);
    tap_ok(ok, "%s: %s \"%s\"", fn, code_name, msg);
    if (!ok)
        tap_diag("  call: %s\n  returned: %lld%s\n  recorded: %s \"%s\"", call, got,
                 returned ? "" : " (not as documented)", mp_errname(got_code), got_msg);
}

/* call returns code (a call that returns int). */
#define CONTRACT(fn, call, code, msg)                                                   \
    do {                                                                                \
        forget();                                                                       \
        long long got_ = (call);                                                        \
        expect(#fn, #call, got_ == (code), got_, mp_errcode(), mp_errmsg(), #code, code, msg); \
    } while (0)

/* call returns NULL (a call that returns a pointer). */
#define CONTRACT_NULL(fn, call, code, msg)                                              \
    do {                                                                                \
        forget();                                                                       \
        const void *got_ = (call);                                                      \
        expect(#fn, #call, got_ == NULL, got_ != NULL, mp_errcode(), mp_errmsg(), #code, code, msg); \
    } while (0)

/* call returns want and records the failure (a bool, or a value such as
 * MP_EXITCODE_NONE, that the contract names). */
#define CONTRACT_GIVES(fn, call, want, code, msg)                                       \
    do {                                                                                \
        forget();                                                                       \
        long long got_ = (long long)(call);                                             \
        expect(#fn, #call, got_ == (long long)(want), got_, mp_errcode(), mp_errmsg(), #code, \
               code, msg);                                                              \
    } while (0)

/* A failure that only a child can meet: target runs in a forked child
 * (daemonic if daemon is MP_YES), makes the call there and reports it with
 * report() below; want is what the call returns. */
#define CONTRACT_CHILD(fn, target, daemon, want, code, msg)                             \
    do {                                                                                \
        mp_value *r_ = in_child(target, daemon, NULL);                                  \
        expect_report(#fn, #target, r_, want, #code, code, msg);                        \
    } while (0)

/* Likewise, with a call of the parent's own made while the child runs. */
#define CONTRACT_CHILD_BESIDE(fn, target, beside, want, code, msg)                      \
    do {                                                                                \
        mp_value *r_ = in_child(target, 0, beside);                                     \
        expect_report(#fn, #target, r_, want, #code, code, msg);                        \
    } while (0)

/* ---- children ----------------------------------------------------------- */

/* Children are forked (the fork context, whatever MP_START_METHOD says), so
 * they share these with the parent. */
static mp_context *fork_ctx;
static mp_connection *report_r, *report_w; /* children's reports to the parent */
static mp_connection *go_r, *go_w;         /* the parent lets a waiting child end */
static mp_process *made_by_parent;         /* a process object of the parent's */
static mp_listener *listener;              /* a listener of the parent's */

/* A child's report: what its call returned, and the failure recorded. */
static int report(long long returned)
{
    return mp_connection_send(report_w, mp_tuple_of(returned, mp_errcode(), mp_errmsg()));
}

/* Runs target in a forked child, calls beside (if any) meanwhile, and
 * returns the child's report (a new reference), or NULL if it sent none. */
static mp_value *in_child(mp_target_fn target, int daemon, void (*beside)(void))
{
    mp_value *rep = NULL;
    mp_process *p = mp_context_process(fork_ctx, &(mp_process_opts){.target = target, .daemon = daemon});
    if (p && mp_process_start(p) == 0) {
        if (beside)
            beside();
        mp_process_join(p, MP_WAIT_FOREVER);
        if (mp_connection_poll(report_r, MP_TIMEOUT(0)) == 1)
            mp_connection_recv(report_r, &rep);
    }
    mp_process_free(p);
    return rep;
}

static void expect_report(const char *fn, const char *target, mp_value *rep, long long want,
                          const char *code_name, int code, const char *msg)
{
    if (mp_len(rep) != 3) {
        tap_ok(false, "%s: %s \"%s\" (in a child)", fn, code_name, msg);
        tap_diag("  the child (%s) sent no report", target);
    } else {
        long long got = mp_as_int(mp_item(rep, 0));
        expect(fn, target, got == want, got, (int)mp_as_int(mp_item(rep, 1)),
               mp_as_str(mp_item(rep, 2)), code_name, code, msg);
    }
    mp_decref(rep);
}

static int start_theirs(const mp_value *args)
{
    (void)args;
    return report(mp_process_start(made_by_parent));
}
MP_TARGET(start_theirs);

static int test_theirs(const mp_value *args)
{
    (void)args;
    return report(mp_process_is_alive(made_by_parent));
}
MP_TARGET(test_theirs);

/* Run as a daemon: it may not have children of its own. */
static int start_child(const mp_value *args)
{
    (void)args;
    mp_process *g = mp_process_new(NULL);
    int rc = report(mp_process_start(g));
    mp_process_free(g);
    return rc;
}
MP_TARGET(start_child);

static int accept_one(const mp_value *args)
{
    (void)args;
    mp_connection *c = NULL;
    int rc = report(mp_listener_accept(listener, &c));
    if (c)
        mp_connection_free(c);
    return rc;
}
MP_TARGET(accept_one);

/* Runs until the parent says go. */
static int wait_for_go(const mp_value *args)
{
    (void)args;
    mp_value *v = NULL;
    int rc = mp_connection_recv(go_r, &v);
    mp_decref(v);
    return rc;
}
MP_TARGET(wait_for_go);

/* ---- Errors and values -------------------------------------------------- */

static void test_errors(void)
{
    CONTRACT(mp_raise, mp_raise("RuntimeError", "There was an error!"), MP_EEXCEPTION,
             "There was an error!");
    CONTRACT(mp_sys_exit, mp_sys_exit(1), MP_ESYSTEMEXIT, "1");
}

static void test_values(void)
{
    mp_value *t = mp_tuple_of(1, 2), *l = mp_list_new(), *d = mp_dict_new();
    const mp_value *k, *v;

    CONTRACT_NULL(mp_str, mp_str("\xff"), MP_EVALUE,
                  "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte");
    CONTRACT_NULL(mp_str_n, mp_str_n("\xff", 1), MP_EVALUE,
                  "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte");

    CONTRACT(mp_tuple_set, mp_tuple_set(t, 2, mp_none()), MP_EINDEX, "tuple index out of range");
    CONTRACT(mp_tuple_set, mp_tuple_set(l, 0, mp_none()), MP_ETYPE, "expected a tuple, got 'list'");
    CONTRACT(mp_list_append, mp_list_append(t, mp_none()), MP_ETYPE,
             "descriptor 'append' for 'list' objects doesn't apply to a 'tuple' object");
    CONTRACT(mp_dict_set, mp_dict_set(d, mp_list_new(), mp_none()), MP_ETYPE, "unhashable type: 'list'");

    CONTRACT_NULL(mp_item, mp_item(t, 2), MP_EINDEX, "tuple index out of range");
    CONTRACT_NULL(mp_item, mp_item(d, 0), MP_ETYPE, "'dict' object is not subscriptable");
    CONTRACT_NULL(mp_dict_get, mp_dict_get(d, l), MP_ETYPE, "unhashable type: 'list'");
    CONTRACT(mp_dict_entry, mp_dict_entry(d, 0, &k, &v), MP_EINDEX, "dict entry index out of range");
    CONTRACT(mp_dict_entry, mp_dict_entry(l, 0, &k, &v), MP_ETYPE, "expected a dict, got 'list'");

    mp_process *p = mp_process_new(NULL);
    CONTRACT_NULL(mp_value_from_arg, mp_value_from_arg(MP_ARG(p)), MP_ETYPE,
                  "Pickling an AuthenticationString object is disallowed for security reasons");
    mp_process_free(p);

    mp_decref(t);
    mp_decref(l);
    mp_decref(d);
}

/* The class of lesson 18, whose instances CPython pickles as __main__.MyFancyClass. */
static const mp_class MyFancyClass = {.name = "MyFancyClass"};
MP_CLASS(MyFancyClass);

static void test_objects(void)
{
    mp_value *attrs = mp_dict_new();
    mp_dict_set(attrs, mp_int(1), mp_str("one"));
    CONTRACT_NULL(mp_object_new, mp_object_new(&MyFancyClass, attrs), MP_ETYPE,
                  "attribute name must be string, not 'int'");

    mp_value *o = mp_object_new(&MyFancyClass, NULL);
    CONTRACT_NULL(mp_getattr, mp_getattr(o, "x"), MP_EATTR, "'MyFancyClass' object has no attribute 'x'");
    mp_decref(o);

    mp_queue *q = mp_queue_new(0);
    mp_value *qv = mp_value_from_arg(MP_ARG(q));
    CONTRACT(mp_setattr, mp_setattr(qv, "x", mp_int(1)), MP_EATTR, "'Queue' object attribute 'x' is read-only");
    mp_decref(qv);
    mp_queue_free(q);
}

/* ---- pickle ------------------------------------------------------------- */

static void test_pickle(void)
{
    uint8_t *out = NULL;
    size_t len = 0;
    mp_value *v = NULL;

    CONTRACT(mp_pickle_dumps, mp_pickle_dumps(mp_none(), &(mp_pickle_opts){.protocol = 6}, &out, &len),
             MP_EVALUE, "pickle protocol must be <= 5");
    CONTRACT(mp_pickle_dumps, mp_pickle_dumps(NULL, NULL, &out, &len), MP_EPICKLE, "cannot pickle a NULL value");
    mp_queue *q = mp_queue_new(0);
    mp_value *qv = mp_value_from_arg(MP_ARG(q));
    CONTRACT(mp_pickle_dumps, mp_pickle_dumps(qv, NULL, &out, &len), MP_ERUNTIME,
             "Queue objects should only be shared between processes through inheritance");
    mp_decref(qv);
    mp_queue_free(q);

    /* pickle.dumps(2**64, 2), pickle.dumps([[]], 2), and a truncated pickle. */
    static const uint8_t big[] = {0x80, 0x02, 0x8a, 0x09, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x2e};
    static const uint8_t nested[] = {0x80, 0x02, 0x5d, 0x71, 0x00, 0x5d, 0x71, 0x01, 0x61, 0x2e};
    CONTRACT(mp_pickle_loads, mp_pickle_loads("garbage", 7, NULL, &v), MP_EUNPICKLE, "pickle data was truncated");
    CONTRACT(mp_pickle_loads, mp_pickle_loads(big, sizeof big, NULL, &v), MP_EOVERFLOW,
             "int too large: more than 64 bits (opcode LONG1)");
    CONTRACT(mp_pickle_loads, mp_pickle_loads(nested, sizeof nested, &(mp_unpickle_opts){.max_depth = 1}, &v),
             MP_ENOMEM, "pickle data nests deeper than max_depth (1)");
}

/* ---- Process ------------------------------------------------------------ */

static void test_process_new(void)
{
    static const mp_process_class tiny = {.name = "Tiny", .size = 1};
    CONTRACT_NULL(mp_process_new, mp_process_new(&(mp_process_opts){.args = mp_list_new()}), MP_ETYPE,
                  "args must be a tuple, not list");
    CONTRACT_NULL(mp_process_new, mp_process_new(&(mp_process_opts){.cls = &tiny}), MP_EVALUE,
                  "class size is smaller than mp_process");
}

/* Misuse of a process object that never ran, and of one that is closed. */
static void test_process_idle(void)
{
    mp_process *p = mp_process_new(NULL);
    CONTRACT(mp_process_join, mp_process_join(mp_current_process(), MP_TIMEOUT(0)), MP_EASSERT,
             "can only join a child process");
    CONTRACT(mp_process_join, mp_process_join(p, MP_TIMEOUT(0)), MP_EASSERT, "can only join a started process");
    CONTRACT(mp_process_join, mp_process_join(p, MP_TIMEOUT(NAN)), MP_EASSERT, "can only join a started process");
    CONTRACT(mp_process_terminate, mp_process_terminate(p), MP_EATTR,
             "'NoneType' object has no attribute 'terminate'");
    CONTRACT(mp_process_kill, mp_process_kill(p), MP_EATTR, "'NoneType' object has no attribute 'kill'");
    CONTRACT(mp_process_set_name, mp_process_set_name(p, NULL), MP_EASSERT, "name must be a string");
    CONTRACT(mp_process_start, mp_process_start(mp_current_process()), MP_EASSERT,
             "can only start a process object created by current process");
    CONTRACT(mp_process_sentinel, mp_process_sentinel(p), MP_EVALUE, "process not started");

    mp_process_close(p);
    CONTRACT(mp_process_start, mp_process_start(p), MP_EVALUE, "process object is closed");
    CONTRACT(mp_process_join, mp_process_join(p, MP_WAIT_FOREVER), MP_EVALUE, "process object is closed");
    CONTRACT_GIVES(mp_process_is_alive, mp_process_is_alive(p), false, MP_EVALUE, "process object is closed");
    CONTRACT(mp_process_terminate, mp_process_terminate(p), MP_EVALUE, "process object is closed");
    CONTRACT(mp_process_kill, mp_process_kill(p), MP_EVALUE, "process object is closed");
    CONTRACT_GIVES(mp_process_exitcode, mp_process_exitcode(p), MP_EXITCODE_NONE, MP_EVALUE,
                   "process object is closed");
    CONTRACT_GIVES(mp_process_pid, mp_process_pid(p), 0, MP_EVALUE, "process object is closed");
    mp_process_free(p);

    /* Under spawn the child rebuilds the process by its class's name. */
    static const mp_process_class Worker = {.name = "Worker", .size = sizeof(mp_process)};
    p = mp_context_process(mp_get_context("spawn"), &(mp_process_opts){.cls = &Worker});
    CONTRACT(mp_process_start, mp_process_start(p), MP_EPICKLE,
             "Can't pickle <class 'Worker'>: it is not registered with MP_PROCESS_CLASS");
    mp_process_free(p);

    /* A dummy process is a thread, which nothing stops from outside. */
    p = mp_context_process(mp_dummy(), NULL);
    if (TAP_OK(p && mp_process_start(p) == 0, "a dummy process starts")) {
        CONTRACT(mp_process_terminate, mp_process_terminate(p), MP_EATTR,
                 "'DummyProcess' object has no attribute 'terminate'");
        CONTRACT(mp_process_kill, mp_process_kill(p), MP_EATTR, "'DummyProcess' object has no attribute 'kill'");
        mp_process_join(p, MP_WAIT_FOREVER);
    }
    mp_process_free(p);
}

/* Misuse of a process whose child is running: it waits for go. */
static void test_process_running(void)
{
    mp_process *p = mp_context_process(fork_ctx, &(mp_process_opts){.target = wait_for_go});
    if (!TAP_OK(mp_process_start(p) == 0, "a child that waits starts"))
        return;
    CONTRACT(mp_process_start, mp_process_start(p), MP_EASSERT, "cannot start a process twice");
    CONTRACT(mp_process_set_daemon, mp_process_set_daemon(p, true), MP_EASSERT, "process has already started");
    CONTRACT(mp_process_close, mp_process_close(p), MP_EVALUE,
             "Cannot close a process while it is still running. You should first call join() or terminate().");
    CONTRACT(mp_process_join, mp_process_join(p, MP_TIMEOUT(NAN)), MP_EVALUE, "cannot convert float NaN to integer");
    mp_connection_send(go_w, "go");
    mp_process_join(p, MP_WAIT_FOREVER);
    TAP_OK(mp_process_exitcode(p) == 0, "the waiting child ended when told");
    mp_process_free(p);
}

/* What only a child can get wrong. */
static void test_process_children(void)
{
    made_by_parent = mp_process_new(NULL);
    CONTRACT_CHILD(mp_process_start, start_theirs, 0, MP_EASSERT, MP_EASSERT,
                   "can only start a process object created by current process");
    CONTRACT_CHILD(mp_process_is_alive, test_theirs, 0, false, MP_EASSERT, "can only test a child process");
    CONTRACT_CHILD(mp_process_start, start_child, MP_YES, MP_EASSERT, MP_EASSERT,
                   "daemonic processes are not allowed to have children");
    mp_process_free(made_by_parent);
}

/* ---- Contexts ----------------------------------------------------------- */

static void test_contexts(void)
{
    CONTRACT_NULL(mp_get_context, mp_get_context("x"), MP_EVALUE, "cannot find context for 'x'");
    CONTRACT(mp_set_start_method, mp_set_start_method("x", true), MP_EVALUE, "cannot find context for 'x'");
    mp_get_start_method(false);         /* fixes the method */
    CONTRACT(mp_set_start_method, mp_set_start_method("fork", false), MP_ERUNTIME, "context has already been set");
}

/* ---- Connection and wait() ---------------------------------------------- */

static void test_connection(void)
{
    mp_connection *r, *w;
    mp_value *v = NULL;
    uint8_t buf[8];
    size_t n = 0;

    mp_pipe(&r, &w, &(mp_pipe_opts){.duplex = MP_NO});
    CONTRACT(mp_connection_send, mp_connection_send(r, 1), MP_EOS, "connection is read-only");
    mp_queue *q = mp_queue_new(0);
    CONTRACT(mp_connection_send, mp_connection_send(w, q), MP_ERUNTIME,
             "Queue objects should only be shared between processes through inheritance");
    mp_queue_free(q);
    CONTRACT(mp_connection_poll, mp_connection_poll(w, MP_TIMEOUT(0)), MP_EOS, "connection is write-only");

    CONTRACT(mp_connection_send_bytes, mp_connection_send_bytes(w, "abc", 3, -1, MP_ALL), MP_EVALUE,
             "offset is negative");
    CONTRACT(mp_connection_send_bytes, mp_connection_send_bytes(w, "abc", 3, 4, MP_ALL), MP_EVALUE,
             "buffer length < offset");
    CONTRACT(mp_connection_send_bytes, mp_connection_send_bytes(w, "abc", 3, 0, -1), MP_EVALUE,
             "size is negative");
    CONTRACT(mp_connection_send_bytes, mp_connection_send_bytes(w, "abc", 3, 1, 3), MP_EVALUE,
             "buffer length < offset + size");

    CONTRACT(mp_connection_recv_bytes, mp_connection_recv_bytes(r, -1, &v), MP_EVALUE, "negative maxlength");
    CONTRACT(mp_connection_recv_bytes_into, mp_connection_recv_bytes_into(r, buf, 3, -1, &n, NULL), MP_EVALUE,
             "negative offset");
    CONTRACT(mp_connection_recv_bytes_into, mp_connection_recv_bytes_into(r, buf, 3, 4, &n, NULL), MP_EVALUE,
             "offset too large");
    mp_connection_send_bytes(w, "hello", 5, 0, MP_ALL);
    CONTRACT(mp_connection_recv_bytes_into, mp_connection_recv_bytes_into(r, buf, 3, 0, &n, &v),
             MP_EBUFFERTOOSHORT, "b'hello'");
    mp_decref(v);
    mp_connection_send_bytes(w, "garbage", 7, 0, MP_ALL);
    CONTRACT(mp_connection_recv, mp_connection_recv(r, &v), MP_EUNPICKLE, "pickle data was truncated");
    /* Too long for maxlength: the read-only end is then closed, as in CPython. */
    mp_connection_send_bytes(w, "hello", 5, 0, MP_ALL);
    CONTRACT(mp_connection_recv_bytes, mp_connection_recv_bytes(r, 2, &v), MP_EOS, "bad message length");
    CONTRACT(mp_connection_poll, mp_connection_poll(r, MP_TIMEOUT(0)), MP_ECLOSED, "handle is closed");
    CONTRACT(mp_connection_fileno, mp_connection_fileno(r), MP_ECLOSED, "handle is closed");

    mp_value *objs = mp_list_of(r);
    CONTRACT(mp_wait, mp_wait(objs, MP_TIMEOUT(0), &v), MP_ECLOSED, "handle is closed");
    mp_decref(objs);
    objs = mp_list_of("x");
    CONTRACT(mp_wait, mp_wait(objs, MP_TIMEOUT(0), &v), MP_EVALUE, "Invalid file object: 'x'");
    mp_decref(objs);
    objs = mp_int(3);
    CONTRACT(mp_wait, mp_wait(objs, MP_TIMEOUT(0), &v), MP_ETYPE, "wait() wants a list of objects, not 'int'");
    mp_decref(objs);
    objs = mp_list_of(-1);
    CONTRACT(mp_wait, mp_wait(objs, MP_TIMEOUT(0), &v), MP_EVALUE,
             "file descriptor cannot be a negative integer (-1)");
    mp_decref(objs);

    /* The reader gone: EPIPE, not SIGPIPE. */
    mp_connection_free(r);
    forget();
    TAP_OK(mp_connection_send(w, 1) == MP_EOS && mp_errno() == EPIPE,
           "mp_connection_send: MP_EOS with mp_errno() EPIPE once the reader is gone");
    mp_connection_close(w);
    CONTRACT(mp_connection_send, mp_connection_send(w, 1), MP_ECLOSED, "handle is closed");
    mp_connection_free(w);

    /* The writer gone at a message boundary, then inside a message. */
    mp_pipe(&r, &w, &(mp_pipe_opts){.duplex = MP_NO});
    mp_connection_free(w);
    CONTRACT(mp_connection_recv, mp_connection_recv(r, &v), MP_EEOF, "");
    mp_connection_free(r);
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    TAP_OK(write(sv[1], "\0\0\0\x0a" "abc", 7) == 7, "a message cut short is written");
    close(sv[1]);
    r = mp_connection_new(sv[0], true, false);
    CONTRACT(mp_connection_recv, mp_connection_recv(r, &v), MP_EOS, "got end of file during message");
    mp_connection_free(r);

    int fd = dup(0);
    CONTRACT_NULL(mp_connection_new, mp_connection_new(fd, false, false), MP_EVALUE,
                  "at least one of `readable` and `writable` must be True");
    close(fd);
}

/* ---- Queue, JoinableQueue, SimpleQueue ---------------------------------- */

static void test_queue(void)
{
    mp_value *v = NULL;
    mp_queue *q = mp_queue_new(0);

    CONTRACT(mp_queue_get_nowait, mp_queue_get_nowait(q, &v), MP_EEMPTY, "");
    CONTRACT(mp_queue_get_ex, mp_queue_get_ex(q, &v, &(mp_queue_opts){.timeout = MP_TIMEOUT(0.01)}), MP_EEMPTY, "");
    CONTRACT(mp_queue_join_thread, mp_queue_join_thread(q), MP_EASSERT, "Queue <repr> not closed");
    CONTRACT(mp_joinable_queue_task_done, mp_joinable_queue_task_done(q), MP_EATTR,
             "'Queue' object has no attribute 'task_done'");
    CONTRACT(mp_joinable_queue_join, mp_joinable_queue_join(q), MP_EATTR, "'Queue' object has no attribute 'join'");
    /* A put starts the feeder, which closes the reader after close. */
    mp_queue_put(q, 1);
    mp_queue_close(q);
    mp_queue_join_thread(q);
    CONTRACT(mp_queue_put, mp_queue_put(q, 2), MP_EVALUE, "Queue <repr> is closed");
    CONTRACT(mp_queue_get, mp_queue_get(q, &v), MP_EVALUE, "Queue <repr> is closed");
    CONTRACT_GIVES(mp_queue_empty, mp_queue_empty(q), true, MP_ECLOSED, "handle is closed");
    mp_queue_free(q);

    q = mp_queue_new(1);
    mp_queue_put(q, 1);
    CONTRACT(mp_queue_put_nowait, mp_queue_put_nowait(q, 2), MP_EFULL, "");
    CONTRACT(mp_queue_put_ex, mp_queue_put_ex(q, 2, .timeout = MP_TIMEOUT(0.01)), MP_EFULL, "");
    CONTRACT(mp_queue_put_ex, mp_queue_put_ex(q, 2, .timeout = MP_TIMEOUT(NAN)), MP_EOS, "[Errno 22] Invalid argument");
    mp_queue_free(q);

    q = mp_joinable_queue_new(0);
    CONTRACT(mp_joinable_queue_task_done, mp_joinable_queue_task_done(q), MP_EVALUE,
             "task_done() called too many times");
    mp_queue_free(q);
}

static void test_simple_queue(void)
{
    mp_value *v = NULL;
    mp_simple_queue *sq = mp_simple_queue_new();
    mp_queue *q = mp_queue_new(0);

    CONTRACT(mp_simple_queue_put, mp_simple_queue_put(sq, q), MP_ERUNTIME,
             "Queue objects should only be shared between processes through inheritance");
    mp_queue_free(q);
    mp_simple_queue_close(sq);
    CONTRACT(mp_simple_queue_put, mp_simple_queue_put(sq, 1), MP_ECLOSED, "handle is closed");
    CONTRACT(mp_simple_queue_get, mp_simple_queue_get(sq, &v), MP_ECLOSED, "handle is closed");
    CONTRACT_GIVES(mp_simple_queue_empty, mp_simple_queue_empty(sq), true, MP_ECLOSED, "handle is closed");
    mp_simple_queue_free(sq);
}

/* ---- Lock, Semaphore, Condition, Event, Barrier -------------------------- */

/* A child (forked) that takes the Lock and ends holding it: a holder that
 * died.  A thread that ends holding a Lock would not do: its process
 * lives, and any thread may release a Lock, so it stays held, as in
 * CPython. */
static int take_and_end(const mp_value *args)
{
    return mp_lock_acquire(mp_as_lock(mp_item(args, 0))) == 1 ? 0 : 1;
}
MP_TARGET(take_and_end);

static bool never_true(void *arg)
{
    (void)arg;
    return false;
}

static void test_synchronize(void)
{
    mp_lock *l = mp_lock_new(), *r = mp_rlock_new();
    mp_process *p = mp_context_process(mp_get_context("fork"),
                                       &(mp_process_opts){.target = take_and_end, .args = mp_tuple_of(l)});
    TAP_OK(p && mp_process_start(p) == 0, "a forked child that ends holding a Lock starts");
    mp_process_join(p, MP_WAIT_FOREVER);
    mp_process_free(p);
    CONTRACT(mp_lock_acquire, mp_lock_acquire(l), MP_EOWNERDEAD,
             "the previous holder died holding this Lock; it is yours now, and what it protected may be half changed");
    mp_lock_release(l);
    CONTRACT(mp_lock_release, mp_lock_release(l), MP_EVALUE, "semaphore or lock released too many times");
    CONTRACT(mp_lock_release, mp_lock_release(r), MP_EASSERT, "attempt to release recursive lock not owned by thread");
    CONTRACT(mp_lock_release, mp_lock_release(NULL), MP_ETYPE, "expected a Lock, got NULL");
    CONTRACT(mp_lock_acquire, mp_lock_acquire(NULL), MP_ETYPE, "expected a Lock, got NULL");
    mp_lock_acquire(l);
    CONTRACT(mp_lock_acquire_ex, mp_lock_acquire_ex(l, .timeout = MP_TIMEOUT(NAN)), MP_EOS,
             "[Errno 22] Invalid argument");
    mp_lock_release(l);

    CONTRACT_NULL(mp_semaphore_new, mp_semaphore_new(-1), MP_EOS, "[Errno 22] Invalid argument");
    CONTRACT_NULL(mp_bounded_semaphore_new, mp_bounded_semaphore_new(-1), MP_EOS, "[Errno 22] Invalid argument");
    CONTRACT_NULL(mp_context_semaphore, mp_context_semaphore(NULL, -1), MP_EOS, "[Errno 22] Invalid argument");
    CONTRACT_NULL(mp_context_bounded_semaphore, mp_context_bounded_semaphore(NULL, -1), MP_EOS,
                  "[Errno 22] Invalid argument");
    mp_semaphore *s = mp_bounded_semaphore_new(0);
    CONTRACT(mp_semaphore_acquire_ex, mp_semaphore_acquire_ex(s, .timeout = MP_TIMEOUT(NAN)), MP_EOS,
             "[Errno 22] Invalid argument");
    CONTRACT(mp_semaphore_acquire, mp_semaphore_acquire(NULL), MP_ETYPE, "expected a Semaphore, got NULL");
    CONTRACT(mp_semaphore_release, mp_semaphore_release(s), MP_EVALUE, "semaphore or lock released too many times");
    CONTRACT(mp_semaphore_release, mp_semaphore_release(NULL), MP_ETYPE, "expected a Semaphore, got NULL");
    mp_semaphore_free(s);

    mp_condition *c = mp_condition_new(l);
    CONTRACT(mp_condition_acquire, mp_condition_acquire(NULL), MP_ETYPE, "expected a Condition, got NULL");
    CONTRACT(mp_condition_acquire_ex, mp_condition_acquire_ex(NULL, .block = MP_NO), MP_ETYPE,
             "expected a Condition, got NULL");
    CONTRACT(mp_condition_release, mp_condition_release(NULL), MP_ETYPE, "expected a Condition, got NULL");
    CONTRACT(mp_condition_wait, mp_condition_wait(c, MP_TIMEOUT(0)), MP_EASSERT,
             "must acquire() condition before using wait()");
    CONTRACT(mp_condition_wait_for, mp_condition_wait_for(c, never_true, NULL, MP_TIMEOUT(0)), MP_EASSERT,
             "must acquire() condition before using wait()");
    CONTRACT(mp_condition_notify, mp_condition_notify(c, 1), MP_EASSERT, "lock is not owned");
    CONTRACT(mp_condition_notify_all, mp_condition_notify_all(c), MP_EASSERT, "lock is not owned");
    mp_condition_acquire(c);
    CONTRACT(mp_condition_wait, mp_condition_wait(c, MP_TIMEOUT(NAN)), MP_EOS, "[Errno 22] Invalid argument");
    mp_condition_release(c);
    mp_condition_free(c);

    mp_event *e = mp_event_new();
    CONTRACT(mp_event_set, mp_event_set(NULL), MP_ETYPE, "expected an Event, got NULL");
    CONTRACT(mp_event_clear, mp_event_clear(NULL), MP_ETYPE, "expected an Event, got NULL");
    CONTRACT(mp_event_wait, mp_event_wait(e, MP_TIMEOUT(NAN)), MP_EOS, "[Errno 22] Invalid argument");
    mp_event_free(e);

    mp_barrier *b = mp_barrier_new(2, NULL);
    CONTRACT(mp_barrier_wait, mp_barrier_wait(b, MP_TIMEOUT(0)), MP_EBROKENBARRIER, "");
    CONTRACT(mp_barrier_wait, mp_barrier_wait(NULL, MP_TIMEOUT(0)), MP_ETYPE, "expected a Barrier, got NULL");
    CONTRACT(mp_barrier_reset, mp_barrier_reset(NULL), MP_ETYPE, "expected a Barrier, got NULL");
    CONTRACT(mp_barrier_abort, mp_barrier_abort(NULL), MP_ETYPE, "expected a Barrier, got NULL");
    mp_barrier_free(b);
    mp_lock_free(l);
    mp_lock_free(r);
}

/* ---- shared ctypes ------------------------------------------------------ */

static void test_sharedctypes(void)
{
    mp_value *v;
    CONTRACT_NULL(mp_typecode, mp_typecode("x"), MP_ETYPE, "this type has no size");
    CONTRACT_NULL(mp_shared_value_new, mp_shared_value_new(&mp_c_int, mp_tuple_of(1, 2), NULL), MP_ETYPE,
                  "__init__ expected at most 1 argument, got 2");
    CONTRACT_NULL(mp_raw_value_new, mp_raw_value_new(&mp_c_int, mp_tuple_of(1.5)), MP_ETYPE,
                  "'float' object cannot be interpreted as an integer");
    CONTRACT_NULL(mp_shared_array_new, mp_shared_array_new(&mp_c_int, mp_int(-1), NULL), MP_EVALUE,
                  "Array length must be >= 0, not -1");
    CONTRACT_NULL(mp_raw_array_new, mp_raw_array_new(&mp_c_int, mp_int(-1)), MP_EVALUE,
                  "Array length must be >= 0, not -1");
    mp_shared *w = mp_shared_value_new(&mp_c_int, NULL, NULL);
    mp_shared *r = mp_raw_value_new(&mp_c_int, NULL);
    mp_shared *a = mp_shared_array_new(&mp_c_int, mp_int(3), NULL);
    mp_shared *s = mp_shared_array_new(&mp_c_char, mp_int(2), NULL);
    CONTRACT_NULL(mp_shared_copy, mp_shared_copy(w), MP_ETYPE, "this type has no size");
    CONTRACT_NULL(mp_shared_synchronized, mp_shared_synchronized(w, NULL), MP_EASSERT,
                  "object already synchronized");
    CONTRACT_NULL(mp_shared_get_lock, mp_shared_get_lock(r), MP_EATTR, "'c_int' object has no attribute 'get_lock'");
    CONTRACT_NULL(mp_shared_get_obj, mp_shared_get_obj(r), MP_EATTR, "'c_int' object has no attribute 'get_obj'");
    CONTRACT(mp_shared_len, mp_shared_len(r), MP_ETYPE, "object of type 'c_int' has no len()");
    CONTRACT(mp_shared_get, mp_shared_get(a, &v), MP_EATTR, "'SynchronizedArray' object has no attribute 'value'");
    CONTRACT(mp_shared_set, mp_shared_set(a, mp_int(1)), MP_EATTR,
             "'SynchronizedArray' object has no attribute 'value'");
    CONTRACT(mp_shared_set, mp_shared_set(s, mp_bytes("abc", 3)), MP_EVALUE, "byte string too long");
    CONTRACT(mp_shared_get_raw, mp_shared_get_raw(a, &v), MP_EATTR,
             "'SynchronizedArray' object has no attribute 'raw'");
    CONTRACT(mp_shared_set_raw, mp_shared_set_raw(s, mp_bytes("abc", 3)), MP_EVALUE, "byte string too long");
    CONTRACT(mp_shared_getattr, mp_shared_getattr(r, "z", &v), MP_EATTR, "'c_int' object has no attribute 'z'");
    CONTRACT(mp_shared_setattr, mp_shared_setattr(r, "z", mp_int(1)), MP_EATTR,
             "'c_int' object has no attribute 'z'");
    CONTRACT(mp_shared_item, mp_shared_item(a, 3, &v), MP_EINDEX, "invalid index");
    CONTRACT(mp_shared_item, mp_shared_item(r, 0, &v), MP_ETYPE, "'c_int' object is not subscriptable");
    CONTRACT(mp_shared_set_item, mp_shared_set_item(a, -4, mp_int(1)), MP_EINDEX, "invalid index");
    CONTRACT(mp_shared_slice, mp_shared_slice(a, 0, 1, 0, &v), MP_EVALUE, "slice step cannot be zero");
    CONTRACT(mp_shared_set_slice, mp_shared_set_slice(a, 0, 2, MP_ALL, mp_list_of(1)), MP_EVALUE,
             "Can only assign sequence of same size");
    mp_shared_free(s);
    mp_shared_free(a);
    mp_shared_free(r);
    mp_shared_free(w);
}

/* ---- Listener and Client ------------------------------------------------ */

/* The parent's side while accept_one runs: a client with the wrong key. */
static void client_with_wrong_key(void)
{
    mp_value *address = mp_incref(mp_listener_address(listener));
    CONTRACT_NULL(mp_client_new,
                  mp_client_new(&(mp_client_opts){.address = address, .authkey = mp_bytes("wrong", 5)}),
                  MP_EAUTH, "digest sent was rejected");
}

static void test_listener(void)
{
    CONTRACT_NULL(mp_listener_new, mp_listener_new(&(mp_listener_opts){.family = "AF_PIPE"}), MP_EVALUE,
                  "Family AF_PIPE is not recognized.");
    CONTRACT_NULL(mp_listener_new, mp_listener_new(&(mp_listener_opts){.address = mp_tuple_of("127.0.0.1", 70000)}),
                  MP_EOVERFLOW, "bind(): port must be 0-65535.");
    CONTRACT_NULL(mp_listener_new, mp_listener_new(&(mp_listener_opts){.authkey = mp_str("x")}), MP_ETYPE,
                  "authkey should be a byte string");

    listener = mp_listener_new(&(mp_listener_opts){.authkey = mp_bytes("right", 5)});
    if (!TAP_OK(listener != NULL, "a listener with a key"))
        return;
    mp_value *address = mp_incref(mp_listener_address(listener));
    CONTRACT_NULL(mp_listener_new, mp_listener_new(&(mp_listener_opts){.address = mp_incref(address)}), MP_EOS,
                  "[Errno 98] Address already in use");
    CONTRACT_CHILD_BESIDE(mp_listener_accept, accept_one, client_with_wrong_key, MP_EAUTH, MP_EAUTH,
                          "digest received was wrong");
    mp_listener_close(listener);
    CONTRACT_NULL(mp_listener_address, mp_listener_address(listener), MP_EATTR,
                  "'NoneType' object has no attribute '_address'");
    CONTRACT_NULL(mp_listener_last_accepted, mp_listener_last_accepted(listener), MP_EATTR,
                  "'NoneType' object has no attribute '_last_accepted'");
    mp_listener_free(listener);

    /* The socket file is gone with the listener: nothing listens there. */
    CONTRACT_NULL(mp_client_new, mp_client_new(&(mp_client_opts){.address = address}), MP_EOS,
                  "[Errno 2] No such file or directory");
    CONTRACT_NULL(mp_client_new, mp_client_new(&(mp_client_opts){.address = mp_str("/x"), .family = "AF_PIPE"}),
                  MP_EVALUE, "Family AF_PIPE is not recognized.");
    CONTRACT_NULL(mp_client_new, mp_client_new(&(mp_client_opts){.address = mp_int(5)}), MP_ETYPE,
                  "address type of 5 unrecognized");
}

/* ---- Pool ------------------------------------------------------------------ */

/* Fork workers inherit it: a task that waits until the test lets it go. */
static mp_event *pool_go;

static int held(const mp_value *args, mp_value **result)
{
    (void)args;
    int rc = mp_event_wait(pool_go, MP_WAIT_FOREVER);
    *result = mp_int(1);
    return rc < 0 ? rc : 0;
}
MP_TASK(held);

static int not_a_task(const mp_value *args) { (void)args; return 0; }

static int not_a_pool_task(const mp_value *args, mp_value **result) { (void)args; (void)result; return 0; }

/* A producer of no inputs, for mp_pool_imap_iter. */
static int no_inputs(void *data, mp_value **item) { (void)data; (void)item; return 0; }

static void test_pool(void)
{
    CONTRACT_NULL(mp_pool_new, mp_pool_new(&(mp_pool_opts){.processes = -1}), MP_EVALUE,
                  "Number of processes must be at least 1");
    CONTRACT_NULL(mp_context_pool, mp_context_pool(fork_ctx, &(mp_pool_opts){.maxtasksperchild = -1}),
                  MP_EVALUE, "maxtasksperchild must be a positive int or None");
    CONTRACT_NULL(mp_pool_new, mp_pool_new(&(mp_pool_opts){.processes = 1, .initializer = not_a_task}),
                  MP_EPICKLE, "Can't pickle the Pool's initializer: it is not registered with MP_TARGET");
    CONTRACT_NULL(mp_pool_new, mp_pool_new(&(mp_pool_opts){.processes = 1, .initargs = mp_list_new()}),
                  MP_ETYPE, "initargs must be a tuple, not list");
    CONTRACT_NULL(mp_thread_pool_new, mp_thread_pool_new(&(mp_pool_opts){.maxtasksperchild = 2}), MP_ETYPE,
                  "ThreadPool.__init__() got an unexpected keyword argument 'maxtasksperchild'");
    if (!(pool_go = mp_event_new()))
        return;
    mp_pool *p = mp_context_pool(fork_ctx, &(mp_pool_opts){.processes = 1});
    if (!p) {
        tap_diag("no pool: %s", mp_errmsg());
        mp_event_free(pool_go);
        return;
    }
    mp_value *v = NULL, *items = mp_list_of(1, 2), *three = mp_int(3);
    CONTRACT_NULL(mp_pool_apply_async, mp_pool_apply_async(p, held, &(mp_pool_call_opts){.args = mp_list_new()}),
                  MP_ETYPE, "args must be a tuple, not list");
    CONTRACT_NULL(mp_pool_map_async, mp_pool_map_async(p, held, three, NULL), MP_ETYPE,
                  "'int' object is not iterable");
    CONTRACT_NULL(mp_pool_starmap_async, mp_pool_starmap_async(p, held, three, NULL), MP_ETYPE,
                  "'int' object is not iterable");
    mp_async_result *r = mp_pool_apply_async(p, held, NULL);
    mp_imap_iterator *it = mp_pool_imap(p, held, items, NULL);
    CONTRACT(mp_async_result_successful, mp_async_result_successful(r), MP_EVALUE, "<repr> not ready");
    CONTRACT(mp_async_result_get, mp_async_result_get(r, MP_TIMEOUT(0), &v), MP_ETIMEOUT, "");
    CONTRACT(mp_imap_iterator_next, mp_imap_iterator_next(it, MP_TIMEOUT(0), &v), MP_ETIMEOUT, "");
    CONTRACT(mp_pool_join, mp_pool_join(p), MP_EVALUE, "Pool is still running");
    mp_event_set(pool_go);
    mp_async_result_get(r, MP_WAIT_FOREVER, &v);
    mp_decref(v);
    while (mp_imap_iterator_next(it, MP_WAIT_FOREVER, &v) == 0)
        mp_decref(v);
    CONTRACT(mp_imap_iterator_next, mp_imap_iterator_next(it, MP_WAIT_FOREVER, &v), MP_ESTOPITERATION, "");
    CONTRACT_NULL(mp_pool_imap_iter, mp_pool_imap_iter(p, held, NULL, NULL, NULL), MP_ETYPE,
                  "'NoneType' object is not iterable");
    CONTRACT_NULL(mp_pool_imap_iter, mp_pool_imap_iter(p, not_a_pool_task, no_inputs, NULL, NULL), MP_EPICKLE,
                  "Can't pickle <repr>: it is not registered with MP_TASK");
    mp_pool_close(p);
    CONTRACT_NULL(mp_pool_imap_iter, mp_pool_imap_iter(p, held, no_inputs, NULL, NULL), MP_EVALUE,
                  "Pool not running");
    CONTRACT_NULL(mp_pool_apply_async, mp_pool_apply_async(p, held, NULL), MP_EVALUE, "Pool not running");
    CONTRACT_NULL(mp_pool_map_async, mp_pool_map_async(p, held, items, NULL), MP_EVALUE, "Pool not running");
    mp_pool_join(p);
    mp_async_result_free(r);
    mp_imap_iterator_free(it);
    mp_decref(items);
    mp_decref(three);
    mp_pool_free(p);
    mp_event_free(pool_go);
}

/* ---- documented but not provoked here, and why -------------------------- */

/*
 * scripts/check-contracts accepts a documented (function, code) that no
 * CONTRACT* line provokes only from this table, with its reason.  A NULL
 * code: the function fails with none of the codes its block names (the
 * block names them for its other functions).
 */
static const struct {
    const char *fn, *code, *why;
} not_provoked[] = {
    {"mp_errname", "MP_EOS", "names a code, never fails: MP_EOS's subclasses by errno are checked in test_errname_os"},
    {"mp_none", NULL, "an immortal value: never fails"},
    {"mp_bool", NULL, "an immortal value: never fails"},
    {"mp_int", "MP_ENOMEM", "needs malloc to fail"},
    {"mp_float", "MP_ENOMEM", "needs malloc to fail"},
    {"mp_bytes", "MP_ENOMEM", "needs malloc to fail"},
    {"mp_tuple_new", "MP_ENOMEM", "needs malloc to fail"},
    {"mp_list_new", "MP_ENOMEM", "needs malloc to fail"},
    {"mp_dict_new", "MP_ENOMEM", "needs malloc to fail"},
    {"mp_list_append", "MP_ENOMEM", "needs realloc to fail"},
    {"mp_dict_set", "MP_ENOMEM", "needs malloc to fail"},
    {"mp_type_name", NULL, "names any value's type, NULL's too: never fails"},
    {"mp_object_new", "MP_ENOMEM", "needs malloc to fail"},
    {"mp_setattr", "MP_ENOMEM", "needs malloc to fail"},
    {"mp_pickle_dumps", "MP_ENOMEM", "needs malloc to fail"},
    {"mp_process_new", "MP_ENOMEM", "needs malloc to fail"},
    {"mp_process_new", "MP_EOS", "needs getrandom() to fail for the main process's authkey: test_authkey.c does it"},
    {"mp_process_name", NULL, "a process always has a name: never fails"},
    {"mp_process_start", "MP_EOS", "needs fork() to fail; RLIMIT_NPROC does not bind root"},
    {"mp_pipe", "MP_EOS", "needs the descriptors or shared memory to run out"},
    {"mp_connection_new", "MP_ENOMEM", "needs malloc to fail"},
    {"mp_connection_send", "MP_EPICKLE", "only a str or bytes of 4 GiB or more: too much memory for a unit test"},
    {"mp_connection_close", NULL, "idempotent: 0 on a closed connection too"},
    {"mp_queue_new", "MP_EOS", "needs the descriptors or shared memory to run out"},
    {"mp_queue_new", "MP_ENOMEM", "needs malloc to fail"},
    {"mp_joinable_queue_new", "MP_EOS", "needs the descriptors or shared memory to run out"},
    {"mp_joinable_queue_new", "MP_ENOMEM", "needs malloc to fail"},
    {"mp_queue_put", "MP_ENOMEM", "needs malloc to fail"},
    {"mp_queue_get", "MP_EUNPICKLE", "the feeder writes only pickles of values; nothing else reaches the pipe"},
    {"mp_queue_get", "MP_EOWNERDEAD", "needs a process killed inside a message: test_queue_deaths.c does it"},
    {"mp_simple_queue_get", "MP_EOWNERDEAD", "needs a process killed inside a message: test_simple_queue_deaths.c does it"},
    {"mp_connection_recv", "MP_EOWNERDEAD", "needs a process killed inside a message: test_queue_deaths.c does it, through a Queue's channel"},
    {"mp_queue_qsize", NULL, "counts what a semaphore says: never fails"},
    {"mp_queue_close", NULL, "idempotent: never fails"},
    {"mp_simple_queue_new", "MP_EOS", "needs shared memory to run out"},
    {"mp_simple_queue_new", "MP_ENOMEM", "needs malloc to fail"},
    {"mp_context_simple_queue", "MP_EOS", "as mp_simple_queue_new: needs shared memory to run out"},
    {"mp_simple_queue_put", "MP_EPICKLE", "only a str or bytes of 4 GiB or more: too much memory for a unit test"},
    {"mp_simple_queue_close", NULL, "idempotent: never fails"},
    {"mp_as_simple_queue", NULL, "NULL for another value is an answer, not a failure"},
    {"mp_lock_new", "MP_EOS", "needs shared memory to run out"},
    {"mp_lock_new", "MP_ENOMEM", "needs malloc to fail"},
    {"mp_rlock_new", "MP_EOS", "as mp_lock_new: needs shared memory to run out"},
    {"mp_context_lock", "MP_EOS", "as mp_lock_new: needs shared memory to run out"},
    {"mp_context_rlock", "MP_EOS", "as mp_lock_new: needs shared memory to run out"},
    {"mp_lock_acquire", "MP_EINTERRUPT", "needs a SIGINT during the wait: test_interrupt.c does it"},
    {"mp_semaphore_new", "MP_ENOMEM", "needs malloc to fail"},
    {"mp_semaphore_acquire", "MP_EINTERRUPT", "needs a SIGINT during the wait"},
    {"mp_condition_new", "MP_EOS", "needs shared memory to run out"},
    {"mp_condition_new", "MP_ENOMEM", "needs malloc to fail"},
    {"mp_context_condition", "MP_EOS", "as mp_condition_new: needs shared memory to run out"},
    {"mp_condition_lock", NULL, "lends the lock, NULL for NULL: never fails"},
    {"mp_condition_wait", "MP_EOWNERDEAD", "needs a holder that dies during the wait: test_lock_deaths.c does it"},
    {"mp_condition_wait", "MP_EINTERRUPT", "needs a SIGINT during the wait"},
    {"mp_event_new", "MP_EOS", "needs shared memory to run out"},
    {"mp_event_new", "MP_ENOMEM", "needs malloc to fail"},
    {"mp_context_event", "MP_EOS", "as mp_event_new: needs shared memory to run out"},
    {"mp_event_wait", "MP_EINTERRUPT", "needs a SIGINT during the wait"},
    {"mp_barrier_new", "MP_EOS", "needs shared memory to run out"},
    {"mp_barrier_new", "MP_ENOMEM", "needs malloc to fail"},
    {"mp_context_barrier", "MP_EOS", "as mp_barrier_new: needs shared memory to run out"},
    {"mp_barrier_wait", "MP_EINTERRUPT", "needs a SIGINT during the wait"},
    {"mp_barrier_reset", "MP_EINTERRUPT", "needs a SIGINT while it waits for the lock"},
    {"mp_barrier_abort", "MP_EINTERRUPT", "needs a SIGINT while it waits for the lock"},
    {"mp_shared_value_new", "MP_EOS", "needs shared memory to run out"},
    {"mp_shared_value_new", "MP_ENOMEM", "needs malloc to fail"},
    {"mp_pool_new", "MP_EOS", "needs descriptors, shared memory or fork() to run out"},
    {"mp_pool_new", "MP_ENOMEM", "needs malloc to fail"},
    {"mp_pool_apply_async", "MP_ENOMEM", "needs malloc to fail"},
    {"mp_pool_apply_async", "MP_EPICKLE", "is the result's failure, not the call's: test_pool.c gets it"},
    {"mp_pool_map_async", "MP_ENOMEM", "needs malloc to fail"},
    {"mp_pool_imap_iter", "MP_ENOMEM", "needs malloc to fail"},
    {"mp_log_handler_new", "MP_ENOMEM", "needs malloc to fail"},
    {"mp_async_result_get", "MP_EWORKERLOST", "needs a worker killed in a task: test_pool_deaths.c does it"},
    {"mp_async_result_get", "MP_EINTERRUPT", "needs a SIGINT during the wait"},
    {"mp_async_result_wait", "MP_EINTERRUPT", "needs a SIGINT during the wait"},
    {"mp_imap_iterator_next", "MP_EINTERRUPT", "needs a SIGINT during the wait"},
    {"mp_manager_register", "MP_ENOMEM", "needs malloc to fail"},
    {"mp_manager_new", "MP_ENOMEM", "needs malloc to fail"},
    {"mp_slice", "MP_ENOMEM", "needs malloc to fail"},
    {"mp_proxy_setattr", "MP_EATTR", "only getattr can: a Namespace takes any attribute"},
};

/* Said in the output, as diagnostics rather than skipped tests: they are
 * not tests, and scripts/check-contracts holds each to its reason. */
static void list_not_provoked(void)
{
    for (size_t i = 0; i < sizeof not_provoked / sizeof *not_provoked; i++)
        tap_diag("not provoked here: %s %s: %s", not_provoked[i].fn,
                 not_provoked[i].code ? not_provoked[i].code : "(none of its block's codes)",
                 not_provoked[i].why);
}

/* mp_errname(MP_EOS) names the OSError subclass of the failure's errno,
 * as CPython raises it: a Listener in a folder that does not exist is
 * FileNotFoundError (ENOENT); a Client of a socket file nobody listens on
 * would be ConnectionRefusedError; OSError itself for an errno without one. */
/* An MP_TASK that is none: for the registry's refusal. */
static int not_registered_task(const mp_value *args, mp_value **result)
{
    (void)args;
    *result = NULL;
    return 0;
}

static mp_manager_class ContractManager = {.name = "ContractManager", .sync = true};

static void test_managers(void)
{
    CONTRACT(mp_manager_register, mp_manager_register(&ContractManager, "", NULL), MP_EVALUE,
             "typeid must be a non-empty string");
    CONTRACT(mp_manager_register,
             mp_manager_register(&ContractManager, "T",
                                 &(mp_register_opts){.callable = not_registered_task}),
             MP_EPICKLE, "Can't pickle the callable of 'T': it is not registered with MP_TASK");
    CONTRACT_NULL(mp_manager_new,
                  mp_manager_new(&mp_sync_manager, &(mp_manager_opts){.authkey = mp_str("k")}),
                  MP_ETYPE, "authkey should be a byte string");
    mp_manager *m = mp_manager_new(&mp_sync_manager, &(mp_manager_opts){
                                                         .ctx = fork_ctx,
                                                         .authkey = mp_bytes("right", 5)});
    if (!m || mp_manager_start(m, NULL, NULL) < 0) {
        tap_diag("no manager: %s", mp_errmsg());
        mp_manager_free(m);
        return;
    }
    CONTRACT(mp_manager_start, mp_manager_start(m, NULL, NULL), MP_EASSERT, "Already started server");
    mp_manager *wrong = mp_manager_new(&mp_sync_manager, &(mp_manager_opts){
                                           .address = mp_incref(mp_manager_address(m)),
                                           .authkey = mp_bytes("wrong", 5)});
    CONTRACT(mp_manager_connect, mp_manager_connect(wrong), MP_EAUTH, "digest sent was rejected");
    CONTRACT_NULL(mp_manager_get_server, mp_manager_get_server(wrong), MP_EOS,
                  "[Errno 98] Address already in use");
    mp_manager_free(wrong);
    mp_manager *nobody = mp_manager_new(&mp_sync_manager, &(mp_manager_opts){
                                            .address = mp_str("/nonexistent/forklore-manager")});
    CONTRACT(mp_manager_connect, mp_manager_connect(nobody), MP_EOS,
             "[Errno 2] No such file or directory");
    mp_manager_free(nobody);
    CONTRACT_NULL(mp_manager_create, mp_manager_create(m, "x", NULL, NULL), MP_EATTR,
                  "'SyncManager' object has no attribute 'x'");
    mp_value *d = mp_dict_new(), *ns = mp_manager_namespace(m), *out = NULL;
    CONTRACT(mp_proxy_callmethod, mp_proxy_callmethod(d, "keys", NULL, NULL, NULL), MP_ETYPE,
             "expected a proxy, got 'dict'");
    CONTRACT_NULL(mp_proxy_exposed, mp_proxy_exposed(d), MP_ETYPE, "expected a proxy, got 'dict'");
    if (ns)
        CONTRACT(mp_proxy_getattr, mp_proxy_getattr(ns, "x", &out), MP_EATTR,
                 "'Namespace' object has no attribute 'x'");
    mp_value *word = mp_str("a");
    CONTRACT_NULL(mp_slice, mp_slice(word, NULL, NULL), MP_ETYPE,
                  "slice indices must be integers or None or have an __index__ method");
    mp_decref(word);
    mp_decref(d);
    mp_decref(ns);
    mp_manager_shutdown(m);
    CONTRACT(mp_manager_start, mp_manager_start(m, NULL, NULL), MP_EASSERT, "Server has shut down");
    mp_manager_free(m);
}

static void test_errname_os(void)
{
    mp_listener *l = mp_listener_new(&(mp_listener_opts){.address = mp_str("/nonexistent-forklore-dir/socket"),
                                                         .family = "AF_UNIX"});
    tap_ok(l == NULL && mp_errcode() == MP_EOS && mp_errno() == ENOENT, "a Listener in a missing folder: MP_EOS, ENOENT");
    tap_is_str(mp_errname(MP_EOS), "FileNotFoundError", "mp_errname(MP_EOS) then: FileNotFoundError, as CPython's");
    mp_listener_free(l);
    mp_lock *k = mp_lock_new();
    tap_ok(k && mp_lock_acquire_ex(k, .timeout = MP_TIMEOUT(NAN)) == 1, "a free Lock is taken whatever the timeout");
    mp_lock_release(k);
    mp_lock_acquire(k);
    tap_ok(mp_lock_acquire_ex(k, .timeout = MP_TIMEOUT(NAN)) == MP_EOS && mp_errno() == EINVAL,
           "a held Lock, a NaN timeout: MP_EOS, EINVAL");
    tap_is_str(mp_errname(MP_EOS), "OSError", "mp_errname(MP_EOS) for EINVAL: OSError (no subclass)");
    mp_lock_release(k);
    mp_lock_free(k);
}

/* ---- logging ------------------------------------------------------------ */

static void test_logging(void)
{
    CONTRACT_NULL(mp_log_handler_new, mp_log_handler_new(&(mp_log_handler_opts){.format = "x"}), MP_EVALUE,
                  "Invalid format 'x' for '%' style");
    CONTRACT_NULL(mp_log_handler_new,
                  mp_log_handler_new(&(mp_log_handler_opts){.format = "%(asctime)s %(message)s"}),
                  MP_EVALUE, "Formatting field not found in record: 'asctime'");
    CONTRACT_NULL(mp_log_handler_new,
                  mp_log_handler_new(&(mp_log_handler_opts){.stream = stdout, .filename = "x.log"}),
                  MP_EVALUE, "give a stream or a filename, not both");
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    test_errname_os();
    fork_ctx = mp_get_context("fork");
    if (mp_pipe(&report_r, &report_w, &(mp_pipe_opts){.duplex = MP_NO}) < 0 ||
        mp_pipe(&go_r, &go_w, &(mp_pipe_opts){.duplex = MP_NO}) < 0)
        return mp_excepthook(mp_errcode());

    test_errors();
    test_values();
    test_objects();
    test_pickle();
    test_process_new();
    test_process_idle();
    test_process_running();
    test_process_children();
    test_contexts();
    test_connection();
    test_queue();
    test_simple_queue();
    test_synchronize();
    test_sharedctypes();
    test_listener();
    test_pool();
    test_managers();
    test_logging();
    list_not_provoked();

    mp_connection_free(report_r);
    mp_connection_free(report_w);
    mp_connection_free(go_r);
    mp_connection_free(go_w);
    return tap_done();
}

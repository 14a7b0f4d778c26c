/* test_manager.c - unit tests for managers and proxies: every served type through a child of each start method, reference counts, a dead client, objects kept for the server's own proxies, a dead manager, hostile requests.
 *
 * Usage: test_manager      prints TAP.  The binary is also the program
 * spawn and forkserver re-run for their children (the targets below).
 * The protocol beside CPython's is checked in conformance/interop/managers.bats;
 * this file checks what a C program sees.  No check depends on how long
 * something takes, beyond generous guards against a hang.
 */
#include <mp.h>

#include "tap.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const methods[] = {"fork", "spawn", "forkserver"};

static void nap(long ms)
{
    nanosleep(&(struct timespec){.tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000L}, NULL);
}

/* A C class served by a manager: divide(x, y), and _hidden(). */
static int divide(mp_value *self, const mp_value *args, const mp_value *kwds, mp_value **result)
{
    (void)self;
    (void)kwds;
    int64_t y = mp_as_int(mp_item(args, 1));
    if (y == 0)
        return mp_raise("ZeroDivisionError", "division by zero");
    *result = mp_int(mp_as_int(mp_item(args, 0)) / y);
    return 0;
}

static int hidden(mp_value *self, const mp_value *args, const mp_value *kwds, mp_value **result)
{
    (void)self;
    (void)args;
    (void)kwds;
    *result = mp_str("hidden");
    return 0;
}

static const mp_method calc_methods[] = {{"divide", divide}, {"_hidden", hidden}, {NULL, NULL}};
static const mp_class Calc = {.name = "Calc", .methods = calc_methods};
MP_CLASS(Calc);

static int make_calc(const mp_value *args, mp_value **result)
{
    (void)args;
    *result = mp_object_new(&Calc, NULL);
    return *result ? 0 : mp_errcode();
}
MP_TASK(make_calc);

/* A Factory whose make() returns a list, served as a new object of typeid
 * Bag (method_to_typeid): the caller gets a proxy, not a copy. */
static int factory_make(mp_value *self, const mp_value *args, const mp_value *kwds,
                        mp_value **result)
{
    (void)self;
    (void)args;
    (void)kwds;
    *result = mp_list_new();
    return *result ? 0 : MP_ENOMEM;
}

static const mp_method factory_methods[] = {{"make", factory_make}, {NULL, NULL}};
static const mp_class Factory = {.name = "Factory", .methods = factory_methods};
MP_CLASS(Factory);

static int make_factory(const mp_value *args, mp_value **result)
{
    (void)args;
    *result = mp_object_new(&Factory, NULL);
    return *result ? 0 : mp_errcode();
}
MP_TASK(make_factory);

static mp_manager_class TestManager = {.name = "TestManager", .sync = true};

static void test_method_to_typeid(void)
{
    mp_manager *m = mp_manager_new(&TestManager, &(mp_manager_opts){.ctx = mp_get_context("fork")});
    if (!m || mp_manager_start(m, NULL, NULL) < 0) {
        tap_ok(false, "method_to_typeid: manager: %s", mp_errmsg());
        mp_manager_free(m);
        return;
    }
    int base = mp_manager_number_of_objects(m);
    mp_value *f = mp_manager_create(m, "Factory", NULL, NULL), *bag = NULL;
    tap_is_int(f ? mp_proxy_callmethod(f, "make", NULL, NULL, &bag) : -1, 0, "method_to_typeid: make()");
    tap_ok(mp_is_proxy(bag), "method_to_typeid: make() gave a proxy");
    char *r = mp_repr(bag);
    tap_ok(r && strncmp(r, "<AutoProxy[Bag] object, typeid 'Bag' at 0x", 42) == 0,
           "method_to_typeid: its repr: %s", r ? r : "NULL");
    free(r);
    tap_is_int(mp_proxy_call(bag, NULL, "append", 1), 0, "method_to_typeid: bag.append(1)");
    r = mp_tostring(bag);
    tap_is_str(r, "[1]", "method_to_typeid: the server's list changed");
    free(r);
    tap_is_int(mp_manager_number_of_objects(m), base + 2, "method_to_typeid: two objects served");
    mp_decref(bag);
    mp_decref(f);
    tap_is_int(mp_manager_number_of_objects(m), base, "method_to_typeid: both released");
    mp_manager_free(m);
}

/* ---- targets ------------------------------------------------------------ */

/* args: (d, l, ns, v, q, ev, lock, sem, cond, calc): use each from a child. */
static int use_all(const mp_value *args)
{
    const mp_value *d = mp_item(args, 0), *l = mp_item(args, 1), *ns = mp_item(args, 2);
    const mp_value *q = mp_item(args, 4), *ev = mp_item(args, 5), *lock = mp_item(args, 6);
    const mp_value *sem = mp_item(args, 7), *cond = mp_item(args, 8), *calc = mp_item(args, 9);
    mp_value *v = (mp_value *)mp_item(args, 3), *r = NULL;
    int rc = mp_proxy_call(d, NULL, "__setitem__", "child", (bool)(getpid() > 0));
    if (rc >= 0)
        rc = mp_proxy_call(l, NULL, "append", "from the child");
    if (rc >= 0)
        rc = mp_proxy_setattr((mp_value *)ns, "seen", mp_str("yes"));
    if (rc >= 0)
        rc = mp_proxy_setattr(v, "value", mp_int(42));
    if (rc >= 0)
        rc = mp_proxy_call(q, NULL, "put", mp_tuple_of("item", 7));
    if (rc >= 0)
        rc = mp_proxy_callmethod(lock, "acquire", NULL, NULL, &r);
    mp_decref(r);
    if (rc >= 0)
        rc = mp_proxy_callmethod(lock, "release", NULL, NULL, NULL);
    if (rc >= 0)
        rc = mp_proxy_callmethod(sem, "release", NULL, NULL, NULL);
    if (rc >= 0 && (rc = mp_proxy_callmethod(cond, "acquire", NULL, NULL, &r)) >= 0) {
        mp_decref(r);
        rc = mp_proxy_callmethod(cond, "notify_all", NULL, NULL, NULL);
        int rel = mp_proxy_callmethod(cond, "release", NULL, NULL, NULL);
        rc = rc < 0 ? rc : rel;
    }
    if (rc >= 0 && (rc = mp_proxy_call(calc, &r, "divide", 84, 2)) >= 0) {
        rc = mp_proxy_call(d, NULL, "__setitem__", "divided", r);
        r = NULL;
    }
    if (rc >= 0)
        rc = mp_proxy_callmethod(ev, "set", NULL, NULL, NULL);
    return rc;
}
MP_TARGET(use_all);

/* args: (proxy, event): hold the proxy, say so, wait to be killed. */
static int hold_and_wait(const mp_value *args)
{
    mp_value *r = NULL;
    int rc = mp_proxy_callmethod(mp_item(args, 0), "__len__", NULL, NULL, &r);
    mp_decref(r);
    if (rc >= 0)
        rc = mp_event_set(mp_as_event(mp_item(args, 1)));
    for (;;)
        pause();
    return rc;
}
MP_TARGET(hold_and_wait);

/* ---- tests ----------------------------------------------------------------- */

static void test_types(const char *method)
{
    /* A long shutdown_timeout: under ThreadSanitizer a server takes long
     * to exit, and is terminated after it (exitcode -15). */
    mp_manager *m = mp_manager_new(&TestManager, &(mp_manager_opts){
                                                     .ctx = mp_get_context(method),
                                                     .shutdown_timeout = 60});
    if (!m || mp_manager_start(m, NULL, NULL) < 0) {
        tap_ok(false, "%s: manager started: %s", method, mp_errmsg());
        mp_manager_free(m);
        return;
    }
    tap_is_str(mp_process_name(mp_manager_process(m)),
               mp_process_name(mp_manager_process(m)), "%s: server named", method);
    int base = mp_manager_number_of_objects(m);
    mp_value *d = mp_manager_dict(m), *l = mp_manager_list(m, mp_list_of(1, 2));
    mp_value *ns = mp_manager_namespace(m), *v = mp_manager_value(m, "i", 0);
    mp_value *q = mp_manager_queue(m), *ev = mp_manager_event(m), *lock = mp_manager_lock(m);
    mp_value *sem = mp_manager_create(m, "Semaphore", mp_tuple_of(0), NULL);
    mp_value *cond = mp_manager_create(m, "Condition", NULL, NULL);
    mp_value *calc = mp_manager_create(m, "Calc", NULL, NULL);
    tap_ok(d && l && ns && v && q && ev && lock && sem && cond && calc, "%s: ten objects made: %s",
           method, mp_errmsg());
    if (!(d && l && ns && v && q && ev && lock && sem && cond && calc))
        goto out;
    tap_is_int(mp_manager_number_of_objects(m), base + 10, "%s: the server holds ten more", method);
    mp_process *p = mp_context_process(mp_get_context(method), &(mp_process_opts){
        .target = use_all,
        .args = mp_tuple_of((const mp_value *)d, (const mp_value *)l, (const mp_value *)ns,
                            (const mp_value *)v, (const mp_value *)q, (const mp_value *)ev,
                            (const mp_value *)lock, (const mp_value *)sem,
                            (const mp_value *)cond, (const mp_value *)calc)});
    tap_is_int(p ? mp_process_start(p) : -1, 0, "%s: child started", method);
    mp_value *r = NULL;
    tap_is_int(mp_proxy_call(sem, &r, "acquire", true, 30), 0, "%s: the child's release let us acquire", method);
    tap_ok(mp_as_bool(r), "%s: acquire(timeout=30) True", method);
    mp_decref(r);
    mp_process_join(p, MP_TIMEOUT(60));
    tap_is_int(mp_process_exitcode(p), 0, "%s: child exitcode 0", method);
    mp_process_free(p);
    char *s = mp_tostring(d);
    tap_is_str(s, "{'child': True, 'divided': 42}", "%s: the dict", method);
    free(s);
    s = mp_tostring(l);
    tap_is_str(s, "[1, 2, 'from the child']", "%s: the list", method);
    free(s);
    s = mp_tostring(ns);
    tap_is_str(s, "Namespace(seen='yes')", "%s: the Namespace", method);
    free(s);
    tap_is_int(mp_proxy_getattr(v, "value", &r), 0, "%s: Value.value", method);
    tap_is_int(mp_as_int(r), 42, "%s: Value.value is 42", method);
    mp_decref(r);
    tap_is_int(mp_proxy_call(q, &r, "get", true, 30), 0, "%s: Queue.get", method);
    s = mp_repr(r);
    tap_is_str(s, "('item', 7)", "%s: what the child put", method);
    free(s);
    mp_decref(r);
    tap_is_int(mp_proxy_call(ev, &r, "wait", 30), 0, "%s: Event.wait", method);
    tap_ok(mp_as_bool(r), "%s: the child set the Event", method);
    mp_decref(r);
    /* The referent's exception comes back with its type and message. */
    int rc = mp_proxy_call(calc, &r, "divide", 1, 0);
    tap_is_int(rc, MP_EEXCEPTION, "%s: divide by zero fails", method);
    tap_is_str(mp_errname(rc), "ZeroDivisionError", "%s: ... as ZeroDivisionError", method);
    tap_is_str(mp_errmsg(), "division by zero", "%s: ... with its message", method);
    rc = mp_proxy_callmethod(calc, "_hidden", NULL, NULL, &r);
    tap_is_str(mp_errname(rc), "multiprocessing.managers.RemoteError",
               "%s: a method not exposed is refused", method);
    tap_ok(strstr(mp_errmsg(), "method '_hidden' of <class 'Calc'> object is not in exposed=('divide',)") != NULL,
           "%s: ... saying which", method);
    rc = mp_proxy_call(d, &r, "__getitem__", "nope");
    tap_is_str(mp_errname(rc), "KeyError", "%s: a missing key is KeyError", method);
    tap_is_str(mp_errmsg(), "'nope'", "%s: ... naming the key", method);
    rc = mp_proxy_call(l, &r, "__getitem__", 99);
    tap_is_int(rc, MP_EINDEX, "%s: IndexError", method);
out:;
    mp_value *all[] = {d, l, ns, v, q, ev, lock, sem, cond, calc};
    for (size_t i = 0; i < 10; i++)
        mp_decref(all[i]);
    tap_is_int(mp_manager_number_of_objects(m), base, "%s: all released", method);
    /* The server ends well (under ThreadSanitizer, a race in it would make
     * it exit 66). */
    mp_manager_shutdown(m);
    tap_is_int(mp_process_exitcode(mp_manager_process(m)), 0, "%s: the server exited 0", method);
    mp_manager_free(m);
}

/* A client killed holding a reference: the server drops it. */
static void test_dead_client(void)
{
    mp_manager *m = mp_context_manager(mp_get_context("fork"));
    mp_value *l = m ? mp_manager_list(m, mp_list_new()) : NULL;
    mp_event *held = mp_event_new();
    if (!l || !held) {
        tap_ok(false, "dead client: set up: %s", mp_errmsg());
        mp_decref(l);
        mp_event_free(held);
        mp_manager_free(m);
        return;
    }
    int base = mp_manager_number_of_objects(m);
    mp_process *p = mp_context_process(mp_get_context("fork"), &(mp_process_opts){
        .target = hold_and_wait, .args = mp_tuple_of((const mp_value *)l, held)});
    mp_process_start(p);
    mp_event_wait(held, MP_TIMEOUT(30));
    /* The forked child took a reference of its own; dropping ours leaves
     * the list alive for it. */
    /* The forked child took a reference of its own; dropping ours (the
     * process object holds the args too) leaves the list alive for it. */
    mp_decref(l);
    pid_t child = mp_process_pid(p);
    mp_process_kill(p);
    mp_process_join(p, MP_WAIT_FOREVER);
    mp_process_free(p);             /* it held the args: our last reference goes */
    int n = base;
    for (int i = 0; i < 300 && (n = mp_manager_number_of_objects(m)) == base; i++)
        nap(100);
    if (!tap_is_int(n, base - 1, "dead client: its reference dropped once it was killed")) {
        mp_value *info = NULL;
        mp_manager_dispatch(m, "debug_info", NULL, &info);
        tap_diag("child pid %d; debug_info:\n%s", (int)child, mp_as_str(info));
        mp_decref(info);
    }
    mp_event_free(held);
    mp_manager_free(m);
}

/* Objects a proxy in the server refers to (CPython's id_to_local_proxy_obj):
 * manager.list([manager.dict() for i in range(2)]), the list of proxies
 * handed over and gone at once, as Python's temporary.  The counts are
 * CPython 3.11's _number_of_objects() along the same steps: 1, 2, 1, 0.
 * And a Namespace's repr sorts its attributes. */
static void test_local_proxies(void)
{
    mp_manager *m = mp_context_manager(mp_get_context("fork"));
    mp_value *dicts = mp_list_new(), *outer = NULL, *d = NULL, *ns = NULL;
    for (int i = 0; m && dicts && i < 2; i++)
        mp_list_append(dicts, mp_manager_dict(m));
    int base = m ? mp_manager_number_of_objects(m) : -1;
    if (!m || !dicts || !(outer = mp_manager_list(m, dicts))) {
        tap_ok(false, "local proxies: set up: %s", mp_errmsg());
        mp_manager_free(m);
        return;
    }
    tap_is_int(mp_manager_number_of_objects(m), base - 1,
               "local proxies: the list counted, its dicts kept for it only");
    int rc = mp_proxy_call(outer, &d, "__getitem__", 0);
    if (rc == 0)
        rc = mp_proxy_call(d, NULL, "__setitem__", "a", 1);
    tap_is_int(rc, 0, "local proxies: a dict fetched from the list is used%s%s", rc ? ": " : "",
               rc ? mp_errmsg() : "");
    tap_is_int(mp_manager_number_of_objects(m), base, "local proxies: ... and counted again");
    mp_decref(d);
    tap_is_int(mp_manager_number_of_objects(m), base - 1, "local proxies: ... until it goes");
    char *s = NULL;
    d = NULL;
    if (mp_proxy_call(outer, &d, "__getitem__", 0) == 0)
        s = mp_tostring(d);
    tap_is_str(s, "{'a': 1}", "local proxies: fetched again, the dict kept its key");
    free(s);
    mp_decref(d);
    mp_decref(outer);
    tap_is_int(mp_manager_number_of_objects(m), base - 2, "local proxies: none counted at the end");
    if ((ns = mp_manager_namespace(m)) != NULL) {
        mp_proxy_setattr(ns, "zz", mp_int(1));
        mp_proxy_setattr(ns, "y", mp_int(2));
        mp_proxy_setattr(ns, "_z", mp_int(3));
    }
    s = ns ? mp_tostring(ns) : NULL;
    tap_is_str(s, "Namespace(y=2, zz=1)",
               "Namespace: its repr sorts the attributes, _z is the proxy's");
    free(s);
    mp_decref(ns);
    mp_manager_free(m);
}

/* A manager killed under its clients: the next call fails, by name. */
static void test_dead_manager(void)
{
    mp_manager *m = mp_context_manager(mp_get_context("fork"));
    mp_value *d = m ? mp_manager_dict(m) : NULL;
    mp_value *r = NULL;
    if (!d || mp_proxy_callmethod(d, "keys", NULL, NULL, &r) < 0) {
        tap_ok(false, "dead manager: set up: %s", mp_errmsg());
        mp_decref(d);
        mp_manager_free(m);
        return;
    }
    mp_decref(r);
    mp_process_kill(mp_manager_process(m));
    mp_process_join(mp_manager_process(m), MP_WAIT_FOREVER);
    int rc = mp_proxy_callmethod(d, "keys", NULL, NULL, &r);
    tap_ok(rc == MP_EEOF || rc == MP_EOS, "dead manager: the next call fails: %s: %s",
           mp_errname(rc), mp_errmsg());
    rc = mp_proxy_callmethod(d, "keys", NULL, NULL, &r);
    tap_ok(rc == MP_EOS, "dead manager: and the one after: %s: %s", mp_errname(rc), mp_errmsg());
    mp_decref(d);
    mp_manager_free(m);
}

/* What a hostile peer with the key sends is answered, and the server
 * goes on. */
static void test_hostile(void)
{
    mp_manager *m = mp_context_manager(mp_get_context("fork"));
    if (!m) {
        tap_ok(false, "hostile: manager: %s", mp_errmsg());
        return;
    }
    const mp_value *key = mp_process_authkey(mp_current_process());
    static const char *const bad[] = {
        "\x80\x04\x95\x0e\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x8c\x06system\x93.", /* os.system */
        "\x80\x04K\x01",                                                     /* truncated */
        "not a pickle at all",
    };
    for (size_t i = 0; i < 3; i++) {
        mp_connection *c = mp_client_new(&(mp_client_opts){
            .address = mp_incref(mp_manager_address(m)), .authkey = mp_incref(key)});
        mp_value *reply = NULL;
        int rc = c ? mp_connection_send_bytes(c, bad[i], strlen(bad[i]), 0, MP_ALL) : -1;
        if (rc == 0)
            rc = mp_connection_recv(c, &reply);
        char *r = mp_repr(reply);
        tap_ok(rc == 0 && r && strncmp(r, "('#TRACEBACK', ", 15) == 0 &&
                   strstr(r, "UnpicklingError"),
               "hostile %zu: answered with a traceback naming UnpicklingError: %s", i,
               r ? r : mp_errmsg());
        free(r);
        mp_decref(reply);
        mp_connection_free(c);
    }
    mp_value *reply = NULL;
    int rc = mp_manager_dispatch(m, "no_such_function", NULL, &reply);
    tap_is_str(mp_errname(rc), "multiprocessing.managers.RemoteError",
               "hostile: an unknown function is a RemoteError");
    tap_ok(strstr(mp_errmsg(), "'no_such_function' unrecognized") != NULL, "hostile: ... naming it");
    rc = mp_manager_dispatch(m, "incref", mp_tuple_of("deadbeef"), NULL);
    tap_is_str(mp_errname(rc), "multiprocessing.managers.RemoteError",
               "hostile: incref of an unknown id is a RemoteError");
    mp_value *d = mp_manager_dict(m);
    tap_ok(d != NULL, "hostile: the server still serves");
    mp_decref(d);
    mp_manager_free(m);
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    alarm(300);
    static const char *const make_bag[] = {"make", "Bag", NULL};
    if (mp_manager_register(&TestManager, "Calc", &(mp_register_opts){.callable = make_calc}) < 0 ||
        mp_manager_register(&TestManager, "Factory", &(mp_register_opts){
                                                         .callable = make_factory,
                                                         .method_to_typeid = make_bag}) < 0 ||
        mp_manager_register(&TestManager, "Bag", &(mp_register_opts){.create_method = MP_NO}) < 0)
        return tap_ok(false, "register: %s", mp_errmsg()), tap_done();
    test_method_to_typeid();
    for (size_t i = 0; i < 3; i++)
        test_types(methods[i]);
    test_dead_client();
    test_local_proxies();
    test_dead_manager();
    test_hostile();
    return tap_done();
}

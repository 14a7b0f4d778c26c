/* c_manager_client.c - the C side as a manager's client: py_manager_client.py's script, line for line, over dict, list, Namespace, Value, Event, a served queue and a registered Maths.

   Usage: c_manager_client --inet HOST PORT --key KEY [--shutdown]
*/
#include "peer_common.h"

static mp_manager_class InteropManager = {.name = "InteropManager", .sync = true};

/* Fail the script with the error of the call that just failed. */
#define TRY(x)                                                                \
    do {                                                                      \
        if ((x) < 0)                                                          \
            return mp_excepthook(mp_errcode());                              \
    } while (0)
#define MADE(v)                                                               \
    do {                                                                      \
        if (!(v))                                                             \
            return mp_excepthook(mp_errcode());                              \
    } while (0)

/* print(label, e) for the error a call just failed with, if its name is want. */
static int expect_error(int rc, const char *want, const char *label)
{
    if (rc >= 0 || strcmp(mp_errname(rc), want) != 0)
        return mp_raise("AssertionError", "expected %s, got %s", want,
                        rc >= 0 ? "no error" : mp_errname(rc));
    mp_print(label, mp_errmsg());
    return 0;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    bool shutdown = false;
    int n = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--shutdown") == 0)
            shutdown = true;
        else
            argv[n++] = argv[i];
    }
    peer_opts o = peer_parse(n, argv);
    size_t klen;
    const uint8_t *k = mp_as_bytes(o.key, &klen);
    mp_process_set_authkey(mp_current_process(), k, klen);
    TRY(mp_manager_register(&InteropManager, "Maths", NULL));
    TRY(mp_manager_register(&InteropManager, "get_queue", NULL));
    mp_manager *m = mp_manager_new(&InteropManager, &(mp_manager_opts){
                                                        .address = mp_incref(o.address),
                                                        .authkey = mp_incref(o.key)});
    MADE(m);
    TRY(mp_manager_connect(m));
    mp_print("connected");

    mp_value *d = mp_manager_dict(m), *r1 = NULL, *r2 = NULL, *r3 = NULL;
    MADE(d);
    TRY(mp_proxy_call(d, NULL, "__setitem__", 1, "1"));
    TRY(mp_proxy_call(d, NULL, "__setitem__", "2", 2));
    TRY(mp_proxy_call(d, NULL, "__setitem__", 0.25, mp_none()));
    TRY(mp_proxy_callmethod(d, "__len__", NULL, NULL, &r1));
    TRY(mp_proxy_call(d, &r2, "get", "2"));
    TRY(mp_proxy_call(d, &r3, "get", "missing", "default"));
    mp_print("dict:", d, r1, r2, r3);
    mp_decref(r1), mp_decref(r2), mp_decref(r3);
    /* for k in d: the dict's __iter__ gives an Iterator proxy; __next__
       until StopIteration. */
    mp_value *it = NULL, *keys = mp_list_new();
    TRY(mp_proxy_callmethod(d, "__iter__", NULL, NULL, &it));
    int rc;
    while ((rc = mp_proxy_callmethod(it, "__next__", NULL, NULL, &r1)) == 0)
        mp_list_append(keys, r1);
    if (rc != MP_ESTOPITERATION)
        return mp_excepthook(rc);
    mp_print("dict iterated:", keys);
    mp_decref(keys);
    mp_decref(it);
    TRY(expect_error(mp_proxy_call(d, NULL, "__getitem__", "missing"), "KeyError", "dict KeyError:"));

    mp_value *squares = mp_list_of(0, 1, 4, 9, 16, 25);
    mp_value *lst = mp_manager_list(m, squares);
    MADE(lst);
    TRY(mp_proxy_callmethod(lst, "reverse", NULL, NULL, NULL));
    TRY(mp_proxy_call(lst, NULL, "append", mp_bytes("\0bytes", 6)));
    TRY(mp_proxy_call(lst, &r1, "__getitem__", 1));
    mp_value *one = mp_int(1), *three = mp_int(3);
    TRY(mp_proxy_call(lst, &r2, "__getitem__", mp_slice(one, three, NULL)));
    mp_decref(one), mp_decref(three);
    TRY(mp_proxy_callmethod(lst, "__len__", NULL, NULL, &r3));
    mp_print("list:", lst, r1, r2, r3);
    mp_decref(r1), mp_decref(r2), mp_decref(r3);
    TRY(expect_error(mp_proxy_call(lst, NULL, "__getitem__", 10), "IndexError", "list IndexError:"));

    mp_value *kw = mp_dict_new();
    mp_dict_set(kw, mp_str("x"), mp_int(10));
    mp_dict_set(kw, mp_str("y"), mp_str("hello"));
    mp_value *ns = mp_manager_create(m, "Namespace", NULL, kw);
    MADE(ns);
    TRY(mp_proxy_setattr(ns, "z", mp_tuple_of(1, 2.5)));
    TRY(mp_proxy_getattr(ns, "x", &r1));
    TRY(mp_proxy_getattr(ns, "z", &r2));
    mp_print("Namespace:", ns, r1, r2);
    mp_decref(r1), mp_decref(r2);

    mp_value *v = mp_manager_value(m, "i", 5);
    MADE(v);
    TRY(mp_proxy_getattr(v, "value", &r1));
    TRY(mp_proxy_setattr(v, "value", mp_int(mp_as_int(r1) + 1)));
    mp_decref(r1);
    TRY(mp_proxy_getattr(v, "value", &r1));
    mp_print("Value:", r1);
    mp_decref(r1);

    mp_value *ev = mp_manager_event(m);
    MADE(ev);
    TRY(mp_proxy_callmethod(ev, "is_set", NULL, NULL, &r1));
    TRY(mp_proxy_call(ev, &r2, "wait", 0.01));
    mp_print("Event:", r1, r2);
    mp_decref(r1), mp_decref(r2);
    TRY(mp_proxy_callmethod(ev, "set", NULL, NULL, NULL));
    TRY(mp_proxy_callmethod(ev, "is_set", NULL, NULL, &r1));
    TRY(mp_proxy_call(ev, &r2, "wait", 1));
    mp_print("Event after set:", r1, r2);
    mp_decref(r1), mp_decref(r2);

    mp_value *q = mp_manager_create(m, "get_queue", NULL, NULL);
    MADE(q);
    TRY(mp_proxy_call(q, NULL, "put", "through the served queue"));
    TRY(mp_proxy_callmethod(q, "get", NULL, NULL, &r1));
    TRY(mp_proxy_callmethod(q, "qsize", NULL, NULL, &r2));
    mp_print("queue:", r1, r2);
    mp_decref(r1), mp_decref(r2);

    mp_value *maths = mp_manager_create(m, "Maths", NULL, NULL);
    MADE(maths);
    TRY(mp_proxy_call(maths, &r1, "add", 4, 3));
    TRY(mp_proxy_call(maths, &r2, "mul", 7, 8));
    mp_print("Maths:", r1, r2);
    mp_decref(r1), mp_decref(r2);

    mp_value *outer = mp_manager_list(m, mp_list_new()), *inner = mp_manager_dict(m);
    MADE(outer);
    MADE(inner);
    TRY(mp_proxy_call(outer, NULL, "append", mp_incref(inner)));
    TRY(mp_proxy_call(inner, NULL, "__setitem__", "k", "v"));
    TRY(mp_proxy_call(outer, &r1, "__getitem__", 0));
    TRY(mp_proxy_call(r1, &r2, "__getitem__", "k"));
    mp_print("nested:", r1, r2);
    mp_decref(r1), mp_decref(r2);

    int before = mp_manager_number_of_objects(m);
    TRY(before);
    mp_value *all[] = {d, lst, ns, v, ev, q, maths, outer, inner};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        mp_decref(all[i]);
    int after = mp_manager_number_of_objects(m);
    TRY(after);
    mp_print("objects:", before, "->", after);
    if (shutdown) {
        /* A connect()ed manager has no shutdown() (CPython's neither): the
           request is sent as the Python client sends it, by hand. */
        mp_manager *owner = mp_manager_new(&InteropManager, &(mp_manager_opts){
                                                                .address = mp_incref(o.address),
                                                                .authkey = mp_incref(o.key)});
        MADE(owner);
        TRY(mp_manager_dispatch(owner, "shutdown", NULL, NULL));
        mp_manager_free(owner);
        mp_print("asked the server to shut down");
    }
    mp_manager_free(m);
    mp_decref(o.address);
    mp_decref(o.key);
    return 0;
}

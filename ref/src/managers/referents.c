/* referents.c - what a manager serves: dict, list, Namespace, Value, the library's queues and synchronization objects, and classes of the program's own. */
#include "managers.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Argument i, or keyword name, or NULL. */
static const mp_value *arg(const mp_value *args, const mp_value *kwds, size_t i, const char *name)
{
    if (i < mp_len(args))
        return mp_item(args, i);
    if (!kwds || !name)
        return NULL;
    mp_value *k = mp_str(name);
    const mp_value *v = k ? mp_dict_get(kwds, k) : NULL;
    mp_decref(k);
    return v;
}

static int no_method(const mp_value *self, const char *method)
{
    return mp__fail(MP_EATTR, "'%s' object has no attribute '%s'", mp_type_name(self), method);
}

static int want(const mp_value *args, size_t lo, size_t hi, const char *method)
{
    size_t n = mp_len(args);
    if (n >= lo && n <= hi)
        return 0;
    if (lo == hi)
        return mp__fail(MP_ETYPE, "%s() takes exactly %s (%zu given)", method,
                        lo == 0 ? "no arguments" : lo == 1 ? "one argument" : "two arguments", n);
    return mp__fail(MP_ETYPE, "%s expected at most %zu arguments, got %zu", method, hi, n);
}

static mp_timeout timeout_of(const mp_value *v)
{
    return v && mp_typeof(v) != MP_T_NONE ? MP_TIMEOUT(mp_as_float(v)) : MP_WAIT_FOREVER;
}

/* ---- dict ------------------------------------------------------------------ */

static const char *const dict_public[] = {
    "clear", "copy", "fromkeys", "get", "items", "keys", "pop", "popitem", "setdefault",
    "update", "values", NULL};

static int dict_update(mp_value *d, const mp_value *src)
{
    if (mp_typeof(src) == MP_T_DICT) {
        for (size_t i = 0; i < mp_len(src); i++) {
            const mp_value *k, *v;
            mp_dict_entry(src, i, &k, &v);
            int rc = mp_dict_set(d, mp_incref(k), mp_incref(v));
            if (rc < 0)
                return rc;
        }
        return 0;
    }
    if (mp_typeof(src) != MP_T_LIST && mp_typeof(src) != MP_T_TUPLE)
        return mp__fail(MP_ETYPE, "'%s' object is not iterable", mp_type_name(src));
    for (size_t i = 0; i < mp_len(src); i++) {
        const mp_value *kv = mp_item(src, i);
        if ((mp_typeof(kv) != MP_T_TUPLE && mp_typeof(kv) != MP_T_LIST) || mp_len(kv) != 2)
            return mp__fail(MP_EVALUE, "dictionary update sequence element #%zu has length %zu; "
                            "2 is required", i, mp_len(kv));
        int rc = mp_dict_set(d, mp_incref(mp_item(kv, 0)), mp_incref(mp_item(kv, 1)));
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int dict_make(const mp_value *args, const mp_value *kwds, mp_value **out)
{
    mp_value *d = mp_dict_new();
    int rc = d ? want(args, 0, 1, "dict") : MP_ENOMEM;
    if (rc == 0 && mp_len(args) == 1)
        rc = dict_update(d, mp_item(args, 0));
    if (rc == 0 && kwds)
        rc = dict_update(d, kwds);
    if (rc < 0) {
        mp_decref(d);
        return rc;
    }
    *out = d;
    return 0;
}

static int keyiterator_new(const mp_value *d, mp_value **out);

static int key_error(const mp_value *key)
{
    mp_value *e = mp__exception_new("KeyError", mp_tuple_of(key));
    int rc = e ? mp__exception_raise(e, true) : MP_ENOMEM;
    mp_decref(e);
    return rc;
}

static int dict_call(mp_value *d, const char *m, const mp_value *args, const mp_value *kwds,
                     mp_value **res)
{
    const mp_value *a0 = arg(args, NULL, 0, NULL), *a1 = arg(args, NULL, 1, NULL);
    int rc;
    if (strcmp(m, "__getitem__") == 0 || strcmp(m, "get") == 0 || strcmp(m, "pop") == 0 ||
        strcmp(m, "setdefault") == 0 || strcmp(m, "__contains__") == 0 ||
        strcmp(m, "__delitem__") == 0) {
        if (!a0)
            return mp__fail(MP_ETYPE, "%s expected at least 1 argument, got 0", m);
        unsigned long mark = mp__fail_mark();
        const mp_value *v = mp_dict_get(d, a0);
        if (!v && mp__fail_mark() != mark)
            return mp_errcode();
        if (strcmp(m, "__contains__") == 0) {
            *res = mp_bool(v != NULL);
            return 0;
        }
        if (strcmp(m, "get") == 0) {
            *res = mp_incref(v ? v : a1 ? a1 : mp_none());
            return 0;
        }
        if (strcmp(m, "setdefault") == 0) {
            if (v) {
                *res = mp_incref(v);
                return 0;
            }
            *res = mp_incref(a1 ? a1 : mp_none());
            return mp_dict_set(d, mp_incref(a0), mp_incref(*res));
        }
        if (!v && (strcmp(m, "pop") != 0 || !a1))
            return key_error(a0);
        if (!v) {
            *res = mp_incref(a1);
            return 0;
        }
        if (strcmp(m, "__getitem__") == 0) {
            *res = mp_incref(v);
            return 0;
        }
        if (strcmp(m, "pop") == 0)
            *res = mp_incref(v);
        return mp__dict_del(d, a0) < 0 ? mp_errcode() : 0;
    }
    if (strcmp(m, "__setitem__") == 0) {
        if ((rc = want(args, 2, 2, m)) < 0)
            return rc;
        return mp_dict_set(d, mp_incref(a0), mp_incref(a1));
    }
    if (strcmp(m, "__len__") == 0) {
        *res = mp_int((int64_t)mp_len(d));
        return *res ? 0 : MP_ENOMEM;
    }
    if (strcmp(m, "clear") == 0)
        return mp__dict_clear(d);
    if (strcmp(m, "update") == 0) {
        if ((rc = want(args, 0, 1, m)) < 0 || (a0 && (rc = dict_update(d, a0)) < 0))
            return rc;
        return kwds ? dict_update(d, kwds) : 0;
    }
    if (strcmp(m, "__iter__") == 0)
        return keyiterator_new(d, res);
    if (strcmp(m, "copy") == 0)
        return dict_make(mp_tuple_of((const mp_value *)d), NULL, res) ;
    if (strcmp(m, "keys") == 0 || strcmp(m, "values") == 0 || strcmp(m, "items") == 0 ||
        strcmp(m, "popitem") == 0) {
        /* The views come back as lists, as CPython's DictProxy gives them. */
        if (strcmp(m, "popitem") == 0) {
            if (mp_len(d) == 0)
                return key_error(mp_str("popitem(): dictionary is empty"));
            const mp_value *k, *v;
            mp_dict_entry(d, mp_len(d) - 1, &k, &v);
            *res = mp_tuple_of(k, v);
            return !*res ? MP_ENOMEM : mp__dict_del(d, mp_item(*res, 0)) < 0 ? mp_errcode() : 0;
        }
        mp_value *l = mp_list_new();
        for (size_t i = 0; l && i < mp_len(d); i++) {
            const mp_value *k, *v;
            mp_dict_entry(d, i, &k, &v);
            mp_value *x = m[0] == 'k' ? mp_incref(k) : m[0] == 'v' ? mp_incref(v) : mp_tuple_of(k, v);
            if (mp_list_append(l, x) < 0) {
                mp_decref(l);
                l = NULL;
            }
        }
        *res = l;
        return l ? 0 : MP_ENOMEM;
    }
    return no_method(d, m);
}

/* ---- list ------------------------------------------------------------------ */

static const char *const list_public[] = {
    "append", "clear", "copy", "count", "extend", "index", "insert", "pop", "remove",
    "reverse", "sort", NULL};

static int list_make(const mp_value *args, const mp_value *kwds, mp_value **out)
{
    (void)kwds;
    int rc = want(args, 0, 1, "list");
    mp_value *l = rc < 0 ? NULL : mp_list_new();
    if (rc == 0 && !l)
        rc = MP_ENOMEM;
    if (rc == 0 && mp_len(args) == 1) {
        const mp_value *src = mp_item(args, 0);
        if (mp_typeof(src) != MP_T_LIST && mp_typeof(src) != MP_T_TUPLE)
            rc = mp__fail(MP_ETYPE, "'%s' object is not iterable", mp_type_name(src));
        for (size_t i = 0; rc == 0 && i < mp_len(src); i++)
            rc = mp_list_append(l, mp_incref(mp_item(src, i)));
    }
    if (rc < 0) {
        mp_decref(l);
        return rc;
    }
    *out = l;
    return 0;
}

/* A Python index into n items: negative counts from the end. */
static int index_of(const mp_value *i, size_t n, size_t *out, const char *what)
{
    if (mp_typeof(i) != MP_T_INT && mp_typeof(i) != MP_T_BOOL)
        return mp__fail(MP_ETYPE, "list indices must be integers or slices, not %s",
                        mp_type_name(i));
    int64_t x = mp_as_int(i);
    if (x < 0)
        x += (int64_t)n;
    if (x < 0 || x >= (int64_t)n)
        return mp__fail(MP_EINDEX, "%s", what);
    *out = (size_t)x;
    return 0;
}

static int list_call(mp_value *l, const char *m, const mp_value *args, const mp_value *kwds,
                     mp_value **res)
{
    (void)kwds;
    const mp_value *a0 = arg(args, NULL, 0, NULL), *a1 = arg(args, NULL, 1, NULL);
    size_t n = mp_len(l), i;
    int rc;
    if (strcmp(m, "__getitem__") == 0 && a0 && mp__is_slice(a0)) {
        int64_t start, stop, step;
        size_t count;
        if ((rc = mp__slice_indices(a0, n, &start, &stop, &step, &count)) < 0)
            return rc;
        mp_value *out = mp_list_new();
        for (size_t k = 0; out && k < count; k++)
            if (mp_list_append(out, mp_incref(mp_item(l, (size_t)(start + (int64_t)k * step)))) < 0) {
                mp_decref(out);
                out = NULL;
            }
        *res = out;
        return out ? 0 : MP_ENOMEM;
    }
    if (strcmp(m, "__getitem__") == 0) {
        if ((rc = want(args, 1, 1, m)) < 0 || (rc = index_of(a0, n, &i, "list index out of range")) < 0)
            return rc;
        *res = mp_incref(mp_item(l, i));
        return 0;
    }
    if (strcmp(m, "__setitem__") == 0) {
        if ((rc = want(args, 2, 2, m)) < 0 ||
            (rc = index_of(a0, n, &i, "list assignment index out of range")) < 0)
            return rc;
        mp_value *one = mp_tuple_of(a1);
        rc = one ? mp__list_splice(l, i, i + 1, one) : MP_ENOMEM;
        mp_decref(one);
        return rc;
    }
    if (strcmp(m, "__delitem__") == 0) {
        if ((rc = want(args, 1, 1, m)) < 0 ||
            (rc = index_of(a0, n, &i, "list assignment index out of range")) < 0)
            return rc;
        return mp__list_splice(l, i, i + 1, NULL);
    }
    if (strcmp(m, "__len__") == 0) {
        *res = mp_int((int64_t)n);
        return *res ? 0 : MP_ENOMEM;
    }
    if (strcmp(m, "__contains__") == 0 || strcmp(m, "count") == 0 || strcmp(m, "index") == 0 ||
        strcmp(m, "remove") == 0) {
        if ((rc = want(args, 1, 1, m)) < 0)
            return rc;
        size_t count = 0, first = n;
        for (size_t k = 0; k < n; k++)
            if (mp_equal(mp_item(l, k), a0) && count++ == 0)
                first = k;
        if (m[0] == '_')
            *res = mp_bool(count > 0);
        else if (m[0] == 'c')
            *res = mp_int((int64_t)count);
        else if (first == n) {
            char *r = mp_repr(a0);
            rc = m[0] == 'i' ? mp__fail(MP_EVALUE, "%s is not in list", r ? r : "?")
                             : mp__fail(MP_EVALUE, "list.remove(x): x not in list");
            free(r);
            return rc;
        } else if (m[0] == 'i')
            *res = mp_int((int64_t)first);
        else
            return mp__list_splice(l, first, first + 1, NULL);
        return *res ? 0 : MP_ENOMEM;
    }
    if (strcmp(m, "append") == 0)
        return (rc = want(args, 1, 1, m)) < 0 ? rc : mp_list_append(l, mp_incref(a0));
    if (strcmp(m, "extend") == 0 || strcmp(m, "__iadd__") == 0) {
        if ((rc = want(args, 1, 1, m)) < 0)
            return rc;
        if (mp_typeof(a0) != MP_T_LIST && mp_typeof(a0) != MP_T_TUPLE)
            return mp__fail(MP_ETYPE, "'%s' object is not iterable", mp_type_name(a0));
        return mp__list_splice(l, n, n, a0);
    }
    if (strcmp(m, "insert") == 0) {
        if ((rc = want(args, 2, 2, m)) < 0)
            return rc;
        int64_t x = mp_as_int(a0);
        x = x < 0 ? (x + (int64_t)n < 0 ? 0 : x + (int64_t)n) : x > (int64_t)n ? (int64_t)n : x;
        mp_value *one = mp_tuple_of(a1);
        rc = one ? mp__list_splice(l, (size_t)x, (size_t)x, one) : MP_ENOMEM;
        mp_decref(one);
        return rc;
    }
    if (strcmp(m, "pop") == 0) {
        if ((rc = want(args, 0, 1, m)) < 0)
            return rc;
        if (n == 0)
            return mp__fail(MP_EINDEX, "pop from empty list");
        if (!a0)
            i = n - 1;
        else if ((rc = index_of(a0, n, &i, "pop index out of range")) < 0)
            return rc;
        *res = mp_incref(mp_item(l, i));
        return mp__list_splice(l, i, i + 1, NULL);
    }
    if (strcmp(m, "reverse") == 0) {
        mp__list_reverse(l);
        return 0;
    }
    if (strcmp(m, "clear") == 0)
        return mp__list_splice(l, 0, n, NULL);
    return no_method(l, m);
}

/* ---- Namespace and Value -------------------------------------------------- */

/* managers.Namespace and managers.Value: plain objects a peer pickles as
 * such (their __dict__), so _getvalue() gives one to either side. */
static const mp_class namespace_class = {.name = "Namespace", .module = "multiprocessing.managers"};
static const mp_class value_class = {.name = "Value", .module = "multiprocessing.managers"};
MP_CLASS(namespace_class);
MP_CLASS(value_class);

static int namespace_make(const mp_value *args, const mp_value *kwds, mp_value **out)
{
    if (mp_len(args) != 0)
        return mp__fail(MP_ETYPE, "Namespace.__init__() takes 1 positional argument but %zu "
                        "were given", mp_len(args) + 1);
    mp_value *d = NULL;
    int rc = dict_make(args, kwds, &d);
    if (rc < 0)
        return rc;
    *out = mp_object_new(&namespace_class, d);
    return *out ? 0 : mp_errcode();
}

static int namespace_call(mp_value *ns, const char *m, const mp_value *args,
                          const mp_value *kwds, mp_value **res)
{
    (void)kwds;
    const mp_value *name = arg(args, NULL, 0, NULL);
    int rc = want(args, strcmp(m, "__setattr__") == 0 ? 2 : 1, strcmp(m, "__setattr__") == 0 ? 2 : 1, m);
    if (rc < 0)
        return rc;
    if (mp_typeof(name) != MP_T_STR)
        return mp__fail(MP_ETYPE, "attribute name must be string, not '%s'", mp_type_name(name));
    if (strcmp(m, "__getattribute__") == 0) {
        const mp_value *v = mp_getattr(ns, mp_as_str(name));
        if (!v)
            return mp_errcode();
        *res = mp_incref(v);
        return 0;
    }
    if (strcmp(m, "__setattr__") == 0)
        return mp_setattr(ns, mp_as_str(name), mp_incref(mp_item(args, 1)));
    if (strcmp(m, "__delattr__") == 0) {
        mp__object *o = (mp__object *)ns;
        rc = mp__dict_del(o->dict, name);
        if (rc == 1)
            return mp__fail(MP_EATTR, "'Namespace' object has no attribute '%s'", mp_as_str(name));
        return rc;
    }
    return no_method(ns, m);
}

static int by_bytes(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Namespace(x=10, y='hello'): the attributes not starting with '_', each
 * "name=repr" and those strings sorted, as Namespace.__repr__ (temp.sort():
 * code point order, which strcmp gives on UTF-8). */
static int namespace_repr(const mp_value *ns, mp_value **out)
{
    const mp__object *o = (const mp__object *)ns;
    size_t n = 0, total = mp_len(o->dict);
    char **items = calloc(total ? total : 1, sizeof *items);
    int rc = items ? 0 : MP_ENOMEM;
    for (size_t i = 0; rc == 0 && i < total; i++) {
        const mp_value *k, *v;
        mp_dict_entry(o->dict, i, &k, &v);
        if (mp_as_str(k)[0] == '_')
            continue;
        char *r = mp_repr(v);
        mp__buf b = {0};
        mp__buf_printf(&b, "%s=%s", mp_as_str(k), r ? r : "?");
        free(r);
        if (!(items[n++] = mp__buf_finish(&b)))
            rc = mp__fail(MP_ENOMEM, "out of memory");
    }
    if (rc == 0)
        qsort(items, n, sizeof *items, by_bytes);
    mp__buf b = {0};
    mp__buf_puts(&b, "Namespace(");
    for (size_t i = 0; i < n; i++) {
        if (rc == 0)
            mp__buf_printf(&b, "%s%s", i ? ", " : "", items[i]);
        free(items[i]);
    }
    free(items);
    mp__buf_puts(&b, ")");
    char *s = mp__buf_finish(&b);
    if (rc == 0 && !s)
        rc = mp__fail(MP_ENOMEM, "out of memory");
    *out = rc == 0 ? mp_str(s) : NULL;
    free(s);
    return rc < 0 ? rc : *out ? 0 : MP_ENOMEM;
}

static int value_make(const mp_value *args, const mp_value *kwds, mp_value **out)
{
    const mp_value *tc = arg(args, kwds, 0, "typecode"), *v = arg(args, kwds, 1, "value");
    if (!tc || !v)
        return mp__fail(MP_ETYPE, "Value.__init__() missing 1 required positional argument: '%s'",
                        tc ? "value" : "typecode");
    mp_value *d = mp_dict_new();
    if (!d || mp_dict_set(d, mp_str("_typecode"), mp_incref(tc)) < 0 ||
        mp_dict_set(d, mp_str("_value"), mp_incref(v)) < 0) {
        mp_decref(d);
        return MP_ENOMEM;
    }
    *out = mp_object_new(&value_class, d);
    return *out ? 0 : mp_errcode();
}

static int value_call(mp_value *self, const char *m, const mp_value *args, const mp_value *kwds,
                      mp_value **res)
{
    (void)kwds;
    if (strcmp(m, "get") == 0) {
        *res = mp_incref(mp_getattr(self, "_value"));
        return 0;
    }
    if (strcmp(m, "set") == 0) {
        int rc = want(args, 1, 1, m);
        return rc < 0 ? rc : mp_setattr(self, "_value", mp_incref(mp_item(args, 0)));
    }
    return no_method(self, m);
}

/* ---- the library's queues and synchronization objects ------------------- */

static const char *const queue_public[] = {
    "empty", "full", "get", "get_nowait", "join", "put", "put_nowait", "qsize", "task_done",
    NULL};

/* queue.Queue(maxsize): the library's JoinableQueue, which has all of
 * queue.Queue's methods and works between the server's threads. */
static int queue_make(const mp_value *args, const mp_value *kwds, mp_value **out)
{
    const mp_value *max = arg(args, kwds, 0, "maxsize");
    mp_queue *q = mp_context_joinable_queue(mp_dummy(), max ? (int)mp_as_int(max) : 0);
    *out = (mp_value *)q;
    return q ? 0 : mp_errcode();
}

static int queue_call(mp_value *self, const char *m, const mp_value *args, const mp_value *kwds,
                      mp_value **res)
{
    mp_queue *q = mp_as_queue(self);
    bool put = strncmp(m, "put", 3) == 0;
    if (put || strncmp(m, "get", 3) == 0) {
        bool nowait = strstr(m, "nowait") != NULL;
        const mp_value *blk = nowait ? NULL : arg(args, kwds, put ? 1 : 0, "block");
        const mp_value *t = nowait ? NULL : arg(args, kwds, put ? 2 : 1, "timeout");
        mp_queue_opts o = {.block = nowait || (blk && !mp_as_bool(blk)) ? MP_NO : 0,
                           .timeout = timeout_of(t)};
        if (put) {
            const mp_value *x = arg(args, kwds, 0, "item");
            if (!x)
                return mp__fail(MP_ETYPE, "Queue.put() missing 1 required positional argument: "
                                "'item'");
            return mp__queue_put(q, mp__arg_borrowed(x), &o);
        }
        return mp_queue_get_ex(q, res, &o);
    }
    if (strcmp(m, "qsize") == 0) {
        int n = mp_queue_qsize(q);
        *res = n < 0 ? NULL : mp_int(n);
        return n < 0 ? n : 0;
    }
    if (strcmp(m, "empty") == 0 || strcmp(m, "full") == 0) {
        *res = mp_bool(m[0] == 'e' ? mp_queue_empty(q) : mp_queue_full(q));
        return 0;
    }
    if (strcmp(m, "task_done") == 0)
        return mp_joinable_queue_task_done(q);
    if (strcmp(m, "join") == 0)
        return mp_joinable_queue_join(q);
    return no_method(self, m);
}

static const char *const event_public[] = {"clear", "is_set", "isSet", "set", "wait", NULL};

static int event_make(const mp_value *args, const mp_value *kwds, mp_value **out)
{
    (void)args;
    (void)kwds;
    *out = (mp_value *)mp_context_event(mp_dummy());
    return *out ? 0 : mp_errcode();
}

static int event_call(mp_value *self, const char *m, const mp_value *args, const mp_value *kwds,
                      mp_value **res)
{
    mp_event *e = mp_as_event(self);
    if (strcmp(m, "is_set") == 0 || strcmp(m, "isSet") == 0) {
        *res = mp_bool(mp_event_is_set(e));
        return 0;
    }
    if (strcmp(m, "set") == 0)
        return mp_event_set(e);
    if (strcmp(m, "clear") == 0)
        return mp_event_clear(e);
    if (strcmp(m, "wait") == 0) {
        int rc = mp_event_wait(e, timeout_of(arg(args, kwds, 0, "timeout")));
        *res = rc < 0 ? NULL : mp_bool(rc > 0);
        return rc < 0 ? rc : 0;
    }
    return no_method(self, m);
}

static const char *const lock_public[] = {"acquire", "locked", "release", NULL};

static mp_acquire_opts acquire_opts(const mp_value *args, const mp_value *kwds);
static int bool_result(int rc, mp_value **res);

static int lock_make(const mp_value *args, const mp_value *kwds, mp_value **out)
{
    (void)args;
    (void)kwds;
    *out = (mp_value *)mp_context_lock(mp_dummy());
    return *out ? 0 : mp_errcode();
}

static int rlock_make(const mp_value *args, const mp_value *kwds, mp_value **out)
{
    (void)args;
    (void)kwds;
    *out = (mp_value *)mp_context_rlock(mp_dummy());
    return *out ? 0 : mp_errcode();
}

static int lock_call(mp_value *self, const char *m, const mp_value *args, const mp_value *kwds,
                     mp_value **res)
{
    mp_lock *l = mp_as_lock(self);
    if (strcmp(m, "acquire") == 0) {
        mp_acquire_opts o = acquire_opts(args, kwds);
        return bool_result(mp__lock_acquire_opts(l, &o), res);
    }
    if (strcmp(m, "release") == 0)
        return mp_lock_release(l);
    return no_method(self, m);
}

/* acquire(blocking=True, timeout=None) of a Lock, Semaphore or Condition:
 * True, or False when a non-blocking or timed acquire did not get it. */
static mp_acquire_opts acquire_opts(const mp_value *args, const mp_value *kwds)
{
    const mp_value *blk = arg(args, kwds, 0, "blocking"), *t = arg(args, kwds, 1, "timeout");
    return (mp_acquire_opts){.block = blk && !mp_as_bool(blk) ? MP_NO : 0,
                             .timeout = t && mp_as_float(t) >= 0 ? timeout_of(t) : MP_WAIT_FOREVER};
}

static int bool_result(int rc, mp_value **res)
{
    *res = rc < 0 ? NULL : mp_bool(rc > 0);
    return rc < 0 ? rc : 0;
}

static const char *const semaphore_public[] = {"acquire", "release", NULL};

static int semaphore_make_as(const mp_value *args, const mp_value *kwds, mp_value **out,
                             bool bounded)
{
    const mp_value *v = arg(args, kwds, 0, "value");
    int n = v ? (int)mp_as_int(v) : 1;
    mp_semaphore *s = bounded ? mp_context_bounded_semaphore(mp_dummy(), n)
                              : mp_context_semaphore(mp_dummy(), n);
    *out = (mp_value *)s;
    return s ? 0 : mp_errcode();
}

static int semaphore_make(const mp_value *args, const mp_value *kwds, mp_value **out)
{
    return semaphore_make_as(args, kwds, out, false);
}

static int bounded_make(const mp_value *args, const mp_value *kwds, mp_value **out)
{
    return semaphore_make_as(args, kwds, out, true);
}

static int semaphore_call(mp_value *self, const char *m, const mp_value *args,
                          const mp_value *kwds, mp_value **res)
{
    mp_semaphore *s = mp_as_semaphore(self);
    if (strcmp(m, "acquire") == 0) {
        mp_acquire_opts o = acquire_opts(args, kwds);
        return bool_result(mp__semaphore_acquire_opts(s, &o), res);
    }
    if (strcmp(m, "release") == 0)
        return mp_semaphore_release(s);
    return no_method(self, m);
}

static const char *const condition_public[] = {"acquire", "notify", "notify_all", "release",
                                               "wait", "wait_for", NULL};

static int condition_make(const mp_value *args, const mp_value *kwds, mp_value **out)
{
    const mp_value *l = arg(args, kwds, 0, "lock");
    if (l && mp_typeof(l) != MP_T_NONE && !mp_as_lock(l))
        return mp__fail(MP_ETYPE, "Condition() wants a Lock or RLock of the server's, not '%s'",
                        mp_type_name(l));
    *out = (mp_value *)mp_context_condition(mp_dummy(), l ? mp_as_lock(l) : NULL);
    return *out ? 0 : mp_errcode();
}

static int condition_call(mp_value *self, const char *m, const mp_value *args,
                          const mp_value *kwds, mp_value **res)
{
    mp_condition *c = mp_as_condition(self);
    if (strcmp(m, "acquire") == 0) {
        mp_acquire_opts o = acquire_opts(args, kwds);
        return bool_result(mp__condition_acquire_opts(c, &o), res);
    }
    if (strcmp(m, "release") == 0)
        return mp_condition_release(c);
    if (strcmp(m, "wait") == 0)
        return bool_result(mp_condition_wait(c, timeout_of(arg(args, kwds, 0, "timeout"))), res);
    if (strcmp(m, "notify") == 0) {
        const mp_value *n = arg(args, kwds, 0, "n");
        return mp_condition_notify(c, n ? (int)mp_as_int(n) : 1);
    }
    if (strcmp(m, "notify_all") == 0)
        return mp_condition_notify_all(c);
    return no_method(self, m);
}

static const char *const barrier_public[] = {"abort", "reset", "wait", NULL};

static int barrier_make(const mp_value *args, const mp_value *kwds, mp_value **out)
{
    const mp_value *parties = arg(args, kwds, 0, "parties"), *action = arg(args, kwds, 1, "action");
    const mp_value *t = arg(args, kwds, 2, "timeout");
    if (!parties)
        return mp__fail(MP_ETYPE, "Barrier.__init__() missing 1 required positional argument: "
                        "'parties'");
    if (action && mp_typeof(action) != MP_T_NONE)
        return mp__fail(MP_ETYPE, "a managed Barrier's action cannot be sent to the server");
    *out = (mp_value *)mp_context_barrier(mp_dummy(), (int)mp_as_int(parties),
                                          &(mp_barrier_opts){.timeout = timeout_of(t)});
    return *out ? 0 : mp_errcode();
}

static int barrier_call(mp_value *self, const char *m, const mp_value *args, const mp_value *kwds,
                        mp_value **res)
{
    mp_barrier *b = mp_as_barrier(self);
    if (strcmp(m, "wait") == 0) {
        const mp_value *t = arg(args, kwds, 0, "timeout");
        int rc = t && mp_typeof(t) != MP_T_NONE ? mp_barrier_wait(b, timeout_of(t))
                                                : mp_barrier_wait(b, MP_WAIT_FOREVER);
        *res = rc < 0 ? NULL : mp_int(rc);
        return rc < 0 ? rc : 0;
    }
    if (strcmp(m, "abort") == 0)
        return mp_barrier_abort(b);
    if (strcmp(m, "reset") == 0)
        return mp_barrier_reset(b);
    if (strcmp(m, "__getattribute__") == 0) {
        const char *name = mp_as_str(arg(args, NULL, 0, NULL));
        if (name && strcmp(name, "parties") == 0)
            *res = mp_int(mp_barrier_parties(b));
        else if (name && strcmp(name, "n_waiting") == 0)
            *res = mp_int(mp_barrier_n_waiting(b));
        else if (name && strcmp(name, "broken") == 0)
            *res = mp_bool(mp_barrier_broken(b));
        else
            return mp__fail(MP_EATTR, "'Barrier' object has no attribute '%s'", name ? name : "?");
        return 0;
    }
    return no_method(self, m);
}

/* ---- Iterator ---------------------------------------------------------------- */

/* iter(d) for a managed dict: an iterator over its keys as they were
 * (CPython's raises if the dict changes meanwhile; a snapshot cannot go
 * wrong), served as typeid Iterator and driven by __next__ until
 * StopIteration.  A plain object holding the keys and a position. */
static const mp_class keyiterator_class = {.name = "dict_keyiterator", .module = "builtins"};

static int keyiterator_new(const mp_value *d, mp_value **out)
{
    mp_value *keys = mp_list_new(), *attrs = mp_dict_new();
    for (size_t i = 0; keys && i < mp_len(d); i++) {
        const mp_value *k;
        mp_dict_entry(d, i, &k, NULL);
        if (mp_list_append(keys, mp_incref(k)) < 0) {
            mp_decref(keys);
            keys = NULL;
        }
    }
    if (!keys || !attrs || mp_dict_set(attrs, mp_str("_items"), keys) < 0 ||
        mp_dict_set(attrs, mp_str("_next"), mp_int(0)) < 0) {
        if (!attrs)
            mp_decref(keys);
        mp_decref(attrs);
        return MP_ENOMEM;
    }
    *out = mp_object_new(&keyiterator_class, attrs);
    return *out ? 0 : mp_errcode();
}

static const char *const iterator_public[] = {NULL};

static int iterator_call(mp_value *self, const char *m, const mp_value *args,
                         const mp_value *kwds, mp_value **res)
{
    (void)args;
    (void)kwds;
    if (strcmp(m, "__next__") != 0)
        return no_method(self, m);
    const mp_value *items = mp_getattr(self, "_items");
    int64_t i = mp_as_int(mp_getattr(self, "_next"));
    if (i >= (int64_t)mp_len(items))
        return mp__fail(MP_ESTOPITERATION, "%s", "");
    *res = mp_incref(mp_item(items, (size_t)i));
    return mp_setattr(self, "_next", mp_int(i + 1));
}

/* ---- the kinds ---------------------------------------------------------------- */

static const mp__kind kinds[] = {
    {"dict", dict_public, dict_make, dict_call, true},
    {"list", list_public, list_make, list_call, true},
    {"Namespace", NULL, namespace_make, namespace_call, true},
    {"Value", NULL, value_make, value_call, true},
    {"Queue", queue_public, queue_make, queue_call, false},
    {"Event", event_public, event_make, event_call, false},
    {"Lock", lock_public, lock_make, lock_call, false},
    {"RLock", lock_public, rlock_make, lock_call, false},
    {"Semaphore", semaphore_public, semaphore_make, semaphore_call, false},
    {"BoundedSemaphore", semaphore_public, bounded_make, semaphore_call, false},
    {"Condition", condition_public, condition_make, condition_call, false},
    {"Barrier", barrier_public, barrier_make, barrier_call, false},
    {"Iterator", iterator_public, NULL, iterator_call, true},
};

const mp__kind *mp__kind_named(const char *builtin)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i].name, builtin) == 0)
            return &kinds[i];
    return NULL;
}

const mp__kind *mp__kind_of(const mp_value *v)
{
    const mp_class *c = mp_class_of(v);
    switch (mp_typeof(v)) {
    case MP_T_DICT:
        return &kinds[0];
    case MP_T_LIST:
        return &kinds[1];
    default:
        break;
    }
    if (c == &namespace_class)
        return &kinds[2];
    if (c == &value_class)
        return &kinds[3];
    if (mp_as_queue(v))
        return &kinds[4];
    if (mp_as_event(v))
        return &kinds[5];
    if (mp_as_lock(v))
        return &kinds[6];
    if (mp_as_semaphore(v))
        return &kinds[8];
    if (mp_as_condition(v))
        return &kinds[10];
    if (mp_as_barrier(v))
        return &kinds[11];
    if (c == &keyiterator_class)
        return &kinds[12];
    return NULL;
}

mp_value *mp__public_methods(const mp_value *v)
{
    const mp__kind *k = mp__kind_of(v);
    const mp_class *c = mp_class_of(v);
    mp_value *l = mp_list_new();
    if (k && k->public) {
        for (size_t i = 0; l && k->public[i]; i++)
            if (mp_list_append(l, mp_str(k->public[i])) < 0)
                l = NULL;
    } else if (!k && c && c->methods) {
        for (size_t i = 0; l && c->methods[i].name; i++)
            if (c->methods[i].name[0] != '_' && mp_list_append(l, mp_str(c->methods[i].name)) < 0)
                l = NULL;
    }
    return l;
}

bool mp__referent_locked(const mp_value *obj)
{
    const mp__kind *k = mp__kind_of(obj);
    return !k || k->locked;
}

int mp__referent_call(mp_value *obj, const char *method, const mp_value *args,
                      const mp_value *kwds, mp_value **result)
{
    const mp__kind *k = mp__kind_of(obj);
    if (strcmp(method, "__repr__") == 0 && k == &kinds[2])
        return namespace_repr(obj, result);
    if (k)
        return k->call(obj, method, args, kwds, result);
    const mp_class *c = mp_class_of(obj);
    for (size_t i = 0; c && c->methods && c->methods[i].name; i++)
        if (strcmp(c->methods[i].name, method) == 0)
            return c->methods[i].fn(obj, args, kwds, result);
    return no_method(obj, method);
}

/* containers.c - a managed dict and list: the methods their proxies call, run on the server's own values; and the Iterator a dict gives. */
#include "managers.h"

#include <stdlib.h>
#include <string.h>

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
    int rc = d ? mp__ref_want(args, 0, 1, "dict") : MP_ENOMEM;
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
    const mp_value *a0 = mp__ref_arg(args, NULL, 0, NULL), *a1 = mp__ref_arg(args, NULL, 1, NULL);
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
        if ((rc = mp__ref_want(args, 2, 2, m)) < 0)
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
        if ((rc = mp__ref_want(args, 0, 1, m)) < 0 || (a0 && (rc = dict_update(d, a0)) < 0))
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
    return mp__ref_no_method(d, m);
}

/* ---- list ------------------------------------------------------------------ */

static const char *const list_public[] = {
    "append", "clear", "copy", "count", "extend", "index", "insert", "pop", "remove",
    "reverse", "sort", NULL};

static int list_make(const mp_value *args, const mp_value *kwds, mp_value **out)
{
    (void)kwds;
    int rc = mp__ref_want(args, 0, 1, "list");
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
    const mp_value *a0 = mp__ref_arg(args, NULL, 0, NULL), *a1 = mp__ref_arg(args, NULL, 1, NULL);
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
        if ((rc = mp__ref_want(args, 1, 1, m)) < 0 || (rc = index_of(a0, n, &i, "list index out of range")) < 0)
            return rc;
        *res = mp_incref(mp_item(l, i));
        return 0;
    }
    if (strcmp(m, "__setitem__") == 0) {
        if ((rc = mp__ref_want(args, 2, 2, m)) < 0 ||
            (rc = index_of(a0, n, &i, "list assignment index out of range")) < 0)
            return rc;
        mp_value *one = mp_tuple_of(a1);
        rc = one ? mp__list_splice(l, i, i + 1, one) : MP_ENOMEM;
        mp_decref(one);
        return rc;
    }
    if (strcmp(m, "__delitem__") == 0) {
        if ((rc = mp__ref_want(args, 1, 1, m)) < 0 ||
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
        if ((rc = mp__ref_want(args, 1, 1, m)) < 0)
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
        return (rc = mp__ref_want(args, 1, 1, m)) < 0 ? rc : mp_list_append(l, mp_incref(a0));
    if (strcmp(m, "extend") == 0 || strcmp(m, "__iadd__") == 0) {
        if ((rc = mp__ref_want(args, 1, 1, m)) < 0)
            return rc;
        if (mp_typeof(a0) != MP_T_LIST && mp_typeof(a0) != MP_T_TUPLE)
            return mp__fail(MP_ETYPE, "'%s' object is not iterable", mp_type_name(a0));
        return mp__list_splice(l, n, n, a0);
    }
    if (strcmp(m, "insert") == 0) {
        if ((rc = mp__ref_want(args, 2, 2, m)) < 0)
            return rc;
        int64_t x = mp_as_int(a0);
        x = x < 0 ? (x + (int64_t)n < 0 ? 0 : x + (int64_t)n) : x > (int64_t)n ? (int64_t)n : x;
        mp_value *one = mp_tuple_of(a1);
        rc = one ? mp__list_splice(l, (size_t)x, (size_t)x, one) : MP_ENOMEM;
        mp_decref(one);
        return rc;
    }
    if (strcmp(m, "pop") == 0) {
        if ((rc = mp__ref_want(args, 0, 1, m)) < 0)
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
    return mp__ref_no_method(l, m);
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
        return mp__ref_no_method(self, m);
    const mp_value *items = mp_getattr(self, "_items");
    int64_t i = mp_as_int(mp_getattr(self, "_next"));
    if (i >= (int64_t)mp_len(items))
        return mp__fail(MP_ESTOPITERATION, "%s", "");
    *res = mp_incref(mp_item(items, (size_t)i));
    return mp_setattr(self, "_next", mp_int(i + 1));
}

const mp__kind mp__dict_kind = {"dict", dict_public, dict_make, dict_call, true};
const mp__kind mp__list_kind = {"list", list_public, list_make, list_call, true};
const mp__kind mp__iterator_kind = {"Iterator", iterator_public, NULL, iterator_call, true};

bool mp__is_keyiterator(const mp_value *v)
{
    return mp_class_of(v) == &keyiterator_class;
}

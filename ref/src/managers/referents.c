/* referents.c - what a manager serves, and how a method call reaches it: the kinds of referent (containers.c, waiters.c, Namespace and Value here) and classes of the program's own. */
#include "managers.h"

#include <stdlib.h>
#include <string.h>

/* Argument i, or keyword name, or NULL. */
const mp_value *mp__ref_arg(const mp_value *args, const mp_value *kwds, size_t i, const char *name)
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

int mp__ref_no_method(const mp_value *self, const char *method)
{
    return mp__fail(MP_EATTR, "'%s' object has no attribute '%s'", mp_type_name(self), method);
}

int mp__ref_want(const mp_value *args, size_t lo, size_t hi, const char *method)
{
    size_t n = mp_len(args);
    if (n >= lo && n <= hi)
        return 0;
    if (lo == hi)
        return mp__fail(MP_ETYPE, "%s() takes exactly %s (%zu given)", method,
                        lo == 0 ? "no arguments" : lo == 1 ? "one argument" : "two arguments", n);
    return mp__fail(MP_ETYPE, "%s expected at most %zu arguments, got %zu", method, hi, n);
}

mp_timeout mp__ref_timeout(const mp_value *v)
{
    return v && mp_typeof(v) != MP_T_NONE ? MP_TIMEOUT(mp_as_float(v)) : MP_WAIT_FOREVER;
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
    int rc = mp__dict_kind.make(args, kwds, &d);
    if (rc < 0)
        return rc;
    *out = mp_object_new(&namespace_class, d);
    return *out ? 0 : mp_errcode();
}

static int namespace_call(mp_value *ns, const char *m, const mp_value *args,
                          const mp_value *kwds, mp_value **res)
{
    (void)kwds;
    const mp_value *name = mp__ref_arg(args, NULL, 0, NULL);
    int rc = mp__ref_want(args, strcmp(m, "__setattr__") == 0 ? 2 : 1, strcmp(m, "__setattr__") == 0 ? 2 : 1, m);
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
    return mp__ref_no_method(ns, m);
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
    const mp_value *tc = mp__ref_arg(args, kwds, 0, "typecode"), *v = mp__ref_arg(args, kwds, 1, "value");
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
        int rc = mp__ref_want(args, 1, 1, m);
        return rc < 0 ? rc : mp_setattr(self, "_value", mp_incref(mp_item(args, 0)));
    }
    return mp__ref_no_method(self, m);
}

const mp__kind mp__namespace_kind = {"Namespace", NULL, namespace_make, namespace_call, true};
const mp__kind mp__value_kind = {"Value", NULL, value_make, value_call, true};

/* ---- the kinds ---------------------------------------------------------------- */

static const mp__kind *const kinds[] = {
    &mp__dict_kind, &mp__list_kind, &mp__namespace_kind, &mp__value_kind, &mp__queue_kind,
    &mp__event_kind, &mp__lock_kind, &mp__rlock_kind, &mp__semaphore_kind, &mp__bounded_kind,
    &mp__condition_kind, &mp__barrier_kind, &mp__iterator_kind,
};

const mp__kind *mp__kind_named(const char *builtin)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i]->name, builtin) == 0)
            return kinds[i];
    return NULL;
}

const mp__kind *mp__kind_of(const mp_value *v)
{
    const mp_class *c = mp_class_of(v);
    switch (mp_typeof(v)) {
    case MP_T_DICT:
        return &mp__dict_kind;
    case MP_T_LIST:
        return &mp__list_kind;
    default:
        break;
    }
    if (c == &namespace_class)
        return &mp__namespace_kind;
    if (c == &value_class)
        return &mp__value_kind;
    if (mp_as_queue(v))
        return &mp__queue_kind;
    if (mp_as_event(v))
        return &mp__event_kind;
    if (mp_as_lock(v))
        return &mp__lock_kind;
    if (mp_as_semaphore(v))
        return &mp__semaphore_kind;
    if (mp_as_condition(v))
        return &mp__condition_kind;
    if (mp_as_barrier(v))
        return &mp__barrier_kind;
    if (mp__is_keyiterator(v))
        return &mp__iterator_kind;
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
    if (strcmp(method, "__repr__") == 0 && k == &mp__namespace_kind)
        return namespace_repr(obj, result);
    if (k)
        return k->call(obj, method, args, kwds, result);
    const mp_class *c = mp_class_of(obj);
    for (size_t i = 0; c && c->methods && c->methods[i].name; i++)
        if (strcmp(c->methods[i].name, method) == 0)
            return c->methods[i].fn(obj, args, kwds, result);
    return mp__ref_no_method(obj, method);
}


/* registry.c - BaseManager.register and SyncManager's own types: typeid -> (callable, exposed, method_to_typeid, proxytype). */
#include "managers.h"
#include "pool/pool.h"

#include <stdlib.h>
#include <string.h>

mp_manager_class mp_base_manager = {.name = "BaseManager"};
mp_manager_class mp_sync_manager = {.name = "SyncManager", .sync = true};

/* SyncManager.register(...) for its own types, with the exposed methods
 * of their proxy types (each proxy class's _exposed_ in managers.py). */
static const struct {
    const char *typeid, *builtin;
    const mp_class *proxytype;
    const char *exposed;            /* space-separated; NULL: public methods */
    const char *method_to_typeid;   /* "method typeid", or NULL */
} sync_types[] = {
    {"dict", "dict", &mp__dict_proxy_class,
     "__contains__ __delitem__ __getitem__ __iter__ __len__ __setitem__ clear copy get items "
     "keys pop popitem setdefault update values", "__iter__ Iterator"},
    {"list", "list", &mp__list_proxy_class,
     "__add__ __contains__ __delitem__ __getitem__ __len__ __mul__ __reversed__ __rmul__ "
     "__setitem__ append count extend index insert pop remove reverse sort __imul__", NULL},
    {"Namespace", "Namespace", &mp__namespace_proxy_class,
     "__getattribute__ __setattr__ __delattr__", NULL},
    {"Value", "Value", &mp__value_proxy_class, "get set", NULL},
    {"Queue", "Queue", NULL, NULL, NULL},
    {"JoinableQueue", "Queue", NULL, NULL, NULL},
    {"Event", "Event", &mp__event_proxy_class, "is_set set clear wait", NULL},
    {"Lock", "Lock", &mp__acquirer_proxy_class, "acquire release", NULL},
    {"RLock", "RLock", &mp__acquirer_proxy_class, "acquire release", NULL},
    {"Semaphore", "Semaphore", &mp__acquirer_proxy_class, "acquire release", NULL},
    {"BoundedSemaphore", "BoundedSemaphore", &mp__acquirer_proxy_class, "acquire release", NULL},
    {"Condition", "Condition", &mp__condition_proxy_class,
     "acquire release wait notify notify_all", NULL},
    {"Barrier", "Barrier", &mp__barrier_proxy_class, "__getattribute__ wait abort reset", NULL},
    {"Iterator", NULL, &mp__iterator_proxy_class, "__next__ send throw close", NULL},
};

static struct mp__registry sync_registry;
static pthread_once_t sync_once = PTHREAD_ONCE_INIT;

static mp_value *words(const char *s)
{
    mp_value *l = mp_list_new();
    while (l && *s) {
        size_t n = strcspn(s, " ");
        if (mp_list_append(l, mp_str_n(s, n)) < 0)
            l = NULL;
        s += n + (s[n] == ' ');
    }
    mp_value *t = l ? mp_tuple_new(mp_len(l)) : NULL;
    for (size_t i = 0; t && i < mp_len(l); i++)
        mp_tuple_set(t, i, mp_incref(mp_item(l, i)));
    mp_decref(l);
    return t;
}

static void make_sync_registry(void)
{
    for (size_t i = sizeof sync_types / sizeof sync_types[0]; i-- > 0;) {
        mp__typeinfo *t = calloc(1, sizeof *t);
        if (!t)
            return;
        t->typeid = strdup(sync_types[i].typeid);
        t->builtin = sync_types[i].builtin;
        t->proxytype = sync_types[i].proxytype;
        t->exposed = sync_types[i].exposed ? words(sync_types[i].exposed) : NULL;
        /* Iterator is only a method's result (create_method=False). */
        t->create_method = sync_types[i].builtin != NULL;
        if (sync_types[i].method_to_typeid) {
            mp_value *w = words(sync_types[i].method_to_typeid);
            t->method_to_typeid = mp_dict_new();
            if (w && t->method_to_typeid)
                mp_dict_set(t->method_to_typeid, mp_incref(mp_item(w, 0)),
                            mp_incref(mp_item(w, 1)));
            mp_decref(w);
        }
        t->next = sync_registry.types;
        sync_registry.types = t;
    }
}

static const mp__typeinfo *find_in(const struct mp__registry *r, const char *typeid)
{
    for (const mp__typeinfo *t = r ? r->types : NULL; t; t = t->next)
        if (strcmp(t->typeid, typeid) == 0)
            return t;
    return NULL;
}

const mp__typeinfo *mp__registry_find(const mp_manager_class *cls, const char *typeid)
{
    const mp__typeinfo *t = find_in(cls->registry, typeid);
    if (!t && cls->sync) {
        pthread_once(&sync_once, make_sync_registry);
        t = find_in(&sync_registry, typeid);
    }
    return t;
}

static void free_type(mp__typeinfo *t)
{
    free(t->typeid);
    mp_decref(t->exposed);
    mp_decref(t->method_to_typeid);
    free(t);
}

void mp__registry_clear(struct mp__registry *r)
{
    for (mp__typeinfo *t = r->types, *next; t; t = next) {
        next = t->next;
        free_type(t);
    }
    r->types = NULL;
}

static int add(struct mp__registry *r, mp__typeinfo *t)
{
    for (mp__typeinfo **pp = &r->types; *pp; pp = &(*pp)->next) {
        if (strcmp((*pp)->typeid, t->typeid) == 0) {
            t->next = (*pp)->next;
            free_type(*pp);
            *pp = t;
            return 0;
        }
    }
    t->next = r->types;
    r->types = t;
    return 0;
}

int mp_manager_register(mp_manager_class *cls, const char *typeid, const mp_register_opts *opts)
{
    static const mp_register_opts none = {0};
    if (!opts)
        opts = &none;
    if (!typeid || !typeid[0])
        return mp__fail(MP_EVALUE, "typeid must be a non-empty string");
    if (opts->callable && !mp_task_name(opts->callable))
        return mp__fail(MP_EPICKLE, "Can't pickle the callable of '%s': it is not registered "
                        "with MP_TASK", typeid);
    if (!cls->registry && !(cls->registry = calloc(1, sizeof *cls->registry)))
        return mp__fail(MP_ENOMEM, "out of memory");
    mp__typeinfo *t = calloc(1, sizeof *t);
    if (!t || !(t->typeid = strdup(typeid))) {
        free(t);
        return mp__fail(MP_ENOMEM, "out of memory");
    }
    t->callable = opts->callable;
    t->proxytype = opts->proxytype;
    t->create_method = opts->create_method != MP_NO;
    if (opts->exposed) {
        size_t n = 0;
        while (opts->exposed[n])
            n++;
        t->exposed = mp_tuple_new(n);
        for (size_t i = 0; t->exposed && i < n; i++)
            mp_tuple_set(t->exposed, i, mp_str(opts->exposed[i]));
    }
    if (opts->method_to_typeid) {
        t->method_to_typeid = mp_dict_new();
        for (size_t i = 0; t->method_to_typeid && opts->method_to_typeid[i]; i += 2)
            mp_dict_set(t->method_to_typeid, mp_str(opts->method_to_typeid[i]),
                        mp_str(opts->method_to_typeid[i + 1]));
    }
    return add(cls->registry, t);
}

/* [(typeid, callable, exposed, method_to_typeid), ...] for a server in a
 * child: the callable by its MP_TASK name. */
mp_value *mp__registry_dump(const mp_manager_class *cls)
{
    mp_value *l = mp_list_new();
    for (const mp__typeinfo *t = cls->registry ? cls->registry->types : NULL; l && t;
         t = t->next) {
        const char *name = t->callable ? mp_task_name(t->callable) : NULL;
        mp_value *e = mp_tuple_of(t->typeid, name ? mp_str(name) : mp_none(),
                                  (const mp_value *)(t->exposed ? t->exposed : mp_none()),
                                  (const mp_value *)(t->method_to_typeid ? t->method_to_typeid
                                                                         : mp_none()),
                                  (bool)t->create_method);
        if (mp_list_append(l, e) < 0) {
            mp_decref(l);
            l = NULL;
        }
    }
    return l;
}

int mp__registry_load(const mp_value *v, struct mp__registry *out)
{
    for (size_t i = mp_len(v); i-- > 0;) {
        const mp_value *e = mp_item(v, i);
        const mp_value *name = mp_item(e, 1);
        mp_task_fn fn = mp_typeof(name) == MP_T_STR ? mp__task_find(mp_as_str(name)) : NULL;
        if (mp_typeof(name) == MP_T_STR && !fn)
            return mp__fail(MP_EATTR, "Can't get attribute '%s' on <module '__main__'>",
                            mp_as_str(name));
        mp__typeinfo *t = calloc(1, sizeof *t);
        if (!t || !(t->typeid = strdup(mp_as_str(mp_item(e, 0))))) {
            free(t);
            return mp__fail(MP_ENOMEM, "out of memory");
        }
        t->callable = fn;
        t->exposed = mp_typeof(mp_item(e, 2)) == MP_T_NONE ? NULL : mp_incref(mp_item(e, 2));
        t->method_to_typeid =
            mp_typeof(mp_item(e, 3)) == MP_T_NONE ? NULL : mp_incref(mp_item(e, 3));
        t->create_method = mp_as_bool(mp_item(e, 4));
        add(out, t);
    }
    return 0;
}

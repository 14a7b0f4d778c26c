/* object.c - instances of registered classes, and what lets library objects cross into children (reduction.py, util.py). */
#include "internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the class registry ------------------------------------------------- */

static mp_class_reg *classes;

static const char *module_of(const mp_class *c)
{
    return c->module ? c->module : "__main__";
}

/* Runs from constructors before main(), so a clash can only be reported
 * and the program stopped: two classes under one name would make every
 * pickle naming it ambiguous. */
void mp__object_class_register(mp_class_reg *r)
{
    for (mp_class_reg *e = classes; e; e = e->next) {
        if (e->cls == r->cls)
            return;
        if (strcmp(e->cls->name, r->cls->name) == 0 &&
            strcmp(module_of(e->cls), module_of(r->cls)) == 0) {
            fprintf(stderr, "forklore: two classes registered as %s.%s\n", module_of(r->cls),
                    r->cls->name);
            abort();
        }
    }
    r->next = classes;
    classes = r;
}

static bool same(const char *a, const char *s, size_t n)
{
    return strlen(a) == n && memcmp(a, s, n) == 0;
}

/* A spawned CPython child names its main module __mp_main__; a class
 * pickled there is the same class as __main__'s. */
const mp_class *mp__class_lookup(const char *module, size_t mlen, const char *name, size_t nlen)
{
    if (same("__mp_main__", module, mlen)) {
        module = "__main__";
        mlen = 8;
    }
    for (mp_class_reg *e = classes; e; e = e->next)
        if (same(e->cls->name, name, nlen) && same(module_of(e->cls), module, mlen))
            return e->cls;
    return NULL;
}

/* ---- instances ----------------------------------------------------------- */

static mp__object *alloc(const mp_class *cls, size_t size)
{
    mp__object *o = calloc(1, size);
    if (!o) {
        mp__fail(MP_ENOMEM, "out of memory");
        return NULL;
    }
    o->h.type = MP_T_OBJECT;
    o->h.refs = 1;
    o->cls = cls;
    return o;
}

mp__object *mp__object_alloc(const mp_class *cls)
{
    return alloc(cls, ((const mp__native *)cls->native)->size);
}

mp_value *mp_object_new(const mp_class *cls, mp_value *dict)
{
    if (!cls || cls->native) {
        mp_decref(dict);
        mp__fail(MP_ETYPE, "mp_object_new needs a class of your own");
        return NULL;
    }
    if (dict) {
        if (mp_typeof(dict) != MP_T_DICT) {
            mp__fail(MP_ETYPE, "an object's attributes must be a dict, not '%s'",
                     mp_type_name(dict));
            mp_decref(dict);
            return NULL;
        }
        for (size_t i = 0; i < mp_len(dict); i++) {
            mp_value *k;
            mp_dict_entry(dict, i, &k, NULL);
            if (mp_typeof(k) != MP_T_STR) {
                mp__fail(MP_ETYPE, "attribute name must be string, not '%s'", mp_type_name(k));
                mp_decref(dict);
                return NULL;
            }
        }
    } else if (!(dict = mp_dict_new())) {
        return NULL;
    }
    mp__object *o = alloc(cls, sizeof *o);
    if (!o) {
        mp_decref(dict);
        return NULL;
    }
    o->dict = dict;
    return &o->h;
}

const mp_class *mp_class_of(const mp_value *v)
{
    return mp_typeof(v) == MP_T_OBJECT ? ((const mp__object *)v)->cls : NULL;
}

bool mp_isinstance(const mp_value *v, const mp_class *cls)
{
    return cls && mp_class_of(v) == cls;
}

mp_value *mp_getattr(const mp_value *obj, const char *name)
{
    const mp_class *c = mp_class_of(obj);
    if (!c) {
        mp__fail(MP_EATTR, "'%s' object has no attribute '%s'", mp_type_name(obj), name);
        return NULL;
    }
    mp_value *k = mp_str(name), *v = NULL;
    const mp__object *o = (const mp__object *)obj;
    if (k && o->dict)
        v = mp_dict_get(o->dict, k);
    mp_decref(k);
    if (!v)
        mp__fail(MP_EATTR, "'%s' object has no attribute '%s'", c->name, name);
    return v;
}

int mp_setattr(mp_value *obj, const char *name, mp_value *val)
{
    const mp_class *c = mp_class_of(obj);
    if (!c || c->native) {
        mp_decref(val);
        return mp__fail(MP_EATTR, "'%s' object attribute '%s' is read-only", mp_type_name(obj),
                        name);
    }
    return mp_dict_set(((mp__object *)obj)->dict, mp_str(name), val);
}

/* ---- descriptors for children ------------------------------------------- */

static _Thread_local mp__fdlist *reducing, *rebuilding;

void mp__reduce_begin(mp__fdlist *l)
{
    reducing = l;
}

void mp__reduce_end(void)
{
    reducing = NULL;
}

int mp__reduce_fd(const mp__object *self, int fd)
{
    mp__fdlist *l = reducing;
    if (!l)
        return mp__fail(MP_ERUNTIME, "%s objects should only be shared between processes "
                        "through inheritance", self->cls->name);
    /* The kernel passes at most 253 descriptors in one message. */
    if (l->n >= 250)
        return mp__fail(MP_EVALUE, "too many descriptors to pass to one child");
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        int *fds = realloc(l->fds, cap * sizeof *fds);
        if (!fds)
            return mp__fail(MP_ENOMEM, "out of memory");
        l->fds = fds;
        l->cap = cap;
    }
    l->fds[l->n] = fd;
    return (int)l->n++;
}

void mp__rebuild_begin(mp__fdlist *l)
{
    rebuilding = l;
}

int mp__rebuild_fd(int64_t index)
{
    mp__fdlist *l = rebuilding;
    if (!l)
        return mp__fail(MP_EUNPICKLE, "library objects are rebuilt only in a child the "
                        "library started");
    if (index < 0 || (uint64_t)index >= l->n || l->fds[index] < 0)
        return mp__fail(MP_EUNPICKLE, "descriptor %lld was not passed (or taken twice)",
                        (long long)index);
    int fd = l->fds[index];
    l->fds[index] = -1;
    return fd;
}

void mp__fdlist_close(mp__fdlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->fds[i] >= 0)
            close(l->fds[i]);
    free(l->fds);
    *l = (mp__fdlist){0};
}

void mp__fdlist_release(mp__fdlist *l)
{
    free(l->fds);
    *l = (mp__fdlist){0};
}

void mp__rebuild_end(void)
{
    rebuilding = NULL;
}

/* ---- finalizers (util.Finalize with an exitpriority) --------------------- */

struct mp__finalizer {
    void (*fn)(void *);
    void *arg;
    int priority;
    pid_t pid;                  /* a finalizer runs only in the process that made it */
    unsigned long serial;
    mp__finalizer *next;
};

static pthread_mutex_t fin_lock = PTHREAD_MUTEX_INITIALIZER;
static mp__finalizer *finalizers;
static unsigned long fin_serial;

mp__finalizer *mp__finalize_register(void (*fn)(void *), void *arg, int priority)
{
    mp__finalizer *f = malloc(sizeof *f);
    if (!f) {
        mp__fail(MP_ENOMEM, "out of memory");
        return NULL;
    }
    pthread_mutex_lock(&fin_lock);
    *f = (mp__finalizer){fn, arg, priority, getpid(), fin_serial++, finalizers};
    finalizers = f;
    pthread_mutex_unlock(&fin_lock);
    return f;
}

bool mp__finalize_cancel(mp__finalizer *f)
{
    bool found = false;
    pthread_mutex_lock(&fin_lock);
    for (mp__finalizer **pp = &finalizers; *pp; pp = &(*pp)->next) {
        if (*pp == f) {
            *pp = f->next;
            free(f);
            found = true;
            break;
        }
    }
    pthread_mutex_unlock(&fin_lock);
    return found;
}

/* One at a time, the best first: a finalizer may register or cancel others
 * (closing a queue cancels nothing, but joining its feeder may take long),
 * so the lock is not held while it runs. */
void mp__run_finalizers(int minpriority)
{
    for (;;) {
        pthread_mutex_lock(&fin_lock);
        mp__finalizer **best = NULL;
        for (mp__finalizer **pp = &finalizers; *pp; pp = &(*pp)->next)
            if ((*pp)->priority >= minpriority && (!best || (*pp)->priority > (*best)->priority ||
                ((*pp)->priority == (*best)->priority && (*pp)->serial > (*best)->serial)))
                best = pp;
        mp__finalizer *f = best ? *best : NULL;
        if (f)
            *best = f->next;
        pthread_mutex_unlock(&fin_lock);
        if (!f)
            return;
        if (f->pid == getpid())
            f->fn(f->arg);
        free(f);
    }
}

/* ---- after-fork hooks (util.register_after_fork) -------------------------- */

typedef struct after_fork {
    void (*fn)(void *);
    void *arg;
    struct after_fork *next;
} after_fork;

static after_fork *after_forks;
static pthread_mutex_t af_lock = PTHREAD_MUTEX_INITIALIZER;

int mp__register_after_fork(void (*fn)(void *), void *arg)
{
    after_fork *a = malloc(sizeof *a);
    if (!a)
        return mp__fail(MP_ENOMEM, "out of memory");
    pthread_mutex_lock(&af_lock);
    *a = (after_fork){fn, arg, after_forks};
    after_forks = a;
    pthread_mutex_unlock(&af_lock);
    return 0;
}

void mp__unregister_after_fork(void (*fn)(void *), void *arg)
{
    pthread_mutex_lock(&af_lock);
    for (after_fork **pp = &after_forks; *pp; pp = &(*pp)->next) {
        if ((*pp)->fn == fn && (*pp)->arg == arg) {
            after_fork *a = *pp;
            *pp = a->next;
            free(a);
            break;
        }
    }
    pthread_mutex_unlock(&af_lock);
}

/* The fork start method holds both locks across fork(), so that the
 * child's copies of the two lists are whole, not caught half-changed by
 * another thread. */
void mp__hooks_before_fork(void)
{
    pthread_mutex_lock(&af_lock);
    pthread_mutex_lock(&fin_lock);
}

void mp__hooks_after_fork_parent(void)
{
    pthread_mutex_unlock(&fin_lock);
    pthread_mutex_unlock(&af_lock);
}

/* The child's copies of the locks were held by the thread that forked,
 * which is this one: make them fresh.  Then, as CPython's
 * util._run_after_forkers, run the hooks. */
void mp__hooks_after_fork_child(void)
{
    pthread_mutex_init(&af_lock, NULL);
    pthread_mutex_init(&fin_lock, NULL);
}

void mp__run_after_fork(void)
{
    for (after_fork *a = after_forks; a; a = a->next)
        a->fn(a->arg);
}

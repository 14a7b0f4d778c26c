/* server.c - managers.Server's objects: what it serves, who holds references to each, and Server.create; serve.c answers the connections. */
#include "server.h"
#include "synchronize/synchronize.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

mp_server *mp__running_server;

/* ---- the objects ------------------------------------------------------------- */

served *mp__server_find(mp_server *s, const char *id)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->objs[i].id, id) == 0)
            return &s->objs[i];
    return NULL;
}

bool mp__server_owns(const mp_value *address, const mp_value *id)
{
    mp_server *s = mp__running_server;
    if (!s || !mp_equal(s->address, address) || mp_typeof(id) != MP_T_STR)
        return false;
    pthread_mutex_lock(&s->mu);
    served *o = mp__server_find(s, mp_as_str(id));
    if (o)
        o->local = true;
    pthread_mutex_unlock(&s->mu);
    return o != NULL;
}

/* Count one reference more for pid (under the lock). */
static bool hold(served *o, pid_t pid)
{
    for (size_t i = 0; i < o->nholders; i++)
        if (o->holders[i].pid == pid) {
            o->holders[i].n++;
            return true;
        }
    holder *h = realloc(o->holders, (o->nholders + 1) * sizeof *h);
    if (!h)
        return false;
    o->holders = h;
    o->holders[o->nholders++] = (holder){pid, pid > 0 ? mp__process_start(pid) : 0, 1};
    return true;
}

/* One reference less for pid, or for whoever holds some when pid holds
 * none (a reference given on one side, returned from another). */
static void unhold(served *o, pid_t pid)
{
    size_t k = o->nholders;
    for (size_t i = 0; i < o->nholders; i++)
        if (o->holders[i].n > 0 && (o->holders[i].pid == pid || k == o->nholders))
            k = i;
    if (k < o->nholders && --o->holders[k].n == 0)
        o->holders[k] = o->holders[--o->nholders];
}

int mp__server_incref(mp_server *s, const char *id, pid_t pid)
{
    pthread_mutex_lock(&s->mu);
    served *o = mp__server_find(s, id);
    bool ok = o && hold(o, pid);
    if (ok) {
        if (!o->counted)
            mp_debug("Server re-enabled tracking & INCREF %s", id);
        o->counted = true;
        o->refs++;
    }
    pthread_mutex_unlock(&s->mu);
    return ok ? 0 : o ? mp__fail(MP_ENOMEM, "out of memory") : mp_raise("KeyError", "'%s'", id);
}

/* Take object i out (under the lock); the caller releases what it held
 * outside the lock: releasing the referent may release proxies it held,
 * which talk to this server. */
static served take_out(mp_server *s, served *o)
{
    mp_debug("disposing of obj with id %s", o->id);
    served gone = *o;
    *o = s->objs[--s->n];
    return gone;
}

static void dispose(served *gone)
{
    mp_decref(gone->obj);
    mp_decref(gone->exposed);
    mp_decref(gone->method_to_typeid);
    free(gone->holders);
}

int mp__server_decref(mp_server *s, const char *id, pid_t pid)
{
    pthread_mutex_lock(&s->mu);
    served *o = mp__server_find(s, id), gone = {0};
    if (o && !o->counted) {
        pthread_mutex_unlock(&s->mu);
        mp_debug("Server DECREF skipping %s", id);
        return 0;
    }
    if (o && o->refs <= 0) {
        pthread_mutex_unlock(&s->mu);
        return mp__fail(MP_EASSERT, "Id %s (%s) has refcount %ld, not 1+", id,
                        mp_type_name(o->obj), o->refs);
    }
    if (o) {
        unhold(o, pid);
        if (--o->refs == 0 && o->local)
            o->counted = false;     /* out of id_to_refcount and id_to_obj only */
        else if (o->refs == 0)
            gone = take_out(s, o);
    }
    pthread_mutex_unlock(&s->mu);
    dispose(&gone);
    return o ? 0 : mp_raise("KeyError", "'%s'", id);
}

/*
 * Beyond CPython: the references of a client process that ended without
 * returning them (killed, or exited without its proxies' finalizers) are
 * dropped, so its objects do not live on in the server for ever.  Only
 * clients the server can name (AF_UNIX: the kernel tells their pid) are
 * watched; the references of a TCP client stay, as in CPython.
 */
void mp__server_reap(mp_server *s)
{
    for (;;) {
        served gone = {0};
        pid_t who = 0;
        pthread_mutex_lock(&s->mu);
        for (size_t i = 0; i < s->n && !gone.obj; i++) {
            served *o = &s->objs[i];
            for (size_t k = 0; k < o->nholders; k++) {
                if (o->holders[k].pid <= 0 || o->holders[k].pid == getpid() ||
                    !mp__process_gone(o->holders[k].pid, o->holders[k].start))
                    continue;
                who = o->holders[k].pid;
                o->refs -= o->holders[k].n;
                o->holders[k--] = o->holders[--o->nholders];
                if (o->refs <= 0 && o->local) {
                    o->refs = 0;
                    o->counted = false;     /* kept for the server's own proxies */
                } else if (o->refs <= 0) {
                    gone = take_out(s, o);
                    break;
                }
            }
        }
        pthread_mutex_unlock(&s->mu);
        if (!gone.obj)
            return;
        mp_debug("dropped the references of ended process %d", (int)who);
        dispose(&gone);
    }
}

/*
 * Server.create(c, typeid, *args, **kwds): make (or take, for a typeid
 * without a callable: the one argument) the object, note it with one
 * reference, and give back (id, exposed).
 */
int mp__server_create(mp_server *s, const char *typeid, const mp_value *args, const mp_value *kwds,
                      pid_t pid, mp_value **result)
{
    const mp__typeinfo *ti = mp__registry_find(&s->cls, typeid);
    if (!ti)
        return mp_raise("KeyError", "'%s'", typeid);
    mp_value *obj = NULL;
    int rc;
    if (ti->builtin) {
        const mp__kind *k = mp__kind_named(ti->builtin);
        rc = k->make(args, kwds, &obj);
    } else if (!ti->callable) {
        if ((kwds && mp_len(kwds)) || mp_len(args) != 1)
            return mp__fail(MP_EVALUE, "Without callable, must have one non-keyword argument");
        obj = mp_incref(mp_item(args, 0));
        rc = 0;
    } else {
        rc = ti->callable(args, &obj);
        if (rc == 0 && !obj)
            obj = mp_none();
    }
    if (rc < 0)
        return rc;
    mp_value *exposed = ti->exposed ? mp_incref(ti->exposed) : mp__public_methods(obj);
    if (exposed && ti->method_to_typeid) {
        mp_value *l = mp_list_new();
        for (size_t i = 0; l && i < mp_len(exposed); i++)
            mp_list_append(l, mp_incref(mp_item(exposed, i)));
        for (size_t i = 0; l && i < mp_len(ti->method_to_typeid); i++) {
            const mp_value *k;
            mp_dict_entry(ti->method_to_typeid, i, &k, NULL);
            mp_list_append(l, mp_incref(k));
        }
        mp_decref(exposed);
        exposed = l;
    }
    mp_value *tuple = exposed ? mp_tuple_new(mp_len(exposed)) : NULL;
    for (size_t i = 0; tuple && i < mp_len(exposed); i++)
        mp_tuple_set(tuple, i, mp_incref(mp_item(exposed, i)));
    mp_decref(exposed);
    if (!tuple) {
        mp_decref(obj);
        return MP_ENOMEM;
    }
    char id[24];
    snprintf(id, sizeof id, "%lx", (unsigned long)(uintptr_t)obj);
    pthread_mutex_lock(&s->mu);
    served *o = mp__server_find(s, id);
    if (!o && s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        served *a = realloc(s->objs, cap * sizeof *a);
        if (a) {
            s->objs = a;
            s->cap = cap;
        }
    }
    if (!o && s->n < s->cap) {
        o = &s->objs[s->n++];
        *o = (served){.obj = mp_incref(obj), .exposed = mp_incref(tuple),
                      .method_to_typeid = mp_incref(ti->method_to_typeid)};
        memcpy(o->id, id, sizeof id);
    }
    if (o && hold(o, pid)) {
        o->counted = true;
        o->refs++;
    } else {
        o = NULL;
    }
    pthread_mutex_unlock(&s->mu);
    mp_decref(obj);
    mp_debug("%s callable returned object with id %s", typeid, id);
    *result = o ? mp_tuple_of(id, tuple) : NULL;
    if (!o)
        mp_decref(tuple);
    return *result ? 0 : MP_ENOMEM;
}

mp_server *mp__server_new(const mp_manager_class *cls, mp_value *address, mp_value *authkey)
{
    mp_server *s = calloc(1, sizeof *s);
    if (!s) {
        mp_decref(address);
        mp_decref(authkey);
        mp__fail(MP_ENOMEM, "out of memory");
        return NULL;
    }
    s->listener = mp_listener_new(&(mp_listener_opts){.address = address, .backlog = 16});
    if (!s->listener) {
        mp_decref(authkey);
        free(s);
        return NULL;
    }
    s->address = mp_incref(mp_listener_address(s->listener));
    s->authkey = authkey;
    s->cls = *cls;
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->hmu, NULL);
    pthread_cond_init(&s->stopped, NULL);
    return s;
}

const mp_value *mp_server_address(const mp_server *s)
{
    return s->address;
}

void mp__server_free(mp_server *s)
{
    if (!s || s == mp__running_server)
        return;
    mp_listener_free(s->listener);
    mp_decref(s->address);
    mp_decref(s->authkey);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->stopped);
    free(s);
}


/* proxy.c - BaseProxy: a value standing for a served object, its calls, its references, and RebuildProxy. */
#include "managers.h"
#include "synchronize/synchronize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct proxy {
    mp__object o;
    mp_value *token;                /* an mp__token */
    const mp_class *type;           /* DictProxy, ..., AutoProxy, or the program's */
    mp_value *exposed;              /* a tuple, or NULL */
    mp_value *authkey;              /* bytes */
    const mp_manager_class *manager;/* whose registry names the types of results; may be NULL */
    pid_t holder;                   /* the process that holds a reference (incref), or 0 */
    mp__finalizer *fin;             /* returns that reference at exit (exitpriority 10) */
    bool owned;                     /* made in the manager's own server: no references */
    mp_value *local;                /* attributes kept on the proxy ('_' names), or NULL */
} proxy;

static const mp_class proxy_class;

static const proxy *as_proxy(const mp_value *v)
{
    return mp_class_of(v) == &proxy_class ? (const proxy *)v : NULL;
}

bool mp_is_proxy(const mp_value *v)
{
    return as_proxy(v) != NULL;
}

static const mp__token *tok(const proxy *p)
{
    return mp__as_token(p->token);
}

/* The authkey: the proxy's own, or else the calling process's, read at
 * each use: a spawned child rebuilds its args before it knows its
 * authkey (the parent's). */
static const mp_value *key(const proxy *p)
{
    return p->authkey ? p->authkey : mp_process_authkey(mp_current_process());
}

/* ---- connections ---------------------------------------------------------- */

/*
 * Each thread has one connection per manager address, shared by all its
 * proxies for that manager, as CPython's BaseProxy._address_to_local.  It
 * is made on first use (Client, then accept_connection) and dropped when
 * a call on it fails or the process forks (a child makes its own).
 */
typedef struct tconn {
    char *address;                  /* repr of the address */
    pid_t pid;
    mp_connection *c;
    struct tconn *next;
} tconn;

static _Thread_local tconn *tconns;
static pthread_key_t tconn_key;
static pthread_once_t tconn_once = PTHREAD_ONCE_INIT;

static void drop_all(void *list)
{
    for (tconn *t = list, *next; t; t = next) {
        next = t->next;
        mp_connection_free(t->c);   /* an inherited one: only the child's copy closes */
        free(t->address);
        free(t);
    }
}

static void make_key(void)
{
    pthread_key_create(&tconn_key, drop_all);
}

mp_connection *mp__manager_client(const mp_value *address, const mp_value *authkey)
{
    return mp_client_new(&(mp_client_opts){.address = mp_incref(address),
                                           .authkey = mp_incref(authkey)});
}

/* The thread's connection to address, made if need be. */
static mp_connection *thread_conn(const mp__token *t, const mp_value *authkey, char **key)
{
    char *a = mp_repr(t->address);
    if (!a) {
        mp__fail(MP_ENOMEM, "out of memory");
        return NULL;
    }
    pid_t me = getpid();
    for (tconn **pp = &tconns; *pp;) {
        tconn *e = *pp;
        if (e->pid != me) {             /* inherited by fork: not ours to use */
            /* Closing the child's copy of the descriptor leaves the
             * parent's connection open, as CPython's ForkAwareLocal is
             * cleared after a fork and its connections closed when
             * collected; forgetting it alone would lose its memory. */
            *pp = e->next;
            mp_connection_free(e->c);
            free(e->address);
            free(e);
            continue;
        }
        if (strcmp(e->address, a) == 0) {
            free(a);
            *key = e->address;
            return e->c;
        }
        pp = &e->next;
    }
    mp_debug("making connection to manager");
    mp_connection *c = mp__manager_client(t->address, authkey);
    if (!c) {
        free(a);
        return NULL;
    }
    char name[160];
    snprintf(name, sizeof name, "%s|%s", mp_process_name(mp_current_process()),
             (pid_t)mp__tid_now() == me ? "MainThread" : "Thread");
    int rc = mp__dispatch(c, NULL, "accept_connection", mp_tuple_of(name), NULL, NULL);
    tconn *e = rc < 0 ? NULL : malloc(sizeof *e);
    if (!e) {
        if (rc == 0)
            mp__fail(MP_ENOMEM, "out of memory");
        mp_connection_free(c);
        free(a);
        return NULL;
    }
    pthread_once(&tconn_once, make_key);
    *e = (tconn){a, me, c, tconns};
    tconns = e;
    pthread_setspecific(tconn_key, tconns);
    *key = a;
    return c;
}

/* Forget the thread's connection: a call failed on it, so the next one
 * starts afresh (the manager may have gone). */
static void drop_conn(const char *key)
{
    for (tconn **pp = &tconns; *pp; pp = &(*pp)->next) {
        if ((*pp)->address == key) {
            tconn *e = *pp;
            *pp = e->next;
            mp_connection_free(e->c);
            free(e->address);
            free(e);
            pthread_setspecific(tconn_key, tconns);
            return;
        }
    }
}

/* ---- requests and replies ---------------------------------------------- */

/* RemoteError's str(): the server's text between two rules of dashes. */
static int remote_error(const mp_value *text)
{
    static const char rule[] =
        "---------------------------------------------------------------------------";
    return mp_raise("multiprocessing.managers.RemoteError", "\n%s\n%s%s", rule,
                    mp_typeof(text) == MP_T_STR ? mp_as_str(text) : "", rule);
}

int mp__convert_reply(const mp_value *reply, mp_value **result, const mp_value **proxy_info)
{
    if (mp_typeof(reply) != MP_T_TUPLE || mp_len(reply) != 2 ||
        mp_typeof(mp_item(reply, 0)) != MP_T_STR)
        return mp__fail(MP_EVALUE, "Unrecognized message type");
    const char *kind = mp_as_str(mp_item(reply, 0));
    const mp_value *v = mp_item(reply, 1);
    if (strcmp(kind, "#RETURN") == 0) {
        if (result)
            *result = mp_incref(v);
        return 0;
    }
    if (strcmp(kind, "#PROXY") == 0 && proxy_info) {
        *proxy_info = v;
        return 0;
    }
    if (strcmp(kind, "#ERROR") == 0)
        return mp__is_exception(v) ? mp__exception_raise(v, false) : remote_error(v);
    if (strcmp(kind, "#TRACEBACK") == 0 || strcmp(kind, "#UNSERIALIZABLE") == 0)
        return remote_error(v);
    return mp__fail(MP_EVALUE, "Unrecognized message type %s", kind);
}

static int request(mp_connection *c, const mp_value *id, const char *method, mp_value *args,
                   mp_value *kwds, mp_value **reply)
{
    if ((!args && !(args = mp_tuple_new(0))) || (!kwds && !(kwds = mp_dict_new()))) {
        mp_decref(args);
        mp_decref(kwds);
        return MP_ENOMEM;
    }
    mp_value *req = mp_tuple_of(id ? id : mp_none(), method, args, kwds);
    if (!req)
        return mp_errcode();
    /* The request is kept until the answer has come, as CPython's caller
     * keeps its arguments: a proxy in them that the caller handed over
     * would otherwise send its decref as soon as the request left, and
     * the server could dispose of the object before it has read the
     * request that holds it. */
    int rc = mp_connection_send(c, (const mp_value *)req);
    if (rc == 0)
        rc = mp_connection_recv(c, reply);
    mp_decref(req);
    return rc;
}

int mp__dispatch(mp_connection *c, const mp_value *id, const char *method, mp_value *args,
                 mp_value *kwds, mp_value **result)
{
    mp_value *reply = NULL;
    int rc = request(c, id, method, args, kwds, &reply);
    if (rc == 0)
        rc = mp__convert_reply(reply, result, NULL);
    mp_decref(reply);
    return rc;
}

int mp__dispatch_once(const mp_value *address, const mp_value *authkey, const char *method,
                      mp_value *args, mp_value *kwds, mp_value **result)
{
    mp_connection *c = mp__manager_client(address, authkey);
    if (!c) {
        mp_decref(args);
        mp_decref(kwds);
        return mp_errcode();
    }
    int rc = mp__dispatch(c, NULL, method, args, kwds, result);
    mp_connection_free(c);
    return rc;
}

/* ---- references ------------------------------------------------------------ */

/* util.Finalize(self, BaseProxy._decref, exitpriority=10): a process
 * that ends still holding the proxy gives its reference back as it exits. */
static void decref_now(proxy *p);

static void exit_decref(void *arg)
{
    proxy *p = arg;
    p->fin = NULL;
    decref_now(p);
}

static int incref(proxy *p)
{
    if (p->owned) {
        mp_debug("owned_by_manager skipped INCREF of %s", mp_as_str(tok(p)->id));
        return 0;
    }
    int rc = mp__dispatch_once(tok(p)->address, key(p), "incref",
                           mp_tuple_of((const mp_value *)tok(p)->id), NULL, NULL);
    if (rc == 0) {
        mp_debug("INCREF %s", mp_as_str(tok(p)->id));
        p->holder = getpid();
        p->fin = mp__finalize_register(exit_decref, p, 10);
    }
    return rc;
}

/* After a fork the child holds the proxy too, so it takes a reference of
 * its own (BaseProxy._after_fork). */
static void after_fork(void *arg)
{
    proxy *p = arg;
    p->holder = 0;
    p->fin = NULL;
    if (!p->owned && incref(p) < 0)
        mp_info("incref failed: %s", mp_errmsg());
}

static void decref_now(proxy *p)
{
    if (p->holder != getpid())
        return;
    p->holder = 0;
    mp__exc saved;
    mp__exc_save(&saved);
    mp_debug("DECREF %s", mp_as_str(tok(p)->id));
    if (mp__dispatch_once(tok(p)->address, key(p), "decref",
                      mp_tuple_of((const mp_value *)tok(p)->id), NULL, NULL) < 0)
        mp_debug("... decref failed %s", mp_errmsg());
    mp__exc_restore(&saved);
}

static void finalize(mp__object *self)
{
    proxy *p = (proxy *)self;
    mp__unregister_after_fork(after_fork, p);
    /* A finalizer copied from the parent by fork is the parent's: it never
     * runs here, and is not ours to cancel. */
    if (p->fin && p->holder == getpid())
        mp__finalize_cancel(p->fin);
    decref_now(p);
    mp_decref(p->token);
    mp_decref(p->exposed);
    mp_decref(p->authkey);
    mp_decref(p->local);
}

mp_value *mp__proxy_new(mp__proxy_args a)
{
    proxy *p = (proxy *)mp__object_alloc(&proxy_class);
    if (!p || !mp__as_token(a.token)) {
        if (p)
            mp__fail(MP_ETYPE, "a proxy needs a Token");
        mp_decref(a.token);
        mp_decref(a.exposed);
        mp_decref(a.authkey);
        mp_decref(p ? &p->o.h : NULL);
        return NULL;
    }
    p->token = a.token;
    p->type = a.proxytype ? a.proxytype : &mp__auto_proxy_class;
    p->exposed = a.exposed;
    p->authkey = a.authkey;         /* NULL: the process's, when used (see key) */
    p->manager = a.manager;
    p->owned = a.owned_by_manager;
    if (a.incref && incref(p) < 0) {
        mp_decref(&p->o.h);
        return NULL;
    }
    if (!p->owned && mp__register_after_fork(after_fork, p) < 0) {
        mp_decref(&p->o.h);
        return NULL;
    }
    return &p->o.h;
}

/* ---- calls ------------------------------------------------------------------- */

/* A '#PROXY' answer: (exposed, token) becomes a proxy of the type the
 * manager registered for the token's typeid (AutoProxy if unknown).  The
 * server counted a reference for us while answering; the new proxy takes
 * its own, then that one is given back (CPython's order). */
static int proxy_from_reply(const proxy *p, const mp_value *info, mp_value **result)
{
    if (mp_typeof(info) != MP_T_TUPLE || mp_len(info) != 2 || !mp__as_token(mp_item(info, 1)))
        return mp__fail(MP_EVALUE, "Unrecognized message type");
    const mp__token *t = mp__as_token(mp_item(info, 1));
    const mp__typeinfo *ti = p->manager ? mp__registry_find(p->manager, mp_as_str(t->typeid))
                                        : NULL;
    mp_value *token = mp__token_new(t->typeid, tok(p)->address, t->id);
    mp_value *exposed = mp_incref(mp_item(info, 0));
    mp_value *np = mp__proxy_new((mp__proxy_args){
        .token = token, .proxytype = ti ? ti->proxytype : NULL, .exposed = exposed,
        .authkey = mp_incref(key(p)), .manager = p->manager, .incref = true});
    if (!np)
        return mp_errcode();
    int rc = mp__dispatch_once(tok(p)->address, key(p), "decref",
                           mp_tuple_of((const mp_value *)t->id), NULL, NULL);
    if (rc < 0) {
        mp_decref(np);
        return rc;
    }
    if (result)
        *result = np;
    else
        mp_decref(np);
    return 0;
}

int mp_proxy_callmethod(const mp_value *v, const char *method, mp_value *args, mp_value *kwds,
                        mp_value **result)
{
    const proxy *p = as_proxy(v);
    if (result)
        *result = NULL;
    if (!p) {
        mp_decref(args);
        mp_decref(kwds);
        return mp__fail(MP_ETYPE, "expected a proxy, got '%s'", mp_type_name(v));
    }
    char *slot = NULL;
    mp_connection *c = thread_conn(tok(p), key(p), &slot);
    if (!c) {
        mp_decref(args);
        mp_decref(kwds);
        return mp_errcode();
    }
    mp_value *reply = NULL;
    const mp_value *info = NULL;
    int rc = request(c, tok(p)->id, method, args, kwds, &reply);
    if (rc < 0) {
        drop_conn(slot);
        return rc;
    }
    rc = mp__convert_reply(reply, result, &info);
    if (rc == 0 && info)
        rc = proxy_from_reply(p, info, result);
    mp_decref(reply);
    return rc;
}

const mp_value *mp_proxy_exposed(const mp_value *v)
{
    const proxy *p = as_proxy(v);
    if (!p) {
        mp__fail(MP_ETYPE, "expected a proxy, got '%s'", mp_type_name(v));
        return NULL;
    }
    return p->exposed ? p->exposed : mp_none();
}

int mp_proxy_getvalue(const mp_value *v, mp_value **out)
{
    return mp_proxy_callmethod(v, "#GETVALUE", NULL, NULL, out);
}

/* NamespaceProxy and ValueProxy: a '_' name stays on the proxy. */
int mp_proxy_getattr(const mp_value *v, const char *name, mp_value **out)
{
    const proxy *p = as_proxy(v);
    *out = NULL;
    if (p && name[0] == '_') {
        mp_value *k = mp_str(name);
        const mp_value *x = k && p->local ? mp_dict_get(p->local, k) : NULL;
        mp_decref(k);
        if (!x)
            return mp__fail(MP_EATTR, "'%s' object has no attribute '%s'", p->type->name, name);
        *out = mp_incref(x);
        return 0;
    }
    if (p && p->type == &mp__value_proxy_class && strcmp(name, "value") == 0)
        return mp_proxy_callmethod(v, "get", NULL, NULL, out);
    return mp_proxy_callmethod(v, "__getattribute__", mp_tuple_of(name), NULL, out);
}

int mp_proxy_setattr(mp_value *v, const char *name, mp_value *val)
{
    proxy *p = (proxy *)as_proxy(v);
    if (p && name[0] == '_') {
        if (!p->local && !(p->local = mp_dict_new())) {
            mp_decref(val);
            return MP_ENOMEM;
        }
        return mp_dict_set(p->local, mp_str(name), val);
    }
    if (p && p->type == &mp__value_proxy_class && strcmp(name, "value") == 0)
        return mp_proxy_callmethod(v, "set", mp_tuple_of(val), NULL, NULL);
    return mp_proxy_callmethod(v, "__setattr__", mp_tuple_of(name, val), NULL, NULL);
}

/* ---- repr, str, pickling ------------------------------------------------- */

/* <DictProxy object, typeid 'dict' at 0x7f...>; an AutoProxy's class is
 * named AutoProxy[typeid] in CPython. */
static bool repr(const mp__object *self, mp__buf *b)
{
    const proxy *p = (const proxy *)self;
    char *t = mp_repr(tok(p)->typeid);
    if (!t)
        return false;
    if (p->type == &mp__auto_proxy_class)
        mp__buf_printf(b, "<AutoProxy[%s] object, typeid %s at %p>", mp_as_str(tok(p)->typeid), t,
                       (const void *)p);
    else
        mp__buf_printf(b, "<%s object, typeid %s at %p>", p->type->name, t, (const void *)p);
    free(t);
    return true;
}

/* str(proxy) is the referent's repr; if asking fails, the proxy's repr
 * says so (BaseProxy.__str__). */
static bool str(const mp__object *self, mp__buf *b)
{
    mp_value *r = NULL;
    mp__exc saved;
    mp__exc_save(&saved);
    if (mp_proxy_callmethod(&self->h, "__repr__", NULL, NULL, &r) == 0 &&
        mp_typeof(r) == MP_T_STR) {
        mp__buf_puts(b, mp_as_str(r));
        mp_decref(r);
        return true;
    }
    mp_decref(r);
    mp__exc_restore(&saved);
    mp__buf b2 = {0};
    if (!repr(self, &b2)) {
        free(b2.data);
        return false;
    }
    char *s = mp__buf_finish(&b2);
    if (!s)
        return false;
    mp__buf_printf(b, "%.*s; '__str__()' failed>", (int)strlen(s) - 1, s);
    free(s);
    return true;
}

static const mp_class rebuild_class;

/* RebuildProxy(type(self), token, 'pickle', kwds), as BaseProxy.__reduce__;
 * an AutoProxy carries its exposed methods in kwds. */
static int reduce_ex(const mp__object *self, const mp_class **fn, mp_value **args)
{
    const proxy *p = (const proxy *)self;
    mp_value *kw = mp_dict_new();
    if (kw && p->type == &mp__auto_proxy_class && p->exposed &&
        mp_dict_set(kw, mp_str("exposed"), mp_incref(p->exposed)) < 0) {
        mp_decref(kw);
        kw = NULL;
    }
    *fn = &rebuild_class;
    *args = kw ? mp_tuple_of(mp__type_value(p->type), (const mp_value *)p->token, "pickle", kw)
               : NULL;
    return *args ? 0 : mp_errcode();
}

static const mp__native native = {
    .size = sizeof(proxy), .finalize = finalize, .repr = repr, .str = str,
    .reduce_ex = reduce_ex,
};
static const mp_class proxy_class = {
    .name = "BaseProxy", .module = "multiprocessing.managers", .native = &native};

/*
 * RebuildProxy(func, token, serializer, kwds): a proxy read from a pickle.
 * In the server that owns the object it is "owned by the manager" and
 * takes no reference; a child rebuilding the args it was started with
 * takes none either (its parent holds one until the child has started),
 * as CPython's _inheriting; anywhere else it takes one.
 */
static bool offline;

void mp__proxy_rebuild_offline(bool yes)
{
    offline = yes;
}

static int rebuild(const mp_class *cls, const mp_value *args, mp_value **out)
{
    (void)cls;
    const mp_class *type = mp_len(args) == 4 ? mp__type_of_value(mp_item(args, 0)) : NULL;
    const mp_value *token = mp_item(args, 1), *kw = mp_item(args, 3);
    if (!type || !mp__as_token(token) || mp_typeof(kw) != MP_T_DICT)
        return mp__fail(MP_ETYPE, "RebuildProxy() wants (proxytype, token, serializer, kwds)");
    mp_value *k = mp_str("exposed");
    const mp_value *exposed = k ? mp_dict_get(kw, k) : NULL;
    mp_decref(k);
    if (exposed && mp_typeof(exposed) != MP_T_TUPLE && mp_typeof(exposed) != MP_T_LIST)
        return mp__fail(MP_ETYPE, "RebuildProxy(): exposed must be a tuple");
    const mp__token *t = mp__as_token(token);
    bool owned = mp__server_owns(t->address, t->id);
    if (owned)
        mp_debug("Rebuild a proxy owned by manager, token=%s", mp_as_str(t->id));
    *out = mp__proxy_new((mp__proxy_args){
        .token = mp_incref(token), .proxytype = type, .exposed = mp_incref(exposed),
        .incref = !owned && !offline && !mp__spawn_inheriting(), .owned_by_manager = owned});
    return *out ? 0 : mp_errcode();
}

static const mp__native rebuild_native = {.size = sizeof(mp__object), .construct = rebuild};
static const mp_class rebuild_class = {
    .name = "RebuildProxy", .module = "multiprocessing.managers", .native = &rebuild_native};
static mp_class_reg rebuild_reg = {&rebuild_class, NULL};

__attribute__((constructor)) static void register_rebuild(void)
{
    mp__object_class_register(&rebuild_reg);
}

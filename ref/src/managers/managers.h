/* managers.h - what the files of managers.py's floor share: tokens, the registry, the server's objects, proxies. */
#ifndef MP_MANAGERS_H
#define MP_MANAGERS_H

#include "core/core.h"
#include "util/util.h"
#include "connection/connection.h"
#include "process/process.h"
#include "start/start.h"

#include <pthread.h>

/* ---- Token (token.c) ----------------------------------------------------- */

/* Token(typeid, address, id): what names a served object.  Pickled as
 * CPython pickles it (NEWOBJ, then BUILD with the tuple state). */
typedef struct mp__token {
    mp__object o;
    mp_value *typeid;           /* str */
    mp_value *address;          /* str (AF_UNIX) or (host, port) */
    mp_value *id;               /* str: '%x' % id(obj) */
} mp__token;

mp_value *mp__token_new(const mp_value *typeid, const mp_value *address, const mp_value *id);
const mp__token *mp__as_token(const mp_value *v);

/* ---- the registry (registry.c) ------------------------------------------ */

/* One typeid, as BaseManager.register keeps it: (callable, exposed,
 * method_to_typeid, proxytype).  exposed and method_to_typeid are values
 * (a tuple of str, a dict str -> str) or NULL. */
typedef struct mp__typeinfo {
    char *typeid;
    mp_task_fn callable;        /* NULL: only a method's result becomes one */
    const char *builtin;        /* SyncManager's own: the kind of referent it makes */
    mp_value *exposed;
    mp_value *method_to_typeid;
    const mp_class *proxytype;  /* NULL: AutoProxy */
    bool create_method;
    struct mp__typeinfo *next;
} mp__typeinfo;

struct mp__registry {
    mp__typeinfo *types;
};

const mp__typeinfo *mp__registry_find(const mp_manager_class *cls, const char *typeid);
/* The registry as a value for a server started in a child:
 * [(typeid, callable name or None, builtin or None, exposed, method_to_typeid)];
 * and back (the callables found by name, MP_EPICKLE if one is missing). */
mp_value *mp__registry_dump(const mp_manager_class *cls);
int mp__registry_load(const mp_value *v, struct mp__registry *out);
void mp__registry_clear(struct mp__registry *r);

/* The proxy classes of managers.py that the library makes itself. */
extern const mp_class mp__auto_proxy_class, mp__dict_proxy_class, mp__list_proxy_class,
    mp__namespace_proxy_class, mp__value_proxy_class, mp__event_proxy_class,
    mp__acquirer_proxy_class, mp__condition_proxy_class, mp__barrier_proxy_class,
    mp__iterator_proxy_class;

/* ---- referents (referents.c) --------------------------------------------- */

/* What a served object's method call does.  The kinds of referent the
 * library knows (a dict, a list, a Namespace, ...) are found by
 * mp__referent_kind; an instance of a class of the program's own by its
 * class's methods.  locked: whether the call runs under the server's lock
 * (everything but the synchronization objects, which wait). */
typedef struct mp__kind {
    const char *name;                              /* the builtin's name: "dict" */
    const char *const *public;                     /* public_methods() */
    int (*make)(const mp_value *args, const mp_value *kwds, mp_value **out);
    int (*call)(mp_value *self, const char *method, const mp_value *args, const mp_value *kwds,
                mp_value **result);
    bool locked;
} mp__kind;

/* The kinds, each in its file (containers.c, waiters.c, referents.c). */
extern const mp__kind mp__dict_kind, mp__list_kind, mp__iterator_kind, mp__namespace_kind,
    mp__value_kind, mp__queue_kind, mp__event_kind, mp__lock_kind, mp__rlock_kind,
    mp__semaphore_kind, mp__bounded_kind, mp__condition_kind, mp__barrier_kind;
bool mp__is_keyiterator(const mp_value *v);

/* What the kinds' calls share (referents.c): argument i or keyword name
 * (NULL if neither), AttributeError for a method the referent has not, a
 * TypeError unless lo <= len(args) <= hi, and a timeout argument (None:
 * for ever). */
const mp_value *mp__ref_arg(const mp_value *args, const mp_value *kwds, size_t i, const char *name);
int mp__ref_no_method(const mp_value *self, const char *method);
int mp__ref_want(const mp_value *args, size_t lo, size_t hi, const char *method);
mp_timeout mp__ref_timeout(const mp_value *v);

const mp__kind *mp__kind_named(const char *builtin);
const mp__kind *mp__kind_of(const mp_value *referent);
/* public_methods(obj) as a new tuple of str. */
mp_value *mp__public_methods(const mp_value *referent);
/* getattr(obj, method)(*args, **kwds) for any referent; and whether the
 * call must hold the server's lock. */
int mp__referent_call(mp_value *obj, const char *method, const mp_value *args,
                      const mp_value *kwds, mp_value **result);
bool mp__referent_locked(const mp_value *obj);

/* ---- the server (server.c) ----------------------------------------------- */

/* The server of the calling process, if it runs one: a proxy rebuilt there
 * for one of its own objects is "owned by the manager" (RebuildProxy),
 * and the object is then kept for it after its last counted reference
 * goes, as CPython's id_to_local_proxy_obj keeps it. */
struct mp_server;
bool mp__server_owns(const mp_value *address, const mp_value *id);
/* A server listening at address (taken; NULL: a fresh one) serving cls's
 * registry (copied); authkey taken.  NULL with the listener's error. */
mp_server *mp__server_new(const mp_manager_class *cls, mp_value *address, mp_value *authkey);
void mp__server_free(mp_server *s);

/* ---- proxies (proxy.c) ----------------------------------------------------- */

/* A proxy for token.  exposed (a tuple, or NULL) is taken; manager (may be
 * NULL) tells what proxy type a method's result gets.  incref: tell the
 * server this process holds a reference (and release it when the proxy
 * goes). */
typedef struct mp__proxy_args {
    mp_value *token;            /* taken */
    const mp_class *proxytype;  /* NULL: AutoProxy */
    mp_value *exposed;          /* taken; may be NULL */
    mp_value *authkey;          /* taken; NULL: current_process().authkey */
    const mp_manager_class *manager;
    bool incref;
    bool owned_by_manager;
} mp__proxy_args;
mp_value *mp__proxy_new(mp__proxy_args a);

/* For the fuzzer: a proxy read from a pickle takes no reference, so no
 * connection is made to the address it names (the fuzzer invents them;
 * a manager's peer is trusted with its addresses, as CPython's is). */
void mp__proxy_rebuild_offline(bool yes);

/* dispatch(c, id, methodname, args, kwds): send a request on c and read
 * the answer into *result (#RETURN), or fail as the answer says. */
int mp__dispatch(mp_connection *c, const mp_value *id, const char *method, mp_value *args,
                 mp_value *kwds, mp_value **result);
/* dispatch() on a connection of its own, closed after (incref, decref,
 * create, shutdown: CPython's clients open one for each).  Takes args and
 * kwds (NULL: none). */
int mp__dispatch_once(const mp_value *address, const mp_value *authkey, const char *method,
                      mp_value *args, mp_value *kwds, mp_value **result);
/* A client connection to a manager at address, authenticated. */
mp_connection *mp__manager_client(const mp_value *address, const mp_value *authkey);
/* Turn a reply (kind, result) into a result or a failure. */
int mp__convert_reply(const mp_value *reply, mp_value **result, const mp_value **proxy_info);

#endif

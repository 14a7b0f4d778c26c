/* server.h - what server.c (the objects and their references) and serve.c (the connections and their requests) share. */
#ifndef MP_MANAGERS_SERVER_H
#define MP_MANAGERS_SERVER_H

#include "managers.h"

/* Who holds references: a process on this machine (its pid, known from
 * the AF_UNIX connection the incref came on), or 0 for a peer the server
 * cannot name (over TCP). */
typedef struct holder {
    pid_t pid;
    unsigned long long start;       /* its start time, so a reused pid is not taken for it */
    long n;
} holder;

typedef struct served {
    char id[24];                    /* '%x' % id(obj) */
    mp_value *obj;
    mp_value *exposed;              /* a tuple of str */
    mp_value *method_to_typeid;     /* a dict, or NULL */
    long refs;
    bool counted;                   /* in id_to_refcount (else kept for a local proxy) */
    holder *holders;
    size_t nholders;
    bool local;                     /* in id_to_local_proxy_obj: a proxy for it was
                                       rebuilt in the server, so it stays */
} served;

struct mp_server {
    mp_manager_class cls;           /* its registry; sync: SyncManager's types too */
    mp_listener *listener;
    mp_value *address, *authkey;
    pthread_mutex_t mu;             /* the objects, and calls on unsynchronized referents */
    pthread_mutex_t hmu;            /* the connections' threads */
    struct handler *handlers;
    pthread_cond_t stopped;
    _Atomic bool stop;              /* read by the connection threads without the lock */
    served *objs;
    size_t n, cap;
};

/* The server running in this process (current_process()._manager_server),
 * set by mp_server_serve_forever. */
extern mp_server *mp__running_server;

/* The objects (server.c), each taking the server's lock itself: the one
 * named id, or NULL (the caller holds s->mu); a reference more or less
 * for the process pid (0: a peer that cannot be named); Server.create,
 * giving (id, exposed) in *result; and dropping the references of client
 * processes that have ended. */
served *mp__server_find(mp_server *s, const char *id);
int mp__server_incref(mp_server *s, const char *id, pid_t pid);
int mp__server_decref(mp_server *s, const char *id, pid_t pid);
int mp__server_create(mp_server *s, const char *typeid, const mp_value *args, const mp_value *kwds,
                      pid_t pid, mp_value **result);
void mp__server_reap(mp_server *s);

/* The connections (serve.c): end them all and join their threads, as the
 * server stops. */
void mp__server_end_handlers(mp_server *s);

#endif

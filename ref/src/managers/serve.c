/* serve.c - managers.Server's connections: a thread per client connection, its requests (serve_client, the public calls) and their answers, and serve_forever. */
#include "server.h"
#include "synchronize/synchronize.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static int traceback(mp_value **msg, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ('#TRACEBACK', text): what CPython sends for a failure of the server
 * itself.  A C server has no Python traceback; the text says so, then
 * names the exception as a traceback's last line does. */
static int traceback(mp_value **msg, const char *name, const char *fmt, ...)
{
    char text[MP__ERRMSG_MAX], line[MP__ERRMSG_MAX + 256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    snprintf(line, sizeof line,
             "Traceback (most recent call last):\n  (a C program keeps no Python traceback)\n"
             "%s: %s\n", name, text);
    *msg = mp_tuple_of("#TRACEBACK", line);
    return *msg ? 0 : MP_ENOMEM;
}

/* ---- requests ------------------------------------------------------------------ */

/* ('#ERROR', exception) for a method's failure, or ('#TRACEBACK', text)
 * when its exception has no class a peer could rebuild. */
static mp_value *error_reply(int code)
{
    mp_value *e = mp__exception_from_error(code), *msg = NULL;
    if (e)
        msg = mp_tuple_of("#ERROR", e);
    else
        traceback(&msg, mp_errname(code), "%s", mp_errmsg());
    return msg;
}

static bool is_in(const mp_value *tuple, const char *name)
{
    for (size_t i = 0; i < mp_len(tuple); i++)
        if (strcmp(mp_as_str(mp_item(tuple, i)), name) == 0)
            return true;
    return false;
}

/* One request of serve_client: (ident, methodname, args, kwds). */
static mp_value *call(mp_server *s, const mp_value *req, pid_t pid)
{
    mp_value *msg = NULL;
    if (mp_typeof(req) != MP_T_TUPLE || mp_len(req) != 4 ||
        mp_typeof(mp_item(req, 0)) != MP_T_STR || mp_typeof(mp_item(req, 1)) != MP_T_STR ||
        mp_typeof(mp_item(req, 2)) != MP_T_TUPLE ||
        (mp_typeof(mp_item(req, 3)) != MP_T_DICT && mp_typeof(mp_item(req, 3)) != MP_T_NONE)) {
        traceback(&msg, "ValueError", "a request must be (ident, methodname, args, kwds)");
        return msg;
    }
    const char *id = mp_as_str(mp_item(req, 0)), *method = mp_as_str(mp_item(req, 1));
    const mp_value *args = mp_item(req, 2), *kwds = mp_item(req, 3);
    pthread_mutex_lock(&s->mu);
    served *o = mp__server_find(s, id);
    mp_value *obj = o ? mp_incref(o->obj) : NULL, *exposed = o ? mp_incref(o->exposed) : NULL;
    mp_value *m2t = o ? mp_incref(o->method_to_typeid) : NULL;
    pthread_mutex_unlock(&s->mu);
    mp_value *res = NULL;
    int rc = 0;
    if (!obj) {
        traceback(&msg, "KeyError", "'%s'", id);
    } else if (!is_in(exposed, method)) {
        /* The fallbacks: str(), repr() and the referent itself. */
        if (strcmp(method, "#GETVALUE") == 0) {
            res = mp_incref(obj);
        } else if (strcmp(method, "__str__") == 0 || strcmp(method, "__repr__") == 0) {
            bool lock = mp__referent_locked(obj);
            if (lock)
                pthread_mutex_lock(&s->mu);
            rc = mp__referent_call(obj, "__repr__", args, kwds, &res);
            if (rc == MP_EATTR) {
                char *r = mp_repr(obj);
                res = r ? mp_str(r) : NULL;
                rc = res ? 0 : MP_ENOMEM;
                free(r);
            }
            if (lock)
                pthread_mutex_unlock(&s->mu);
        } else {
            char *e = mp_repr(exposed);
            traceback(&msg, "AttributeError", "method '%s' of <class '%s'> object is not in "
                      "exposed=%s", method, mp_type_name(obj), e ? e : "?");
            free(e);
        }
    } else {
        bool lock = mp__referent_locked(obj);
        if (lock)
            pthread_mutex_lock(&s->mu);
        rc = mp__referent_call(obj, method, args, kwds, &res);
        if (lock)
            pthread_mutex_unlock(&s->mu);
    }
    if (!msg && rc < 0) {
        msg = error_reply(rc);
    } else if (!msg) {
        mp_value *k = m2t ? mp_str(method) : NULL;
        const mp_value *typeid = k ? mp_dict_get(m2t, k) : NULL;
        mp_decref(k);
        if (typeid) {
            mp_value *one = mp_tuple_of((const mp_value *)(res ? res : mp_none())), *made = NULL;
            rc = one ? mp__server_create(s, mp_as_str(typeid), one, NULL, pid, &made) : MP_ENOMEM;
            mp_decref(one);
            if (rc < 0)
                msg = error_reply(rc);
            else
                msg = mp_tuple_of("#PROXY",
                                  mp_tuple_of(mp_item(made, 1),
                                              mp__token_new(typeid, s->address, mp_item(made, 0))));
            mp_decref(made);
        } else {
            msg = mp_tuple_of("#RETURN", (const mp_value *)(res ? res : mp_none()));
        }
    }
    mp_decref(res);
    mp_decref(obj);
    mp_decref(exposed);
    mp_decref(m2t);
    return msg;
}

/* Send msg; if it cannot be pickled, say so instead ('#UNSERIALIZABLE'). */
static int answer(mp_connection *c, mp_value *msg)
{
    if (!msg) {
        char text[MP__ERRMSG_MAX + 64];
        snprintf(text, sizeof text, "%s: %s", mp_errname(mp_errcode()), mp_errmsg());
        msg = mp_tuple_of("#TRACEBACK", text);
    }
    int rc = mp_connection_send(c, (const mp_value *)msg);
    if (rc == MP_EPICKLE || rc == MP_ERUNTIME || rc == MP_ETYPE) {
        char text[MP__ERRMSG_MAX + 64];
        snprintf(text, sizeof text, "%s: %s", mp_errname(rc), mp_errmsg());
        mp_decref(msg);
        msg = mp_tuple_of("#UNSERIALIZABLE", text);
        rc = msg ? mp_connection_send(c, (const mp_value *)msg) : MP_ENOMEM;
    }
    mp_decref(msg);
    return rc;
}

static void serve_client(mp_server *s, mp_connection *c, const char *name, pid_t pid)
{
    while (!s->stop) {
        mp_value *req = NULL;
        int rc = mp_connection_recv(c, &req);
        if (rc == MP_EEOF || rc == MP_EOS || rc == MP_ECLOSED) {
            mp_debug("got EOF -- exiting thread serving %s", name);
            return;
        }
        mp_value *msg = NULL;
        if (rc < 0)
            traceback(&msg, mp_errname(rc), "%s", mp_errmsg());
        else
            msg = call(s, req, pid);
        mp_decref(req);
        if (answer(c, msg) < 0) {
            mp_info("Failure to send message: %s", mp_errmsg());
            return;
        }
    }
}

/* handle_request: authenticate, then one public call, or
 * accept_connection and serve_client until the client goes. */
static int public_call(mp_server *s, const char *fn, const mp_value *args, const mp_value *kwds,
                       pid_t pid, mp_value **res)
{
    const mp_value *a0 = mp_item(args, 0);
    if (strcmp(fn, "create") == 0) {
        if (mp_typeof(a0) != MP_T_STR)
            return mp__fail(MP_ETYPE, "create() needs a typeid");
        mp_value *rest = mp_tuple_new(mp_len(args) - 1);
        for (size_t i = 1; rest && i < mp_len(args); i++)
            mp_tuple_set(rest, i - 1, mp_incref(mp_item(args, i)));
        int rc = rest ? mp__server_create(s, mp_as_str(a0), rest, kwds, pid, res) : MP_ENOMEM;
        mp_decref(rest);
        return rc;
    }
    if (strcmp(fn, "incref") == 0 || strcmp(fn, "decref") == 0) {
        if (mp_typeof(a0) != MP_T_STR)
            return mp__fail(MP_ETYPE, "%s() needs an ident", fn);
        return fn[0] == 'i' ? mp__server_incref(s, mp_as_str(a0), pid) : mp__server_decref(s, mp_as_str(a0), pid);
    }
    if (strcmp(fn, "number_of_objects") == 0) {
        pthread_mutex_lock(&s->mu);
        int64_t n = 0;
        for (size_t i = 0; i < s->n; i++)
            n += s->objs[i].counted;
        pthread_mutex_unlock(&s->mu);
        *res = mp_int(n);
        return 0;
    }
    if (strcmp(fn, "get_methods") == 0) {
        const mp__token *t = mp__as_token(a0);
        pthread_mutex_lock(&s->mu);
        served *o = t ? mp__server_find(s, mp_as_str(t->id)) : NULL;
        *res = o ? mp_incref(o->exposed) : NULL;
        pthread_mutex_unlock(&s->mu);
        return o ? 0 : mp_raise("KeyError", "token");
    }
    if (strcmp(fn, "dummy") == 0) {
        *res = mp_none();
        return 0;
    }
    if (strcmp(fn, "debug_info") == 0) {
        /* CPython's lines ("'ident': refcount=N\n    str(obj)[:75]"), and
         * which processes hold the references. */
        mp__buf b = {0};
        pthread_mutex_lock(&s->mu);
        for (size_t i = 0; i < s->n; i++) {
            served *o = &s->objs[i];
            char *r = mp_tostring(o->obj);
            mp__buf_printf(&b, "%s'%s': refcount=%ld\n    %.75s", i ? "\n" : "", o->id, o->refs,
                           r ? r : "?");
            free(r);
            for (size_t k = 0; k < o->nholders; k++)
                mp__buf_printf(&b, "%s pid %d holds %ld", k ? "," : "\n   ",
                               (int)o->holders[k].pid, o->holders[k].n);
        }
        pthread_mutex_unlock(&s->mu);
        char *text = mp__buf_finish(&b);
        *res = mp_str(text ? text : "");
        free(text);
        return *res ? 0 : MP_ENOMEM;
    }
    return mp__fail(MP_EATTR, "'%s' unrecognized", fn);
}

/* The client's pid for an AF_UNIX connection (the kernel's word), else 0. */
static pid_t peer_pid(const mp_connection *c)
{
    struct ucred cred;
    socklen_t len = sizeof cred;
    int fd = mp_connection_fileno(c);
    if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || len != sizeof cred)
        return 0;
    return cred.pid;
}

/* A connection's thread.  The server keeps them all, so that it can end
 * them as it stops (their libraries' per-thread state is then released,
 * and nothing runs on in a server whose process is ending). */
typedef struct handler {
    mp_server *s;
    mp_connection *c;               /* NULL once the thread has closed it (under hmu) */
    pthread_t t;
    _Atomic bool done;
    struct handler *next;
} handler;

static void close_handler_conn(handler *h)
{
    pthread_mutex_lock(&h->s->hmu);
    mp_connection_free(h->c);
    h->c = NULL;
    pthread_mutex_unlock(&h->s->hmu);
    h->done = true;
}

static void *handle(void *arg)
{
    handler *h = arg;
    mp_server *s = h->s;
    mp_connection *c = h->c;
    size_t klen;
    const uint8_t *key = mp_as_bytes(s->authkey, &klen);
    mp_value *req = NULL, *msg = NULL, *res = NULL;
    int rc = mp_deliver_challenge(c, key, klen, MP_AUTH_311);
    if (rc == 0)
        rc = mp_answer_challenge(c, key, klen);
    if (rc == 0)
        rc = mp_connection_recv(c, &req);
    if (rc == MP_EUNPICKLE || rc == MP_ENOMEM) {
        /* A request that cannot be read is answered, as CPython's
         * handle_request answers any failure. */
        traceback(&msg, mp_errname(rc), "%s", mp_errmsg());
        answer(c, msg);
    }
    if (rc < 0) {
        close_handler_conn(h);
        return NULL;
    }
    pid_t pid = peer_pid(c);
    if (mp_typeof(req) != MP_T_TUPLE || mp_len(req) != 4 ||
        mp_typeof(mp_item(req, 1)) != MP_T_STR || mp_typeof(mp_item(req, 2)) != MP_T_TUPLE) {
        traceback(&msg, "ValueError", "a request must be (ident, funcname, args, kwds)");
        answer(c, msg);
    } else if (strcmp(mp_as_str(mp_item(req, 1)), "accept_connection") == 0) {
        const mp_value *name = mp_item(mp_item(req, 2), 0);
        char nm[128];
        snprintf(nm, sizeof nm, "%s", mp_typeof(name) == MP_T_STR ? mp_as_str(name) : "?");
        if (answer(c, mp_tuple_of("#RETURN", mp_none())) == 0)
            serve_client(s, c, nm, pid);
    } else if (strcmp(mp_as_str(mp_item(req, 1)), "shutdown") == 0) {
        mp_debug("manager received shutdown message");
        answer(c, mp_tuple_of("#RETURN", mp_none()));
        pthread_mutex_lock(&s->mu);
        s->stop = true;
        pthread_cond_broadcast(&s->stopped);
        pthread_mutex_unlock(&s->mu);
    } else {
        const mp_value *kw = mp_item(req, 3);
        rc = public_call(s, mp_as_str(mp_item(req, 1)), mp_item(req, 2),
                         mp_typeof(kw) == MP_T_DICT ? kw : NULL, pid, &res);
        if (rc < 0)
            traceback(&msg, mp_errname(rc), "%s", mp_errmsg());
        else
            msg = mp_tuple_of("#RETURN", (const mp_value *)(res ? res : mp_none()));
        answer(c, msg);
    }
    mp_decref(res);
    mp_decref(req);
    close_handler_conn(h);
    return NULL;
}

static void *accepter(void *arg)
{
    mp_server *s = arg;
    for (;;) {
        mp_connection *c = NULL;
        int rc = mp_listener_accept(s->listener, &c);
        if (s->stop) {
            mp_connection_free(c);
            return NULL;
        }
        if (rc < 0)
            continue;
        /* Join the threads whose connections have ended. */
        pthread_mutex_lock(&s->hmu);
        for (handler **pp = &s->handlers; *pp;) {
            handler *h = *pp;
            if (h->done) {
                *pp = h->next;
                pthread_join(h->t, NULL);
                free(h);
            } else {
                pp = &h->next;
            }
        }
        handler *h = calloc(1, sizeof *h);
        if (h) {
            h->s = s;
            h->c = c;
        }
        if (!h || pthread_create(&h->t, NULL, handle, h) != 0) {
            free(h);
            mp_connection_free(c);
        } else {
            h->next = s->handlers;
            s->handlers = h;
        }
        pthread_mutex_unlock(&s->hmu);
    }
}

/* As the server stops: end every connection (a thread reading its next
 * request then meets EOF and ends), and join the threads, for at most a
 * second: one waiting inside a call (a Queue's get) is left to the
 * process's end, as CPython's daemon threads are. */
void mp__server_end_handlers(mp_server *s)
{
    pthread_mutex_lock(&s->hmu);
    for (handler *h = s->handlers; h; h = h->next)
        if (h->c)
            shutdown(mp_connection_fileno(h->c), SHUT_RDWR);
    handler *list = s->handlers;
    s->handlers = NULL;
    pthread_mutex_unlock(&s->hmu);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 1;
    while (list) {
        handler *h = list;
        list = h->next;
        if (pthread_timedjoin_np(h->t, NULL, &until) == 0)
            free(h);
        else
            pthread_detach(h->t);   /* still inside a call: it may use h, kept */
    }
}

int mp_server_serve_forever(mp_server *s)
{
    pthread_t t;
    mp__running_server = s;
    if (pthread_create(&t, NULL, accepter, s) != 0)
        return mp__fail_os(errno, "[Errno %d] %s", errno, strerror(errno));
    unsigned ticks = 0;
    pthread_mutex_lock(&s->mu);
    while (!s->stop && !mp__interrupted()) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100 * 1000 * 1000;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&s->stopped, &s->mu, &ts);
        if (++ticks % 5 == 0) {         /* look for ended clients twice a second */
            pthread_mutex_unlock(&s->mu);
            mp__server_reap(s);
            pthread_mutex_lock(&s->mu);
        }
    }
    s->stop = true;
    pthread_mutex_unlock(&s->mu);
    /* Wake the accepter, which waits in accept(): closing the socket
     * under it would not. */
    mp_connection_free(mp_client_new(&(mp_client_opts){.address = mp_incref(s->address)}));
    pthread_join(t, NULL);
    mp_listener_close(s->listener);
    mp__server_end_handlers(s);
    return 0;
}

/* A server that never served is freed; one that did is kept for the life
 * of the process, as its connections' threads may still be reading. */

/* manager.c - BaseManager: start a server process (or connect to one), make objects there, shut it down. */
#include "managers.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { INITIAL, STARTED, SHUTDOWN };

struct mp_manager {
    mp_manager_class *cls;
    mp_value *address, *authkey;
    mp_context *ctx;
    double shutdown_timeout;
    int state;
    mp_process *process;
    mp_server *server;              /* get_server()'s */
    mp__finalizer *fin;
};

mp_manager *mp_manager_new(mp_manager_class *cls, const mp_manager_opts *opts)
{
    static const mp_manager_opts none = {0};
    if (!opts)
        opts = &none;
    mp_manager *m = calloc(1, sizeof *m);
    if (!m || (opts->authkey && mp_typeof(opts->authkey) != MP_T_BYTES)) {
        if (m)
            mp__fail(MP_ETYPE, "authkey should be a byte string");
        else
            mp__fail(MP_ENOMEM, "out of memory");
        mp_decref(opts->address);
        mp_decref(opts->authkey);
        free(m);
        return NULL;
    }
    m->cls = cls;
    m->address = opts->address;
    m->authkey = opts->authkey ? opts->authkey
                               : mp_incref(mp_process_authkey(mp_current_process()));
    m->ctx = opts->ctx;
    m->shutdown_timeout = opts->shutdown_timeout > 0 ? opts->shutdown_timeout : 1.0;
    return m;
}

/* ---- the server's process ------------------------------------------------ */

/* _run_server(registry, address, authkey, serializer, writer, initializer,
 * initargs), the target of the manager's process. */
static int run_server(const mp_value *args)
{
    /* bpo-36368: a ^C at the terminal reaches the whole process group; the
     * manager must outlive it to be shut down in order. */
    signal(SIGINT, SIG_IGN);
    mp_manager_class cls = {.name = mp_as_str(mp_item(args, 0)),
                            .sync = mp_as_bool(mp_item(args, 1))};
    /* Static: the server's connection threads may outlive this call, as
     * the process ends (one server per process, like CPython's). */
    static struct mp__registry reg;
    mp_connection *writer = mp_as_connection(mp_item(args, 5));
    const mp_value *init = mp_item(args, 6);
    int rc = mp__registry_load(mp_item(args, 2), &reg);
    cls.registry = &reg;
    if (rc == 0 && mp_typeof(init) == MP_T_STR) {
        mp_target_fn fn = mp__target_find(mp_as_str(init));
        rc = fn ? fn(mp_item(args, 7))
                : mp__fail(MP_EATTR, "Can't get attribute '%s' on <module '__main__'>",
                           mp_as_str(init));
    }
    const mp_value *address = mp_item(args, 3);
    mp_server *s = rc < 0 ? NULL
                          : mp__server_new(&cls, mp_typeof(address) == MP_T_NONE ? NULL
                                                                                 : mp_incref(address),
                                           mp_incref(mp_item(args, 4)));
    if (!s) {
        mp__registry_clear(&reg);
        return mp_errcode();
    }
    rc = mp_connection_send(writer, mp_server_address(s));
    mp_connection_close(writer);
    if (rc == 0) {
        char *a = mp_repr(mp_server_address(s));
        mp_info("manager serving at %s", a ? a : "?");
        free(a);
        rc = mp_server_serve_forever(s);
    }
    return rc;
}

static mp_target_entry run_server_entry = {"multiprocessing.managers._run_server", run_server,
                                           NULL};
__attribute__((constructor)) static void register_run_server(void)
{
    mp__target_register(&run_server_entry);
}

static void finalize_manager(void *arg)
{
    mp_manager_shutdown(arg);
}

int mp_manager_start(mp_manager *m, mp_target_fn initializer, mp_value *initargs)
{
    if (m->state != INITIAL) {
        mp_decref(initargs);
        return mp__fail(MP_EASSERT, m->state == STARTED ? "Already started server"
                                                        : "Server has shut down");
    }
    const char *init = initializer ? mp_target_name(initializer) : NULL;
    if (initializer && !init) {
        mp_decref(initargs);
        return mp__fail(MP_EPICKLE, "Can't pickle the manager's initializer: it is not "
                        "registered with MP_TARGET");
    }
    mp_connection *reader = NULL, *writer = NULL;
    int rc = mp_pipe(&reader, &writer, &(mp_pipe_opts){.duplex = MP_NO});
    if (rc < 0) {
        mp_decref(initargs);
        return rc;
    }
    mp_value *reg = mp__registry_dump(m->cls);
    mp_value *args = reg ? mp_tuple_of(m->cls->name, (bool)m->cls->sync, reg,
                                       (const mp_value *)(m->address ? m->address : mp_none()),
                                       (const mp_value *)m->authkey, writer,
                                       init ? mp_str(init) : mp_none(),
                                       initargs ? initargs : mp_tuple_new(0))
                         : NULL;
    if (!reg)
        mp_decref(initargs);
    mp_process *p = args ? mp_context_process(m->ctx, &(mp_process_opts){
                                                          .target = run_server, .args = args})
                         : NULL;
    if (p) {
        char name[160];
        int n = snprintf(name, sizeof name, "%s-", m->cls->name);
        for (size_t i = 0; i < p->identity_len && n < (int)sizeof name; i++)
            n += snprintf(name + n, sizeof name - (size_t)n, "%s%d", i ? ":" : "", p->identity[i]);
        mp_process_set_name(p, name);
    }
    rc = p ? mp_process_start(p) : mp_errcode();
    mp_connection_free(writer);
    mp_value *address = NULL;
    if (rc == 0)
        rc = mp_connection_recv(reader, &address);
    mp_connection_free(reader);
    if (rc < 0) {
        mp_decref(address);
        mp_process_free(p);
        return rc;
    }
    mp_decref(m->address);
    m->address = address;
    m->process = p;
    m->state = STARTED;
    m->fin = mp__finalize_register(finalize_manager, m, 0);
    return 0;
}

mp_manager *mp_context_manager(mp_context *ctx)
{
    mp_manager *m = mp_manager_new(&mp_sync_manager, &(mp_manager_opts){.ctx = ctx});
    if (m && mp_manager_start(m, NULL, NULL) < 0) {
        mp__exc e;
        mp__exc_save(&e);
        mp_manager_free(m);
        mp__exc_restore(&e);
        return NULL;
    }
    return m;
}

int mp_manager_connect(mp_manager *m)
{
    if (!m->address)
        return mp__fail(MP_EVALUE, "connect() needs an address");
    int rc = mp__dispatch_once(m->address, m->authkey, "dummy", NULL, NULL, NULL);
    if (rc == 0)
        m->state = STARTED;
    return rc;
}

mp_server *mp_manager_get_server(mp_manager *m)
{
    if (m->state != INITIAL) {
        mp__fail(MP_EASSERT, m->state == STARTED ? "Already started server"
                                                 : "Manager has shut down");
        return NULL;
    }
    if (!m->server)
        m->server = mp__server_new(m->cls, mp_incref(m->address), mp_incref(m->authkey));
    return m->server;
}

int mp_manager_shutdown(mp_manager *m)
{
    if (m->state != STARTED || !m->process) {
        if (m->state == STARTED)
            m->state = SHUTDOWN;
        return 0;
    }
    if (m->fin) {
        mp__finalize_cancel(m->fin);
        m->fin = NULL;
    }
    m->state = SHUTDOWN;
    if (mp_process_is_alive(m->process)) {
        mp_info("sending shutdown message to manager");
        mp__dispatch_once(m->address, m->authkey, "shutdown", NULL, NULL, NULL);
        mp_process_join(m->process, MP_TIMEOUT(m->shutdown_timeout));
        if (mp_process_is_alive(m->process)) {
            mp_info("manager still alive");
            mp_info("trying to `terminate()` manager process");
            mp_process_terminate(m->process);
            mp_process_join(m->process, MP_TIMEOUT(m->shutdown_timeout));
            if (mp_process_is_alive(m->process)) {
                mp_info("manager still alive after terminate");
                mp_process_kill(m->process);
                mp_process_join(m->process, MP_WAIT_FOREVER);
            }
        }
    }
    return 0;
}

void mp_manager_free(mp_manager *m)
{
    if (!m)
        return;
    mp__exc e;
    mp__exc_save(&e);
    mp_manager_shutdown(m);
    mp__exc_restore(&e);
    mp__server_free(m->server);
    mp_process_free(m->process);
    mp_decref(m->address);
    mp_decref(m->authkey);
    free(m);
}

const mp_value *mp_manager_address(const mp_manager *m)
{
    return m->address;
}

mp_process *mp_manager_process(const mp_manager *m)
{
    return m->process;
}

mp_value *mp_manager_create(mp_manager *m, const char *typeid, mp_value *args, mp_value *kwds)
{
    const mp__typeinfo *t = mp__registry_find(m->cls, typeid);
    if (!t || !t->create_method) {
        mp_decref(args);
        mp_decref(kwds);
        mp__fail(MP_EATTR, "'%s' object has no attribute '%s'", m->cls->name, typeid);
        return NULL;
    }
    if (m->state != STARTED) {
        mp_decref(args);
        mp_decref(kwds);
        mp__fail(MP_EASSERT, "server not yet started");
        return NULL;
    }
    size_t n = args ? mp_len(args) : 0;
    mp_value *all = mp_tuple_new(n + 1);
    if (all)
        mp_tuple_set(all, 0, mp_str(typeid));
    for (size_t i = 0; all && i < n; i++)
        mp_tuple_set(all, i + 1, mp_incref(mp_item(args, i)));
    mp_decref(args);
    mp_debug("requesting creation of a shared '%s' object", typeid);
    if (!all) {
        mp_decref(kwds);
        return NULL;
    }
    mp_value *made = NULL;
    if (mp__dispatch_once(m->address, m->authkey, "create", all, kwds, &made) < 0)
        return NULL;
    const mp_value *id = mp_item(made, 0);
    mp_value *typeid_v = mp_str(typeid);
    mp_value *p = mp__proxy_new((mp__proxy_args){
        .token = mp__token_new(typeid_v, m->address, id), .proxytype = t->proxytype,
        .exposed = mp_incref(mp_item(made, 1)), .authkey = mp_incref(m->authkey),
        .manager = m->cls, .incref = true});
    mp_decref(typeid_v);
    int rc = mp__dispatch_once(m->address, m->authkey, "decref", mp_tuple_of(id), NULL, NULL);
    mp_decref(made);
    if (rc < 0) {
        mp_decref(p);
        return NULL;
    }
    return p;
}

int mp_manager_dispatch(mp_manager *m, const char *name, mp_value *args, mp_value **result)
{
    if (result)
        *result = NULL;
    if (!m->address) {
        mp_decref(args);
        return mp__fail(MP_EVALUE, "the manager has no address yet");
    }
    return mp__dispatch_once(m->address, m->authkey, name, args, NULL, result);
}

int mp_manager_number_of_objects(mp_manager *m)
{
    mp_value *n = NULL;
    int rc = mp_manager_dispatch(m, "number_of_objects", NULL, &n);
    int count = (int)mp_as_int(n);
    mp_decref(n);
    return rc < 0 ? rc : count;
}

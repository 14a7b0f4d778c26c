/* c_manager_server.c - the C side as a manager's server: SyncManager's types and a registered Maths, served until a client asks for shutdown (py_manager_server.py's twin).

   Usage: c_manager_server --inet HOST PORT --key KEY [--addr-out FIFO]
   Prints its address, serves (get_server() and serve_forever(), the docs'
   remote manager), and ends with status 0 when a client sends 'shutdown'.
*/
#include "peer_common.h"

/* class MathsClass: add(x, y), mul(x, y). */
static int maths_add(mp_value *self, const mp_value *args, const mp_value *kwds, mp_value **result)
{
    (void)self;
    (void)kwds;
    *result = mp_int(mp_as_int(mp_item(args, 0)) + mp_as_int(mp_item(args, 1)));
    return 0;
}

static int maths_mul(mp_value *self, const mp_value *args, const mp_value *kwds, mp_value **result)
{
    (void)self;
    (void)kwds;
    *result = mp_int(mp_as_int(mp_item(args, 0)) * mp_as_int(mp_item(args, 1)));
    return 0;
}

static const mp_method maths_methods[] = {{"add", maths_add}, {"mul", maths_mul}, {NULL, NULL}};
static const mp_class MathsClass = {.name = "MathsClass", .methods = maths_methods};
MP_CLASS(MathsClass);

static int Maths(const mp_value *args, mp_value **result)
{
    (void)args;
    *result = mp_object_new(&MathsClass, NULL);
    return *result ? 0 : mp_errcode();
}
MP_TASK(Maths);

static mp_queue *shared_queue;

/* lambda: queue (the same queue every time) */
static int get_queue(const mp_value *args, mp_value **result)
{
    (void)args;
    *result = mp_value_from_arg(MP_ARG(shared_queue));
    return *result ? 0 : mp_errcode();
}
MP_TASK(get_queue);

static mp_manager_class InteropManager = {.name = "InteropManager", .sync = true};

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    peer_opts o = peer_parse(argc, argv);
    /* As the Python server: proxies inside results use the process's key. */
    size_t klen;
    const uint8_t *k = mp_as_bytes(o.key, &klen);
    mp_process_set_authkey(mp_current_process(), k, klen);
    shared_queue = mp_context_joinable_queue(mp_dummy(), 0);
    int rc = mp_manager_register(&InteropManager, "Maths", &(mp_register_opts){.callable = Maths});
    if (rc >= 0)
        rc = mp_manager_register(&InteropManager, "get_queue",
                                 &(mp_register_opts){.callable = get_queue});
    mp_manager *m = rc < 0 ? NULL : mp_manager_new(&InteropManager, &(mp_manager_opts){
                                                                        .address = o.address,
                                                                        .authkey = o.key});
    mp_server *server = m ? mp_manager_get_server(m) : NULL;
    if (!server)
        return mp_excepthook(mp_errcode());
    peer_print_repr("address:", mp_server_address(server));
    fflush(stdout);
    if (o.addr_out && (rc = peer_write_address(o.addr_out, mp_server_address(server))) < 0)
        return mp_excepthook(rc);
    rc = mp_server_serve_forever(server);
    if (rc >= 0)
        mp_print("server stopped");
    mp_manager_free(m);
    mp_queue_free(shared_queue);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

/* c_listener.c - the Forklore side as Listener: accept one client, run the fixed conversation (as py_listener.py). */
#include "peer_common.h"

/* Usage: c_listener ADDRESS-OPTIONS [--key KEY] [--form 311|sha256]
 *                   [--addr-out FIFO] [--child]
 * (the options of peer_common.py).  An error ends it as an uncaught
 * exception would: a traceback's last line on stderr, status 1. */

/* The child's target under --child: the connection arrives in args. */
static int serve(const mp_value *args)
{
    return peer_listener_side(mp_as_connection(mp_item(args, 0)));
}
MP_TARGET(serve);

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    peer_opts o = peer_parse(argc, argv);
    mp_listener *l = mp_listener_new(&(mp_listener_opts){
        .address = o.address, .family = o.family, .authkey = o.key, .auth_form = o.form});
    if (!l)
        return mp_excepthook(mp_errcode());
    peer_print_repr("address:", mp_listener_address(l));
    int rc = 0;
    if (o.addr_out)
        rc = peer_write_address(o.addr_out, mp_listener_address(l));
    mp_connection *c = NULL;
    if (rc == 0)
        rc = mp_listener_accept(l, &c);
    if (rc == 0) {
        peer_print_masked("accepted; last_accepted:", mp_listener_last_accepted(l));
        if (o.child) {
            mp_process *p = mp_process_new(&(mp_process_opts){.target = serve, .args = mp_tuple_of(c)});
            rc = p ? mp_process_start(p) : mp_errcode();
            mp_connection_close(c);
            if (rc == 0)
                rc = mp_process_join(p, MP_WAIT_FOREVER);
            if (rc == 0)
                printf("child exitcode %d\n", mp_process_exitcode(p));
            mp_process_free(p);
        } else {
            rc = peer_listener_side(c);
        }
        mp_connection_free(c);
    }
    if (rc == 0)
        rc = mp_listener_close(l);
    if (rc == 0)
        printf("listener closed\n");
    mp_listener_free(l);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

/* c_client.c - the Forklore side as Client: connect, run the fixed conversation (as py_client.py). */
#include "peer_common.h"

/* Usage: c_client ADDRESS-OPTIONS [--key KEY] [--form 311|sha256]
 * (the options of peer_common.py).  An error ends it as an uncaught
 * exception would: a traceback's last line on stderr, status 1. */
int main(int argc, char **argv)
{
    mp_main(argc, argv);
    peer_opts o = peer_parse(argc, argv);
    mp_connection *c = mp_client_new(&(mp_client_opts){.address = o.address, .authkey = o.key,
                                                       .auth_form = o.form});
    if (c == NULL)
        return mp_excepthook(mp_errcode());
    printf("connected\n");
    int rc = peer_client_side(c);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

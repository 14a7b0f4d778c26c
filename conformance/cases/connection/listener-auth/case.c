/* case.c - case connection/listener-auth: which keys a Listener and a Client accept, over AF_INET and AF_UNIX.

   Mirrors case.py, which says what is pinned.  A key of None is NULL (no
   authentication); the client child gets None or bytes in its args.

   Run:  bats conformance/cases/connection.bats --filter listener-auth
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mp.h"

/* type(e).__name__: mp_errname gives the dotted name a traceback shows
 * ("multiprocessing.context.AuthenticationError"); __name__ is its last part. */
static const char *short_name(int code)
{
    const char *name = mp_errname(code);
    const char *dot = strrchr(name, '.');
    return dot != NULL ? dot + 1 : name;
}

/* client(address, authkey) */
static int client(const mp_value *args)
{
    const mp_value *key = mp_item(args, 1);
    mp_connection *conn = mp_client_new(&(mp_client_opts){
        .address = mp_incref(mp_item(args, 0)),
        .authkey = mp_typeof(key) == MP_T_NONE ? NULL : mp_incref(key)});
    if (conn == NULL && mp_errcode() == MP_EAUTH) {
        printf("  client: %s: %s\n", short_name(MP_EAUTH), mp_errmsg());
        fflush(stdout);
        return 0;
    }
    if (conn == NULL)
        return mp_errcode();
    mp_value *v = NULL;
    int rc = mp_connection_send(conn, "hello from the client");
    if (rc >= 0 && (rc = mp_connection_recv(conn, &v)) >= 0)
        mp_print_ex((mp_print_opts){.flush = true}, "  client got:", v);
    mp_decref(v);
    mp_connection_free(conn);
    return rc;
}
MP_TARGET(client);

/* serve(label, listener options, client key): the key is bytes or NULL. */
static int serve(const char *label, mp_listener_opts opts, mp_value *client_key)
{
    mp_print(label);
    mp_listener *listener = mp_listener_new(&opts);
    if (listener == NULL) {
        mp_decref(client_key);
        return mp_errcode();
    }
    mp_process *p = mp_process_new(&(mp_process_opts){
        .target = client,
        .args = mp_tuple_of(mp_listener_address(listener), client_key != NULL ? client_key : mp_none())});
    int rc = p != NULL ? mp_process_start(p) : mp_errcode();
    char outcome[200] = "";
    if (rc >= 0) {
        mp_connection *conn;
        rc = mp_listener_accept(listener, &conn);
        if (rc == MP_EAUTH) {
            snprintf(outcome, sizeof outcome, "listener: %s: %s", short_name(rc), mp_errmsg());
            rc = 0;
        } else if (rc >= 0) {
            mp_value *v = NULL;
            if ((rc = mp_connection_recv(conn, &v)) >= 0) {
                char *s = mp_tostring(v);
                snprintf(outcome, sizeof outcome, "listener got: %s", s != NULL ? s : "?");
                free(s);
                rc = mp_connection_send(conn, "welcome");
            }
            mp_decref(v);
            mp_connection_free(conn);
        }
    }
    if (rc >= 0)
        rc = mp_process_join(p, MP_WAIT_FOREVER);
    if (rc >= 0)
        mp_print(" ", outcome);
    mp_process_free(p);
    mp_listener_close(listener);
    mp_listener_free(listener);
    return rc;
}

static mp_value *key(const char *k)
{
    return mp_bytes(k, strlen(k));
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    int rc = serve("AF_INET, same key:",
                   (mp_listener_opts){.address = mp_tuple_of("localhost", 0), .authkey = key("secret")}, key("secret"));
    if (rc >= 0)
        rc = serve("AF_UNIX, same key:", (mp_listener_opts){.family = "AF_UNIX", .authkey = key("secret")},
                   key("secret"));
    if (rc >= 0)
        rc = serve("AF_INET, wrong key:",
                   (mp_listener_opts){.address = mp_tuple_of("localhost", 0), .authkey = key("secret")}, key("wrong"));
    if (rc >= 0)
        rc = serve("AF_UNIX, wrong key:", (mp_listener_opts){.family = "AF_UNIX", .authkey = key("secret")},
                   key("wrong"));
    if (rc >= 0)
        rc = serve("AF_UNIX, listener key b'', client none:",
                   (mp_listener_opts){.family = "AF_UNIX", .authkey = key("")}, NULL);
    if (rc >= 0)
        rc = serve("AF_INET, no key on either side:", (mp_listener_opts){.address = mp_tuple_of("localhost", 0)},
                   NULL);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

/* lesson.c - Lesson 26: a Listener and a Client that share an authkey.

   A Listener binds an address and accept()s; Client(address) connects to
   it.  With an authkey, both sides first prove they know the key (a
   challenge and an HMAC answer each way) before any message is trusted.
   Here the client is a child process given the listener's address in its
   args.  It receives a list, b'hello' and the bytes of an int array.  A
   second client with the wrong key is refused: AuthenticationError on
   both sides.

   Usage:  make lesson-26         build and run this program
           make lesson-26 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (the Listener and Client examples of the
   multiprocessing docs, server and client in one program).
*/
#include <stdio.h>
#include <string.h>

#include "mp.h"

static const char secret[] = "secret password";
static const char wrong[] = "wrong password";

/* Print n ints as Python prints array('i', ...): array('i', [42, 1729]). */
static void print_int_array(const int *arr, size_t n)
{
    printf("array('i', [");
    for (size_t i = 0; i < n; i++)
        printf("%s%d", i > 0 ? ", " : "", arr[i]);
    printf("])\n");
}

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
    /* The options take over the address and key: give them references of
     * their own, since args keeps its items. */
    mp_connection *conn = mp_client_new(&(mp_client_opts){
        .address = mp_incref(mp_item(args, 0)), .authkey = mp_incref(mp_item(args, 1))});
    if (conn == NULL && mp_errcode() == MP_EAUTH) {
        printf("client: %s: %s\n", short_name(MP_EAUTH), mp_errmsg());
        return 0;
    }
    if (conn == NULL)
        return mp_errcode();

    mp_value *v;
    int rc;
    int arr[5] = {0};
    size_t count;
    if ((rc = mp_connection_recv(conn, &v)) >= 0) {
        mp_print(v);                                    /* print(conn.recv()) */
        mp_decref(v);
        rc = mp_connection_recv_bytes(conn, MP_ALL, &v);
    }
    if (rc >= 0) {
        mp_print(v);                                    /* print(conn.recv_bytes()) */
        mp_decref(v);
        rc = mp_connection_recv_bytes_into(conn, arr, sizeof arr, 0, &count, NULL);
    }
    if (rc >= 0) {
        mp_print(count);                                /* print(conn.recv_bytes_into(arr)) */
        print_int_array(arr, 5);                        /* print(arr) */
    }
    mp_connection_close(conn);                          /* the end of `with conn:` */
    mp_connection_free(conn);
    return rc;
}
MP_TARGET(client);

/* The server's part, once the listener exists.  Returns 0 or an error. */
static int serve(mp_listener *listener)
{
    /* Port 0: the system picked a free port; the address tells which.  The
     * listener lends it, and the tuple takes a reference of its own. */
    const mp_value *address = mp_listener_address(listener);
    mp_process *p = mp_process_new(&(mp_process_opts){
        .target = client, .args = mp_tuple_of(address, mp_bytes(secret, strlen(secret)))});
    if (p == NULL)
        return mp_errcode();
    int rc = mp_process_start(p);
    mp_connection *conn;
    if (rc >= 0)
        rc = mp_listener_accept(listener, &conn);
    if (rc >= 0) {
        /* The port differs on every run, so only the host is printed. */
        mp_print_ex((mp_print_opts){.flush = true}, "connection accepted from",
                    mp_item(mp_listener_last_accepted(listener), 0));

        rc = mp_connection_send(conn, mp_list_of(2.25, mp_none(), "junk"));
        if (rc >= 0)
            rc = mp_connection_send_bytes(conn, "hello", 5, 0, MP_ALL);

        int arr[2] = {42, 1729};                        /* array('i', [42, 1729]) */
        if (rc >= 0)
            rc = mp_connection_send_bytes(conn, arr, sizeof arr, 0, MP_ALL);
        mp_connection_close(conn);                      /* the end of `with ... as conn:` */
        mp_connection_free(conn);
    }
    if (rc >= 0)
        rc = mp_process_join(p, MP_WAIT_FOREVER);
    mp_process_free(p);
    if (rc < 0)
        return rc;

    /* A client with the wrong key: both ends raise AuthenticationError. */
    p = mp_process_new(&(mp_process_opts){
        .target = client, .args = mp_tuple_of(address, mp_bytes(wrong, strlen(wrong)))});
    if (p == NULL)
        return mp_errcode();
    if ((rc = mp_process_start(p)) >= 0) {
        rc = mp_listener_accept(listener, &conn);
        if (rc == MP_EAUTH) {
            /* Joined first, so that the client's line comes before ours;
             * a join that succeeds leaves mp_errmsg() as it was. */
            rc = mp_process_join(p, MP_WAIT_FOREVER);
            if (rc >= 0)
                printf("server: %s: %s\n", short_name(MP_EAUTH), mp_errmsg());
        } else if (rc >= 0) {
            mp_connection_free(conn);
        }
    }
    mp_process_free(p);
    return rc;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_listener *listener = mp_listener_new(&(mp_listener_opts){
        .address = mp_tuple_of("localhost", 0),
        .authkey = mp_bytes(secret, strlen(secret))});
    if (listener == NULL)
        return mp_excepthook(mp_errcode());
    int rc = serve(listener);
    mp_listener_close(listener);                        /* the end of `with Listener(...)` */
    mp_listener_free(listener);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

/* case.c - case connection/last-accepted: Listener.last_accepted is the address of the latest connection accepted.

   Mirrors case.py, which says what is pinned.  A client's own address is
   read with getsockname() on its descriptor, as case.py reads it through
   a copy of the descriptor.

   Run:  bats conformance/cases/connection.bats --filter last-accepted
*/
#include <arpa/inet.h>
#include <stdio.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "mp.h"

/* last == the (host, port) the client's socket is bound to. */
static bool is_own_address(const mp_value *last, mp_connection *client)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    char host[INET_ADDRSTRLEN];
    if (last == NULL || mp_typeof(last) != MP_T_TUPLE || mp_len(last) != 2 ||
        getsockname(mp_connection_fileno(client), (struct sockaddr *)&sa, &len) < 0 ||
        inet_ntop(AF_INET, &sa.sin_addr, host, sizeof host) == NULL)
        return false;
    return strcmp(mp_as_str(mp_item(last, 0)), host) == 0 &&
           mp_as_int(mp_item(last, 1)) == ntohs(sa.sin_port);
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_listener *listener = mp_listener_new(&(mp_listener_opts){.address = mp_tuple_of("127.0.0.1", 0)});
    if (listener == NULL)
        return mp_excepthook(mp_errcode());
    const mp_value *last = mp_listener_last_accepted(listener);
    mp_print("before any accept:", last ? last : mp_none());
    mp_connection *clients[2] = {NULL, NULL}, *accepted[2] = {NULL, NULL};
    const char *labels[2] = {"first", "second"};
    int rc = 0;
    for (int i = 0; i < 2 && rc == 0; i++)
        if ((clients[i] = mp_client_new(&(mp_client_opts){
                 .address = mp_incref(mp_listener_address(listener))})) == NULL)
            rc = mp_errcode();
    for (int i = 0; i < 2 && rc == 0; i++) {
        if ((rc = mp_listener_accept(listener, &accepted[i])) < 0)
            break;
        last = mp_listener_last_accepted(listener);
        char label[64];
        snprintf(label, sizeof label, "after accepting the %s client: a", labels[i]);
        char on[64];
        snprintf(on, sizeof on, "%s,", mp_as_str(mp_item(last, 0)));
        mp_print(label, mp_type_name(last), "on", on, "the client's own address:",
                 is_own_address(last, clients[i]));
    }
    if (rc == 0)
        mp_print("the first client's no more:",
                 (bool)!is_own_address(mp_listener_last_accepted(listener), clients[0]));
    for (int i = 0; i < 2; i++) {
        mp_connection_free(accepted[i]);
        mp_connection_free(clients[i]);
    }
    mp_listener_free(listener);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

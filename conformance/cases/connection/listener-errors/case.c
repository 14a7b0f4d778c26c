/* case.c - case connection/listener-errors: a Listener that cannot bind, an accept after close, a Client with nothing to connect to.

   Mirrors case.py, which says what is pinned.  An OSError from the system
   is printed by its errno's name, as case.py prints it.

   Run:  bats conformance/cases/connection.bats --filter listener-errors
*/
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mp.h"

/* errno.errorcode[n] for the errnos this case can meet. */
static const char *errno_name(int n)
{
    switch (n) {
    case EADDRINUSE: return "EADDRINUSE";
    case ECONNREFUSED: return "ECONNREFUSED";
    case ENOENT: return "ENOENT";
    default: return "an unexpected errno";
    }
}

static void report(const char *label, int rc)
{
    if (rc >= 0)
        printf("%s did not fail\n", label);
    else if (rc == MP_EOS && mp_errno() != 0)
        printf("%s -> OSError errno %s\n", label, errno_name(mp_errno()));
    else
        printf("%s -> %s: %s\n", label, mp_errname(rc), mp_errmsg());
}

/* attempt(label, lambda: Listener(...)): a listener made wrongly is dropped. */
static void listener(const char *label, mp_listener_opts opts)
{
    mp_listener *l = mp_listener_new(&opts);
    report(label, l != NULL ? 0 : mp_errcode());
    mp_listener_free(l);
}

static void client(const char *label, const mp_value *address)
{
    mp_connection *c = mp_client_new(&(mp_client_opts){.address = mp_incref(address)});
    report(label, c != NULL ? 0 : mp_errcode());
    mp_connection_free(c);
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    mp_listener *inet = mp_listener_new(&(mp_listener_opts){.address = mp_tuple_of("localhost", 0)});
    if (inet == NULL)
        return mp_excepthook(mp_errcode());
    mp_listener *unix_ = mp_listener_new(&(mp_listener_opts){.family = "AF_UNIX"});
    if (unix_ == NULL) {
        mp_listener_free(inet);
        return mp_excepthook(mp_errcode());
    }
    listener("Listener(address of a listening AF_INET listener)",
             (mp_listener_opts){.address = mp_incref(mp_listener_address(inet))});
    listener("Listener(address of a listening AF_UNIX listener)",
             (mp_listener_opts){.address = mp_incref(mp_listener_address(unix_))});
    listener("Listener(family='AF_PIPE')", (mp_listener_opts){.family = "AF_PIPE"});
    listener("Listener(('localhost', 70000))", (mp_listener_opts){.address = mp_tuple_of("localhost", 70000)});
    listener("Listener(authkey='text')", (mp_listener_opts){.authkey = mp_str("text")});
    /* inet_address, unix_address = inet.address, unix.address: after close
     * the listeners no longer lend them. */
    mp_value *inet_address = mp_incref(mp_listener_address(inet));
    mp_value *unix_address = mp_incref(mp_listener_address(unix_));
    mp_listener_close(inet);
    mp_listener_close(unix_);
    mp_connection *c = NULL;
    report("accept() after close()", mp_listener_accept(inet, &c));
    mp_connection_free(c);
    int rc = mp_listener_close(inet);
    if (rc >= 0) {
        mp_print("close() again: no error");
        client("Client(address of the closed AF_INET listener)", inet_address);
        client("Client(address of the closed AF_UNIX listener)", unix_address);
    }
    mp_decref(inet_address);
    mp_decref(unix_address);
    mp_listener_free(inet);
    mp_listener_free(unix_);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

/* case.c - case connection/closed-and-eof: what a connection does once its peer has closed, and once it is closed itself.

   Mirrors case.py, which says what is pinned.  An OSError from the system
   is printed by its errno's name, as case.py prints it.

   Run:  bats conformance/cases/connection.bats --filter closed-and-eof
*/
#include <errno.h>
#include <stdio.h>

#include "mp.h"

/* errno.errorcode[n] for the errnos this case can meet. */
static const char *errno_name(int n)
{
    switch (n) {
    case EPIPE: return "EPIPE";
    case ECONNRESET: return "ECONNRESET";
    case EBADF: return "EBADF";
    default: return "an unexpected errno";
    }
}

/* attempt(): the failure as describe() prints it. */
static void report(const char *label, int rc)
{
    if (rc >= 0)
        printf("%s did not fail\n", label);
    else if (rc == MP_EOS && mp_errno() != 0)
        printf("%s -> OSError errno %s\n", label, errno_name(mp_errno()));
    else if (mp_errmsg()[0])
        printf("%s -> %s: %s\n", label, mp_errname(rc), mp_errmsg());
    else
        printf("%s -> %s\n", label, mp_errname(rc));
}

/* recv() and recv_bytes(), dropping what a wrong success returns. */
static int recv(mp_connection *c)
{
    mp_value *v = NULL;
    int rc = mp_connection_recv(c, &v);
    mp_decref(v);
    return rc;
}

static int recv_bytes(mp_connection *c)
{
    mp_value *v = NULL;
    int rc = mp_connection_recv_bytes(c, MP_ALL, &v);
    mp_decref(v);
    return rc;
}

static int sender(const mp_value *args)
{
    mp_connection *w = mp_as_connection(mp_item(args, 0));
    int rc = mp_connection_send(w, "from the child");
    mp_connection_close(w);
    return rc;
}
MP_TARGET(sender);

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    mp_connection *a, *b, *r, *w;
    mp_value *v = NULL;
    int rc = mp_pipe(&a, &b, NULL);
    if (rc < 0)
        return mp_excepthook(rc);
    if ((rc = mp_connection_send(b, "last")) >= 0) {
        mp_connection_close(b);
        rc = mp_connection_recv(a, &v);
    }
    if (rc >= 0) {
        mp_print("recv():", v);
        report("recv() after the peer closed", recv(a));
        report("recv() again", recv(a));
        report("recv_bytes()", recv_bytes(a));
        report("send() towards the closed peer", mp_connection_send(a, "lost"));
        mp_connection_close(a);

        char buf[4];
        size_t n;
        mp_print("closed:", mp_connection_closed(b));
        report("send()", mp_connection_send(b, 1));
        report("send_bytes()", mp_connection_send_bytes(b, "x", 1, 0, MP_ALL));
        report("recv()", recv(b));
        report("recv_bytes()", recv_bytes(b));
        report("recv_bytes_into()", mp_connection_recv_bytes_into(b, buf, sizeof buf, 0, &n, NULL));
        report("poll()", mp_connection_poll(b, MP_TIMEOUT(0)));
        report("fileno()", mp_connection_fileno(b));
        rc = mp_connection_close(b);
        mp_print("close() again, closed:", mp_connection_closed(b));
    }
    mp_decref(v);
    v = NULL;
    mp_connection_free(a);
    mp_connection_free(b);
    if (rc < 0)
        return mp_excepthook(rc);

    if ((rc = mp_pipe(&r, &w, &(mp_pipe_opts){.duplex = MP_NO})) < 0)
        return mp_excepthook(rc);
    mp_process *p = mp_process_new(&(mp_process_opts){.target = sender, .args = mp_tuple_of(w)});
    if (p == NULL)
        rc = mp_errcode();
    if (rc >= 0)
        rc = mp_process_start(p);
    mp_connection_close(w);
    if (rc >= 0 && (rc = mp_connection_recv(r, &v)) >= 0) {
        mp_print("from the child:", v);
        report("recv() once the child closed its end", recv(r));
        rc = mp_process_join(p, MP_WAIT_FOREVER);
    }
    mp_decref(v);
    mp_process_free(p);
    mp_connection_free(r);
    mp_connection_free(w);
    if (rc < 0)
        return mp_excepthook(rc);

    if ((rc = mp_pipe(&r, &w, &(mp_pipe_opts){.duplex = MP_NO})) < 0)
        return mp_excepthook(rc);
    mp_connection_close(r);
    report("one-way send() with the reader closed", mp_connection_send(w, "lost"));
    mp_connection_free(r);
    mp_connection_free(w);
    return 0;
}

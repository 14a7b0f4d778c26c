/* case.c - case connection/pipe-one-way: Pipe(duplex=False) gives (reader, writer), each usable one way only.

   Mirrors case.py, which says what is pinned.

   Run:  bats conformance/cases/connection.bats --filter pipe-one-way
*/
#include <stdio.h>

#include "mp.h"

/* What attempt() prints for a call's result: "did not fail", or the
 * exception's name and CPython's words. */
static void report(const char *label, int rc)
{
    if (rc >= 0)
        printf("%s did not fail\n", label);
    else
        printf("%s -> %s: %s\n", label, mp_errname(rc), mp_errmsg());
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    mp_connection *a, *b, *reader, *writer;
    int rc = mp_pipe(&a, &b, NULL);
    if (rc < 0)
        return mp_excepthook(rc);
    mp_print("duplex ends readable/writable:", mp_connection_readable(a), mp_connection_writable(a),
             mp_connection_readable(b), mp_connection_writable(b));
    mp_connection_free(a);
    mp_connection_free(b);

    if ((rc = mp_pipe(&reader, &writer, &(mp_pipe_opts){.duplex = MP_NO})) < 0)
        return mp_excepthook(rc);
    mp_print("reader readable:", mp_connection_readable(reader), "writable:", mp_connection_writable(reader));
    mp_print("writer readable:", mp_connection_readable(writer), "writable:", mp_connection_writable(writer));
    mp_value *v = NULL;
    if ((rc = mp_connection_send(writer, "first")) >= 0 && (rc = mp_connection_recv(reader, &v)) >= 0)
        mp_print("reader.recv():", v);
    mp_decref(v);
    v = NULL;

    if (rc >= 0) {
        char buf[8];
        size_t n;
        report("reader.send(1)", mp_connection_send(reader, 1));
        report("reader.send_bytes(b'x')", mp_connection_send_bytes(reader, "x", 1, 0, MP_ALL));
        rc = mp_connection_recv(writer, &v);
        mp_decref(v);                   /* NULL unless it wrongly succeeded */
        v = NULL;
        report("writer.recv()", rc);
        rc = mp_connection_recv_bytes(writer, MP_ALL, &v);
        mp_decref(v);
        v = NULL;
        report("writer.recv_bytes()", rc);
        report("writer.recv_bytes_into(buf)", mp_connection_recv_bytes_into(writer, buf, sizeof buf, 0, &n, NULL));
        report("writer.poll()", mp_connection_poll(writer, MP_TIMEOUT(0)));
        rc = 0;
    }
    if (rc >= 0 && (rc = mp_connection_send(writer, "second")) >= 0 &&
        (rc = mp_connection_recv(reader, &v)) >= 0)
        mp_print("reader.recv():", v);
    mp_decref(v);
    if (rc >= 0 && (rc = mp_connection_poll(reader, MP_TIMEOUT(0))) >= 0)
        mp_print("reader.poll() after:", (bool)rc);
    mp_connection_free(reader);
    mp_connection_free(writer);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

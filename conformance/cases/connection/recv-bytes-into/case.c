/* case.c - case connection/recv-bytes-into: recv_bytes_into(buffer, offset) and recv_bytes(maxlength), in range and out of it.

   Mirrors case.py, which says what is pinned.  The bytearray is a char
   array here, printed as Python prints a bytearray.

   Run:  bats conformance/cases/connection.bats --filter recv-bytes-into
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mp.h"

/* type(e).__name__: mp_errname gives the dotted name a traceback shows
 * ("multiprocessing.context.BufferTooShort"); __name__ is its last part. */
static const char *short_name(int code)
{
    const char *name = mp_errname(code);
    const char *dot = strrchr(name, '.');
    return dot != NULL ? dot + 1 : name;
}

/* print('buf:', buf) for a bytearray: bytearray(<bytes repr>). */
static int print_buf(const char *buf, size_t len)
{
    mp_value *v = mp_bytes(buf, len);
    char *r = v != NULL ? mp_repr(v) : NULL;
    mp_decref(v);
    if (r == NULL)
        return MP_ENOMEM;
    printf("buf: bytearray(%s)\n", r);
    free(r);
    return 0;
}

/* attempt(label, recv_bytes_into): the count, or the exception. */
static void into(const char *label, mp_connection *c, char *buf, size_t len, ptrdiff_t offset)
{
    size_t n;
    int rc = mp_connection_recv_bytes_into(c, buf, len, offset, &n, NULL);
    if (rc >= 0)
        mp_print(label, "->", n);
    else
        printf("%s -> %s: %s\n", label, short_name(rc), mp_errmsg());
}

/* attempt(label, recv_bytes(maxlength)): the message, or the exception. */
static void limited(const char *label, mp_connection *c, ptrdiff_t maxlength)
{
    mp_value *v = NULL;
    int rc = mp_connection_recv_bytes(c, maxlength, &v);
    if (rc >= 0)
        mp_print(label, "->", v);
    else
        printf("%s -> %s: %s\n", label, short_name(rc), mp_errmsg());
    mp_decref(v);
}

static int send(mp_connection *c, const char *s)
{
    return mp_connection_send_bytes(c, s, strlen(s), 0, MP_ALL);
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    mp_connection *r, *w, *a, *b;
    int rc = mp_pipe(&r, &w, &(mp_pipe_opts){.duplex = MP_NO});
    if (rc < 0)
        return mp_excepthook(rc);
    char buf[10];
    memset(buf, '.', sizeof buf);
    if ((rc = send(w, "abc")) >= 0) {
        into("recv_bytes_into(buf, 4)", r, buf, sizeof buf, 4);
        rc = print_buf(buf, sizeof buf);
    }
    if (rc >= 0 && (rc = send(w, "")) >= 0)
        into("recv_bytes_into(buf, 10) of b''", r, buf, sizeof buf, 10);
    if (rc >= 0 && (rc = send(w, "XY")) >= 0) {
        into("recv_bytes_into(buf, -1)", r, buf, sizeof buf, -1);
        into("recv_bytes_into(buf, 11)", r, buf, sizeof buf, 11);
        into("recv_bytes_into(buf, 8)", r, buf, sizeof buf, 8);
        rc = print_buf(buf, sizeof buf);
    }
    if (rc >= 0 && (rc = send(w, "hello world")) >= 0) {
        size_t n;
        mp_value *whole = NULL;
        int e = mp_connection_recv_bytes_into(r, buf, sizeof buf, 4, &n, &whole);
        if (e >= 0) {
            printf("recv_bytes_into(buf, 4) of 11 bytes did not fail\n");
        } else if (e == MP_EBUFFERTOOSHORT) {
            mp_value *args = mp_tuple_of(whole);    /* e.args */
            printf("recv_bytes_into(buf, 4) of 11 bytes -> %s ", short_name(e));
            mp_print(args);
            mp_decref(args);
        } else {
            rc = e;
        }
    }
    if (rc >= 0)
        rc = print_buf(buf, sizeof buf);
    mp_value *v = NULL;
    if (rc >= 0 && (rc = send(w, "next")) >= 0 && (rc = mp_connection_recv_bytes(r, MP_ALL, &v)) >= 0)
        mp_print("recv_bytes():", v);
    mp_decref(v);

    if (rc >= 0 && (rc = send(w, "12345")) >= 0) {
        limited("recv_bytes(5)", r, 5);
        limited("recv_bytes(-1)", r, -1);
    }
    if (rc >= 0 && (rc = send(w, "123456")) >= 0) {
        limited("one-way recv_bytes(5) of 6 bytes", r, 5);
        mp_print("one-way reader closed:", mp_connection_closed(r));
    }
    mp_connection_free(r);
    mp_connection_free(w);
    if (rc < 0)
        return mp_excepthook(rc);

    if ((rc = mp_pipe(&a, &b, NULL)) < 0)
        return mp_excepthook(rc);
    if ((rc = send(b, "123456")) >= 0) {
        limited("duplex recv_bytes(5) of 6 bytes", a, 5);
        mp_print("duplex end closed:", mp_connection_closed(a), "readable:", mp_connection_readable(a),
                 "writable:", mp_connection_writable(a));
        rc = send(a, "still writable");
    }
    v = NULL;
    if (rc >= 0 && (rc = mp_connection_recv_bytes(b, MP_ALL, &v)) >= 0) {
        mp_print("peer got:", v);
        limited("duplex recv_bytes() after", a, MP_ALL);
    }
    mp_decref(v);
    mp_connection_free(a);
    mp_connection_free(b);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

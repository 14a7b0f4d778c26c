/* case.c - case connection/wire-framing: the bytes a Connection writes for a message, and what it makes of bytes written by hand.

   Mirrors case.py, which says what is pinned.  os.read and os.write are
   read(2) and write(2) on the descriptor fileno() returns.

   Run:  bats conformance/cases/connection.bats --filter wire-framing
*/
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mp.h"

/* print(label, os.read(fd, 100)) */
static int show_read(const char *label, int fd)
{
    char buf[100];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0)
        return MP_EOS;
    mp_value *v = mp_bytes(buf, (size_t)n);
    if (v == NULL)
        return mp_errcode();
    mp_print(label, v);
    mp_decref(v);
    return 0;
}

/* os.write(fd, data): all of it, as os.write does to a pipe with room. */
static int write_all(int fd, const void *data, size_t len)
{
    return write(fd, data, len) == (ssize_t)len ? 0 : MP_EOS;
}

/* attempt(label, conn.recv_bytes) */
static void attempt(const char *label, mp_connection *c)
{
    mp_value *v = NULL;
    int rc = mp_connection_recv_bytes(c, MP_ALL, &v);
    if (rc >= 0)
        mp_print(label, "->", v);
    else if (mp_errmsg()[0])
        printf("%s -> %s: %s\n", label, mp_errname(rc), mp_errmsg());
    else
        printf("%s -> %s\n", label, mp_errname(rc));
    mp_decref(v);
}

static int one_way(mp_connection **r, mp_connection **w, int *rfd, int *wfd)
{
    int rc = mp_pipe(r, w, &(mp_pipe_opts){.duplex = MP_NO});
    if (rc >= 0 && (rc = *rfd = mp_connection_fileno(*r)) >= 0)
        rc = *wfd = mp_connection_fileno(*w);
    return rc;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    mp_connection *r = NULL, *w = NULL;
    int rfd, wfd;
    int rc = one_way(&r, &w, &rfd, &wfd);
    if (rc >= 0 && (rc = mp_connection_send_bytes(w, "hello", 5, 0, MP_ALL)) >= 0)
        rc = show_read("send_bytes(b'hello') wrote:", rfd);
    if (rc >= 0 && (rc = mp_connection_send_bytes(w, "", 0, 0, MP_ALL)) >= 0)
        rc = show_read("send_bytes(b'') wrote:", rfd);
    /* struct.pack('!i', 3) + b'abc' */
    if (rc >= 0 && (rc = write_all(wfd, "\0\0\0\3abc", 7)) >= 0)
        attempt("a hand-written short header", r);
    /* struct.pack('!i', -1) + struct.pack('!Q', 4) + b'long' */
    if (rc >= 0 && (rc = write_all(wfd, "\xff\xff\xff\xff\0\0\0\0\0\0\0\4long", 16)) >= 0)
        attempt("a hand-written long header", r);
    /* struct.pack('!i', 10) + b'abc', then the end of the stream */
    if (rc >= 0 && (rc = write_all(wfd, "\0\0\0\12abc", 7)) >= 0) {
        mp_connection_close(w);
        attempt("end of stream inside a body", r);
    }
    mp_connection_free(r);
    mp_connection_free(w);
    r = w = NULL;

    if (rc >= 0 && (rc = one_way(&r, &w, &rfd, &wfd)) >= 0 && (rc = write_all(wfd, "\0\0", 2)) >= 0) {
        mp_connection_close(w);
        attempt("end of stream inside a header", r);
    }
    mp_connection_free(r);
    mp_connection_free(w);
    r = w = NULL;

    if (rc >= 0 && (rc = one_way(&r, &w, &rfd, &wfd)) >= 0 && (rc = write_all(wfd, "\0\0\0\2ok", 6)) >= 0) {
        mp_connection_close(w);
        attempt("a whole message, then", r);
        attempt("end of stream between messages", r);
    }
    mp_connection_free(r);
    mp_connection_free(w);
    if (rc < 0)
        return mp_excepthook(rc);

    mp_connection *a, *b;
    int afd = -1, bfd = -1;
    if ((rc = mp_pipe(&a, &b, NULL)) < 0)
        return mp_excepthook(rc);
    if ((rc = afd = mp_connection_fileno(a)) >= 0 && (rc = bfd = mp_connection_fileno(b)) >= 0 &&
        (rc = mp_connection_send_bytes(a, "duplex", 6, 0, MP_ALL)) >= 0 &&
        (rc = show_read("duplex send_bytes(b'duplex') wrote:", bfd)) >= 0 &&
        (rc = write_all(bfd, "\0\0\0\4back", 8)) >= 0)
        attempt("duplex, a hand-written message", a);
    (void)afd;          /* read as case.py reads a.fileno(), which switches the Pipe to its socket */
    mp_connection_free(a);
    mp_connection_free(b);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

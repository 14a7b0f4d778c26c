/* case.c - case connection/message-boundaries: every message arrives whole and alone, whatever its size, including empty ones and one of 16 MiB.

   Mirrors case.py, which says what is pinned.

   Run:  bats conformance/cases/connection.bats --filter message-boundaries
*/
#include <stdlib.h>
#include <string.h>

#include "mp.h"

static const size_t sizes[] = {0, 1, 5, 0, 70000, 3, 16 * 1024 * 1024};
#define NSIZES (sizeof sizes / sizeof sizes[0])

static int sender(const mp_value *args)
{
    mp_connection *w = mp_as_connection(mp_item(args, 0));
    char *buf = malloc(sizes[NSIZES - 1] + 1);     /* the largest; +1: never malloc(0) */
    int rc = buf != NULL ? 0 : MP_ENOMEM;
    for (size_t i = 0; i < NSIZES && rc >= 0; i++) {
        memset(buf, 65 + (int)i, sizes[i]);
        rc = mp_connection_send_bytes(w, buf, sizes[i], 0, MP_ALL);
        if (rc >= 0 && i % 2 == 1)
            rc = mp_connection_send(w, mp_tuple_of("after", (int)i));
    }
    free(buf);
    mp_connection_close(w);
    return rc;
}
MP_TARGET(sender);

/* m == bytes([c]) * n */
static bool as_sent(const mp_value *m, int c, size_t n)
{
    size_t len;
    const uint8_t *p = mp_as_bytes(m, &len);
    if (len != n)
        return false;
    for (size_t i = 0; i < len; i++)
        if (p[i] != c)
            return false;
    return true;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    mp_connection *r, *w;
    int rc = mp_pipe(&r, &w, &(mp_pipe_opts){.duplex = MP_NO});
    if (rc < 0)
        return mp_excepthook(rc);
    mp_process *p = mp_process_new(&(mp_process_opts){.target = sender, .args = mp_tuple_of(w)});
    if (p == NULL)
        rc = mp_errcode();
    if (rc >= 0)
        rc = mp_process_start(p);
    mp_connection_close(w);
    for (size_t i = 0; i < NSIZES && rc >= 0; i++) {
        mp_value *m = NULL, *obj = NULL;
        if ((rc = mp_connection_recv_bytes(r, MP_ALL, &m)) < 0)
            break;
        mp_print("message", i, "length", mp_len(m), "as sent:", as_sent(m, 65 + (int)i, sizes[i]));
        mp_decref(m);
        if (i % 2 == 1 && (rc = mp_connection_recv(r, &obj)) >= 0)
            mp_print("object:", obj);
        mp_decref(obj);
    }
    if (rc >= 0) {
        mp_value *m = NULL;
        rc = mp_connection_recv_bytes(r, MP_ALL, &m);
        mp_decref(m);
        if (rc >= 0) {
            mp_print("recv_bytes() after the last did not fail");
        } else if (rc == MP_EEOF) {
            mp_print("after the last:", mp_errname(rc));
            rc = 0;
        }
    }
    if (rc >= 0)
        rc = mp_process_join(p, MP_WAIT_FOREVER);
    mp_process_free(p);
    mp_connection_free(r);
    mp_connection_free(w);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

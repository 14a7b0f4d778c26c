/* case.c - case connection/send-bytes-bounds: send_bytes(buffer, offset, size) sends that slice, and refuses bounds outside the buffer.

   Mirrors case.py, which says what is pinned.  Python's size None is
   MP_ALL.

   Run:  bats conformance/cases/connection.bats --filter send-bytes-bounds
*/
#include <stdio.h>

#include "mp.h"

static const char buf[] = "0123456789";
#define BUFLEN (sizeof buf - 1)

/* The call as case.py labels it: send_bytes(buf, 2, 3), size None as None. */
static void label(char *out, size_t cap, ptrdiff_t offset, ptrdiff_t size)
{
    if (size == MP_ALL)
        snprintf(out, cap, "send_bytes(buf, %td, None)", offset);
    else
        snprintf(out, cap, "send_bytes(buf, %td, %td)", offset, size);
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    mp_connection *r, *w;
    int rc = mp_pipe(&r, &w, &(mp_pipe_opts){.duplex = MP_NO});
    if (rc < 0)
        return mp_excepthook(rc);
    static const ptrdiff_t good[][2] = {{0, MP_ALL}, {2, 3}, {4, MP_ALL}, {10, MP_ALL}, {10, 0}, {0, 10}};
    static const ptrdiff_t bad[][2] = {{-1, MP_ALL}, {11, MP_ALL}, {3, -1}, {2, 9}, {11, 0}};
    char text[64];
    for (size_t i = 0; i < sizeof good / sizeof good[0] && rc >= 0; i++) {
        mp_value *got = NULL;
        if ((rc = mp_connection_send_bytes(w, buf, BUFLEN, good[i][0], good[i][1])) >= 0 &&
            (rc = mp_connection_recv_bytes(r, MP_ALL, &got)) >= 0) {
            label(text, sizeof text, good[i][0], good[i][1]);
            mp_print(text, "->", got);
        }
        mp_decref(got);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0] && rc >= 0; i++) {
        label(text, sizeof text, bad[i][0], bad[i][1]);
        int e = mp_connection_send_bytes(w, buf, BUFLEN, bad[i][0], bad[i][1]);
        if (e >= 0)
            printf("%s did not fail\n", text);
        else if (e == MP_EVALUE)
            printf("%s -> %s: %s\n", text, mp_errname(e), mp_errmsg());
        else
            rc = e;                     /* not the ValueError case.py catches */
    }
    if (rc >= 0 && (rc = mp_connection_poll(r, MP_TIMEOUT(0))) >= 0)
        mp_print("anything sent by the refused calls:", (bool)rc);
    mp_connection_free(r);
    mp_connection_free(w);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

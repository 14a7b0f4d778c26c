/* case.c - case connection/poll: poll() says whether there is anything to read, and poll(timeout) waits that long for it.

   Mirrors case.py, which says what is pinned.  poll() is
   poll(MP_TIMEOUT(0)); poll(None) is MP_WAIT_FOREVER.

   Run:  bats conformance/cases/connection.bats --filter poll
*/
#include <time.h>

#include "mp.h"

/* time.monotonic(), as case.py measures the wait. */
static double monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    mp_connection *a, *b;
    int rc = mp_pipe(&a, &b, NULL), ready;
    mp_value *v = NULL;
    if (rc < 0)
        return mp_excepthook(rc);
    if ((rc = ready = mp_connection_poll(a, MP_TIMEOUT(0))) < 0)
        goto out;
    mp_print("poll() idle:", (bool)ready);
    double t0 = monotonic();
    if ((rc = ready = mp_connection_poll(a, MP_TIMEOUT(0.2))) < 0)
        goto out;
    mp_print("poll(0.2) idle:", (bool)ready, "waited at least 0.15 s:", (bool)(monotonic() - t0 >= 0.15));
    if ((rc = ready = mp_connection_poll(a, MP_TIMEOUT(0))) < 0)
        goto out;
    mp_print("poll(0) idle:", (bool)ready);
    if ((rc = ready = mp_connection_poll(a, MP_TIMEOUT(-1))) < 0)
        goto out;
    mp_print("poll(-1) idle:", (bool)ready);
    if ((rc = mp_connection_send_bytes(b, "", 0, 0, MP_ALL)) < 0 ||
        (rc = ready = mp_connection_poll(a, MP_TIMEOUT(0))) < 0)
        goto out;
    mp_print("poll() after send_bytes(b''):", (bool)ready);
    if ((rc = ready = mp_connection_poll(a, MP_TIMEOUT(0))) < 0)
        goto out;
    mp_print("poll() again:", (bool)ready);
    if ((rc = mp_connection_recv_bytes(a, MP_ALL, &v)) < 0)
        goto out;
    mp_print("recv_bytes():", v);
    mp_decref(v);
    v = NULL;
    if ((rc = ready = mp_connection_poll(a, MP_TIMEOUT(0))) < 0)
        goto out;
    mp_print("poll() after taking it:", (bool)ready);
    if ((rc = mp_connection_send(b, mp_none())) < 0 ||
        (rc = ready = mp_connection_poll(a, MP_WAIT_FOREVER)) < 0)
        goto out;
    mp_print("poll(None) with a message there:", (bool)ready);
    if ((rc = mp_connection_recv(a, &v)) < 0)
        goto out;
    mp_print("recv():", v);
    mp_decref(v);
    v = NULL;
    mp_connection_close(b);
    if ((rc = ready = mp_connection_poll(a, MP_TIMEOUT(0))) < 0)
        goto out;
    mp_print("poll() after the peer closed:", (bool)ready);
    rc = mp_connection_recv(a, &v);
    if (rc >= 0) {
        mp_print("recv() did not fail");
    } else if (rc == MP_EEOF) {
        /* e.args: () for CPython's bare `raise EOFError`. */
        mp_value *args = mp_errmsg()[0] ? mp_tuple_of(mp_errmsg()) : mp_tuple_new(0);
        mp_print("recv() ->", mp_errname(rc), args);
        mp_decref(args);
        rc = 0;
    }
out:
    mp_decref(v);
    mp_connection_free(a);
    mp_connection_free(b);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

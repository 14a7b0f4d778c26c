/* case.c - case connection/wait-timeouts: wait() with nothing ready, for each kind of timeout.

   Mirrors case.py, which says what is pinned.  Python's None is
   MP_WAIT_FOREVER.

   Run:  bats conformance/cases/connection.bats --filter wait-timeouts
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

/* [names[id(c)] for c in ready]: a list of "a" and "b" for what wait returned. */
static mp_value *names(const mp_value *ready, mp_connection *a, mp_connection *b)
{
    mp_value *out = mp_list_new();
    for (size_t i = 0; i < mp_len(ready) && out != NULL; i++) {
        mp_connection *c = mp_as_connection(mp_item(ready, i));
        const char *n = c == a ? "a" : c == b ? "b" : "something else";
        if (mp_list_append(out, mp_str(n)) < 0) {
            mp_decref(out);
            out = NULL;
        }
    }
    return out;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    mp_connection *a, *a_peer, *b, *b_peer;
    int rc = mp_pipe(&a, &a_peer, NULL);
    if (rc < 0)
        return mp_excepthook(rc);
    if ((rc = mp_pipe(&b, &b_peer, NULL)) < 0) {
        mp_connection_free(a);
        mp_connection_free(a_peer);
        return mp_excepthook(rc);
    }
    mp_value *both = mp_list_of(a, b), *none = mp_list_new(), *ready = NULL;
    if (both == NULL || none == NULL)
        rc = MP_ENOMEM;
    double t0 = monotonic();
    if (rc >= 0 && (rc = mp_wait(both, MP_TIMEOUT(0.2), &ready)) >= 0)
        mp_print("wait([a, b], 0.2):", ready, "waited at least 0.15 s:", (bool)(monotonic() - t0 >= 0.15));
    mp_decref(ready);
    ready = NULL;
    if (rc >= 0 && (rc = mp_wait(both, MP_TIMEOUT(0), &ready)) >= 0)
        mp_print("wait([a, b], 0):", ready);
    mp_decref(ready);
    ready = NULL;
    if (rc >= 0 && (rc = mp_wait(both, MP_TIMEOUT(-1), &ready)) >= 0)
        mp_print("wait([a, b], -1):", ready);
    mp_decref(ready);
    ready = NULL;
    if (rc >= 0 && (rc = mp_wait(none, MP_TIMEOUT(0.05), &ready)) >= 0)
        mp_print("wait([], 0.05):", ready);
    mp_decref(ready);
    ready = NULL;
    if (rc >= 0)
        rc = mp_connection_send(b_peer, "now");
    static const struct { mp_timeout t; const char *label; } timeouts[] = {
        {MP_TIMEOUT(0), "wait([a, b], 0) with b ready:"},
        {MP_TIMEOUT(-1), "wait([a, b], -1) with b ready:"},
        {MP_WAIT_FOREVER, "wait([a, b], None) with b ready:"},
    };
    for (size_t i = 0; i < 3 && rc >= 0; i++) {
        if ((rc = mp_wait(both, timeouts[i].t, &ready)) >= 0) {
            mp_value *n = names(ready, a, b);
            if (n == NULL)
                rc = mp_errcode();
            else
                mp_print(timeouts[i].label, n);
            mp_decref(n);
        }
        mp_decref(ready);
        ready = NULL;
    }
    if (rc >= 0 && (rc = mp_connection_recv(b, &ready)) >= 0)
        mp_print("b.recv():", ready);
    mp_decref(ready);
    mp_decref(both);
    mp_decref(none);
    mp_connection_free(a);
    mp_connection_free(a_peer);
    mp_connection_free(b);
    mp_connection_free(b_peer);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

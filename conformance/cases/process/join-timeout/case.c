/* case.c - case process/join-timeout: join() with a timeout returns while the child still runs.

   Mirrors case.py, which says what is pinned.  join() returns 0 whether
   or not the child ended, as Python's returns None either way, so the
   case prints None for a 0 and looks at is_alive() and exitcode.

   Run:  bats conformance/cases/process.bats --filter join-timeout
*/
#include <math.h>
#include <stdio.h>
#include <time.h>

#include "mp.h"

static int waits(const mp_value *args)
{
    mp_value *msg = NULL;
    int rc = mp_connection_recv(mp_as_connection(mp_item(args, 0)), &msg);
    mp_decref(msg);
    return rc;
}
MP_TARGET(waits);

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static mp_value *exitcode(mp_process *p)
{
    int code = mp_process_exitcode(p);
    return code == MP_EXITCODE_NONE ? mp_none() : mp_int(code);
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_connection *reader, *writer;
    int rc = mp_pipe(&reader, &writer, &(mp_pipe_opts){.duplex = MP_NO});
    if (rc < 0)
        return mp_excepthook(rc);
    mp_process *p = mp_process_new(&(mp_process_opts){.target = waits, .args = mp_tuple_of(reader)});
    rc = p == NULL ? mp_errcode() : mp_process_start(p);
    const struct { const char *label; double timeout; } joins[] = {
        {"join(0) returned", 0}, {"join(-1) returned", -1}, {"join(0.2) returned", 0.2},
    };
    for (size_t i = 0; i < sizeof joins / sizeof joins[0] && rc == 0; i++) {
        double t0 = now();
        rc = mp_process_join(p, MP_TIMEOUT(joins[i].timeout));
        double waited = now() - t0;
        if (rc < 0)
            break;
        mp_value *code = exitcode(p);
        mp_print(joins[i].label, mp_none(), "alive", mp_process_is_alive(p), "exitcode", code);
        mp_decref(code);
        if (joins[i].timeout > 0)
            mp_print("join(0.2) waited at least 0.15 s:", (bool)(waited >= 0.15));
    }
    if (rc == 0) {
        int nan_rc = mp_process_join(p, MP_TIMEOUT(NAN));
        if (nan_rc < 0)
            printf("join(nan): %s: %s\n", mp_errname(nan_rc), mp_errmsg());
        mp_print("alive after join(nan):", mp_process_is_alive(p));
        rc = mp_connection_send(writer, "stop");
    }
    if (rc == 0 && (rc = mp_process_join(p, MP_WAIT_FOREVER)) == 0) {
        mp_value *code = exitcode(p);
        mp_print("join() returned: alive", mp_process_is_alive(p), "exitcode", code);
        mp_decref(code);
    }
    mp_process_free(p);
    mp_connection_free(reader);
    mp_connection_free(writer);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

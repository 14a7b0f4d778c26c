/* case.c - case process/is-alive-polls: is_alive() alone notices that a child has ended.

   Mirrors case.py, which says what is pinned: after the sentinel, only
   is_alive() is called (polled up to 10 s) before exitcode and join().

   Run:  bats conformance/cases/process.bats --filter is-alive-polls
*/
#include <unistd.h>

#include "mp.h"

static int returns(const mp_value *args)
{
    (void)args;
    return 0;
}
MP_TARGET(returns);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_process *p = mp_process_new(&(mp_process_opts){.target = returns});
    if (p == NULL)
        return mp_excepthook(mp_errcode());
    int rc = mp_process_start(p);
    if (rc == 0) {
        mp_value *ready = NULL, *sentinels = mp_list_of(mp_process_sentinel(p));
        rc = mp_wait(sentinels, MP_WAIT_FOREVER, &ready);
        mp_decref(sentinels);
        mp_decref(ready);
    }
    if (rc == 0) {
        bool alive = mp_process_is_alive(p);
        for (int tries = 0; alive && tries < 1000; tries++) {
            usleep(10000);
            alive = mp_process_is_alive(p);
        }
        mp_print("alive once the sentinel is ready (polled, no join):", alive);
        int code = mp_process_exitcode(p);
        mp_value *exitcode = code == MP_EXITCODE_NONE ? mp_none() : mp_int(code);
        mp_print("exitcode, set by that poll:", exitcode);
        mp_decref(exitcode);
        rc = mp_process_join(p, MP_WAIT_FOREVER);
    }
    if (rc == 0)
        mp_print("alive after join:", mp_process_is_alive(p));
    mp_process_free(p);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

/* case.c - case process/lifecycle: exitcode, is_alive(), active_children() and the sentinel before start, while running and after join().

   Mirrors case.py, which says what is pinned.  The child blocks on a pipe
   until the parent has looked at it, so "while running" is certain.

   Run:  bats conformance/cases/process.bats --filter lifecycle
*/
#include <stdio.h>

#include "mp.h"

static int waits(const mp_value *args)
{
    mp_value *msg = NULL;
    int rc = mp_connection_recv(mp_as_connection(mp_item(args, 0)), &msg);
    mp_decref(msg);
    return rc;
}
MP_TARGET(waits);

/* p in active_children(): the library lends the live children. */
static bool in_active_children(mp_process *p)
{
    mp_process *live[16];
    size_t n = mp_active_children(live, 16);
    for (size_t i = 0; i < n && i < 16; i++)
        if (live[i] == p)
            return true;
    return false;
}

static void show(const char *when, mp_process *p)
{
    int code = mp_process_exitcode(p);
    mp_value *exitcode = code == MP_EXITCODE_NONE ? mp_none() : mp_int(code);
    char label[64];
    snprintf(label, sizeof label, "%s: exitcode", when);
    mp_print(label, exitcode, "alive", mp_process_is_alive(p), "in active_children", in_active_children(p));
    mp_decref(exitcode);
}

/* wait([sentinel], timeout=0): how many of them are ready (0 or 1), or an error. */
static int ready_now(int sentinel)
{
    mp_value *ready = NULL, *objs = mp_list_of(sentinel);
    int rc = mp_wait(objs, MP_TIMEOUT(0), &ready);
    if (rc == 0)
        rc = (int)mp_len(ready);
    mp_decref(objs);
    mp_decref(ready);
    return rc;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_connection *reader, *writer;
    int rc = mp_pipe(&reader, &writer, &(mp_pipe_opts){.duplex = MP_NO});
    if (rc < 0)
        return mp_excepthook(rc);
    mp_process *p = mp_process_new(&(mp_process_opts){.target = waits, .args = mp_tuple_of(reader)});
    if (p == NULL)
        rc = mp_errcode();
    if (rc == 0) {
        show("before start", p);
        if ((rc = mp_process_sentinel(p)) < 0)
            printf("sentinel before start: %s: %s\n", mp_errname(rc), mp_errmsg());
        rc = mp_process_start(p);
    }
    int ready = 0;
    if (rc == 0) {
        show("running", p);
        int sentinel = mp_process_sentinel(p);
        mp_print("sentinel is an int:", (bool)(sentinel >= 0));
        if ((ready = ready_now(sentinel)) >= 0)
            mp_print("sentinel ready while running:", (bool)(ready != 0));
        rc = ready < 0 ? ready : mp_connection_send(writer, "stop");
    }
    if (rc == 0 && (rc = mp_process_join(p, MP_WAIT_FOREVER)) == 0)
        show("after join", p);
    mp_process_free(p);
    mp_connection_free(reader);
    mp_connection_free(writer);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

/* case.c - case connection/wait-mixed: wait() on connections and a process sentinel returns exactly the ready ones, in the order given.

   Mirrors case.py, which says what is pinned.  The sentinel is an int
   item in the list, as in Python.

   Run:  bats conformance/cases/connection.bats --filter wait-mixed
*/
#include <string.h>

#include "mp.h"

static int waits_for_go(const mp_value *args)
{
    mp_value *v = NULL;
    int rc = mp_connection_recv(mp_as_connection(mp_item(args, 0)), &v);
    mp_decref(v);
    return rc;
}
MP_TARGET(waits_for_go);

static mp_connection *r1, *r2;
static int sentinel;

/* name(obj) of case.py. */
static const char *name(const mp_value *obj)
{
    mp_connection *c = mp_as_connection(obj);
    if (c != NULL)
        return c == r1 ? "r1" : c == r2 ? "r2" : "something else";
    return mp_typeof(obj) == MP_T_INT && mp_as_int(obj) == sentinel ? "sentinel" : "something else";
}

/* An item for the list given to wait(), by its name in case.py. */
static mp_value *item(const char *n)
{
    if (strcmp(n, "r1") == 0)
        return mp_value_from_arg(MP_ARG(r1));
    if (strcmp(n, "r2") == 0)
        return mp_value_from_arg(MP_ARG(r2));
    return mp_int(sentinel);
}

/* show(label, objects, timeout): objects are names, NULL-terminated. */
static int show(const char *label, const char *const *objects, mp_timeout timeout)
{
    mp_value *list = mp_list_new(), *ready = NULL, *names = mp_list_new();
    int rc = list != NULL && names != NULL ? 0 : MP_ENOMEM;
    for (size_t i = 0; objects[i] != NULL && rc >= 0; i++)
        rc = mp_list_append(list, item(objects[i]));
    if (rc >= 0)
        rc = mp_wait(list, timeout, &ready);
    for (size_t i = 0; rc >= 0 && i < mp_len(ready); i++)
        rc = mp_list_append(names, mp_str(name(mp_item(ready, i))));
    if (rc >= 0)
        mp_print(label, "->", names);
    mp_decref(list);
    mp_decref(ready);
    mp_decref(names);
    return rc;
}

#define OBJECTS(...) ((const char *const[]){__VA_ARGS__, NULL})

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    mp_connection *w1, *w2, *ctl, *ctl_child;
    int rc = mp_pipe(&r1, &w1, &(mp_pipe_opts){.duplex = MP_NO});
    if (rc < 0)
        return mp_excepthook(rc);
    if ((rc = mp_pipe(&r2, &w2, &(mp_pipe_opts){.duplex = MP_NO})) < 0)
        return mp_excepthook(rc);
    if ((rc = mp_pipe(&ctl, &ctl_child, NULL)) < 0)
        return mp_excepthook(rc);
    mp_process *p = mp_process_new(&(mp_process_opts){.target = waits_for_go, .args = mp_tuple_of(ctl_child)});
    if (p == NULL)
        return mp_excepthook(mp_errcode());
    if ((rc = mp_process_start(p)) >= 0)
        rc = sentinel = mp_process_sentinel(p);
    mp_connection_close(ctl_child);

    if (rc >= 0)
        rc = show("nothing ready yet, wait([r1, sentinel, r2], 0)", OBJECTS("r1", "sentinel", "r2"), MP_TIMEOUT(0));
    if (rc >= 0 && (rc = mp_connection_send(w1, "x")) >= 0)
        rc = show("r1 has a message: wait([r2, sentinel, r1])", OBJECTS("r2", "sentinel", "r1"), MP_WAIT_FOREVER);
    /* wait([sentinel]), not join(): see case.py. */
    if (rc >= 0 && (rc = mp_connection_send(ctl, "go")) >= 0 &&
        (rc = show("the child's end, wait([sentinel])", OBJECTS("sentinel"), MP_WAIT_FOREVER)) >= 0)
        rc = show("child ended: wait([r2, sentinel, r1])", OBJECTS("r2", "sentinel", "r1"), MP_WAIT_FOREVER);
    if (rc >= 0) {
        mp_connection_close(w2);
        rc = show("r2 at EOF: wait([r1, sentinel, r2])", OBJECTS("r1", "sentinel", "r2"), MP_WAIT_FOREVER);
    }
    if (rc >= 0)
        rc = show("wait([r2, r1, sentinel])", OBJECTS("r2", "r1", "sentinel"), MP_WAIT_FOREVER);
    if (rc >= 0)
        rc = show("wait([sentinel, r2])", OBJECTS("sentinel", "r2"), MP_WAIT_FOREVER);
    mp_value *v = NULL;
    if (rc >= 0 && (rc = mp_connection_recv(r1, &v)) >= 0)
        mp_print("r1.recv():", v);
    mp_decref(v);
    if (rc >= 0)
        rc = show("r1 taken: wait([r1, r2], 0)", OBJECTS("r1", "r2"), MP_TIMEOUT(0));
    if (rc >= 0)
        rc = mp_process_join(p, MP_WAIT_FOREVER);
    mp_process_free(p);
    mp_connection_free(r1);
    mp_connection_free(w1);
    mp_connection_free(r2);
    mp_connection_free(w2);
    mp_connection_free(ctl);
    mp_connection_free(ctl_child);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

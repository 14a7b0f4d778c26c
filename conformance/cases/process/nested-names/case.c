/* case.c - case process/nested-names: default names of nested processes, in depth-first order.

   Mirrors case.py, which says what is pinned.  start() flushes stdout, as
   CPython's does, so each line is written before the next process starts.

   Run:  bats conformance/cases/process.bats --filter nested-names
*/
#include "mp.h"

static int node(const mp_value *args);

/* Start two children running node at depth, one at a time. */
static int two_children(int64_t depth)
{
    int rc = 0;
    for (int i = 0; i < 2 && rc == 0; i++) {
        mp_process *p = mp_process_new(&(mp_process_opts){.target = node, .args = mp_tuple_of(depth)});
        if (p == NULL)
            return mp_errcode();
        if ((rc = mp_process_start(p)) == 0)
            rc = mp_process_join(p, MP_WAIT_FOREVER);
        mp_process_free(p);
    }
    return rc;
}

static int node(const mp_value *args)
{
    int64_t depth = mp_as_int(mp_item(args, 0));
    mp_process *parent = mp_parent_process();
    if (parent == NULL)
        return mp_raise("AttributeError", "'NoneType' object has no attribute 'name'");
    mp_print(mp_process_name(mp_current_process()), "parent", mp_process_name(parent));
    return depth < 2 ? two_children(depth + 1) : 0;
}
MP_TARGET(node);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_print(mp_process_name(mp_current_process()));
    int rc = two_children(1);
    if (rc < 0)
        return mp_excepthook(rc);
    mp_process *next = mp_process_new(&(mp_process_opts){0});
    if (next == NULL)
        return mp_excepthook(mp_errcode());
    mp_print("the next name in main:", mp_process_name(next));
    mp_process_free(next);
    return 0;
}

/* test_nested.c - a child's child: its name, its parent, its exit code, under each start method; valgrind follows all three generations (make test's valgrind part). */
#include "mp.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

/*
 * The grandchild reports what it sees through a queue it was given, and
 * ends with exit code 7, the child with 3: each generation's name
 * (Process-1, then Process-1:1), its parent's name, and the codes each
 * parent reads.  Run under valgrind with children followed, a forked
 * grandchild once lost the MainProcess object it inherited (the library
 * kept one earlier generation only): every process here must end with no
 * definite leak.
 */
static int grandchild(const mp_value *args)
{
    mp_queue *q = mp_as_queue(mp_item(args, 0));
    mp_process *parent = mp_parent_process();
    int rc = mp_queue_put(q, mp_tuple_of("grandchild", mp_process_name(mp_current_process()),
                                         parent ? mp_process_name(parent) : "None"));
    mp_queue_close(q);
    mp_queue_join_thread(q);
    return rc < 0 ? rc : mp_sys_exit(7);
}
MP_TARGET(grandchild);

static int child(const mp_value *args)
{
    mp_queue *q = mp_as_queue(mp_item(args, 0));
    mp_process *parent = mp_parent_process();
    int rc = mp_queue_put(q, mp_tuple_of("child", mp_process_name(mp_current_process()),
                                         parent ? mp_process_name(parent) : "None"));
    mp_process *g = mp_process_new(&(mp_process_opts){.target = grandchild,
                                                      .args = mp_tuple_of(q)});
    if (rc == 0)
        rc = g ? mp_process_start(g) : mp_errcode();
    if (rc == 0)
        rc = mp_process_join(g, MP_WAIT_FOREVER);
    if (rc == 0)
        rc = mp_queue_put(q, mp_tuple_of("grandchild exitcode", mp_process_exitcode(g)));
    mp_process_free(g);
    mp_queue_close(q);
    mp_queue_join_thread(q);
    return rc < 0 ? rc : mp_sys_exit(3);
}
MP_TARGET(child);

/* The next report from the queue, as its repr (malloc'd), or NULL. */
static char *next_report(mp_queue *q)
{
    mp_value *v;
    if (mp_queue_get_ex(q, &v, &(mp_queue_opts){.timeout = MP_TIMEOUT(60)}) < 0)
        return NULL;
    char *r = mp_repr(v);
    mp_decref(v);
    return r;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    mp_queue *q = mp_queue_new(0);
    mp_process *p = mp_process_new(&(mp_process_opts){.target = child, .args = mp_tuple_of(q)});
    TAP_OK(p && mp_process_start(p) == 0, "a child starts (%s)", mp_get_start_method(false));

    /* The child reports before it starts the grandchild, which reports
     * before the child can add the grandchild's exit code. */
    static const char *const want[] = {
        "('child', 'Process-1', 'MainProcess')",
        "('grandchild', 'Process-1:1', 'Process-1')",
        "('grandchild exitcode', 7)",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char *got = next_report(q);
        tap_is_str(got, want[i], "report %zu", i + 1);
        free(got);
    }
    TAP_OK(p && mp_process_join(p, MP_WAIT_FOREVER) == 0 && mp_process_exitcode(p) == 3,
           "the child ends with exit code 3");
    mp_process_free(p);
    mp_queue_free(q);
    return tap_done();
}

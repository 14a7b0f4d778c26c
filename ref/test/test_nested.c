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

    /* The child's report and the grandchild's come in either order: each
     * process's feeder writes its own, and neither waits for the other.
     * The grandchild's exit code comes last: the child puts it, through
     * the same feeder as its first report, once the grandchild has ended. */
    char *first = next_report(q), *second = next_report(q), *last = next_report(q);
    if (first && second && strcmp(first, second) > 0) {
        char *t = first;
        first = second;
        second = t;
    }
    tap_is_str(first, "('child', 'Process-1', 'MainProcess')", "the child's report");
    tap_is_str(second, "('grandchild', 'Process-1:1', 'Process-1')", "the grandchild's report");
    tap_is_str(last, "('grandchild exitcode', 7)", "the grandchild's exit code, as its parent saw it");
    free(first);
    free(second);
    free(last);
    TAP_OK(p && mp_process_join(p, MP_WAIT_FOREVER) == 0 && mp_process_exitcode(p) == 3,
           "the child ends with exit code 3");
    mp_process_free(p);
    mp_queue_free(q);
    return tap_done();
}

/* test_barrier.c - unit tests for Barrier: indexes, the action, timeouts, abort and reset, BrokenBarrierError, reprs, and parties in children under every start method.
 *
 * Usage: test_barrier   prints TAP; also the program spawn and forkserver
 * re-run.  Uses mp.h alone.
 */
#include <mp.h>

#include "sync_tests.h"
#include "tap.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The action: counts its calls in this process (threads) and says so. */
static int actions;
static int action(const mp_value *args)
{
    (void)args;
    __atomic_fetch_add(&actions, 1, __ATOMIC_RELAXED);
    return 0;
}
MP_TARGET(action);

static int failing_action(const mp_value *args)
{
    (void)args;
    return mp_raise("RuntimeError", "the action failed");
}
MP_TARGET(failing_action);

/* args: (barrier,): wait once; exit 10 + the index. */
static int party(const mp_value *args)
{
    int rc = mp_barrier_wait(mp_as_barrier(mp_item(args, 0)), MP_WAIT_FOREVER);
    return mp_sys_exit(rc < 0 ? 2 : 10 + rc);
}
MP_TARGET(party);

/* args: (barrier,): wait; exit 3 on BrokenBarrierError. */
static int broken_party(const mp_value *args)
{
    int rc = mp_barrier_wait(mp_as_barrier(mp_item(args, 0)), MP_WAIT_FOREVER);
    return mp_sys_exit(rc == MP_EBROKENBARRIER ? 3 : 2);
}
MP_TARGET(broken_party);

struct tw { mp_barrier *b; int rc; };
static void *twait(void *arg)
{
    struct tw *w = arg;
    w->rc = mp_barrier_wait(w->b, MP_WAIT_FOREVER);
    return NULL;
}

static void test_basics(void)
{
    mp_barrier *b = mp_barrier_new(3, &(mp_barrier_opts){.action = action});
    char want[128];
    snprintf(want, sizeof want, "<multiprocessing.synchronize.Barrier at %p: waiters=0/3>", (void *)b);
    tap_is_str(rep(b), want, "Barrier(3)'s repr");
    tap_is_int(mp_barrier_parties(b), 3, "parties");
    tap_is_int(mp_barrier_n_waiting(b), 0, "n_waiting");
    TAP_OK(!mp_barrier_broken(b), "not broken");
    for (int round = 0; round < 2; round++) {
        struct tw w[3] = {{b, -99}, {b, -99}, {b, -99}};
        pthread_t t[3];
        for (int i = 0; i < 3; i++)
            pthread_create(&t[i], NULL, twait, &w[i]);
        int seen = 0;
        for (int i = 0; i < 3; i++) {
            pthread_join(t[i], NULL);
            if (w[i].rc >= 0 && w[i].rc < 3)
                seen |= 1 << w[i].rc;
        }
        tap_is_int(seen, 7, "round %d: three threads got the indexes 0, 1 and 2", round);
    }
    tap_is_int(actions, 2, "the action ran once a round");
    mp_barrier_free(b);

    b = mp_barrier_new(2, NULL);
    double t0 = now();
    int rc = mp_barrier_wait(b, MP_TIMEOUT(0.2));
    double took = now() - t0;
    tap_ok(rc == MP_EBROKENBARRIER && took >= 0.2, "a wait that times out (after %.3f s) is BrokenBarrierError", took);
    tap_is_str(mp_errname(rc), "threading.BrokenBarrierError", "its Python name");
    tap_is_str(mp_errmsg(), "", "and its empty message");
    TAP_OK(mp_barrier_broken(b), "and breaks the barrier");
    snprintf(want, sizeof want, "<multiprocessing.synchronize.Barrier at %p: broken>", (void *)b);
    tap_is_str(rep(b), want, "a broken Barrier's repr");
    tap_is_int(mp_barrier_wait(b, MP_TIMEOUT(5)), MP_EBROKENBARRIER, "a broken barrier refuses the next wait");
    tap_is_int(mp_barrier_reset(b), 0, "reset()");
    TAP_OK(!mp_barrier_broken(b), "not broken after reset");
    tap_is_int(mp_barrier_abort(b), 0, "abort()");
    tap_is_int(mp_barrier_wait(b, MP_WAIT_FOREVER), MP_EBROKENBARRIER, "an aborted barrier refuses a wait");
    mp_barrier_reset(b);
    mp_barrier_free(b);

    /* The default timeout. */
    b = mp_barrier_new(2, &(mp_barrier_opts){.timeout = MP_TIMEOUT(0.2)});
    t0 = now();
    rc = mp_barrier_wait(b, MP_WAIT_FOREVER);
    took = now() - t0;
    tap_ok(rc == MP_EBROKENBARRIER && took >= 0.2, "the barrier's default timeout applies (%.3f s)", took);
    mp_barrier_free(b);

    /* A failing action: its party gets the action's error, the others BrokenBarrierError. */
    b = mp_barrier_new(2, &(mp_barrier_opts){.action = failing_action});
    struct tw w = {b, -99};
    pthread_t t;
    pthread_create(&t, NULL, twait, &w);
    while (mp_barrier_n_waiting(b) < 1)
        usleep(1000);
    rc = mp_barrier_wait(b, MP_WAIT_FOREVER);
    pthread_join(t, NULL);
    tap_ok(rc == MP_EEXCEPTION && w.rc == MP_EBROKENBARRIER,
           "a failing action: its error for the last party (%d), BrokenBarrierError for the other (%d)", rc, w.rc);
    mp_barrier_free(b);

    /* Abort while a party waits. */
    b = mp_barrier_new(2, NULL);
    w = (struct tw){b, -99};
    pthread_create(&t, NULL, twait, &w);
    while (mp_barrier_n_waiting(b) < 1)
        usleep(1000);
    tap_is_int(mp_barrier_n_waiting(b), 1, "n_waiting counts a waiting party");
    mp_barrier_abort(b);
    pthread_join(t, NULL);
    tap_is_int(w.rc, MP_EBROKENBARRIER, "abort() breaks a waiting party's wait");
    mp_barrier_free(b);

    /* Reset while a party waits. */
    b = mp_barrier_new(2, NULL);
    w = (struct tw){b, -99};
    pthread_create(&t, NULL, twait, &w);
    while (mp_barrier_n_waiting(b) < 1)
        usleep(1000);
    mp_barrier_reset(b);
    pthread_join(t, NULL);
    tap_is_int(w.rc, MP_EBROKENBARRIER, "reset() breaks a waiting party's wait");
    TAP_OK(!mp_barrier_broken(b), "and leaves the barrier whole");
    mp_barrier_free(b);

    b = mp_barrier_new(1, NULL);
    tap_is_int(mp_barrier_wait(b, MP_WAIT_FOREVER), 0, "Barrier(1).wait() returns 0 at once");
    mp_value *v = mp_tuple_of(b);
    uint8_t *out;
    size_t len;
    rc = mp_pickle_dumps(v, NULL, &out, &len);
    tap_ok(rc == MP_ERUNTIME && !strcmp(mp_errmsg(), "Condition objects should only be shared between processes through inheritance"),
           "pickling a Barrier: CPython's RuntimeError names its Condition (%s)", mp_errmsg());
    mp_decref(v);
    mp_barrier_free(b);
    tap_is_int(mp_barrier_wait(NULL, MP_WAIT_FOREVER), MP_ETYPE, "wait(NULL)");
}

static void test_children(void)
{
    for (size_t m = 0; m < 3; m++) {
        mp_context *ctx = mp_get_context(methods[m]);
        mp_barrier *b = mp_context_barrier(ctx, 3, &(mp_barrier_opts){.action = action});
        int before = actions;
        mp_process *p[2];
        for (int i = 0; i < 2; i++) {
            p[i] = mp_context_process(ctx, &(mp_process_opts){.target = party, .args = mp_tuple_of(b)});
            mp_process_start(p[i]);
        }
        int rc = mp_barrier_wait(b, MP_TIMEOUT(30));
        int seen = rc >= 0 && rc < 3 ? 1 << rc : 0;
        for (int i = 0; i < 2; i++) {
            mp_process_join(p[i], MP_WAIT_FOREVER);
            int code = mp_process_exitcode(p[i]) - 10;
            if (code >= 0 && code < 3)
                seen |= 1 << code;
            mp_process_free(p[i]);
        }
        tap_is_int(seen, 7, "%s: the parent and two children pass the barrier with indexes 0, 1, 2", methods[m]);
        tap_ok(actions - before <= 1, "%s: the action ran in whichever process came last", methods[m]);
        /* abort from the parent reaches a child waiting. */
        mp_process *q = mp_context_process(ctx, &(mp_process_opts){.target = broken_party, .args = mp_tuple_of(b)});
        mp_process_start(q);
        while (mp_barrier_n_waiting(b) < 1)
            usleep(1000);
        mp_barrier_abort(b);
        mp_process_join(q, MP_WAIT_FOREVER);
        tap_is_int(mp_process_exitcode(q), 3, "%s: abort() in the parent breaks a child's wait", methods[m]);
        mp_process_free(q);
        mp_barrier_free(b);
    }
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    test_basics();
    test_children();
    return tap_done();
}

/* test_semaphore.c - unit tests for Semaphore and BoundedSemaphore: reprs and errors in CPython 3.11's words, block=False, timeouts, and sharing with children under every start method.
 *
 * Usage: test_semaphore   prints TAP; also the program spawn and
 * forkserver re-run.  Uses mp.h alone.
 */
#include <mp.h>

#include "sync_tests.h"
#include "tap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* args: (sem, n): acquire n times without blocking, release once: exit 10
 * when all n came and the (n+1)th did not. */
static int drain(const mp_value *args)
{
    mp_semaphore *s = mp_as_semaphore(mp_item(args, 0));
    int64_t n = mp_as_int(mp_item(args, 1));
    for (int64_t i = 0; i < n; i++)
        if (mp_semaphore_acquire_ex(s, .block = MP_NO) != 1)
            return mp_sys_exit(2);
    if (mp_semaphore_acquire_ex(s, .block = MP_NO) != 0)
        return mp_sys_exit(3);
    return mp_sys_exit(mp_semaphore_release(s) == 0 ? 10 : 4);
}
MP_TARGET(drain);

static void test_semaphore(void)
{
    mp_semaphore *s = mp_semaphore_new(2);
    tap_is_str(rep(s), "<Semaphore(value=2)>", "Semaphore(2)'s repr");
    tap_is_int(mp_semaphore_get_value(s), 2, "get_value()");
    tap_is_int(mp_semaphore_release(s), 0, "an unbounded Semaphore can go past its start");
    tap_is_str(rep(s), "<Semaphore(value=3)>", "value=3");
    for (int i = 0; i < 3; i++)
        mp_semaphore_acquire(s);
    tap_is_int(mp_semaphore_acquire_ex(s, .block = MP_NO), 0, "acquire(False) at zero is False");
    double t0 = now();
    int rc = mp_semaphore_acquire_ex(s, .timeout = MP_TIMEOUT(0.2));
    double took = now() - t0;
    tap_ok(rc == 0 && took >= 0.2, "acquire(timeout=0.2) at zero is False after %.3f s", took);
    TAP_OK(err_is(mp_semaphore_acquire_ex(s, .timeout = MP_TIMEOUT(NAN)), MP_EOS, "[Errno 22] Invalid argument"),
           "a NaN timeout at zero: OSError EINVAL");
    mp_semaphore_release(s);
    tap_is_int(mp_semaphore_acquire_ex(s, .timeout = MP_TIMEOUT(NAN)), 1, "a NaN timeout above zero takes one");
    TAP_OK(err_is(mp_semaphore_acquire(NULL), MP_ETYPE, "expected a Semaphore, got NULL"), "acquire(NULL)");
    TAP_OK(err_is(mp_semaphore_release(NULL), MP_ETYPE, "expected a Semaphore, got NULL"), "release(NULL)");
    TAP_OK(mp_semaphore_new(-1) == NULL && err_is(mp_errcode(), MP_EOS, "[Errno 22] Invalid argument"),
           "Semaphore(-1): OSError EINVAL");
    uint8_t *out;
    size_t len;
    mp_value *t = mp_tuple_of(s);
    TAP_OK(err_is(mp_pickle_dumps(t, NULL, &out, &len), MP_ERUNTIME,
                  "Semaphore objects should only be shared between processes through inheritance"),
           "pickling a Semaphore: RuntimeError");
    mp_decref(t);
    mp_semaphore_free(s);
}

static void test_bounded(void)
{
    mp_semaphore *b = mp_bounded_semaphore_new(2);
    tap_is_str(rep(b), "<BoundedSemaphore(value=2, maxvalue=2)>", "BoundedSemaphore(2)'s repr");
    TAP_OK(err_is(mp_semaphore_release(b), MP_EVALUE, "semaphore or lock released too many times"),
           "release past the bound: ValueError");
    mp_semaphore_acquire(b);
    tap_is_str(rep(b), "<BoundedSemaphore(value=1, maxvalue=2)>", "after one acquire");
    tap_is_int(mp_semaphore_release(b), 0, "release back to the bound");
    TAP_OK(mp_bounded_semaphore_new(-1) == NULL && err_is(mp_errcode(), MP_EOS, "[Errno 22] Invalid argument"),
           "BoundedSemaphore(-1): OSError EINVAL");
    mp_value *t = mp_tuple_of(b);
    uint8_t *out;
    size_t len;
    TAP_OK(err_is(mp_pickle_dumps(t, NULL, &out, &len), MP_ERUNTIME,
                  "BoundedSemaphore objects should only be shared between processes through inheritance"),
           "pickling a BoundedSemaphore: RuntimeError");
    mp_decref(t);
    TAP_OK(mp_as_semaphore((const mp_value *)(const void *)b) == b, "mp_as_semaphore");
    mp_semaphore_free(b);
}

static void test_children(void)
{
    for (size_t m = 0; m < 3; m++) {
        mp_context *ctx = mp_get_context(methods[m]);
        for (int k = 0; k < 2; k++) {
            mp_semaphore *s = k ? mp_context_bounded_semaphore(ctx, 3) : mp_context_semaphore(ctx, 3);
            mp_process *p = mp_context_process(ctx, &(mp_process_opts){.target = drain, .args = mp_tuple_of(s, 3)});
            mp_process_start(p);
            mp_process_join(p, MP_WAIT_FOREVER);
            tap_is_int(mp_process_exitcode(p), 10, "%s: a child drains the %s the parent made", methods[m],
                       k ? "BoundedSemaphore" : "Semaphore");
            tap_is_int(mp_semaphore_get_value(s), 1, "%s: and the parent sees what it left", methods[m]);
            mp_process_free(p);
            mp_semaphore_free(s);
        }
    }
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    test_semaphore();
    test_bounded();
    test_children();
    return tap_done();
}

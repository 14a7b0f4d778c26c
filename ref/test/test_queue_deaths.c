/* test_queue_deaths.c - a Queue goes on when a process holding one of its locks is killed: a message it left half sent or half taken is reported once, never delivered, and the rest arrive. */
#include "mp.h"
#include "tap.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * In CPython, and here before, a process killed while it holds a Queue's
 * lock leaves every other reader or writer waiting for ever.  Each case
 * kills such a process under each start method and checks what the
 * others see.  Nothing here waits on chance: each step waits for a state
 * it can see (a message taken, the channel empty or not), and every wait
 * is bounded, so that a regression fails instead of hanging the suite.
 */
#define BIG ((size_t)4 << 20)       /* sixteen times the channel's ring */

static const char *const methods[] = {"fork", "spawn", "forkserver"};

static void nap(long ms)
{
    nanosleep(&(struct timespec){ms / 1000, ms % 1000 * 1000000L}, NULL);
}

/* Wait (up to 30 s) until the queue looks empty or not, as wanted. */
static bool wait_empty(mp_queue *q, bool want)
{
    for (int i = 0; i < 3000; i++) {
        if (mp_queue_empty(q) == want)
            return true;
        nap(10);
    }
    return false;
}

static mp_value *big_bytes(void)
{
    uint8_t *b = calloc(1, BIG);
    mp_value *v = mp_bytes(b, BIG);
    free(b);
    return v;
}

/* ---- children ------------------------------------------------------------- */

/* args (q, first, last): put first, a message of BIG bytes, then last. */
static int writer(const mp_value *args)
{
    mp_queue *q = mp_as_queue(mp_item(args, 0));
    int rc = mp_queue_put(q, mp_item(args, 1));
    if (rc == 0)
        rc = mp_queue_put(q, big_bytes());
    if (rc == 0)
        rc = mp_queue_put(q, mp_item(args, 2));
    return rc;
}
MP_TARGET(writer);

/* args (q,): take one message. */
static int reader(const mp_value *args)
{
    mp_value *v;
    int rc = mp_queue_get(mp_as_queue(mp_item(args, 0)), &v);
    mp_decref(v);
    return rc;
}
MP_TARGET(reader);

static mp_process *start(const char *method, mp_target_fn target, mp_value *args)
{
    mp_process *p = mp_context_process(mp_get_context(method), &(mp_process_opts){
        .target = target, .args = args});
    if (p && mp_process_start(p) < 0) {
        mp_process_free(p);
        return NULL;
    }
    return p;
}

static void kill_and_reap(mp_process *p)
{
    if (!p)
        return;
    mp_process_kill(p);
    mp_process_join(p, MP_TIMEOUT(30));
    mp_process_free(p);
}

/* The next message (up to 30 s) as its repr, or the error's name. */
static char *get_repr(mp_queue *q)
{
    mp_value *v;
    int rc = mp_queue_get_ex(q, &v, &(mp_queue_opts){.timeout = MP_TIMEOUT(30)});
    if (rc < 0)
        return strdup(mp_errname(rc));
    char *r = mp_len(v) > 100 ? strdup("<big>") : mp_repr(v);
    mp_decref(v);
    return r;
}

static void expect(mp_queue *q, const char *want, const char *what, const char *method)
{
    char *got = get_repr(q);
    tap_is_str(got, want, "%s: %s", method, what);
    free(got);
}

/* ---- the cases -------------------------------------------------------------- */

/* A writer killed inside a message, with a writer after it: the reader
 * gets the dead writer's message as OwnerDiedError, then the next one. */
static void test_writer_dies(const char *method)
{
    mp_queue *q = mp_queue_new(0);
    mp_process *w = start(method, writer, mp_tuple_of(q, "first", "never"));
    expect(q, "'first'", "the writer's first message", method);
    /* Its big message cannot be whole in the ring: once the ring holds
     * anything, the writer is inside it. */
    TAP_OK(wait_empty(q, false), "%s: the writer is inside its big message", method);
    kill_and_reap(w);
    mp_queue_put(q, "after");
    expect(q, "OwnerDiedError", "its half-sent message is reported, not delivered", method);
    expect(q, "'after'", "then the next writer's message arrives", method);
    mp_queue_free(q);
}

/* A writer killed inside a message, and no other writer: the reader
 * waiting for the rest sees the death itself, rather than wait for ever. */
static void test_writer_dies_alone(const char *method)
{
    mp_queue *q = mp_queue_new(0);
    mp_process *w = start(method, writer, mp_tuple_of(q, "first", "never"));
    expect(q, "'first'", "the writer's first message", method);
    TAP_OK(wait_empty(q, false), "%s: the writer is inside its big message", method);
    kill_and_reap(w);
    expect(q, "OwnerDiedError", "with no writer after it, the reader finds the death itself",
           method);
    mp_queue_put(q, "later");
    expect(q, "'later'", "and the queue goes on", method);
    mp_queue_free(q);
}

/* A reader killed inside a message: the next reader drops the rest of it
 * and reports it, then gets the next message whole. */
static void test_reader_dies(const char *method)
{
    mp_queue *q = mp_queue_new(0);
    mp_process *w = start(method, writer, mp_tuple_of(q, "first", "last"));
    expect(q, "'first'", "the writer's first message", method);
    /* The big message's first piece (its header whole, as the ring was
     * empty) is in the ring: stop the writer there, so that a reader that
     * drains the ring is left inside the message. */
    TAP_OK(wait_empty(q, false), "%s: the big message has begun", method);
    kill(mp_process_pid(w), SIGSTOP);
    mp_process *r = start(method, reader, mp_tuple_of(q));
    TAP_OK(r && wait_empty(q, true), "%s: a reader took its beginning and waits for the rest", method);
    kill_and_reap(r);
    kill(mp_process_pid(w), SIGCONT);
    expect(q, "OwnerDiedError", "the dead reader's message is reported, not delivered", method);
    expect(q, "'last'", "then the message after it arrives whole", method);
    TAP_OK(mp_process_join(w, MP_TIMEOUT(30)) == 0 && mp_process_exitcode(w) == 0,
           "%s: the writer finished", method);
    mp_process_free(w);
    mp_queue_free(q);
}

/* A reader killed while it waits on an empty queue holds only the lock:
 * nothing is lost, and the next reader gets the next message. */
static void test_waiting_reader_dies(const char *method)
{
    mp_queue *q = mp_queue_new(0);
    mp_process *r = start(method, reader, mp_tuple_of(q));
    nap(300);           /* it takes the lock and waits (if not yet, no harm) */
    kill_and_reap(r);
    mp_queue_put(q, "next");
    expect(q, "'next'", "a reader killed while waiting costs nothing", method);
    mp_queue_free(q);
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    alarm(600);         /* a hang is a failure, not a stuck suite */
    for (int m = 0; m < 3; m++) {
        test_writer_dies(methods[m]);
        test_writer_dies_alone(methods[m]);
        test_reader_dies(methods[m]);
        test_waiting_reader_dies(methods[m]);
    }
    return tap_done();
}

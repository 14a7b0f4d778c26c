/* test_interrupt.c - SIGINT as CPython's KeyboardInterrupt: blocking calls raise it, and a program that does not catch it ends through the usual shutdown, then by SIGINT. */
#include "mp.h"
#include "tap.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Signals come from a helper thread that blocks SIGINT itself, so the
 * kernel delivers it to the main thread, as a terminal's Ctrl-C usually
 * is (the library's own threads block it too).  The program also runs
 * itself as a whole program (INTERRUPT_MODE=program) to see how one that
 * does not catch KeyboardInterrupt ends.
 */

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static void *send_sigint(void *arg)
{
    sleep_s(*(double *)arg);
    kill(getpid(), SIGINT);
    return NULL;
}

/* SIGINT to this process after s seconds, from a thread that blocks it. */
static pthread_t sigint_after(double *s)
{
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    pthread_t t;
    pthread_create(&t, NULL, send_sigint, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return t;
}

static int sleeper(const mp_value *args)
{
    sleep_s(mp_as_float(mp_item(args, 0)));
    mp_print("sleeper done");
    return 0;
}
MP_TARGET(sleeper);

static int forever(const mp_value *args)
{
    (void)args;
    for (;;)
        pause();
    return 0;
}
MP_TARGET(forever);

/* A child that waits on a queue nobody fills: SIGINT ends its get. */
static int waits_on_queue(const mp_value *args)
{
    mp_value *v;
    return mp_queue_get(mp_as_queue(mp_item(args, 0)), &v);
}
MP_TARGET(waits_on_queue);

/* ---- the whole program (INTERRUPT_MODE=program) ----------------------------- */

/* A daemon that never ends, a child that sleeps 1 s, a Listener that made
 * the temporary directory; the main program waits on the daemon. */
static int program(void)
{
    mp_listener *l = mp_listener_new(&(mp_listener_opts){.family = "AF_UNIX"});
    mp_process *d = mp_process_new(&(mp_process_opts){.target = forever, .daemon = MP_YES});
    mp_process *n = mp_process_new(&(mp_process_opts){.target = sleeper, .args = mp_tuple_of(1.0)});
    if (!l || !d || !n || mp_process_start(d) < 0 || mp_process_start(n) < 0)
        return mp_excepthook(mp_errcode());
    printf("daemon %d\ntempdir %s\n", (int)mp_process_pid(d), mp_as_str(mp_listener_address(l)));
    fflush(stdout);
    int rc = mp_process_join(d, MP_WAIT_FOREVER);
    mp_listener_free(l);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

/* ---- the checks ------------------------------------------------------------- */

static void test_handler_installed(void)
{
    struct sigaction sa;
    sigaction(SIGINT, NULL, &sa);
    TAP_OK(sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN,
           "mp_main gave SIGINT a handler (it had its default action)");
}

static void test_join(void)
{
    mp_process *p = mp_process_new(&(mp_process_opts){.target = sleeper, .args = mp_tuple_of(30.0)});
    mp_process_start(p);
    double s = 0.2;
    pthread_t t = sigint_after(&s);
    int rc = mp_process_join(p, MP_WAIT_FOREVER);
    pthread_join(t, NULL);
    tap_is_int(rc, MP_EINTERRUPT, "join() without a timeout: KeyboardInterrupt");
    tap_is_str(mp_errname(rc), "KeyboardInterrupt", "named as Python names it");
    TAP_OK(mp_process_is_alive(p), "the child goes on");
    mp_process_kill(p);
    tap_is_int(mp_process_join(p, MP_WAIT_FOREVER), 0, "and can be joined after all");
    mp_process_free(p);
}

static void test_queues_and_pipes(void)
{
    mp_queue *q = mp_queue_new(0);
    mp_simple_queue *sq = mp_simple_queue_new();
    mp_connection *a, *b;
    mp_pipe(&a, &b, NULL);
    mp_value *v = NULL;
    double s = 0.1;

    pthread_t t = sigint_after(&s);
    tap_is_int(mp_queue_get(q, &v), MP_EINTERRUPT, "Queue.get()");
    pthread_join(t, NULL);
    t = sigint_after(&s);
    tap_is_int(mp_simple_queue_get(sq, &v), MP_EINTERRUPT, "SimpleQueue.get()");
    pthread_join(t, NULL);
    t = sigint_after(&s);
    tap_is_int(mp_connection_recv(b, &v), MP_EINTERRUPT, "Connection.recv() on a Pipe");
    pthread_join(t, NULL);
    t = sigint_after(&s);
    tap_is_int(mp_connection_poll(b, MP_WAIT_FOREVER), MP_EINTERRUPT, "Connection.poll(None)");
    pthread_join(t, NULL);

    /* Nothing is lost: what is sent after the interrupt arrives whole. */
    mp_queue_put(q, "after");
    mp_simple_queue_put(sq, "after");
    mp_connection_send(a, "after");
    int got = 0;
    if (mp_queue_get(q, &v) == 0 && strcmp(mp_as_str(v), "after") == 0)
        got++;
    mp_decref(v);
    if (mp_simple_queue_get(sq, &v) == 0 && strcmp(mp_as_str(v), "after") == 0)
        got++;
    mp_decref(v);
    if (mp_connection_recv(b, &v) == 0 && strcmp(mp_as_str(v), "after") == 0)
        got++;
    mp_decref(v);
    tap_is_int(got, 3, "each then works as before");

    /* A SIGINT that came while no call waited is taken by the next wait. */
    kill(getpid(), SIGINT);
    tap_is_int(mp_queue_get_ex(q, &v, &(mp_queue_opts){.timeout = MP_TIMEOUT(5)}), MP_EINTERRUPT,
               "a SIGINT that came before the call is raised by its wait");
    tap_is_int(mp_queue_get_nowait(q, &v), MP_EEMPTY, "once: the next call is as before");
    mp_connection_free(a);
    mp_connection_free(b);
    mp_simple_queue_free(sq);
    mp_queue_free(q);
}

/* A blocked Lock.acquire (a futex wait) is interrupted; the lock, held
 * by this thread, stays held, and a later release works. */
static void test_lock(void)
{
    double s = 0.1;
    mp_lock *l = mp_lock_new();
    mp_lock_acquire(l);
    pthread_t t = sigint_after(&s);
    tap_is_int(mp_lock_acquire(l), MP_EINTERRUPT, "Lock.acquire() blocked: KeyboardInterrupt");
    pthread_join(t, NULL);
    tap_is_int(mp_lock_release(l), 0, "the Lock was still held");
    mp_lock_free(l);
}

struct hold { mp_lock *r; mp_semaphore *held, *done; };

/* Holds the RLock until told to let go. */
static void *rlock_holder(void *arg)
{
    struct hold *h = arg;
    mp_lock_acquire(h->r);
    mp_semaphore_release(h->held);
    mp_semaphore_acquire(h->done);
    mp_lock_release(h->r);
    return NULL;
}

/* The other primitives' blocking waits (a robust mutex, a semaphore, a
 * condition's sleeper slot) are interrupted too; each is left usable. */
static void test_sync(void)
{
    double s = 0.1;
    /* An RLock held by another thread: its robust mutex's wait. */
    mp_lock *r = mp_rlock_new();
    mp_semaphore *held = mp_semaphore_new(0), *done = mp_semaphore_new(0);
    pthread_t holder;
    struct hold h = {r, held, done};
    pthread_create(&holder, NULL, rlock_holder, &h);
    mp_semaphore_acquire(held);
    pthread_t t = sigint_after(&s);
    tap_is_int(mp_lock_acquire(r), MP_EINTERRUPT, "RLock.acquire() blocked: KeyboardInterrupt");
    pthread_join(t, NULL);
    mp_semaphore_release(done);
    pthread_join(holder, NULL);
    tap_is_int(mp_lock_acquire(r), 1, "the RLock is taken once its holder let go");
    mp_lock_release(r);
    mp_lock_free(r);

    mp_semaphore *sem = mp_semaphore_new(0);
    t = sigint_after(&s);
    tap_is_int(mp_semaphore_acquire(sem), MP_EINTERRUPT, "Semaphore.acquire() blocked: KeyboardInterrupt");
    pthread_join(t, NULL);
    tap_is_int(mp_semaphore_get_value(sem), 0, "the Semaphore's value is unchanged");
    mp_semaphore_free(sem);

    mp_condition *c = mp_condition_new(NULL);
    mp_condition_acquire(c);
    t = sigint_after(&s);
    tap_is_int(mp_condition_wait(c, MP_WAIT_FOREVER), MP_EINTERRUPT, "Condition.wait(): KeyboardInterrupt");
    pthread_join(t, NULL);
    tap_is_int(mp_condition_release(c), 0, "the Condition's lock is held again after the interrupt");
    char *rc = mp_repr((const mp_value *)c);
    tap_is_str(rc, "<Condition(<RLock(None, 0)>, 0)>", "the interrupted waiter is no longer counted");
    free(rc);
    mp_condition_free(c);

    mp_event *e = mp_event_new();
    t = sigint_after(&s);
    tap_is_int(mp_event_wait(e, MP_WAIT_FOREVER), MP_EINTERRUPT, "Event.wait(): KeyboardInterrupt");
    pthread_join(t, NULL);
    tap_is_int(mp_event_set(e), 0, "the Event can be set afterwards");
    tap_is_int(mp_event_wait(e, MP_WAIT_FOREVER), 1, "and waited on");
    mp_event_free(e);

    mp_barrier *b = mp_barrier_new(2, NULL);
    t = sigint_after(&s);
    tap_is_int(mp_barrier_wait(b, MP_WAIT_FOREVER), MP_EINTERRUPT, "Barrier.wait(): KeyboardInterrupt");
    pthread_join(t, NULL);
    /* As threading.Barrier: the interrupt leaves the wait (the count goes
     * back down) without breaking the barrier. */
    tap_is_int(mp_barrier_n_waiting(b), 0, "the interrupted party is no longer waiting");
    TAP_OK(!mp_barrier_broken(b), "the Barrier is not broken by it");
    mp_barrier_free(b);
    mp_semaphore_free(held);
    mp_semaphore_free(done);
}

/* A child that gets KeyboardInterrupt ends with exit code 1 and says so,
 * as CPython's _bootstrap reports any exception. */
static void test_child(void)
{
    mp_queue *q = mp_queue_new(0);
    mp_process *p = mp_process_new(&(mp_process_opts){.target = waits_on_queue,
                                                      .args = mp_tuple_of(q)});
    mp_process_start(p);
    sleep_s(0.3);
    kill(mp_process_pid(p), SIGINT);
    mp_process_join(p, MP_TIMEOUT(30));
    tap_is_int(mp_process_exitcode(p), 1, "a child interrupted in get() ends with exit code 1 (%s)",
               mp_get_start_method(false));
    mp_process_free(p);
    mp_queue_free(q);
}

/* Run this program as the whole program, SIGINT it after the daemon and
 * the sleeper have started, and look at how it ended. */
static void test_program(void)
{
    int out[2];
    if (pipe(out) < 0)
        return;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(out[1], 1);
        dup2(out[1], 2);
        close(out[0]);
        close(out[1]);
        signal(SIGINT, SIG_DFL);
        setenv("INTERRUPT_MODE", "program", 1);
        execl("/proc/self/exe", "test_interrupt", (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    char buf[8192];
    size_t used = 0;
    ssize_t r;
    int daemon = 0;
    char tempdir[4096] = "";
    /* The program prints its daemon's pid and its temp dir, then waits. */
    while (used + 1 < sizeof buf && (!daemon || !tempdir[0]) &&
           (r = read(out[0], buf + used, sizeof buf - 1 - used)) > 0) {
        used += (size_t)r;
        buf[used] = '\0';
        char *dl = strstr(buf, "daemon "), *tl = strstr(buf, "tempdir ");
        if (dl)
            daemon = atoi(dl + 7);
        if (tl && strchr(tl, '\n')) {
            snprintf(tempdir, sizeof tempdir, "%.*s", (int)(strchr(tl, '\n') - tl - 8), tl + 8);
            char *slash = strrchr(tempdir, '/');
            if (slash)
                *slash = '\0';      /* the listener's folder: the temp dir */
        }
    }
    sleep_s(0.2);
    kill(pid, SIGINT);
    while (used + 1 < sizeof buf && (r = read(out[0], buf + used, sizeof buf - 1 - used)) > 0)
        used += (size_t)r;
    buf[used] = '\0';
    close(out[0]);
    int status;
    waitpid(pid, &status, 0);
    TAP_OK(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT,
           "the program ends by SIGINT after its shutdown, as CPython's does");
    TAP_OK(strstr(buf, "Traceback (most recent call last):\n") &&
           strstr(buf, "\nKeyboardInterrupt\n"), "it prints KeyboardInterrupt's traceback");
    TAP_OK(strstr(buf, "sleeper done\n") != NULL, "it joined its non-daemonic child, which finished");
    TAP_OK(daemon > 0 && kill(daemon, 0) < 0 && errno == ESRCH, "its daemonic child was terminated");
    DIR *d = tempdir[0] ? opendir(tempdir) : NULL;
    TAP_OK(tempdir[0] && !d, "its temporary directory is gone (%s)", tempdir);
    if (d)
        closedir(d);
    if (!WIFSIGNALED(status))
        tap_diag("status %d; output:\n%s", status, buf);
}

int main(int argc, char **argv)
{
    const char *mode = getenv("INTERRUPT_MODE");
    mp_main(argc, argv);
    if (mode && strcmp(mode, "program") == 0)
        return program();
    test_handler_installed();
    test_join();
    test_queues_and_pipes();
    test_lock();
    test_sync();
    test_child();
    test_program();
    return tap_done();
}

/* finalize.c - util.Finalize with an exit priority, and util.register_after_fork. */
#include "util.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

/* ---- finalizers (util.Finalize with an exitpriority) --------------------- */

struct mp__finalizer {
    void (*fn)(void *);
    void *arg;
    int priority;
    pid_t pid;                  /* a finalizer runs only in the process that made it */
    unsigned long serial;
    mp__finalizer *next;
};

static pthread_mutex_t fin_lock = PTHREAD_MUTEX_INITIALIZER;
static mp__finalizer *finalizers;
static unsigned long fin_serial;

mp__finalizer *mp__finalize_register(void (*fn)(void *), void *arg, int priority)
{
    mp__finalizer *f = malloc(sizeof *f);
    if (!f) {
        mp__fail(MP_ENOMEM, "out of memory");
        return NULL;
    }
    pthread_mutex_lock(&fin_lock);
    *f = (mp__finalizer){fn, arg, priority, getpid(), fin_serial++, finalizers};
    finalizers = f;
    pthread_mutex_unlock(&fin_lock);
    return f;
}

bool mp__finalize_cancel(mp__finalizer *f)
{
    bool found = false;
    pthread_mutex_lock(&fin_lock);
    for (mp__finalizer **pp = &finalizers; *pp; pp = &(*pp)->next) {
        if (*pp == f) {
            *pp = f->next;
            free(f);
            found = true;
            break;
        }
    }
    pthread_mutex_unlock(&fin_lock);
    return found;
}

/* One at a time, the best first: a finalizer may register or cancel others
 * (closing a queue cancels nothing, but joining its feeder may take long),
 * so the lock is not held while it runs. */
void mp__run_finalizers(int minpriority)
{
    for (;;) {
        pthread_mutex_lock(&fin_lock);
        mp__finalizer **best = NULL;
        for (mp__finalizer **pp = &finalizers; *pp; pp = &(*pp)->next)
            if ((*pp)->priority >= minpriority && (!best || (*pp)->priority > (*best)->priority ||
                ((*pp)->priority == (*best)->priority && (*pp)->serial > (*best)->serial)))
                best = pp;
        mp__finalizer *f = best ? *best : NULL;
        if (f)
            *best = f->next;
        pthread_mutex_unlock(&fin_lock);
        if (!f)
            return;
        if (f->pid == getpid())
            f->fn(f->arg);
        free(f);
    }
}

/* ---- after-fork hooks (util.register_after_fork) -------------------------- */

typedef struct after_fork {
    void (*fn)(void *);
    void *arg;
    struct after_fork *next;
} after_fork;

static after_fork *after_forks;
static pthread_mutex_t af_lock = PTHREAD_MUTEX_INITIALIZER;

int mp__register_after_fork(void (*fn)(void *), void *arg)
{
    after_fork *a = malloc(sizeof *a);
    if (!a)
        return mp__fail(MP_ENOMEM, "out of memory");
    pthread_mutex_lock(&af_lock);
    *a = (after_fork){fn, arg, after_forks};
    after_forks = a;
    pthread_mutex_unlock(&af_lock);
    return 0;
}

void mp__unregister_after_fork(void (*fn)(void *), void *arg)
{
    pthread_mutex_lock(&af_lock);
    for (after_fork **pp = &after_forks; *pp; pp = &(*pp)->next) {
        if ((*pp)->fn == fn && (*pp)->arg == arg) {
            after_fork *a = *pp;
            *pp = a->next;
            free(a);
            break;
        }
    }
    pthread_mutex_unlock(&af_lock);
}

/* ---- the fork gate (see util.h) ------------------------------------------ */

/* A count rather than an rwlock, because a thread is counted in by the
 * thread that creates it (a lock taken by one thread and released by
 * another is not allowed).  A fork waiting closes the gate to newcomers,
 * so that busy feeders coming and going cannot keep it out for ever. */
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static unsigned gate_inside;    /* library threads inside */
static bool gate_forking;       /* a fork waits for them, or is under way */

/* Library threads that have left the gate for good, not yet joined. */
typedef struct ended_thread {
    pthread_t t;
    struct ended_thread *next;
} ended_thread;
static ended_thread *ended;
static pthread_mutex_t ended_lock = PTHREAD_MUTEX_INITIALIZER;
/* Threads that said they are ending and are not on the list yet; `ended`
 * is signalled as each gets there. */
static unsigned ending;
static pthread_cond_t ended_cond = PTHREAD_COND_INITIALIZER;
/* A child's copies of records of threads it never had: kept, never joined. */
static ended_thread *forgotten;

/* In every child, also one the program forks itself: none of the
 * library's threads exist there, so the gate is empty and open, and the
 * threads to join are not its own (joining one would wait for ever).
 * Nothing here may allocate or free. */
static void gate_after_fork_child(void)
{
    pthread_mutex_init(&gate_lock, NULL);
    pthread_cond_init(&gate_cond, NULL);
    gate_inside = 0;
    gate_forking = false;
    pthread_mutex_init(&ended_lock, NULL);
    pthread_cond_init(&ended_cond, NULL);
    ending = 0;
    while (ended) {
        ended_thread *e = ended;
        ended = e->next;
        e->next = forgotten;
        forgotten = e;
    }
}

static pthread_once_t gate_once = PTHREAD_ONCE_INIT;
static void gate_install(void)
{
    pthread_atfork(NULL, NULL, gate_after_fork_child);
}

void mp__fork_gate_enter(void)
{
    pthread_once(&gate_once, gate_install);
    pthread_mutex_lock(&gate_lock);
    while (gate_forking)
        pthread_cond_wait(&gate_cond, &gate_lock);
    gate_inside++;
    pthread_mutex_unlock(&gate_lock);
}

void mp__fork_gate_leave(void)
{
    pthread_mutex_lock(&gate_lock);
    if (--gate_inside == 0 && gate_forking)
        pthread_cond_broadcast(&gate_cond);
    pthread_mutex_unlock(&gate_lock);
}

void mp__thread_ending(void)
{
    pthread_mutex_lock(&ended_lock);
    ending++;
    pthread_mutex_unlock(&ended_lock);
}

void mp__fork_gate_leave_for_good(void)
{
    ended_thread *e = malloc(sizeof *e);
    pthread_mutex_lock(&ended_lock);
    if (e) {
        e->t = pthread_self();
        e->next = ended;
        ended = e;
    } else {
        /* No record, so nobody will join it: the one ending that a fork
         * may then catch half done. */
        pthread_detach(pthread_self());
    }
    if (ending > 0)
        ending--;
    pthread_cond_broadcast(&ended_cond);
    pthread_mutex_unlock(&ended_lock);
    mp__fork_gate_leave();
}

/* With ended_lock held. */
static void join_locked(void)
{
    while (ended) {
        ended_thread *e = ended;
        ended = e->next;
        pthread_join(e->t, NULL);
        free(e);
    }
}

void mp__block_async_signals(sigset_t *old)
{
    sigset_t all;
    sigfillset(&all);
    /* Those the kernel sends the faulting thread itself stay deliverable. */
    sigdelset(&all, SIGSEGV);
    sigdelset(&all, SIGBUS);
    sigdelset(&all, SIGFPE);
    sigdelset(&all, SIGILL);
    pthread_sigmask(SIG_BLOCK, &all, old);
}

/* The lock is held while joining, so that a fork that finds the list
 * empty knows that the threads another thread took from it have ended
 * too.  Those threads no longer need it: they put themselves on the list. */
void mp__join_ended_threads(void)
{
    pthread_mutex_lock(&ended_lock);
    join_locked();
    pthread_mutex_unlock(&ended_lock);
}

/* At exit: the threads that said they are ending (a feeder the exit
 * function joined) are waited for too, so that none outlives the
 * program's last word unjoined; the ones still running (a queue whose
 * join was cancelled) are not, as Python does not wait for them. */
void mp__join_ending_threads(void)
{
    pthread_mutex_lock(&ended_lock);
    while (ending > 0)
        pthread_cond_wait(&ended_cond, &ended_lock);
    join_locked();
    pthread_mutex_unlock(&ended_lock);
}

/* Before a fork: close the gate (after any other thread's fork) and wait
 * until every library thread is out. */
static void gate_close(void)
{
    pthread_mutex_lock(&gate_lock);
    while (gate_forking)
        pthread_cond_wait(&gate_cond, &gate_lock);
    gate_forking = true;
    while (gate_inside > 0)
        pthread_cond_wait(&gate_cond, &gate_lock);
    pthread_mutex_unlock(&gate_lock);
}

static void gate_open(void)
{
    pthread_mutex_lock(&gate_lock);
    gate_forking = false;
    pthread_cond_broadcast(&gate_cond);
    pthread_mutex_unlock(&gate_lock);
}

/* ---- around fork() ----------------------------------------------------------- */

/* The fork start method holds the gate and both locks across fork(): no
 * thread of the library is running (or ending) meanwhile, and the
 * child's copies of the two lists are whole, not caught half-changed by
 * another thread.  The gate comes first: a thread inside it may need
 * the locks (a feeder dropping the last reference to a queue cancels its
 * finalizers). */
void mp__hooks_before_fork(void)
{
    gate_close();
    /* Threads that left the gate for good are still ending (their
     * allocator caches are freed last): wait until they have. */
    mp__join_ended_threads();
    pthread_mutex_lock(&af_lock);
    pthread_mutex_lock(&fin_lock);
}

void mp__hooks_after_fork_parent(void)
{
    pthread_mutex_unlock(&fin_lock);
    pthread_mutex_unlock(&af_lock);
    gate_open();
}

/* The child's copies of the locks were held by the thread that forked,
 * which is this one, the child's only thread: it lets them go, as the
 * parent does (made fresh instead, ThreadSanitizer would still count them
 * held).  The gate, closed by mp__hooks_before_fork, is opened
 * (gate_after_fork_child has done so already if a library thread ever ran
 * here; otherwise it is not installed). */
void mp__hooks_after_fork_child(void)
{
    gate_after_fork_child();
    pthread_mutex_unlock(&fin_lock);
    pthread_mutex_unlock(&af_lock);
}

void mp__run_after_fork(void)
{
    for (after_fork *a = after_forks; a; a = a->next)
        a->fn(a->arg);
}

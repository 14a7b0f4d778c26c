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

/* The fork start method holds both locks across fork(), so that the
 * child's copies of the two lists are whole, not caught half-changed by
 * another thread. */
void mp__hooks_before_fork(void)
{
    pthread_mutex_lock(&af_lock);
    pthread_mutex_lock(&fin_lock);
}

void mp__hooks_after_fork_parent(void)
{
    pthread_mutex_unlock(&fin_lock);
    pthread_mutex_unlock(&af_lock);
}

/* The child's copies of the locks were held by the thread that forked,
 * which is this one, the child's only thread: it lets them go, as the
 * parent does (made fresh instead, ThreadSanitizer would still count them
 * held). */
void mp__hooks_after_fork_child(void)
{
    pthread_mutex_unlock(&fin_lock);
    pthread_mutex_unlock(&af_lock);
}

void mp__run_after_fork(void)
{
    for (after_fork *a = after_forks; a; a = a->next)
        a->fn(a->arg);
}

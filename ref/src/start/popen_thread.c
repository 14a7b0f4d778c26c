/* popen_thread.c - the back end of multiprocessing.dummy's Process: a thread of this process (dummy/__init__.py's DummyProcess). */
#include "start.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * The thread keeps the write end of a pipe open until it ends, so the
 * process's sentinel works as a child's does (join with a timeout, the
 * pool's worker handler polls it).  done is set just before that end is
 * closed; joining the thread (poll, or the object's release) frees it.
 */
typedef struct thread_state {
    pthread_t t;
    _Atomic bool done;
    bool joined;
    int w;
} thread_state;

static void *run(void *arg)
{
    mp_process *p = arg;
    thread_state *st = p->thread;
    int rc = mp_process_run(p);
    if (rc < 0 && rc != MP_ESYSTEMEXIT) {
        /* threading.excepthook's report; the thread's exitcode stays 0,
         * as DummyProcess.exitcode is 0 for any thread that has ended. */
        fprintf(stderr, "Exception in thread %s:\n", mp_process_name(p));
        mp_excepthook(rc);
    }
    fflush(stderr);
    atomic_store(&st->done, true);
    close(st->w);
    return NULL;
}

static int launch(mp_process *p)
{
    int fds[2];
    thread_state *st = calloc(1, sizeof *st);
    if (!st)
        return mp__fail(MP_ENOMEM, "out of memory");
    if (pipe2(fds, O_CLOEXEC) < 0) {
        free(st);
        return mp__fail_errno("pipe");
    }
    st->w = fds[1];
    p->thread = st;
    /* The thread takes no asynchronous signals: as in Python, the main
     * thread gets SIGINT. */
    sigset_t old;
    mp__block_async_signals(&old);
    int err = pthread_create(&st->t, NULL, run, p);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err != 0) {
        close(fds[0]);
        close(fds[1]);
        free(st);
        p->thread = NULL;
        return mp__fail(MP_ERUNTIME, "can't start new thread");
    }
    /* A thread has no pid of its own: the process's stands for "started". */
    p->pid = getpid();
    p->sentinel = fds[0];
    return 0;
}

static void join_thread(thread_state *st)
{
    if (!st->joined) {
        pthread_join(st->t, NULL);
        st->joined = true;
    }
}

static int poll_thread(mp_process *p, bool block)
{
    thread_state *st = p->thread;
    if (p->exitcode != MP_EXITCODE_NONE || !st)
        return p->exitcode;
    if (!block && !atomic_load(&st->done))
        return MP_EXITCODE_NONE;
    join_thread(st);
    p->exitcode = 0;
    return 0;
}

static void release(mp_process *p)
{
    thread_state *st = p->thread;
    if (!st)
        return;
    /* The object is released only once the children set has let go of
     * it, which it does once the thread has ended (or at exit, for a
     * daemon thread that may still run: that one is left to run). */
    if (atomic_load(&st->done))
        join_thread(st);
    else
        pthread_detach(st->t);
    free(st);
    p->thread = NULL;
}

const mp__popen_ops mp__popen_thread_ops = {"dummy", launch, poll_thread, false, true, release};

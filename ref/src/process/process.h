/* process.h - the floor of process.py: the Process object, the children set, a child's bootstrap, the registries, print(). */
#ifndef MP_PROCESS_H
#define MP_PROCESS_H

#include "util/util.h"

/* ---- a start method's back end, as the process sees it ------------------- */

/*
 * A start method's back end (popen_fork.py, popen_spawn_posix.py,
 * popen_forkserver.py), defined on the floor above.  launch starts the
 * child and sets p->pid, p->sentinel and p->parent_w; poll returns the
 * exit code once the child has ended (recording it in p->exitcode), else
 * MP_EXITCODE_NONE, waiting for it if block.  own_child says the child is
 * this process's own (fork, spawn), so that waitid() can wait for it; a
 * fork server's child is the server's.  start() stores the back end in
 * p->popen; everything after start goes through that pointer.
 * thread says the "child" is a thread of this process (multiprocessing.dummy's
 * DummyProcess): it has no pid of its own to signal, its thread state is in
 * p->thread, and release (may be NULL) frees that state with the object.
 */
typedef struct mp__popen_ops {
    const char *method;
    int (*launch)(mp_process *p);
    int (*poll)(mp_process *p, bool block);
    bool own_child;
    bool thread;
    void (*release)(mp_process *p);
} mp__popen_ops;

/* ---- the process object (process.c) --------------------------------------- */

/* start()'s checks, with CPython's words, before any back end is chosen:
 * 0, or the error start() returns.  thread: p is a dummy process, which a
 * daemonic process may start (DummyProcess.start does not ask). */
int mp__process_check_startable(mp_process *p, bool thread);

/* A process object just made gives its number back, so that a thread
 * (DummyProcess, which CPython numbers with threading's counter) leaves
 * the next Process's name as it was. */
void mp__process_uncount(mp_process *p);

/* threading's counter behind the names Thread-N of threads made without a
 * name (dummy processes, the pools' threads): the next N.  Thread-safe. */
int mp__thread_number(void);

/* MP_TRACE: one line about child p, from its parent: child="name"
 * cpid=N and extra (" key=value..." or ""); none for a dummy process.
 * Only while MP__TRACING. */
void mp__trace_child(const char *event, const mp_process *p, const char *extra);

/* The children set: a started process is added (the set holds a
 * reference until it is reaped). */
void mp__children_add(mp_process *p);

/* Process-wide state of this process, reset in every child. */
void mp__process_after_fork_child(mp_process *self, const char *parent_name,
                                  pid_t parent_pid, int parent_sentinel);

/* Processes made from their pickled description (spawn.c). */
mp_process *mp__process_alloc(const mp_process_class *cls);
const mp_process_class *mp__process_default_class(void);

/* ---- the registries (registry.c) ------------------------------------------- */

/* A registered target by name, or NULL. */
mp_target_fn mp__target_find(const char *name);
/* A registered process class by name, or NULL. */
const mp_process_class *mp__process_class_find(const char *name);

/* ---- the child's side (bootstrap.c) ----------------------------------------- */

/* BaseProcess._bootstrap: become p, run it, shut down; returns the exit
 * code. */
int mp__process_bootstrap(mp_process *p, const char *parent_name, pid_t parent_pid,
                          int parent_sentinel);

#endif

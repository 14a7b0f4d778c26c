/* util.h - the floor of util.py: finalizers, after-fork hooks, the exit function, the temp directory, the logger. */
#ifndef MP_UTIL_H
#define MP_UTIL_H

#include "core/core.h"

#include <signal.h>

/* ---- finalizers (finalize.c) ------------------------------------------------ */

/*
 * util.Finalize with an exitpriority: functions run at exit by
 * mp__exit_function (in the main program and in every child the library
 * started), higher priority first, later registration first within one
 * priority.  Queues flush their feeder here.  Returns a handle for
 * mp__finalize_cancel, or NULL when out of memory.  Thread-safe.
 */
typedef struct mp__finalizer mp__finalizer;
mp__finalizer *mp__finalize_register(void (*fn)(void *), void *arg, int priority);
/* Remove f without running it.  False if it was no longer registered (it
 * has run, or is running: mp__run_finalizers takes it off first). */
bool mp__finalize_cancel(mp__finalizer *f);
/* Run (and remove) the finalizers of at least minpriority (INT_MIN: all). */
void mp__run_finalizers(int minpriority);

/* util.register_after_fork: fn(arg) runs in the child right after a fork
 * by the library (fork start method and the forkserver's children), before
 * anything else.  Unregister (same fn and arg) before arg is freed. */
int mp__register_after_fork(void (*fn)(void *), void *arg);
void mp__unregister_after_fork(void (*fn)(void *), void *arg);
void mp__run_after_fork(void);

/*
 * The fork gate.  A thread the library starts (a queue's feeder) is
 * inside it from its creation (its creator enters for it) to its end,
 * and steps out only where it may wait long (for an item, for room in
 * the channel); the fork start method closes it and waits until nobody
 * is inside before fork().  So the library never forks while one of its
 * threads is inside malloc or other code with a lock of its own: the
 * child would inherit that lock held by a thread it does not have, and
 * wait for it for ever.  (A fork() the program makes itself does not
 * wait at the gate; its child still finds the gate empty.)
 * glibc's malloc guards itself around fork(); the AddressSanitizer
 * runtime of GCC 12 (and of LLVM before 18) does not.  CPython's GIL does
 * this job there: os.fork() holds it, so no other thread is pickling.
 * Enter holding no lock a thread inside may need: while a fork waits,
 * nobody else gets in, and a thread waiting at the gate with such a lock
 * would stop one inside (a feeder freeing a queue takes that queue's
 * mutex).
 */
void mp__fork_gate_enter(void);
void mp__fork_gate_leave(void);
/* The last leave of a library thread, just before it returns: it must be
 * joinable, and is joined by the next fork (its ending still frees memory)
 * or by mp__join_ended_threads. */
void mp__fork_gate_leave_for_good(void);
/* Before creating a library thread: block the asynchronous signals in
 * the calling thread (the new one inherits the mask), saving the old mask
 * in *old to restore after the create.  A C program's signal handlers then
 * run in its own threads, as Python's run in the main thread. */
void mp__block_async_signals(sigset_t *old);
/* Join the library threads that have ended (so they do not pile up). */
void mp__join_ended_threads(void);
/* A library thread about to end says so first (mp__thread_ending, before
 * the word its joiner waits for), so that the exit function can wait for
 * it and join it (mp__join_ending_threads). */
void mp__thread_ending(void);
void mp__join_ending_threads(void);

/* Around fork() in the fork start method: hold the gate and the hook
 * lists' locks across it, then release them (parent) or make them anew
 * (child). */
void mp__hooks_before_fork(void);
void mp__hooks_after_fork_parent(void);
void mp__hooks_after_fork_child(void);

/* ---- the end of a process (exit.c) -------------------------------------------- */

/* The shutdown Python's multiprocessing runs at exit (util._exit_function):
 * logs, runs the finalizers of priority >= 0, the children step, the rest
 * of the finalizers, then the last steps.  Idempotent. */
void mp__exit_function(void);

/* The exit function's part between the two runs of finalizers, which
 * terminates daemonic children and joins the rest: set by the process
 * floor, which this one may not call. */
void mp__exit_set_children_step(void (*fn)(void));
/* A step for the very end of the exit function, after every finalizer
 * (a floor that must let go of something last; at most four). */
void mp__exit_add_last_step(void (*fn)(void));

/* Register the exit function with atexit() once. */
void mp__ensure_atexit(void);

/* util.is_exiting(): true once this process's exit function has begun.
 * Safe to call from any thread. */
bool mp__is_exiting(void);

/* util.get_temp_dir(): this program's private temporary directory (made on
 * first use, logged, removed at exit); NULL with an OSError recorded. */
const char *mp__get_temp_dir(void);

/* Flush stdout and stderr (util._flush_std_streams). */
void mp__flush_std_streams(void);

/* What this floor resets in a child the library starts, as it begins its
 * life: the exiting flag. */
void mp__util_after_fork_child(void);

/* ---- the logger (log.c) ------------------------------------------------------ */

/* Logger state, carried to children that re-run the program. */
void mp__log_get(bool *exists, int *level, int *handlers);
void mp__log_set(bool exists, int level, int handlers);

/* How the logger learns the current process's name (the record's
 * processName): the process floor hands it in. */
void mp__log_set_name_source(const char *(*fn)(void));
/* current_process().name, through that source ("MainProcess" until the
 * process floor has handed one in); a lock's repr names its holder so. */
const char *mp__current_process_name(void);

#endif

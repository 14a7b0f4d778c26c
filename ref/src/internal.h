/* internal.h - declarations shared by the library's sources, not part of the API. */
#ifndef MP_INTERNAL_H
#define MP_INTERNAL_H

#include "mp.h"

#include <stdarg.h>

/* Record code and a printf-formatted message (CPython's wording) for
 * mp_errmsg() in this thread, and return code so callers can write
 * `return mp__fail(MP_EVALUE, "process object is closed");`. */
int mp__fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int mp__vfail(int code, const char *fmt, va_list ap);

/* Record an OSError from errno, as "[Errno N] strerror: what". */
int mp__fail_errno(const char *what);

/* The exception type name recorded by the last failure in this thread
 * (for MP_EEXCEPTION, the mp_raise type name). */
const char *mp__exc_type(void);

/* A str's UTF-8 bytes and their length, in constant time (the value keeps
 * both), or NULL if v is not a str. */
const char *mp__str_utf8(const mp_value *v, size_t *len);

/* The status recorded by the last mp_sys_exit() in this thread. */
int mp__exit_status(void);

/* The pending exception of this thread, saved across code (the shutdown
 * function) that may record failures of its own. */
typedef struct mp__exc {
    int code, status;
    char type[128];
    char msg[512];
} mp__exc;
void mp__exc_save(mp__exc *e);
void mp__exc_restore(const mp__exc *e);

/* Growable byte buffer used to build strings (repr, log lines). */
typedef struct mp__buf {
    char *data;
    size_t len, cap;
    bool oom;               /* sticky: an append failed */
} mp__buf;

void mp__buf_putn(mp__buf *b, const char *s, size_t n);
void mp__buf_puts(mp__buf *b, const char *s);
void mp__buf_printf(mp__buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the NUL-terminated string (caller frees), or NULL after any OOM. */
char *mp__buf_finish(mp__buf *b);

/* Python's repr of a str given as UTF-8 ('it', "it's"), appended to b. */
void mp__buf_repr_str(mp__buf *b, const char *s, size_t len);

/* Look up a registered target by name. */
mp_target_fn mp__target_find(const char *name);

/* Process-wide state of this process, reset in every child. */
void mp__process_after_fork_child(mp_process *self, const char *parent_name,
                                  pid_t parent_pid, int parent_sentinel);
void mp__children_add(mp_process *p);
void mp__children_discard(mp_process *p);

/* The shutdown Python's multiprocessing runs at exit (util._exit_function):
 * logs, terminates daemonic children, joins the others.  Idempotent. */
void mp__exit_function(void);

/* Register mp__exit_function with atexit() once. */
void mp__ensure_atexit(void);

/* Flush stdout and stderr (util._flush_std_streams). */
void mp__flush_std_streams(void);

/* The logger's per-process name lookup uses the current process. */
const char *mp__current_name(void);

/* Start method back end for fork (popen_fork.py).  launch forks and runs
 * the child's bootstrap; the rest act on a started child. */
int mp__popen_fork_launch(mp_process *p);
/* poll(): the exit code if the child has ended (reaping it), else
 * MP_EXITCODE_NONE.  With block, waits for it. */
int mp__popen_poll(mp_process *p, bool block);
/* wait(timeout): poll after waiting up to timeout for the sentinel. */
int mp__popen_wait(mp_process *p, double timeout);
int mp__popen_send_signal(mp_process *p, int sig);

/* The child's side: set up, run, shut down; returns the exit code. */
int mp__process_bootstrap(mp_process *p, const char *parent_name, pid_t parent_pid,
                          int parent_sentinel);

/* Wait until fd is readable or timeout seconds pass (negative: forever).
 * Returns 1 readable, 0 timed out, negative on error.  Retries on EINTR. */
int mp__wait_readable(int fd, double timeout);

#endif

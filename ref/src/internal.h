/* internal.h - declarations shared by the library's sources, not part of the API. */
#ifndef MP_INTERNAL_H
#define MP_INTERNAL_H

#include "mp.h"

#include <stdarg.h>
#include <sys/uio.h>

/* ---- objects: the layout every object value shares (value.c, object.c) -- */

/*
 * Every value starts with this header; each type's struct embeds it as its
 * first member, so a pointer to one converts to the other (as CPython's
 * PyObject does).  The count is atomic because a value may be released by a
 * thread other than the one that made it (a queue's feeder thread drops what
 * it has sent).  None, True and False are immortal: shared statics that are
 * never counted and never freed.
 */
struct mp_value {
    mp_type type;
    bool immortal;
    union {
        size_t refs;            /* while alive */
        mp_value *next_dead;    /* once dead, queued for freeing (see destroy) */
    };
};

/* An object: a registered class and its attributes (user classes), or a
 * library object (Connection, Queue) whose C struct embeds this first. */
typedef struct mp__object {
    mp_value h;
    const mp_class *cls;
    mp_value *dict;             /* __dict__ (user classes); NULL for natives */
} mp__object;

/*
 * What a library class adds to mp_class (its `native` field).
 *   size      of the C struct that embeds mp__object
 *   finalize  releases the object's resources (closes descriptors, stops
 *             threads); value.c frees the memory afterwards
 *   reduce    the state that rebuilds the object in a child started by
 *             spawn or forkserver, as a new value; it registers each
 *             descriptor to pass with mp__reduce_fd() and stores the index
 *             that returns.  NULL when the object cannot be passed.
 *   rebuild   the child's side: a new object from the state (borrowed),
 *             taking its descriptors with mp__rebuild_fd().
 * Under fork neither runs: the child shares the parent's memory and
 * descriptors.
 */
typedef struct mp__native {
    size_t size;
    void (*finalize)(mp__object *self);
    mp_value *(*reduce)(mp__object *self);
    mp__object *(*rebuild)(const mp_value *state);
} mp__native;

/* A zeroed object of a library class (cls->native->size bytes), one
 * reference; NULL with MP_ENOMEM. */
mp__object *mp__object_alloc(const mp_class *cls);

/* A registered class by module and name (user classes and the library's). */
const mp_class *mp__class_lookup(const char *module, size_t mlen, const char *name, size_t nlen);

/*
 * Passing descriptors to a child (spawn and forkserver).  While the parent
 * pickles a process description, mp__reduce_begin() collects descriptors:
 * mp__reduce_fd(fd) returns fd's index in the list, or, outside a
 * description (a value put in a queue or sent on a connection),
 * MP_ERUNTIME "<Name> objects should only be shared between processes
 * through inheritance", as CPython's assert_spawning.  The child gives the
 * received descriptors to mp__rebuild_begin(); mp__rebuild_fd(i) takes
 * descriptor i (each once; -1 with an error otherwise), and
 * mp__rebuild_end() closes any not taken.  Both lists are per thread.
 */
typedef struct mp__fdlist {
    int *fds;
    size_t n, cap;
} mp__fdlist;
void mp__reduce_begin(mp__fdlist *l);
void mp__reduce_end(void);
int mp__reduce_fd(const mp__object *self, int fd);
void mp__rebuild_begin(mp__fdlist *l);
int mp__rebuild_fd(int64_t index);
void mp__rebuild_end(void);
void mp__fdlist_close(mp__fdlist *l);      /* closes what no one took; frees */
void mp__fdlist_release(mp__fdlist *l);    /* frees the list only (borrowed fds) */
/* The child's side of mp__send_description: the 4-byte length header and
 * the descriptors riding on it (close-on-exec), appended to fds. */
int mp__recv_description_header(int sock, uint8_t hdr[4], mp__fdlist *fds);

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

/* Every end of a duplex Pipe this process holds is no longer counted as
 * open by its peers (connection_lane.c): the last thing a process does
 * in its exit function, as the kernel is about to close them. */
void mp__lanes_forget_all(void);
/* Around fork() in the fork start method: hold the hook lists' locks
 * across it, then release them (parent) or make them anew (child). */
void mp__hooks_before_fork(void);
void mp__hooks_after_fork_parent(void);
void mp__hooks_after_fork_child(void);

/* ---- connections (connection.c), for Listener, Client and the queues ---- */

/* A new bytes value of len bytes whose contents the caller writes through
 * *data (value.c).  NULL with MP_ENOMEM. */
mp_value *mp__bytes_uninit(size_t len, uint8_t **data);

/* Send one framed message of n bytes; receive one into a malloc'd buffer
 * (*buf, *n; the caller frees), refusing more than maxlength bytes
 * (MP_ALL: no limit).  Errors as mp_connection_send_bytes/recv_bytes. */
int mp__conn_send(mp_connection *c, const void *buf, size_t n);
int mp__conn_recv(mp_connection *c, ptrdiff_t maxlength, uint8_t **buf, size_t *n);

/* CPython's frame header for a message of n bytes, into hdr: 4 bytes, or
 * the -1 marker and an 8-byte length from 2 GiB up; returns its length.
 * Shared by connections and the queues' channel (queue_channel.c). */
size_t mp__frame_header(uint8_t hdr[12], uint64_t n);

/* Reading one: the length h gives.  h holds 4 bytes, or 12 when they are
 * the -1 marker (mp__frame_is_big).  UINT64_MAX for a negative 4-byte
 * length, which CPython would read as a huge one and fail on. */
bool mp__frame_is_big(const uint8_t h[4]);
uint64_t mp__frame_length(const uint8_t *h);

/* Write every byte of the iovecs (which this consumes) to c, with no
 * SIGPIPE; *sent (if not NULL) counts the bytes that went, also on an
 * error.  0, or the error of the write (MP_EOS for EPIPE). */
int mp__conn_writev(mp_connection *c, struct iovec *iov, int iovcnt, size_t *sent);

/* Read exactly n bytes from fd.  EOF before the first byte of a message
 * (message_start) is MP_EEOF; EOF inside one is MP_EOS "got end of file
 * during message", as CPython's _recv says. */
int mp__read_full(int fd, void *buf, size_t n, bool message_start);

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
    char msg[2048];
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

/* util.get_temp_dir(): this program's private temporary directory (made on
 * first use, logged, removed at exit); NULL with an OSError recorded. */
const char *mp__get_temp_dir(void);

/* Flush stdout and stderr (util._flush_std_streams). */
void mp__flush_std_streams(void);

/* The logger's per-process name lookup uses the current process. */
const char *mp__current_name(void);

/* A start method's back end (popen_fork.py, popen_spawn_posix.py,
 * popen_forkserver.py).  launch starts the child and sets p->pid,
 * p->sentinel and p->parent_w; poll returns the exit code once the child has
 * ended (recording it in p->exitcode), else MP_EXITCODE_NONE, waiting for
 * it if block. */
typedef struct mp__popen_ops {
    const char *method;
    int (*launch)(mp_process *p);
    int (*poll)(mp_process *p, bool block);
} mp__popen_ops;

extern const mp__popen_ops mp__popen_fork_ops, mp__popen_spawn_ops, mp__popen_forkserver_ops;

/* Dispatch to the process's back end; before start, poll gives NONE. */
int mp__popen_poll(mp_process *p, bool block);
/* wait(timeout): poll after waiting up to timeout for the sentinel. */
int mp__popen_wait(mp_process *p, double timeout);
int mp__popen_send_signal(mp_process *p, int sig);

/* waitpid-based poll, shared by fork and spawn (the child is ours). */
int mp__popen_waitpid_poll(mp_process *p, bool block);

/* The back end a process starts with (fixing the default method). */
const mp__popen_ops *mp__context_ops(const mp_process *p);
/* The context classes by name ("SpawnProcess"), and a class's context. */
const mp_process_class *mp__context_class(const char *name);
struct mp_context *mp__context_by_class(const mp_process_class *cls);
/* The program spawn and forkserver run: set_executable's, or our own. */
const char *mp__executable(void);
/* argv[0] as mp_main saw it, for children's command lines. */
const char *mp__argv0(void);

/* Processes made from their pickled description (spawn.c). */
mp_process *mp__process_alloc(const mp_process_class *cls);
const mp_process_class *mp__process_default_class(void);
const mp_process_class *mp__class_find(const char *name);

/* spawn.c: what a child that re-runs the program needs, and its side.
 * encode gives the bytes to send (a 4-byte big-endian length, then a
 * pickle); child_main reads them from fd, becomes the process, runs it and
 * returns the exit code. */
int mp__spawn_encode(mp_process *p, const char *method, uint8_t **out, size_t *len,
                     mp__fdlist *fds);
/* Send a description on the stream to the child: the descriptors ride on
 * its first byte (SCM_RIGHTS).  With partial, only what the socket takes
 * without blocking is sent; *sent says how much (the rest goes later with
 * mp__write_all).  0 or MP_EOS. */
int mp__send_description(int sock, const uint8_t *buf, size_t len, const mp__fdlist *fds,
                         bool partial, size_t *sent);
int mp__spawn_child_main(int fd, const char *method);
/* True while a child that re-ran the program has not reached mp_main. */
bool mp__spawn_inheriting(void);
/* CPython's RuntimeError about the bootstrapping phase, if inheriting. */
int mp__check_not_importing_main(void);
void mp__set_module_name(const char *name);
/* Marks mp_main as reached (the end of the bootstrapping phase). */
void mp__set_bootstrapped(void);

/* posix_spawn this program with extra arguments, passing the descriptors
 * in keep as 3, 4, ... and closing all others but 0-2 (popen_spawn.c; the
 * forkserver starts its server this way). */
int mp__spawn_program(const char *const *extra, size_t nextra, const int *keep, size_t nkeep,
                      pid_t *pid);

/* The forkserver's own loop (forkserver.c), entered before main() runs.
 * It returns only in a child it forked: the descriptor from which that
 * child reads its description. */
int mp__forkserver_main(int listener, int alive_r);
/* Ask the server (started on first use) to fork a child that reads its
 * description from child_data and whose pid and exit code go to status_w. */
int mp__forkserver_connect(int child_data, int status_w);
/* Stop the forkserver this process started, if any (at exit). */
void mp__forkserver_stop(void);

/* Logger state, carried to children that re-run the program. */
void mp__log_get(bool *exists, int *level, int *handlers);
void mp__log_set(bool exists, int level, int handlers);

/* Send all of buf on a socket or pipe without SIGPIPE; read exactly n. */
int mp__write_all(int fd, const void *buf, size_t n);
int mp__read_exact(int fd, void *buf, size_t n);

/* The child's side: set up, run, shut down; returns the exit code. */
int mp__process_bootstrap(mp_process *p, const char *parent_name, pid_t parent_pid,
                          int parent_sentinel);

/* ---- a receive buffer kept for the next message (spare.c) --------------- */

/* Messages from MP__SPARE_MIN bytes up are read into the spare when it is
 * big enough; buffers up to MP__SPARE_MAX are kept. */
#define MP__SPARE_MIN ((size_t)128 * 1024)
#define MP__SPARE_MAX ((size_t)16 << 20)
typedef struct mp__spare {
    uint8_t *p;                 /* malloc'd, or NULL; exchanged atomically */
} mp__spare;

/* The spare, if it holds at least n bytes (n >= MP__SPARE_MIN), now the
 * caller's; else NULL (allocate as usual).  Thread-safe. */
uint8_t *mp__spare_take(mp__spare *s, size_t n);
/* Give back a malloc'd buffer (or NULL) once done with it: kept as the
 * spare if its size is within the limits, else freed.  Thread-safe. */
void mp__spare_give(mp__spare *s, uint8_t *p);
/* Free the spare (the owner's finalizer). */
void mp__spare_free(mp__spare *s);

/* Wait until fd is readable or timeout seconds pass (negative: forever).
 * Returns 1 readable, 0 timed out, negative on error.  Retries on EINTR. */
int mp__wait_readable(int fd, double timeout);

#endif

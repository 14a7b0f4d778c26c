/* core.h - the ground floor every other floor stands on: values and objects, errors, the string buffer, whole reads and writes. */
#ifndef MP_CORE_H
#define MP_CORE_H

/*
 * The library is built in floors that follow CPython's Lib/multiprocessing
 * (docs/README.md maps each folder to its module).  A floor's header
 * includes the one below it, so a file sees its own floor and every floor
 * under it, never one above: scripts/check-layers fails the build if an
 * #include or a symbol goes up.  This floor is what Python itself gives
 * multiprocessing: objects, exceptions, str(), and the os module's reads
 * and writes.
 */
#include "mp.h"

#include <stdarg.h>
#include <sys/types.h>
#include <sys/uio.h>

/* ---- values and objects (value.c, object.c) -------------------------------- */

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
    /* MP_TRACE's name for the object, "pid.n", the same in every process
     * that holds it (a pickled one carries it, see pickle_dump.c); n == 0:
     * not traced (tracing is off, or the library's own inner object). */
    uint32_t trace_pid, trace_n;
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
 *   repr      writes the object's repr() where CPython's class has its
 *             own (a Lock's "<Lock(owner=None)>"); false when out of
 *             memory.  NULL: object.__repr__, "<module.Name object at 0x...>".
 * Under fork neither runs: the child shares the parent's memory and
 * descriptors.
 */
struct mp__buf;
typedef struct mp__native {
    size_t size;
    void (*finalize)(mp__object *self);
    mp_value *(*reduce)(mp__object *self);
    mp__object *(*rebuild)(const mp_value *state);
    bool (*repr)(const mp__object *self, struct mp__buf *b);
    /* The forms CPython's own pickles take, for objects a Python peer
     * sends and reads too (a manager's Token and proxies, exceptions,
     * slices); each NULL when the class has no such form:
     *   construct  the object that cls(*args) (REDUCE) or
     *              cls.__new__(cls, *args) (NEWOBJ) makes, into *out
     *   setstate   BUILD's state, given once, right after construct
     *   getstate   dumped as cls, (), NEWOBJ, state, BUILD (a class with
     *              __getstate__, as copyreg writes it)
     *   reduce_ex  dumped as fn(*args): *fn a class (a global) and *args a
     *              new tuple (a class with __reduce__)
     *   str        str() where it differs from repr() (a proxy asks its
     *              referent); false with the error recorded. */
    int (*construct)(const mp_class *cls, const mp_value *args, mp_value **out);
    int (*setstate)(mp__object *self, const mp_value *state);
    mp_value *(*getstate)(const mp__object *self);
    int (*reduce_ex)(const mp__object *self, const mp_class **fn, mp_value **args);
    bool (*str)(const mp__object *self, struct mp__buf *b);
} mp__native;

/* A zeroed object of a library class (cls->native->size bytes), one
 * reference; NULL with MP_ENOMEM. */
mp__object *mp__object_alloc(const mp_class *cls);

/* A registered class by module and name (user classes and the library's). */
const mp_class *mp__class_lookup(const char *module, size_t mlen, const char *name, size_t nlen);

/* A new bytes value of len bytes whose contents the caller writes through
 * *data (value.c).  NULL with MP_ENOMEM. */
mp_value *mp__bytes_uninit(size_t len, uint8_t **data);

/* mp_value_from_arg with its error: 0 and a new reference in *out, or the
 * code of the failure (a taken-over NULL fails as mp__null_value says). */
int mp__value_from_arg(mp_arg a, mp_value **out);

/* A str's UTF-8 bytes and their length, in constant time (the value keeps
 * both), or NULL if v is not a str. */
const char *mp__str_utf8(const mp_value *v, size_t *len);

/* ---- changing lists and dicts (value_mutate.c) ------------------------------ */

/* list[start:stop] = items (tuple or list, lent; NULL deletes);
 * list.reverse(); del dict[key] (0 done, 1 missing, or the hash's error);
 * dict.clear().  The caller checks types and bounds. */
int mp__list_splice(mp_value *list, size_t start, size_t stop, const mp_value *items);
void mp__list_reverse(mp_value *list);
int mp__dict_del(mp_value *dict, const mp_value *key);
int mp__dict_clear(mp_value *dict);

/* ---- builtins a peer pickles by reference (builtins.c) --------------------- */

/* A class as a value (pickled as its global name), and the class it is
 * (NULL if v is not one). */
extern const mp_class mp__type_class;
mp_value *mp__type_value(const mp_class *cls);
const mp_class *mp__type_of_value(const mp_value *v);

/* slice(start, stop, step), parts None or ints; and slice.indices(n). */
extern const mp_class mp__slice_class;
mp_value *mp__slice_new(const mp_value *start, const mp_value *stop, const mp_value *step);
bool mp__is_slice(const mp_value *v);
int mp__slice_indices(const mp_value *slice, size_t n, int64_t *start, int64_t *stop,
                      int64_t *step, size_t *count);

/* Exceptions as values: Name(*args) for the classes the loader allows
 * (builtins' own, queue's, threading's BrokenBarrierError,
 * multiprocessing's).  mp__exception_new takes args (a tuple; NULL: ())
 * and fails with MP_EVALUE for a name not among them; _from_error makes
 * this thread's last failure one (Name(message,)), or NULL when its name
 * is not among them; _raise records one as this thread's failure, with
 * its code when the name has one (ValueError: MP_EVALUE), else as
 * mp_raise does, and returns the code; with keep, the next _from_error
 * in this thread gives exc itself back (a server's reply). */
bool mp__is_exception(const mp_value *v);
mp_value *mp__exception_new(const char *qualname, mp_value *args);
mp_value *mp__exception_from_error(int code);
int mp__exception_raise(const mp_value *exc, bool keep);

/* ---- errors (errors.c) --------------------------------------------------- */

/* Record code and a printf-formatted message (CPython's wording) for
 * mp_errmsg() in this thread, and return code so callers can write
 * `return mp__fail(MP_EVALUE, "process object is closed");`. */
int mp__fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int mp__vfail(int code, const char *fmt, va_list ap);

/* Record an OSError from errno, as "[Errno N] strerror: what" (mp_errno()
 * keeps N); or with the errno and message given. */
int mp__fail_errno(const char *what);
int mp__fail_os(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Attributing a failure to the call that made it.  Before calling code
 * that records failures of its own (a callback, a class's reduce), take a
 * mark; if that code then fails, mp__fail_since returns the failure it
 * recorded since the mark, or, if it recorded none, records this one.
 * So a caller never reports an older failure of the thread as its own. */
unsigned long mp__fail_mark(void);
int mp__fail_since(unsigned long mark, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A call that takes over a value was given NULL, the result of a
 * constructor that failed: by mp.h's rule it fails with the error that
 * constructor recorded (the thread's last), or MP_EVALUE if there is none. */
int mp__null_value(void);
/* The code whose exception name is name ("ValueError" MP_EVALUE), or 0. */
int mp__code_named(const char *name);

/* The exception type name recorded by the last failure in this thread
 * (for MP_EEXCEPTION, the mp_raise type name). */
const char *mp__exc_type(void);

/* The status recorded by the last mp_sys_exit() in this thread. */
int mp__exit_status(void);

/* The pending exception of this thread, saved across code (the shutdown
 * function) that may record failures of its own. */
#define MP__ERRTYPE_MAX 128
#define MP__ERRMSG_MAX 2048
typedef struct mp__exc {
    int code, err, status;
    char type[MP__ERRTYPE_MAX];
    char msg[MP__ERRMSG_MAX];
} mp__exc;
void mp__exc_save(mp__exc *e);
void mp__exc_restore(const mp__exc *e);

/* ---- SIGINT as KeyboardInterrupt (interrupt.c) ------------------------------ */

/* Install the handler that turns SIGINT into a pending KeyboardInterrupt,
 * if SIGINT still has its default action (mp_main calls it). */
void mp__sigint_install(void);
/* A blocking wait's check, when a signal interrupted it and before it
 * blocks: MP_EINTERRUPT ("KeyboardInterrupt", recorded) if a SIGINT is
 * pending, which it takes; else 0. */
int mp__interrupted(void);
/* Forget a pending SIGINT and the exit below (a new child starts clean). */
void mp__interrupt_reset(void);
/* Whether the program, as it ends, dies by SIGINT as CPython does after an
 * uncaught KeyboardInterrupt (mp_excepthook sets it; a child's bootstrap
 * clears it: a child exits with code 1); the exit function's very last act
 * does it (mp__interrupt_finish). */
void mp__interrupt_exit_by_signal(bool yes);
void mp__interrupt_finish(void);

/* ---- the string buffer (buf.c) and str() (repr.c) -------------------------- */

/* Growable byte buffer used to build strings (repr, log lines, names). */
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
/* str(v) appended to b: false (with the error recorded) on failure. */
bool mp__buf_str(mp__buf *b, const mp_value *v);
/* repr(float) appended to b. */
void mp__buf_float(mp__buf *b, double d);

/* ---- descriptors (io.c) ---------------------------------------------------- */

/* Wait until fd is readable or the deadline (below) passes.  Returns 1
 * readable, 0 timed out, negative on error.  Retries on EINTR. */
typedef struct mp__deadline mp__deadline;
int mp__wait_readable(int fd, const mp__deadline *d);

/* Every byte of the iovecs (which this consumes), with no SIGPIPE: on a
 * socket (while *is_socket) send() with MSG_NOSIGNAL, clearing *is_socket
 * if fd is not one; on a pipe writev() with SIGPIPE held off, so a reader
 * that has gone is EPIPE.  Retries on EINTR;
 * *sent (if not NULL) counts the bytes that went, also on an error.
 * 0, or MP_EOS from errno. */
int mp__writev_all(int fd, bool *is_socket, struct iovec *iov, int iovcnt, size_t *sent);
int mp__write_all(int fd, const void *buf, size_t n);

/* Read exactly n bytes from fd.  EOF before the first byte of a message
 * (message_start) is MP_EEOF; EOF inside one is MP_EOS "got end of file
 * during message", as CPython's _recv says. */
int mp__read_exact(int fd, void *buf, size_t n, bool message_start);

/* A list of descriptors: those a description passes to a child (see
 * reduction.h), or those that came with bytes read from a socket. */
typedef struct mp__fdlist {
    int *fds;
    size_t n, cap;
} mp__fdlist;
void mp__fdlist_close(mp__fdlist *l);      /* closes what no one took; frees */
void mp__fdlist_release(mp__fdlist *l);    /* frees the list only (borrowed fds) */

/* Send len bytes on a Unix socket with nfds descriptors riding on the
 * first byte (SCM_RIGHTS).  With partial, only what the socket takes
 * without blocking is sent; *sent says how much.  0 or MP_EOS. */
int mp__send_fds(int sock, const void *buf, size_t len, const int *fds, size_t nfds,
                 bool partial, size_t *sent);
/* Read exactly n bytes from a Unix socket, appending every descriptor
 * that comes with them to fds (close-on-exec).  Errors as mp__read_exact
 * with message_start. */
int mp__recv_fds(int sock, void *buf, size_t n, mp__fdlist *fds);

/* Big-endian integers, as CPython's struct.pack("!i") and friends. */
static inline void mp__put_be32(uint8_t *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (24 - 8 * i));
}

static inline void mp__put_be64(uint8_t *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (56 - 8 * i));
}

static inline uint32_t mp__get_be32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static inline uint64_t mp__get_be64(const uint8_t *b)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | b[i];
    return v;
}

/* Little-endian, for lengths only our own processes read (SimpleQueue's
 * ring): the byte order of the machine, written the same everywhere. */
static inline void mp__put_le64(uint8_t *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t mp__get_le64(const uint8_t *b)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | b[i];
    return v;
}

/* ---- random bytes and time (io.c) ------------------------------------------- */

/* n bytes from the kernel's random source (getrandom()): true, or false
 * with errno set.  The caller decides what a failure means; none may
 * stand a weaker source in for it silently. */
bool mp__random_bytes(void *buf, size_t n);

/* Seconds on the monotonic clock. */
double mp__monotonic(void);

/* When a wait that begins now must end, from its mp_timeout (mp.h's one
 * encoding): never (MP_WAIT_FOREVER), now (0 or less: only try), or at an
 * instant on the monotonic clock.  A wait made of several waits (a lock,
 * then a pipe) takes one deadline through all of them. */
struct mp__deadline {
    enum { MP__NEVER, MP__NOW, MP__AT } kind;
    struct timespec at;             /* MP__AT: CLOCK_MONOTONIC */
};
/* Set *d from t: 0, or MP_EVALUE "cannot convert float NaN to integer" (then
 * *d is "now"). */
int mp__deadline_set(mp__deadline *d, mp_timeout t);
/* What is left, for poll(): -1 never, 0 once passed, else milliseconds
 * rounded up. */
int mp__deadline_ms(const mp__deadline *d);
/* The end of one slice of a wait that must wake now and then to look (at
 * a holder's death, say): ns from now, or d's instant if that comes
 * first, and then *last (when not NULL) is true: the slice is the wait's
 * last.  Only try (MP__NOW) is its last slice at once. */
struct timespec mp__deadline_slice(const mp__deadline *d, long ns, bool *last);
/* The two deadlines that need no clock: wait without limit, only try. */
extern const mp__deadline mp__forever, mp__now;

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

/* ---- MP_TRACE (trace.c; the format is docs/trace.md's) --------------------- */

/* The trace file's descriptor, -1 when MP_TRACE is unset (read once, before
 * main(), in every process that runs the program).  A call site writes
 *     if (MP__TRACING) mp__trace_message("put", "Queue", &q->ob, -1, v);
 * so that tracing off costs one predictable branch. */
extern int mp__trace_fd;
#ifdef MP__TRACE_COMPILED_OUT
/* The benchmark's baseline only (make bench builds one copy of lock.c so):
 * the event sites without their check, to show what the check costs. */
#define MP__TRACING 0
#else
#define MP__TRACING __builtin_expect(mp__trace_fd >= 0, 0)
#endif
#define MP__TRACE_REPR 40

/* How the trace learns current_process().name (the process floor hands it
 * in, through mp__log_set_name_source). */
void mp__trace_set_name_source(const char *(*fn)(void));
/* Give o a new trace name: this process's pid and the next number. */
void mp__trace_new_id(mp__object *o);

/* A line by parts: begin (timestamp, pid, process name, event), fields,
 * end (written whole with one write()).  Only while MP__TRACING.  None of
 * them records an error: a failure of the trace loses the line only. */
void mp__trace_begin(mp__buf *b, const char *event);
void mp__trace_quoted(mp__buf *b, const char *key, const char *s, size_t n);
void mp__trace_obj(mp__buf *b, const char *kind, const mp__object *o);
void mp__trace_repr(mp__buf *b, const mp_value *v);
void mp__trace_end(mp__buf *b);
/* Whole lines: an event on an object (kind obj=), and a message on one
 * (size < 0 leaves size out; v's repr, cut short).  Nothing for an
 * object whose trace_n is 0. */
void mp__trace_obj_event(const char *event, const char *kind, const mp__object *o);
void mp__trace_message(const char *event, const char *kind, const mp__object *o, long size,
                       const mp_value *v);
/* An event with a result: ok=1 (acquired, woken) or ok=0 (timed out). */
void mp__trace_result(const char *event, const mp__object *o, bool ok);
/* The library's inner object (an Event's Condition): no lines of its own. */
static inline void mp__trace_off(mp__object *o)
{
    if (o)
        o->trace_n = 0;
}

#endif

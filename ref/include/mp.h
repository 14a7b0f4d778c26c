/* mp.h - Forklore: Python's multiprocessing as a C library (the one public header). */
#ifndef MP_H
#define MP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What the library exports: it is built with -fvisibility=hidden, so a
 * function not declared MP_EXTERN here stays inside it (the mp__ names
 * below are the few the macros of this header expand to). */
#if defined(__GNUC__) || defined(__clang__)
#define MP_EXTERN __attribute__((visibility("default")))
#else
#define MP_EXTERN
#endif

/*
 * How to read this header: the rules every call keeps
 * ---------------------------------------------------
 * A new call follows these rules; a call that would need an exception to
 * one of them means the rule is wrong, and is changed everywhere.
 *
 * Names.  Every Python class becomes a family of functions named
 * mp_<class>_<method> (queue.put is mp_queue_put).  Keyword arguments
 * become an options struct filled with designated initializers, and every
 * field's zero value is Python's default, so
 *     mp_process_new(&(mp_process_opts){.target = worker, .name = "w1"})
 * reads like Process(target=worker, name="w1").  Names with two
 * underscores (mp__) are the library's own: only the macros below use them.
 *
 * Errors.  A call that can fail returns int: 0 (or a non-negative result)
 * on success, a negative MP_E* code on failure.  Each code stands for the
 * Python exception of the same meaning (mp_errname() gives its name) and
 * the failing call records Python's message for this thread (mp_errmsg();
 * for an OSError, mp_errno()).  Only a failing call changes them: a call
 * that succeeds leaves the last failure as it was.  A call that returns a
 * pointer returns NULL on failure, with the code in mp_errcode().  A call
 * that returns bool cannot fail, or says in its contract what a misuse
 * gives.
 *
 * Constructors.  mp_<class>_new(...) and the context factories
 * mp_context_<class>(ctx, ...) return the new object, or NULL.  The one
 * constructor that makes two objects, mp_pipe, returns int and fills two
 * out-pointers.  Objects are released with mp_<class>_free (values with
 * mp_decref).
 *
 * Ownership is in the signature.  Values (mp_value *) are reference
 * counted.
 *   - A call that returns mp_value * (or fills an mp_value ** out-pointer)
 *     gives you a new reference: release it with mp_decref().  One that
 *     returns const mp_value * lends it: it lives as long as what you got
 *     it from, and mp_incref() makes it yours.
 *   - A const mp_value * parameter is borrowed: the call only looks.
 *   - An mp_value * parameter is taken over (stolen), even when the call
 *     fails: mp_tuple_of("bob", mp_int(3)) leaks nothing.  The exception
 *     is the object a call works on (the list of mp_list_append, the
 *     object of mp_setattr), its first argument: it stays yours.
 *   - A call that takes over a value accepts NULL in its place, the result
 *     of a constructor that failed: it releases the rest and fails with
 *     the error that constructor recorded, so
 *         rc = mp_queue_put(q, mp_list_of(42, mp_none(), "hello"));
 *     needs no check in between.  In an options struct a NULL field is
 *     Python's default instead (.args NULL is args=()), so check a
 *     constructor there if it can fail for more than a lack of memory.
 *   - The calls that take any C argument (mp_tuple_of, mp_list_of,
 *     mp_queue_put, mp_simple_queue_put, mp_connection_send) turn a C
 *     string or number into a value, take over an mp_value * and take a
 *     reference of their own to a const mp_value *; mp_print only looks.
 * Values are immutable once shared between processes; a list or dict may be
 * changed only by the code that owns its sole reference.
 *
 * Interrupts.  Every call that can wait long (join, get, put on a full
 * queue, recv, poll, wait, accept, a JoinableQueue's join) fails with
 * MP_EINTERRUPT, KeyboardInterrupt, when SIGINT comes before or while it
 * waits, once mp_main has set that up (see mp_main); never inside a
 * message, whose bytes would be left half read.
 *
 * Timeouts.  Every call that waits takes an mp_timeout, positional or in
 * an options struct: MP_WAIT_FOREVER is Python's None (wait without
 * limit), MP_TIMEOUT(seconds) waits at most that long, and MP_TIMEOUT(0)
 * (or a negative number) does not wait, wherever Python's timeout=0 means
 * that.  A zeroed mp_timeout is MP_WAIT_FOREVER, so a zeroed options
 * struct keeps Python's default.  Waits use the monotonic clock: setting
 * the wall clock neither shortens nor stretches them.  A NaN is
 * MP_EVALUE "cannot convert float NaN to integer", as CPython's join,
 * poll, get and wait say it; a Queue's put, whose semaphore CPython tries
 * at once, meets the NaN only when it must wait (see mp_queue_put).
 *
 * Yes, no, default.  An int option that Python spells True/False/None is
 * a tri-state: 0 takes Python's default, MP_YES or MP_NO choose.
 *
 * Fork and threads.  The library keeps per-process state (the current
 * process, its children, the logger) and resets it in each child it starts.
 * Calls are not thread-safe unless a contract says otherwise.
 *
 * Tracing.  With the environment variable MP_TRACE=<file> set, every
 * process of the program appends one line to that file per event: a
 * process started, began, ended, or was seen to exit (with its code); a
 * message put or got on a queue, sent or received on a connection (which
 * object, its size, a short repr); a lock or semaphore acquired or
 * released, a Condition or Event waited on, notified or set; a Pool task
 * submitted, started, done.  Each line carries the monotonic clock, the
 * pid and current_process().name, and is written whole with one write()
 * (O_APPEND), so the lines of several processes never mix.  The format,
 * which the Python twins write too, is docs/trace.md's; scripts/trace-draw
 * draws a trace with Graphviz (make trace-N).  MP_TRACE is read once, as
 * the program starts (and again in a child started by spawn or
 * forkserver, which inherits the variable); unset, tracing costs one
 * predictable branch per event site.  A failure to write loses the line,
 * never the call's result.
 *
 * Exceptions with no code of their own (a managed dict's KeyError, a
 * ZeroDivisionError a served method raised) are MP_EEXCEPTION, named by
 * mp_errname() as CPython names them.
 */

/* Yes and no for tri-state options (0 is Python's default). */
#define MP_YES 1
#define MP_NO (-1)

/* A timeout: see the rules above.  Write MP_WAIT_FOREVER or MP_TIMEOUT(s). */
typedef struct mp_timeout {
    bool given;                 /* false: Python's None, no limit */
    double seconds;             /* when given: at most this long; <= 0 does not wait */
} mp_timeout;
#define MP_TIMEOUT(s) ((mp_timeout){.given = true, .seconds = (double)(s)})
#define MP_WAIT_FOREVER ((mp_timeout){.given = false, .seconds = 0})

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */
/* ------------------------------------------------------------------------ */

enum {
    MP_OK = 0,
    MP_ENOMEM = -1,          /* MemoryError */
    MP_EVALUE = -2,          /* ValueError */
    MP_ETYPE = -3,           /* TypeError */
    MP_EOVERFLOW = -4,       /* OverflowError */
    MP_EASSERT = -5,         /* AssertionError (CPython's asserts on misuse) */
    MP_ERUNTIME = -6,        /* RuntimeError */
    MP_EOS = -7,             /* OSError; mp_errno() gives its errno */
    MP_EEMPTY = -8,          /* queue.Empty */
    MP_EFULL = -9,           /* queue.Full */
    MP_EEOF = -10,           /* EOFError */
    MP_EAUTH = -11,          /* multiprocessing.AuthenticationError */
    MP_EBUFFERTOOSHORT = -12,/* multiprocessing.BufferTooShort */
    MP_EPICKLE = -13,        /* pickle.PicklingError */
    MP_EUNPICKLE = -14,      /* pickle.UnpicklingError */
    MP_EINDEX = -15,         /* IndexError */
    MP_EEXCEPTION = -16,     /* an exception raised with mp_raise(): its own type name */
    MP_ESYSTEMEXIT = -17,    /* SystemExit, from mp_sys_exit() */
    MP_EATTR = -18,          /* AttributeError */
    MP_ECLOSED = -19,        /* OSError "handle is closed" (a Connection or queue used
                                after close; CPython's has no errno, so mp_errno() is 0) */
    MP_EINTERRUPT = -20,     /* KeyboardInterrupt: SIGINT came (see mp_main) */
    MP_EOWNERDEAD = -21,     /* OwnerDiedError, Forklore's own: a process died holding a
                                lock; what it guarded may be half done (a message it was
                                sending or taking is lost), or a Lock's, an RLock's or a
                                Condition's: the caller holds it now, and what it protected
                                may be half changed.  CPython waits for ever instead */
    MP_EBROKENBARRIER = -22, /* threading.BrokenBarrierError: a Barrier was aborted, reset
                                or timed out while waiting (its message is empty) */
    MP_ETIMEOUT = -23,       /* multiprocessing.context.TimeoutError: AsyncResult.get or
                                IMapIterator.next timed out (its message is empty) */
    MP_ESTOPITERATION = -24, /* StopIteration: an IMapIterator has no more results */
    MP_EWORKERLOST = -25,    /* WorkerLostError, Forklore's own (billiard's name): a Pool
                                worker died while it ran the task; CPython waits for ever */
    MP__ELAST = -25
};

/* The Python exception name for a code, as a traceback prints it ("ValueError",
 * "_queue.Empty", "multiprocessing.context.AuthenticationError"); "?" if unknown.
 * For the code mp_raise() returns it is the type name given to the most
 * recent mp_raise() in this thread.  For MP_EOS, when the most recent failure
 * in this thread was one, it is the subclass of OSError that CPython raises
 * for its errno (FileNotFoundError for ENOENT, BrokenPipeError for EPIPE,
 * ConnectionRefusedError, PermissionError, ...: PEP 3151's table), and
 * OSError for the others.  Never NULL; static or thread-local storage. */
MP_EXTERN const char *mp_errname(int code);

/* A fixed English description of a code.  Never NULL; static storage. */
MP_EXTERN const char *mp_strerror(int code);

/* The message of the most recent failure in this thread, as CPython words it
 * ("cannot start a process twice").  Empty string if none.  Valid until the
 * next failing call in this thread. */
MP_EXTERN const char *mp_errmsg(void);

/* The code of the most recent failure in this thread (MP_OK if none), for
 * calls that return NULL on failure:
 *     if (p == NULL) return mp_excepthook(mp_errcode()); */
MP_EXTERN int mp_errcode(void);

/* The errno of the most recent failure in this thread when it was an
 * OSError from the system (EADDRINUSE, ECONNREFUSED, EPIPE, ...), else 0;
 * as Python's OSError.errno. */
MP_EXTERN int mp_errno(void);

/* The analog of `raise TypeName(message)`.  Records the exception for this
 * thread and returns MP_EEXCEPTION, so a target writes
 *     return mp_raise("RuntimeError", "There was an error!");
 * The message is printf-formatted. */
MP_EXTERN int mp_raise(const char *type_name, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The analog of sys.exit(status).  Records the status (mp_errmsg() is "1"
 * for mp_sys_exit(1), as str(SystemExit(1)) is) and returns
 * MP_ESYSTEMEXIT: `return mp_sys_exit(1);` from a target ends the child with
 * exitcode 1 after the usual shutdown.  In the main program the same return
 * from main() exits with that status. */
MP_EXTERN int mp_sys_exit(int status);

/* The analog of Python printing an uncaught exception and exiting: prints
 * "Traceback (most recent call last):" and "Name: message" for code to
 * stderr and returns the exit status Python would use (1, or the status of
 * mp_sys_exit).  For main(): `if (rc < 0) return mp_excepthook(rc);` */
MP_EXTERN int mp_excepthook(int code);

/* ------------------------------------------------------------------------ */
/* Values: the C analog of picklable objects                                */
/* ------------------------------------------------------------------------ */

typedef struct mp_value mp_value;

typedef enum mp_type {
    MP_T_NONE, MP_T_BOOL, MP_T_INT, MP_T_FLOAT, MP_T_STR, MP_T_BYTES,
    MP_T_TUPLE, MP_T_LIST, MP_T_DICT, MP_T_OBJECT
} mp_type;

/* Constructors.  Each returns a new reference, or NULL with MP_ENOMEM when
 * out of memory; mp_none and mp_bool, which return immortal values, never
 * fail.  mp_str and mp_str_n also return NULL for invalid UTF-8, with
 * MP_EVALUE recorded as CPython's decoder words it ("'utf-8' codec can't
 * decode byte 0xff in position 0: invalid start byte"). */
MP_EXTERN mp_value *mp_none(void);
MP_EXTERN mp_value *mp_bool(bool b);
MP_EXTERN mp_value *mp_int(int64_t i);
MP_EXTERN mp_value *mp_float(double d);
MP_EXTERN mp_value *mp_str(const char *utf8);
MP_EXTERN mp_value *mp_str_n(const char *utf8, size_t len);
MP_EXTERN mp_value *mp_bytes(const void *data, size_t len);
MP_EXTERN mp_value *mp_tuple_new(size_t n);     /* n items, all None until set */
MP_EXTERN mp_value *mp_list_new(void);
MP_EXTERN mp_value *mp_dict_new(void);

/* Reference counting.  mp_incref returns its argument as a reference of
 * your own (so it takes what a reader lends: mp_incref(mp_item(t, 0)));
 * mp_decref releases one you own.  Both accept NULL. */
MP_EXTERN mp_value *mp_incref(const mp_value *v);
MP_EXTERN void mp_decref(mp_value *v);

/* Builders; they take over `item`/`key`/`val` (see the ownership rules above).
 * Return 0, MP_ENOMEM, MP_EINDEX "tuple index out of range", or MP_ETYPE:
 * a wrong container ("expected a tuple, got 'list'", "descriptor 'append'
 * for 'list' objects doesn't apply to a 'tuple' object") or an unhashable
 * dict key, a list or dict ("unhashable type: 'list'"). */
MP_EXTERN int mp_tuple_set(mp_value *tuple, size_t i, mp_value *item);
MP_EXTERN int mp_list_append(mp_value *list, mp_value *item);
MP_EXTERN int mp_dict_set(mp_value *dict, mp_value *key, mp_value *val);

/* Readers.  They lend what they return.  mp_item returns item i of a tuple
 * or list, or NULL with MP_EINDEX "tuple index out of range" (or "list
 * index out of range") recorded, or MP_ETYPE "'dict' object is not
 * subscriptable" for a value that is neither; mp_dict_get returns the value for key,
 * compared with Python's == (so 1, 1.0 and True are one key), or NULL: a
 * missing key records nothing, an unhashable one MP_ETYPE "unhashable
 * type: 'list'"; mp_dict_entry gives the i-th key and value in insertion
 * order (0, or MP_EINDEX "dict entry index out of range" past the end,
 * MP_ETYPE "expected a dict, got 'list'" for a value that is not a dict). */
MP_EXTERN mp_type mp_typeof(const mp_value *v);
MP_EXTERN const char *mp_type_name(const mp_value *v);   /* "int", "str", "NoneType", ... */
MP_EXTERN size_t mp_len(const mp_value *v);              /* items, code points, or bytes */
MP_EXTERN const mp_value *mp_item(const mp_value *seq, size_t i);
MP_EXTERN const mp_value *mp_dict_get(const mp_value *dict, const mp_value *key);
MP_EXTERN int mp_dict_entry(const mp_value *dict, size_t i, const mp_value **key, const mp_value **val);

/* Scalar accessors: the C value, or 0 / false / NULL if v has another type. */
MP_EXTERN bool mp_as_bool(const mp_value *v);            /* Python's truth value, any type */
MP_EXTERN int64_t mp_as_int(const mp_value *v);          /* int or bool */
MP_EXTERN double mp_as_float(const mp_value *v);         /* float, int or bool */
MP_EXTERN const char *mp_as_str(const mp_value *v);      /* NUL-terminated UTF-8 */
MP_EXTERN const uint8_t *mp_as_bytes(const mp_value *v, size_t *len);

/* Python's == between values (1 == 1.0 == True; nan != nan). */
MP_EXTERN bool mp_equal(const mp_value *a, const mp_value *b);

/* repr() and str() as Python 3.11 prints them.  Return a malloc'd string the
 * caller frees, or NULL when out of memory. */
MP_EXTERN char *mp_repr(const mp_value *v);
MP_EXTERN char *mp_tostring(const mp_value *v);

/* ---- Objects: instances of registered classes ---------------------------- */

/*
 * The analog of a Python class whose instances can be pickled, such as
 *     class MyFancyClass:
 *         def __init__(self, name): self.name = name
 * A class is a static description registered by name; an instance is a
 * value (MP_T_OBJECT) holding its attributes in a dict, its __dict__.
 * Methods are plain C functions taking the instance.  Pickled, an instance
 * is what CPython writes for a plain object (the class as the global
 * `module.name`, then its __dict__), so the same name on the Python side
 * (`__main__.MyFancyClass`) reads back as an instance of the registered
 * class, and the other way round.  An instance compares equal only to
 * itself, as Python's default __eq__ does, and is hashable.
 *
 *     static const mp_class MyFancyClass = {.name = "MyFancyClass"};
 *     MP_CLASS(MyFancyClass);
 *
 * The library's own classes (Connection, Queue, ...) are objects too, with
 * module names such as "multiprocessing.queues".
 */
/* A method: `def name(self, *args, **kwds)`.  self, args (a tuple) and
 * kwds (a dict, or NULL) are lent for the call; store a new reference in
 * *result (or leave it NULL: None) and return 0, or return a negative
 * code (mp_raise, a library call's).  A manager serves a class's methods
 * (see Managers). */
typedef int (*mp_method_fn)(mp_value *self, const mp_value *args, const mp_value *kwds,
                            mp_value **result);
typedef struct mp_method {
    const char *name;            /* "add"; a name starting with '_' is not public */
    mp_method_fn fn;
} mp_method;

typedef struct mp_class {
    const char *name;            /* __name__: "MyFancyClass" */
    const char *module;          /* __module__; NULL: "__main__" */
    const void *native;          /* the library's own classes only; NULL */
    const mp_method *methods;    /* ended by {NULL, NULL}; NULL: none */
} mp_class;

typedef struct mp_class_reg {
    const mp_class *cls;
    struct mp_class_reg *next;
} mp_class_reg;

MP_EXTERN void mp__object_class_register(mp_class_reg *r);

/* Register a class, so that an instance can be rebuilt from its name in a
 * child started by spawn or forkserver and from a CPython peer's pickle.
 * Two classes registered under one module and name is a fatal error at
 * program start. */
#define MP_CLASS(c)                                                           \
    static mp_class_reg mp__class_reg_##c = {&c, NULL};                       \
    __attribute__((constructor)) static void mp__register_oclass_##c(void)    \
    { mp__object_class_register(&mp__class_reg_##c); }                       \
    extern int mp__oclass_semicolon_##c

/* A new instance of cls with the attributes in dict (stolen; NULL for none),
 * a new reference; NULL with MP_ENOMEM, or MP_ETYPE if dict is not a dict
 * or its keys are not all str ("attribute name must be string, not 'int'"). */
MP_EXTERN mp_value *mp_object_new(const mp_class *cls, mp_value *dict);

/* The class of an instance, or NULL if v is not an object. */
MP_EXTERN const mp_class *mp_class_of(const mp_value *v);

/* True if v is an instance of cls. */
MP_EXTERN bool mp_isinstance(const mp_value *v, const mp_class *cls);

/* getattr(obj, name): lent, or NULL with MP_EATTR "'MyFancyClass'
 * object has no attribute 'x'" recorded. */
MP_EXTERN const mp_value *mp_getattr(const mp_value *obj, const char *name);

/* setattr(obj, name, val): takes over val.  0, MP_ENOMEM, or MP_EATTR for a
 * library object, whose state is not a dict of attributes ("'Queue' object
 * attribute 'x' is read-only"). */
MP_EXTERN int mp_setattr(mp_value *obj, const char *name, mp_value *val);

/* ---- Building from C values -------------------------------------------- */

/* One C argument as the generic builders and mp_print see it. */
typedef struct mp_arg {
    enum { MP__A_CSTR, MP__A_VALUE, MP__A_BORROWED, MP__A_PROCESS, MP__A_BOOL,
           MP__A_INT, MP__A_UINT, MP__A_FLOAT, MP__A_OBJECT } kind;
    union { const char *s; mp_value *v; const void *p; bool b; int64_t i;
            uint64_t u; double d; } u;
} mp_arg;

MP_EXTERN mp_arg mp__arg_cstr(const char *s);
MP_EXTERN mp_arg mp__arg_value(mp_value *v);
MP_EXTERN mp_arg mp__arg_borrowed(const mp_value *v);
MP_EXTERN mp_arg mp__arg_process(const void *p);
MP_EXTERN mp_arg mp__arg_bool(bool b);
MP_EXTERN mp_arg mp__arg_int(long long i);
MP_EXTERN mp_arg mp__arg_uint(unsigned long long u);
MP_EXTERN mp_arg mp__arg_float(double d);
MP_EXTERN mp_arg mp__arg_object(const void *o);

struct mp_process;
struct mp_connection;
struct mp_queue;
struct mp_simple_queue;
struct mp_lock;
struct mp_semaphore;
struct mp_condition;
struct mp_event;
struct mp_barrier;
struct mp_shared;
#define MP_ARG(x) _Generic((x),                                             \
    char *: mp__arg_cstr, const char *: mp__arg_cstr,                        \
    mp_value *: mp__arg_value, const mp_value *: mp__arg_borrowed,           \
    struct mp_process *: mp__arg_process,                                    \
    const struct mp_process *: mp__arg_process,                              \
    struct mp_connection *: mp__arg_object,                                  \
    struct mp_queue *: mp__arg_object,                                       \
    struct mp_simple_queue *: mp__arg_object,                                \
    struct mp_lock *: mp__arg_object, struct mp_semaphore *: mp__arg_object, \
    struct mp_condition *: mp__arg_object, struct mp_event *: mp__arg_object,\
    struct mp_barrier *: mp__arg_object, struct mp_shared *: mp__arg_object, \
    _Bool: mp__arg_bool,                                                     \
    signed char: mp__arg_int, short: mp__arg_int, int: mp__arg_int,          \
    long: mp__arg_int, long long: mp__arg_int,                               \
    unsigned char: mp__arg_uint, unsigned short: mp__arg_uint,               \
    unsigned: mp__arg_uint, unsigned long: mp__arg_uint,                     \
    unsigned long long: mp__arg_uint,                                        \
    float: mp__arg_float, double: mp__arg_float)(x)

/* Counting and mapping over up to 12 macro arguments. */
#define MP__NARGS(...) MP__NARGS_(__VA_ARGS__, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define MP__NARGS_(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, n, ...) n
#define MP__CAT(a, b) MP__CAT_(a, b)
#define MP__CAT_(a, b) a##b
#define MP__MAP(f, ...) MP__CAT(MP__MAP, MP__NARGS(__VA_ARGS__))(f, __VA_ARGS__)
#define MP__MAP1(f, a) f(a)
#define MP__MAP2(f, a, ...) f(a), MP__MAP1(f, __VA_ARGS__)
#define MP__MAP3(f, a, ...) f(a), MP__MAP2(f, __VA_ARGS__)
#define MP__MAP4(f, a, ...) f(a), MP__MAP3(f, __VA_ARGS__)
#define MP__MAP5(f, a, ...) f(a), MP__MAP4(f, __VA_ARGS__)
#define MP__MAP6(f, a, ...) f(a), MP__MAP5(f, __VA_ARGS__)
#define MP__MAP7(f, a, ...) f(a), MP__MAP6(f, __VA_ARGS__)
#define MP__MAP8(f, a, ...) f(a), MP__MAP7(f, __VA_ARGS__)
#define MP__MAP9(f, a, ...) f(a), MP__MAP8(f, __VA_ARGS__)
#define MP__MAP10(f, a, ...) f(a), MP__MAP9(f, __VA_ARGS__)
#define MP__MAP11(f, a, ...) f(a), MP__MAP10(f, __VA_ARGS__)
#define MP__MAP12(f, a, ...) f(a), MP__MAP11(f, __VA_ARGS__)
#define MP__ARGV(...) MP__NARGS(__VA_ARGS__), (const mp_arg[]){MP__MAP(MP_ARG, __VA_ARGS__)}

/* Note for C11: `true` and `false` are the ints 1 and 0, and so are the
 * results of ==, < and !; write (bool)x where Python would have a bool
 * (mp_print((bool)true) prints True, mp_print(true) prints 1).
 *
 * Build a value from a C argument: const char * becomes str, integers int,
 * floating types float, bool bool; an mp_value * is taken over and a
 * const mp_value * gets a reference of its own (the ownership rules).  A
 * connection, queue or synchronization object (mp_connection *,
 * mp_queue *, mp_simple_queue *, mp_lock *, mp_semaphore *,
 * mp_condition *, mp_event *, mp_barrier *, mp_shared *) stays yours too: the value
 * made from it takes a reference of its own, as a Python tuple holding a
 * queue does, so `.args = mp_tuple_of(q)` leaves q yours.  A process cannot be made a value (it is not picklable) and
 * gives NULL with MP_ETYPE "Pickling an AuthenticationString object is
 * disallowed for security reasons", as pickling one does in CPython. */
MP_EXTERN mp_value *mp_value_from_arg(mp_arg a);
MP_EXTERN mp_value *mp__tuple_of(size_t n, const mp_arg *args);
MP_EXTERN mp_value *mp__list_of(size_t n, const mp_arg *args);

/* mp_tuple_of("bob", 3) is ('bob', 3); mp_list_of(42, mp_none(), "hello") is
 * [42, None, 'hello'].  New reference (NULL on failure, with every argument
 * it took over released).  The empty tuple and list are mp_tuple_new(0)
 * and mp_list_new(). */
#define mp_tuple_of(...) mp__tuple_of(MP__ARGV(__VA_ARGS__))
#define mp_list_of(...) mp__list_of(MP__ARGV(__VA_ARGS__))

/* ---- print() ------------------------------------------------------------ */

/* Python's print() keyword arguments.  NULL sep/end mean ' ' and '\n';
 * a NULL file means stdout.  flush=true flushes after writing. */
typedef struct mp_print_opts {
    const char *sep;
    const char *end;
    FILE *file;
    bool flush;
} mp_print_opts;

MP_EXTERN void mp__print(const mp_print_opts *opts, size_t n, const mp_arg *args);

/* mp_print("Worker:", num) prints like print('Worker:', num): each argument
 * is shown with str() (a C string as itself, bool as True/False, a process as
 * its repr), separated by spaces and ended by a newline.  Borrows.
 * mp_print_ex((mp_print_opts){.end = ""}, ...) takes Python's keywords. */
#define mp_print(...) mp__print(NULL, MP__ARGV(__VA_ARGS__))
#define mp_print_ex(opts, ...) mp__print(&(opts), MP__ARGV(__VA_ARGS__))

/* ------------------------------------------------------------------------ */
/* pickle: the wire format of values                                        */
/* ------------------------------------------------------------------------ */

/* pickle.dumps(obj, protocol=...).  protocol 0 means the default (4, as in
 * CPython 3.11's DEFAULT_PROTOCOL); 2 to 5 are accepted. */
typedef struct mp_pickle_opts {
    int protocol;
} mp_pickle_opts;

/* Limits on what pickle.loads accepts, so hostile input cannot exhaust
 * memory or the stack.  Zero fields take the defaults in brackets. */
typedef struct mp_unpickle_opts {
    size_t max_depth;      /* nesting of containers [1000] */
    size_t max_size;       /* largest single str/bytes/container, in bytes or items [1 GiB] */
} mp_unpickle_opts;

/* Serialize v as pickle bytes that CPython's pickle.loads reads back to an
 * equal value.  On success *out is a malloc'd buffer of *len bytes (the
 * caller frees).  Errors: MP_ENOMEM; MP_EVALUE for a bad protocol ("pickle
 * protocol must be <= 5"); MP_ERUNTIME for a queue or connection, which
 * only a child being started can be given ("Queue objects should only be
 * shared between processes through inheritance", and the same for a
 * Lock, Semaphore, Condition, Event or Barrier); MP_EPICKLE for NULL
 * ("cannot pickle a NULL value") or a str or bytes of 4 GiB or more.
 * opts may be NULL. */
MP_EXTERN int mp_pickle_dumps(const mp_value *v, const mp_pickle_opts *opts, uint8_t **out, size_t *len);

/* Read pickle bytes (protocols 0 to 5, as CPython writes them for the types
 * of the value model) into a new value in *out.  Nothing runs on load:
 * an opcode that names a global is accepted only for an allowlist of names
 * whose meaning the codec knows (such as _codecs.encode, which protocol 2
 * uses to carry bytes); anything else is MP_EUNPICKLE naming the opcode and
 * the global.  Malformed, truncated or hostile input is MP_EUNPICKLE
 * ("pickle data was truncated"), or MP_EOVERFLOW for an int beyond 64 bits
 * ("int too large: more than 64 bits (opcode LONG1)"), or MP_ENOMEM past
 * the limits ("pickle data nests deeper than max_depth (1)"), never a
 * crash, an unbounded allocation or a hang. opts may be NULL. */
MP_EXTERN int mp_pickle_loads(const void *data, size_t len, const mp_unpickle_opts *opts, mp_value **out);

/* ------------------------------------------------------------------------ */
/* Targets: the analog of importable functions                              */
/* ------------------------------------------------------------------------ */

/* A process target: Python's `def worker(*args)`.  `args` is the tuple given
 * at creation, lent for the call.  Return 0 (or any value >= 0: Python ignores a
 * target's return value) for a normal return, or a negative code to end the
 * process as an uncaught exception would (mp_raise, mp_sys_exit, or any
 * error code returned by a library call). */
typedef int (*mp_target_fn)(const mp_value *args);

typedef struct mp_target_entry {
    const char *name;
    mp_target_fn fn;
    struct mp_target_entry *next;
} mp_target_entry;

MP_EXTERN void mp__target_register(mp_target_entry *e);

/* Register a target by its name, so that a child started by spawn or
 * forkserver (which does not share the parent's memory) can find it, as
 * Python finds a target by importing it.  Write it at file scope after the
 * function:   static int worker(const mp_value *args) { ... }   MP_TARGET(worker);
 * Two different functions registered under one name is a fatal error at
 * program start. */
#define MP_TARGET(fn)                                                         \
    static mp_target_entry mp__target_##fn = {#fn, fn, NULL};                 \
    __attribute__((constructor)) static void mp__register_##fn(void)          \
    { mp__target_register(&mp__target_##fn); }                               \
    extern int mp__target_semicolon_##fn

/* The registered name of fn, or NULL if it is not registered. */
MP_EXTERN const char *mp_target_name(mp_target_fn fn);

/* ------------------------------------------------------------------------ */
/* The main guard                                                           */
/* ------------------------------------------------------------------------ */

/* Call first in main(): the analog of `if __name__ == '__main__':`.
 * In the main program it records the process as MainProcess, arranges
 * Python's shutdown at exit (terminate daemonic children, join the rest) and
 * returns.  In a child that the spawn or forkserver start method made by
 * re-running the program, it runs the child's target and never returns, so
 * the code after it (the body of main) is not run in children.
 * Code before it runs in every process, like a module's top level.
 *
 * SIGINT.  Python turns SIGINT into KeyboardInterrupt; a C program would
 * die at once, leaving its daemonic children running, the others
 * unjoined and its temporary directory behind.  So, if SIGINT still has
 * its default action, mp_main installs a handler that only notes it; the
 * library's blocking waits (join, get, put on a full queue, recv, poll,
 * wait, accept) then return KeyboardInterrupt (see the rules above), and
 * `return mp_excepthook(rc);` prints it and returns 130; as the program
 * exits, the usual shutdown terminates the daemons, joins the rest and
 * removes the temporary directory, and the process then ends by SIGINT,
 * as CPython's does.  In a child, KeyboardInterrupt ends the target as
 * any error does: exit code 1.  A second SIGINT while one is still
 * unnoticed (the program is busy outside the library) has the default
 * action.  A program that installs its own SIGINT handler, before or after
 * mp_main, keeps it; signal(SIGINT, SIG_DFL) after mp_main restores C's
 * default. */
MP_EXTERN void mp_main(int argc, char **argv);

/* The analog of the main module's __name__: "__main__" in the main program
 * and in forked children, "__mp_main__" in children that re-ran the program
 * (spawn, forkserver), until mp_main() hands them their target. */
MP_EXTERN const char *mp_module_name(void);

/* ------------------------------------------------------------------------ */
/* Process                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct mp_process mp_process;

/* A "subclass" of Process: the analog of `class Worker(Process)`.
 * Embed mp_process as the FIRST member of your struct, describe the class
 * with a static mp_process_class, and pass it in mp_process_opts.cls; the
 * library then allocates `size` zeroed bytes, so your fields follow. */
typedef struct mp_process_class {
    const char *name;                    /* type(self).__name__: "Worker" */
    size_t size;                         /* sizeof your struct (>= sizeof(mp_process)) */
    int (*run)(mp_process *self);        /* run(); NULL runs the target */
    void (*finalize)(mp_process *self);  /* frees your fields; may be NULL */
    /* Pickling your fields, for spawn and forkserver (whose children do not
     * share the parent's memory): getstate returns them as a new value,
     * setstate gets it back in the child (lent) and returns 0 or an
     * error.  A class with fields of its own (size > sizeof(mp_process))
     * and no getstate cannot start under those methods: MP_EPICKLE, never
     * a child that silently lost them. */
    mp_value *(*getstate)(mp_process *self);
    int (*setstate)(mp_process *self, const mp_value *state);
} mp_process_class;

typedef struct mp_process_class_entry {
    const mp_process_class *cls;
    struct mp_process_class_entry *next;
} mp_process_class_entry;

MP_EXTERN void mp__process_class_register(mp_process_class_entry *e);

/* Register a process class by its name, as MP_TARGET registers a target, so
 * that a child made by spawn or forkserver can rebuild the object:
 *     static const mp_process_class Worker_class = {...};  MP_PROCESS_CLASS(Worker_class); */
#define MP_PROCESS_CLASS(c)                                                   \
    static mp_process_class_entry mp__pclass_##c = {&c, NULL};                \
    __attribute__((constructor)) static void mp__register_pclass_##c(void)    \
    { mp__process_class_register(&mp__pclass_##c); }                         \
    extern int mp__class_semicolon_##c

/* Process(group=None, target=None, name=None, args=(), kwargs={}, *, daemon=None). */
typedef struct mp_process_opts {
    mp_target_fn target;         /* NULL: run() does nothing, unless cls->run */
    const char *name;            /* NULL: "<ClassName>-<identity>" */
    mp_value *args;              /* a tuple (taken over); NULL means () */
    mp_value *kwargs;            /* a dict (taken over) or NULL; see mp_process_kwargs */
    int daemon;                  /* 0: inherit from the creating process, like None;
                                    MP_YES or MP_NO to choose */
    const mp_process_class *cls; /* NULL: Process */
} mp_process_opts;

/* Exit code of a process that has not finished (Python's None). */
#define MP_EXITCODE_NONE INT32_MIN

/* The struct is public so that subclasses can embed it; its fields are the
 * library's and may change.  Use the functions below. */
struct mp_process {
    const mp_process_class *cls;
    int refs;
    char *name;
    mp_value *args;
    mp_value *kwargs;
    mp_target_fn target;
    bool daemon;
    bool closed;
    bool is_self;               /* this object describes the calling process */
    bool is_parent;             /* from mp_parent_process() */
    pid_t pid;                  /* 0 until started */
    pid_t parent_pid;
    int exitcode;               /* MP_EXITCODE_NONE until reaped */
    int sentinel;               /* read end that sees EOF when the child ends */
    int parent_w;               /* our end of the child's view of us */
    size_t identity_len;
    int identity[8];            /* _identity: (1,) for Process-1, (1, 2) for Process-1:2 */
    mp_value *authkey;          /* bytes */
    const struct mp_context *ctx;   /* NULL: the default context, resolved at start */
    const void *popen;          /* the start method's back end, once started */
    void *thread;               /* a DummyProcess's thread, once started */
};

/* Create a process object (not started).  Returns a new object you release
 * with mp_process_free(), or NULL with the error recorded: MP_ETYPE "args
 * must be a tuple, not list" or "kwargs must be a dict, not ..."; MP_EVALUE
 * "class size is smaller than mp_process", "processes nested too deeply";
 * MP_ENOMEM; MP_EOS if this program's authkey cannot be made (no random
 * bytes).  Takes over opts->args and opts->kwargs even on failure. */
MP_EXTERN mp_process *mp_process_new(const mp_process_opts *opts);

/* Drop your reference.  Safe while the child runs: the library keeps its own
 * reference in the children set until the child is joined or reaped, as a
 * Python Process object lives on in multiprocessing's _children. */
MP_EXTERN void mp_process_free(mp_process *p);

/* start(): run the process's run() in a new child.  Errors (CPython's text):
 * MP_EASSERT "cannot start a process twice", "can only start a process
 * object created by current process", "daemonic processes are not allowed
 * to have children"; MP_EVALUE "process object is closed"; MP_EOS when fork
 * fails; MP_EPICKLE under spawn or forkserver for a process the child could
 * not rebuild: its target or class not registered ("Can't pickle <class
 * 'Worker'>: it is not registered with MP_PROCESS_CLASS"), or a class with
 * fields of its own and no getstate.  Flushes stdout and stderr first, as
 * CPython does, so buffered output is not written twice. */
MP_EXTERN int mp_process_start(mp_process *p);

/* run(): what the child executes; call it yourself to run in this process. */
MP_EXTERN int mp_process_run(mp_process *p);

/* join(timeout): wait until the child ends, or until the timeout
 * (MP_WAIT_FOREVER: join(); MP_TIMEOUT(1.5): join(1.5)).  Returns 0 also
 * when the wait timed out, as Python's join returns None either way: check
 * is_alive or exitcode.  Errors: MP_EASSERT "can only join a child
 * process", "can only join a started process"; MP_EVALUE "process object
 * is closed", or a NaN timeout. */
MP_EXTERN int mp_process_join(mp_process *p, mp_timeout timeout);

/* is_alive().  False for a process not yet started or already reaped (it
 * is then dropped from active_children).  Misuse returns false and records
 * the error: MP_EVALUE "process object is closed", or MP_EASSERT "can only
 * test a child process" for someone else's child. */
MP_EXTERN bool mp_process_is_alive(mp_process *p);

/* terminate() sends SIGTERM, kill() SIGKILL; both do nothing once the child
 * has been reaped.  MP_EVALUE "process object is closed" if closed;
 * MP_EATTR "'NoneType' object has no attribute 'terminate'" (kill: "'NoneType'
 * object has no attribute 'kill'") before start, as CPython's _popen is None
 * then.  A started dummy process (a thread, see mp_dummy) cannot be
 * stopped: MP_EATTR "'DummyProcess' object has no attribute 'terminate'"
 * (kill: "'DummyProcess' object has no attribute 'kill'"), as CPython's
 * DummyProcess has neither. */
MP_EXTERN int mp_process_terminate(mp_process *p);
MP_EXTERN int mp_process_kill(mp_process *p);

/* close(): release the process's resources.  MP_EVALUE "Cannot close a
 * process while it is still running. You should first call join() or
 * terminate()." while the child runs.  Most accessors are ValueError
 * afterwards; the repr says `closed`. */
MP_EXTERN int mp_process_close(mp_process *p);

/* Accessors.  name is borrowed; pid and ident are 0 (None) before start;
 * exitcode is MP_EXITCODE_NONE until the child has ended, then 0, the
 * status it exited with, or -N after signal N.  set_name: MP_EASSERT "name
 * must be a string" for NULL. */
MP_EXTERN const char *mp_process_name(const mp_process *p);
MP_EXTERN int mp_process_set_name(mp_process *p, const char *name);
MP_EXTERN bool mp_process_daemon(const mp_process *p);
/* set_daemon: MP_EASSERT "process has already started" once started (the
 * current process has not: current_process().daemon = True is allowed).
 * pid, ident and exitcode of a closed process are 0, 0 and
 * MP_EXITCODE_NONE, with MP_EVALUE "process object is closed" recorded. */
MP_EXTERN int mp_process_set_daemon(mp_process *p, bool daemon);
MP_EXTERN pid_t mp_process_pid(const mp_process *p);
MP_EXTERN pid_t mp_process_ident(const mp_process *p);
MP_EXTERN int mp_process_exitcode(mp_process *p);
/* The authkey: bytes, borrowed.  set copies. */
MP_EXTERN const mp_value *mp_process_authkey(const mp_process *p);
MP_EXTERN int mp_process_set_authkey(mp_process *p, const void *key, size_t len);
/* A descriptor that becomes readable when the child ends; MP_EVALUE
 * "process not started" before start. */
MP_EXTERN int mp_process_sentinel(const mp_process *p);
/* The args and kwargs given at creation (borrowed; kwargs may be NULL). */
MP_EXTERN const mp_value *mp_process_args(const mp_process *p);
MP_EXTERN const mp_value *mp_process_kwargs(const mp_process *p);

/* repr(p) as CPython 3.11 prints it:
 *   <Process name='Process-1' parent=4242 initial>
 *   <Process name='Process-1' pid=4243 parent=4242 stopped exitcode=-SIGTERM daemon>
 * malloc'd; the caller frees.  mp_print shows a process this way. */
MP_EXTERN char *mp_process_repr(const mp_process *p);

/* current_process(): the object for the calling process (MainProcess in the
 * main program).  Borrowed; lives until the process ends. */
MP_EXTERN mp_process *mp_current_process(void);

/* parent_process(): the parent as seen from a child (its name and pid; its
 * sentinel tells when it ends), or NULL in the main process.  Borrowed. */
MP_EXTERN mp_process *mp_parent_process(void);

/* active_children(): reaps finished children, then stores up to cap
 * borrowed pointers to the live ones in buf.  Returns how many are alive
 * (which may exceed cap).  buf may be NULL when cap is 0. */
MP_EXTERN size_t mp_active_children(mp_process **buf, size_t cap);

/* cpu_count(): the number of CPUs in the system (at least 1). */
MP_EXTERN int mp_cpu_count(void);

/* ------------------------------------------------------------------------ */
/* Contexts and start methods                                               */
/* ------------------------------------------------------------------------ */

/* A context: the start method and the classes bound to it, as returned by
 * Python's get_context().  Contexts are static; never freed. */
typedef struct mp_context mp_context;

/* get_context(method): "fork", "spawn" or "forkserver".  NULL is
 * get_context() with no method: the concrete context of the default
 * method, which this fixes (a later set_start_method without force is
 * then "context has already been set"), as in CPython; its processes are
 * ForkProcess-1 and so on.
 * Unknown: NULL with MP_EVALUE "cannot find context for 'x'". */
MP_EXTERN mp_context *mp_get_context(const char *method);

/* ctx.get_start_method(): the context's method ("spawn"); for the default
 * context the method it uses, fixing it as get_start_method() does. */
MP_EXTERN const char *mp_context_get_start_method(mp_context *ctx);

/* ctx.Process(...): a process bound to ctx's start method, whose class
 * name is the context's (ForkProcess, SpawnProcess, ForkServerProcess) or
 * opts->cls's.  ctx NULL is mp_process_new().  As mp_process_new. */
MP_EXTERN mp_process *mp_context_process(mp_context *ctx, const mp_process_opts *opts);

/*
 * multiprocessing.dummy: "the API of multiprocessing over threads", as a
 * context.  Python switches a program with one line,
 *     import multiprocessing.dummy as multiprocessing
 * and a C program written against the mp_context_* factories switches
 * with one line too:
 *     mp_context *mp = mp_dummy();         instead of mp_get_context(NULL)
 * after which mp_context_process(mp, ...), mp_context_queue,
 * mp_context_lock, mp_context_event, mp_context_pool (and the rest of
 * the factories) give their dummy counterparts:
 *   - Process is DummyProcess, a thread of this process: named Thread-N,
 *     or Thread-N (f) for a target f (threading's numbering, shared with
 *     every pool's threads; a Process's number is not used up), its
 *     daemon flag inherited as a thread's; start, join (with a
 *     timeout), is_alive, sentinel work as for a process.  Its target
 *     need not be registered (nothing is pickled).  An error from the
 *     target is reported to stderr as threading reports it, "Exception
 *     in thread Thread-1 (f):" and the traceback lines, and its exitcode
 *     is then 0 all the same, as DummyProcess.exitcode is 0 for any
 *     thread that has ended.  pid and ident are this process's own (a
 *     thread has none of its own: CPython's have no pid).  Its repr is
 *     mp_process_repr's, <DummyProcess name='Thread-1 (f)' parent=4242
 *     initial>, not threading's <DummyProcess(Thread-1 (f), initial)>;
 *     and mp_current_process() in it is still the process (CPython's
 *     dummy.current_process() is the thread: not provided here, nor
 *     dummy.active_children()).  terminate and
 *     kill fail, as DummyProcess has neither (see mp_process_terminate).
 *     It is not
 *     among mp_active_children() (CPython's multiprocessing does not list
 *     threads either).  At exit, the library joins a dummy process that
 *     is not daemonic and leaves a daemonic one running, as Python does
 *     its threads.
 *   - Pool is a ThreadPool (mp_thread_pool_new).
 *   - Queue, JoinableQueue, SimpleQueue, Lock, RLock, Semaphore, Event,
 *     Condition, Barrier are this library's own, which work between the
 *     threads of a process as between processes, and whose calls are
 *     thread-safe (see each contract).  Where CPython's dummy gives
 *     queue.Queue and threading's objects, their reprs differ, and a value
 *     put on a Queue is a copy (pickled), not the same object: values are
 *     never shared between threads through them, so no thread sees
 *     another change what it holds.  Value and Array are this library's
 *     shared ctypes (CPython's dummy gives plain objects).
 * mp_dummy() itself is mp_context_get_start_method()'s "dummy", which
 * mp_get_context() does not know (it is no start method); it works under
 * every start method, and needs no mp_main.  Static; never freed.
 */
MP_EXTERN mp_context *mp_dummy(void);

/* set_start_method(method, force): fix the default context's method.
 * MP_ERUNTIME "context has already been set" if it is fixed and !force
 * (by an earlier call, get_start_method(), or a started process; in a
 * child that re-ran the program and has not reached mp_main, always, as
 * CPython fixes a spawned child's method before its main module runs);
 * MP_EVALUE "cannot find context for 'x'" for an unknown method.  NULL
 * with force unfixes it. */
MP_EXTERN int mp_set_start_method(const char *method, bool force);

/* get_start_method(allow_none): the default context's method, fixing it
 * if it was not (unless allow_none, which then returns NULL).  The default
 * is "fork", or the environment variable MP_START_METHOD when it names a
 * method (a Forklore extension: the suite runs every case under all three). */
MP_EXTERN const char *mp_get_start_method(bool allow_none);

/* get_all_start_methods(): stores up to cap names in buf ("fork", "spawn",
 * "forkserver", in that fixed order as in CPython 3.11) and returns how many there are. */
MP_EXTERN size_t mp_get_all_start_methods(const char **buf, size_t cap);

/* set_executable(path): the program spawn and forkserver run for children
 * (default: this program, /proc/self/exe).  Copies path. */
MP_EXTERN int mp_set_executable(const char *path);

/* freeze_support(): does nothing, as CPython's does everywhere but in a
 * program frozen into a Windows executable.  There it is the check "was I
 * started as a child? then run the child and exit", which in C is
 * mp_main's: call mp_main first in main(), and this (if you keep the
 * documented idiom) right after it.  Cannot fail; any process, any
 * thread. */
MP_EXTERN void mp_freeze_support(void);

/* ------------------------------------------------------------------------ */
/* Connection and Pipe                                                      */
/* ------------------------------------------------------------------------ */

/* "No limit" for sizes that Python spells None (send_bytes's size,
 * recv_bytes's maxlength). */
#define MP_ALL PTRDIFF_MIN

/*
 * A connection: one end of a pipe or socket, carrying messages framed as
 * CPython's multiprocessing.connection frames them (a 4-byte big-endian
 * signed length, or -1 and an 8-byte length for messages of 2 GiB and
 * more), so a C process and a Python process can be the two ends.
 * A connection is also a value (its repr is that of a
 * multiprocessing.connection.Connection), so it can be given to a child in
 * args under every start method.
 *
 * A connection in a message.  It can also travel inside a message, sent
 * on another connection or put on a queue (CPython since 3.3), to any
 * process of this program: the receiver gets a new Connection on the same
 * pipe or socket (for a duplex Pipe's end, on its shared memory too), as
 * readable and writable as the one sent, and uses it as its own.  As in
 * CPython, the descriptor does not go in the message: the sender's library
 * keeps a copy of it, with a thread that hands it over when the receiver
 * asks while it unpickles (CPython's resource_sharer; here the asker
 * proves itself with a random key where CPython uses the authkey).  So:
 *   - the sender may close its own end once sent (a Queue pickles in its
 *     feeder thread, later: close it only after the put has gone, or the
 *     feeder meets MP_ECLOSED "handle is closed", as CPython's does);
 *   - the sender must still be running when the receiver receives: once
 *     it has ended, the receive fails with FileNotFoundError (or
 *     ConnectionRefusedError if it was killed), and a copy no one asked
 *     for is closed when the sender ends;
 *   - each message gives its connection once (unpickling the same bytes
 *     again is EOFError);
 *   - a closed connection is MP_ECLOSED "handle is closed" at the send;
 *   - a duplex Pipe's end sent in a message counts as open from the send
 *     until the receiver's copy closes (see mp_pipe's BrokenPipeError): one
 *     that is never received keeps its peer from learning at once that
 *     it is gone, as a killed holder does.
 * Only between Forklore processes: CPython could not unpickle one (nor
 * Forklore CPython's).
 *
 * Threads: one thread may send while another receives; two threads must
 * not send (or receive) on one connection at once, as in CPython.
 */
typedef struct mp_connection mp_connection;

/* Pipe(duplex=True): two connected ends.  duplex (the default) gives ends
 * that both send and receive: CPython's framing, carried through a 256 KiB
 * ring of shared memory each way, so that a send or recv makes no system
 * call while the other end keeps up, beside a Unix socketpair that wakes a
 * sleeping reader and says when a peer has gone (see connection_lane.c).
 * Any number of processes may hold and use either end; readers of one end
 * take turns, as do its writers.  .duplex = MP_NO gives
 * (reader, writer) over a pipe, and using an end the wrong way is
 * MP_EOS "connection is write-only" / "connection is read-only".
 * Returns 0 or MP_EOS (no descriptor or shared memory left). */
typedef struct mp_pipe_opts {
    int duplex;                 /* 0 or MP_YES: two-way; MP_NO: one-way */
} mp_pipe_opts;
MP_EXTERN int mp_pipe(mp_connection **a, mp_connection **b, const mp_pipe_opts *opts);

/* A connection for a descriptor you own (Connection(handle)); it takes the
 * descriptor.  NULL with MP_ENOMEM, or MP_EVALUE "at least one of
 * `readable` and `writable` must be True"; the descriptor is then still
 * yours. */
MP_EXTERN mp_connection *mp_connection_new(int fd, bool readable, bool writable);

/* send(obj): pickle obj and send it as one message.  obj is any C argument
 * MP_ARG takes, owned as for mp_queue_put (an mp_value * is taken over,
 * even on failure; a const mp_value * stays yours), so
 *     mp_connection_send(conn, mp_list_of(42, mp_none(), "hello"))
 * is conn.send([42, None, 'hello']).  Errors: MP_ECLOSED "handle is
 * closed", MP_EOS "connection is read-only" or the system's (the reader
 * has gone: BrokenPipeError, mp_errno() EPIPE), MP_EPICKLE or MP_ERUNTIME
 * (obj cannot be pickled, as mp_pickle_dumps: nothing is sent). */
#define mp_connection_send(c, obj) mp__connection_send((c), MP_ARG(obj))
MP_EXTERN int mp__connection_send(mp_connection *c, mp_arg obj);

/* recv(): the next message, unpickled, as a new reference in *out.
 * MP_EEOF when the other end closed at a message boundary; MP_EOS "got
 * end of file during message" when it closed inside one; MP_EUNPICKLE
 * for a message that is not a pickle of the value model ("pickle data was
 * truncated", as mp_pickle_loads).  On a duplex Pipe's ring, MP_EOWNERDEAD,
 * once, for a message a killed process left half sent or half taken (see
 * Queue: the next recv goes on). */
MP_EXTERN int mp_connection_recv(mp_connection *c, mp_value **out);

/* send_bytes(buf, offset, size): send buf[offset:offset+size] of a buffer
 * of len bytes as one message (size MP_ALL: to the end).  MP_EVALUE
 * "offset is negative", "buffer length < offset", "size is negative",
 * "buffer length < offset + size"; as send otherwise. */
MP_EXTERN int mp_connection_send_bytes(mp_connection *c, const void *buf, size_t len,
                             ptrdiff_t offset, ptrdiff_t size);

/* recv_bytes(maxlength): the next message as a bytes value in *out.
 * maxlength MP_ALL is no limit; a longer message is MP_EOS "bad message
 * length" (and the connection is closed, as in CPython); a negative one is
 * MP_EVALUE "negative maxlength".  EOF as recv. */
MP_EXTERN int mp_connection_recv_bytes(mp_connection *c, ptrdiff_t maxlength, mp_value **out);

/* recv_bytes_into(buf, offset): read the next message into buf (len bytes)
 * at offset, storing its size in *nread.  MP_EVALUE "negative offset" or
 * "offset too large"; MP_EBUFFERTOOSHORT when it does not fit, its message
 * the repr of the message ("b'hello'"): nothing is written and the whole
 * message is given in *whole (a new bytes reference, if whole is not
 * NULL), as Python's BufferTooShort carries it. */
MP_EXTERN int mp_connection_recv_bytes_into(mp_connection *c, void *buf, size_t len, ptrdiff_t offset,
                                  size_t *nread, mp_value **whole);

/* poll(timeout): 1 if a message (or EOF) can be read, else 0 after waiting
 * until the timeout (Python's poll() is poll(MP_TIMEOUT(0)): it does not
 * wait; MP_WAIT_FOREVER waits without limit).  MP_ECLOSED "handle is
 * closed", MP_EOS "connection is write-only". */
MP_EXTERN int mp_connection_poll(mp_connection *c, mp_timeout timeout);

/* fileno(), close(), closed, readable, writable.  close is idempotent;
 * every other call on a closed connection is MP_ECLOSED "handle is closed"
 * (fileno returns it too).  The first fileno() on either end of a duplex
 * Pipe, in any process, sends that Pipe's later messages through its socket
 * (SOCK_SEQPACKET records that never span two messages), so that what you
 * poll, select or write on the descriptor is CPython's byte stream; the
 * Pipe is then about as fast as before the rings.  wait() and poll() do not
 * need it. */
MP_EXTERN int mp_connection_fileno(const mp_connection *c);
MP_EXTERN int mp_connection_close(mp_connection *c);
MP_EXTERN bool mp_connection_closed(const mp_connection *c);
MP_EXTERN bool mp_connection_readable(const mp_connection *c);
MP_EXTERN bool mp_connection_writable(const mp_connection *c);

/* Drop your reference; the descriptor is closed with the last one (as
 * Python closes a connection it collects).  NULL is ignored. */
MP_EXTERN void mp_connection_free(mp_connection *c);

/* The connection a value holds (borrowed), or NULL if it holds none: how a
 * child gets the connection it was given in args. */
MP_EXTERN mp_connection *mp_as_connection(const mp_value *v);

/* ------------------------------------------------------------------------ */
/* wait()                                                                   */
/* ------------------------------------------------------------------------ */

/* multiprocessing.connection.wait(object_list, timeout): wait until at least
 * one object is ready or the timeout passes (MP_WAIT_FOREVER: no limit).
 * objects is a list (borrowed) of connections (ready when a message or EOF
 * can be read) and ints, which are descriptors: process sentinels (ready
 * when the process has ended) and sockets.  *ready gets a new list of the
 * ready items, in the order given (empty on timeout).  MP_EVALUE for an
 * item of another type, as selectors words it ("Invalid file object:
 * 'x'"), or a negative descriptor ("file descriptor cannot be a negative
 * integer (-1)"); MP_ECLOSED "handle is closed" for a
 * closed connection; MP_ETYPE "wait() wants a list of objects, not 'int'"
 * if objects is not a list or tuple. */
MP_EXTERN int mp_wait(const mp_value *objects, mp_timeout timeout, mp_value **ready);

/* ------------------------------------------------------------------------ */
/* Queue, JoinableQueue, SimpleQueue                                        */
/* ------------------------------------------------------------------------ */

/*
 * Queue(maxsize): a process-safe FIFO of values.  As in CPython, put hands
 * the value to a feeder thread that pickles it in its turn and writes it
 * to the channel (here one way of a Pipe: a 256 KiB ring of shared
 * memory), so put returns before the data is in the channel; a process
 * that has put data flushes it before it exits (unless cancel_join_thread
 * was called); a value that cannot be pickled is reported on stderr by
 * the feeder and dropped, and the queue goes on working.  (Values are
 * immutable once shared, so the feeder pickles what was put.)  A queue is
 * a value, to be given to children in args under every start method; it
 * cannot be sent in a message (MP_ERUNTIME "Queue objects should only be
 * shared between processes through inheritance").
 *
 * A process killed while it holds one of the queue's locks does not stop
 * the others (in CPython they wait for ever): its locks know their holder, and a
 * message it left half written or half read is dropped and reported once,
 * by the get that meets it, as MP_EOWNERDEAD, never delivered as data.
 * What cannot be put right: an item put but still in a dead process's
 * feeder is lost with it (as in CPython), a slot of a bounded queue it had
 * taken for it stays taken, and a JoinableQueue consumer that died between
 * get and task_done leaves join() waiting for ever: nobody can know the
 * item was not done.
 *
 * Threads: all calls are thread-safe.
 */
typedef struct mp_queue mp_queue;

/* put's and get's block and timeout: block 0 or MP_YES blocks, MP_NO does
 * not; timeout is MP_WAIT_FOREVER (the zero value, Python's None) or
 * MP_TIMEOUT(seconds), ignored when block is MP_NO, as in Python. */
typedef struct mp_queue_opts {
    int block;
    mp_timeout timeout;
} mp_queue_opts;

/* Queue(maxsize) and JoinableQueue(maxsize); maxsize <= 0 is unbounded.
 * New object, or NULL with MP_EOS or MP_ENOMEM recorded. */
MP_EXTERN mp_queue *mp_queue_new(int maxsize);
MP_EXTERN mp_queue *mp_joinable_queue_new(int maxsize);

/* put(obj, block, timeout).  obj is any C argument that MP_ARG takes (a C
 * string, a number, an mp_value * which is stolen, even on failure).
 * MP_EFULL when a non-blocking or timed put finds no room; MP_EVALUE
 * "Queue <repr> is closed" after close; MP_ENOMEM.  A NaN timeout is
 * no error while there is room, and MP_EOS "[Errno 22] Invalid argument"
 * (EINVAL) when there is none, as CPython's sem_timedwait refuses it. */
#define mp_queue_put(q, obj) mp__queue_put((q), MP_ARG(obj), NULL)
#define mp_queue_put_ex(q, obj, ...) mp__queue_put((q), MP_ARG(obj), &(mp_queue_opts){__VA_ARGS__})
#define mp_queue_put_nowait(q, obj) mp_queue_put_ex(q, obj, .block = MP_NO)
MP_EXTERN int mp__queue_put(mp_queue *q, mp_arg obj, const mp_queue_opts *opts);

/* get(block, timeout): the next value, a new reference in *out.  MP_EEMPTY
 * when a non-blocking or timed get finds nothing; MP_EVALUE "Queue <repr>
 * is closed" after close; MP_EUNPICKLE for a message that is not a value;
 * MP_EOWNERDEAD, once, for a message that a killed process left half
 * written ("a process died while it was sending this message; what came
 * of it is dropped") or half read ("a process died while it was taking a
 * message from here; that message is lost"): the next get goes on. */
MP_EXTERN int mp_queue_get(mp_queue *q, mp_value **out);
MP_EXTERN int mp_queue_get_ex(mp_queue *q, mp_value **out, const mp_queue_opts *opts);
MP_EXTERN int mp_queue_get_nowait(mp_queue *q, mp_value **out);

/* qsize(), empty(), full(): approximate, as in CPython (another process
 * may change the queue at any moment).  After close, once the feeder has
 * closed the reader as CPython's does (join_thread waits for that), empty
 * returns true with MP_ECLOSED "handle is closed" recorded (CPython's
 * OSError). */
MP_EXTERN int mp_queue_qsize(mp_queue *q);
MP_EXTERN bool mp_queue_empty(mp_queue *q);
MP_EXTERN bool mp_queue_full(mp_queue *q);

/* close(): no more puts from this process; the feeder flushes what was put
 * and exits.  join_thread(): wait for the feeder (MP_EASSERT "Queue
 * <repr> not closed" before close).  cancel_join_thread(): do not wait
 * for the feeder at exit (data not yet written may be lost). */
MP_EXTERN int mp_queue_close(mp_queue *q);
MP_EXTERN int mp_queue_join_thread(mp_queue *q);
MP_EXTERN void mp_queue_cancel_join_thread(mp_queue *q);

/* JoinableQueue only: on a plain Queue they are MP_EATTR "'Queue' object
 * has no attribute 'task_done'" and "'Queue' object has no attribute
 * 'join'".  task_done(): one item fetched earlier is finished; once more
 * than were put is MP_EVALUE "task_done() called too many times".
 * join(): wait until every item put has been marked done. */
MP_EXTERN int mp_joinable_queue_task_done(mp_queue *q);
MP_EXTERN int mp_joinable_queue_join(mp_queue *q);

/* Drop your reference (the queue lives on while children or a value hold
 * one; the feeder is flushed at exit as above). */
MP_EXTERN void mp_queue_free(mp_queue *q);

/* The queue a value holds (borrowed; a Queue or JoinableQueue), or NULL. */
MP_EXTERN mp_queue *mp_as_queue(const mp_value *v);

/* ctx.Queue(maxsize), ctx.JoinableQueue(maxsize), ctx.SimpleQueue(): the
 * same objects (a queue works under every start method); ctx may be NULL. */
MP_EXTERN mp_queue *mp_context_queue(mp_context *ctx, int maxsize);
MP_EXTERN mp_queue *mp_context_joinable_queue(mp_context *ctx, int maxsize);

/* SimpleQueue: CPython's is a pipe with a lock at each end; this one is a
 * ring of bytes in shared memory holding what a pipe holds (64 KiB), with
 * a lock at each end.  No feeder thread and no size limit: put writes
 * before it returns (a message larger than the ring returns once a reader
 * has taken all but its last 64 KiB).  new: NULL with MP_EOS (no shared
 * memory) or MP_ENOMEM.  put pickles first, so a value that cannot be
 * pickled is MP_ERUNTIME or MP_EPICKLE as for mp_pickle_dumps, even on a
 * closed queue.  After close, put and get are MP_ECLOSED "handle is
 * closed", and empty returns true with that recorded (CPython's pipe
 * raises OSError).  Thread-safe; passed to children of every method.
 * A process that dies while it holds either lock (killed, say, inside a
 * put or get) leaves every other process waiting for ever in CPython;
 * here it costs at most the message it was moving.  The next put goes
 * on; the get that reaches that message drops what there is of it and
 * fails once with MP_EOWNERDEAD, in Queue's words (see mp_queue_get), and
 * the next get returns the next message: nothing else is lost, repeated
 * or torn.  A get waiting for the rest of a message sees its writer's
 * death within about a tenth of a second. */
typedef struct mp_simple_queue mp_simple_queue;
MP_EXTERN mp_simple_queue *mp_simple_queue_new(void);
MP_EXTERN mp_simple_queue *mp_context_simple_queue(mp_context *ctx);
#define mp_simple_queue_put(q, obj) mp__simple_queue_put((q), MP_ARG(obj))
MP_EXTERN int mp__simple_queue_put(mp_simple_queue *q, mp_arg obj);
MP_EXTERN int mp_simple_queue_get(mp_simple_queue *q, mp_value **out);
MP_EXTERN bool mp_simple_queue_empty(mp_simple_queue *q);
MP_EXTERN int mp_simple_queue_close(mp_simple_queue *q);
MP_EXTERN void mp_simple_queue_free(mp_simple_queue *q);
MP_EXTERN mp_simple_queue *mp_as_simple_queue(const mp_value *v);

/* ------------------------------------------------------------------------ */
/* Lock, RLock, Semaphore, BoundedSemaphore, Condition, Event, Barrier      */
/* ------------------------------------------------------------------------ */

/*
 * multiprocessing.synchronize: each object lives in shared memory of its
 * own and is a value, given to children in args under every start method
 * (mp_tuple_of(lock) takes a reference of its own, as for a queue); the
 * child gets it back with mp_as_lock(), mp_as_semaphore(), ...  It cannot
 * be put in a queue or sent on a connection: MP_ERUNTIME "Lock objects
 * should only be shared between processes through inheritance" (RLock,
 * Semaphore, BoundedSemaphore, Condition in their own names; an Event or
 * a Barrier says "Condition objects ...", as CPython's do, whose state
 * holds a Condition).  mp_repr() of one gives CPython's repr; mp_print
 * prints it.  Calls are thread-safe.
 *
 * One C type per family, as a JoinableQueue is an mp_queue: mp_rlock_new
 * gives an mp_lock that the mp_lock_* calls treat as an RLock, and
 * mp_bounded_semaphore_new an mp_semaphore.
 *
 * A holder that dies (beyond CPython).  In CPython a process killed while
 * it holds a Lock leaves every other process waiting for ever, the most
 * common way a multiprocessing program hangs.  Here, when the process
 * holding a Lock, an RLock (and so a Condition's lock) dies (SIGKILL,
 * _exit, a crash), the next acquire, and every one already waiting, gets
 * the lock together with MP_EOWNERDEAD ("the previous holder died holding
 * this lock; it is yours now, and what it protected may be half changed"):
 * the caller holds it (once, for an RLock) and must release it, after putting
 * right, or giving up on, what the dead holder left.  The death is
 * reported once.  Semaphores have no owner, in CPython as here: anyone may
 * release what another acquired, so nothing can tell which acquire a death
 * should undo, and a process that dies after acquiring leaves the count one
 * lower for good (a BoundedSemaphore's slot is lost).  Event and Barrier
 * are built on a Condition: an Event's state is one semaphore that its
 * calls change in one step, so a death inside one leaves nothing half done
 * and goes unreported; a Barrier whose lock reports a death breaks (its
 * count of waiters can no longer be trusted).  A party that dies while it
 * waits at a Barrier is not noticed, as in CPython: give the barrier a
 * timeout.
 *
 * How a death is seen.  A Lock, as CPython's, may be released by any
 * thread or process, so it records its holder beside it (the process's
 * pid and start time, so a reused pid is not mistaken for it), and a
 * waiter looks whether that process lives each tenth of a second it
 * waits without news: a waiter, and a later acquire, learn of a death
 * within about 0.1 s (a try with block=MP_NO looks at once).  A thread
 * that ends holding a Lock, its process alive, leaves it held, as in
 * CPython (another thread may be meant to release it).  An RLock is
 * released only by its owning thread, so a holding thread that ends, its
 * process alive, is a death too, seen the same way (CPython waits for
 * ever there as well).
 */
typedef struct mp_lock mp_lock;
typedef struct mp_semaphore mp_semaphore;
typedef struct mp_condition mp_condition;
typedef struct mp_event mp_event;
typedef struct mp_barrier mp_barrier;

/* acquire(block=True, timeout=None): block 0 or MP_YES blocks, MP_NO only
 * tries (its timeout ignored, as in Python); timeout is MP_WAIT_FOREVER
 * (the zero value) or MP_TIMEOUT(seconds), a negative one only tries. */
typedef struct mp_acquire_opts {
    int block;
    mp_timeout timeout;
} mp_acquire_opts;

/* Lock() and RLock(), and ctx.Lock(), ctx.RLock() (ctx may be NULL; the
 * same objects under every start method).  New object, or NULL with
 * MP_EOS (no shared memory) or MP_ENOMEM recorded. */
MP_EXTERN mp_lock *mp_lock_new(void);
MP_EXTERN mp_lock *mp_rlock_new(void);
MP_EXTERN mp_lock *mp_context_lock(mp_context *ctx);
MP_EXTERN mp_lock *mp_context_rlock(mp_context *ctx);

/* acquire(block, timeout): 1 (True) when acquired, 0 (False) when a
 * non-blocking or timed acquire did not get it.  An RLock its thread holds
 * is taken again at once (its depth grows); a Lock its thread holds waits,
 * as in CPython (for ever, without a timeout).  Errors: MP_EOWNERDEAD when
 * the previous holder died holding it: the lock is then the caller's (see
 * above), with "the previous holder died holding this Lock; it is yours
 * now, and what it protected may be half changed" (an RLock's says RLock); MP_EINTERRUPT on SIGINT while waiting; a NaN timeout, when the
 * lock is not free at once, MP_EOS "[Errno 22] Invalid argument", as
 * CPython's sem_timedwait refuses it; MP_ETYPE "expected a Lock, got NULL". */
MP_EXTERN int mp_lock_acquire(mp_lock *l);
#define mp_lock_acquire_ex(l, ...) mp__lock_acquire_opts((l), &(mp_acquire_opts){__VA_ARGS__})
MP_EXTERN int mp__lock_acquire_opts(mp_lock *l, const mp_acquire_opts *opts);

/* release().  A Lock is let go whoever holds it (any thread of any
 * process, as in CPython), waking one waiter; its repr then says
 * owner=None, where CPython's, which counts acquires per process and
 * thread, may go on naming the one that acquired it.  One that nobody
 * holds: MP_EVALUE "semaphore or lock released too many times".  An RLock only
 * by the thread that holds it, else MP_EASSERT "attempt to release
 * recursive lock not owned by thread"; its depth goes down and the last
 * release lets it go.  MP_ETYPE "expected a Lock, got NULL". */
MP_EXTERN int mp_lock_release(mp_lock *l);

/* Drop your reference (NULL is ignored); the lock lives on while children
 * or values hold one. */
MP_EXTERN void mp_lock_free(mp_lock *l);

/* The Lock or RLock a value holds (borrowed), or NULL. */
MP_EXTERN mp_lock *mp_as_lock(const mp_value *v);

/* Semaphore(value=1) and BoundedSemaphore(value=1), and the context's.
 * New object, or NULL with MP_EOS "[Errno 22] Invalid argument" for a
 * negative value (as sem_open says it), MP_EOS or MP_ENOMEM. */
MP_EXTERN mp_semaphore *mp_semaphore_new(int value);
MP_EXTERN mp_semaphore *mp_bounded_semaphore_new(int value);
MP_EXTERN mp_semaphore *mp_context_semaphore(mp_context *ctx, int value);
MP_EXTERN mp_semaphore *mp_context_bounded_semaphore(mp_context *ctx, int value);

/* acquire(block, timeout): 1 (True), 0 (False) as mp_lock_acquire;
 * MP_EINTERRUPT; a NaN timeout when the count is zero, MP_EOS "[Errno 22]
 * Invalid argument"; MP_ETYPE "expected a Semaphore, got NULL". */
MP_EXTERN int mp_semaphore_acquire(mp_semaphore *s);
#define mp_semaphore_acquire_ex(s, ...) mp__semaphore_acquire_opts((s), &(mp_acquire_opts){__VA_ARGS__})
MP_EXTERN int mp__semaphore_acquire_opts(mp_semaphore *s, const mp_acquire_opts *opts);

/* release(): any process or thread may.  A BoundedSemaphore at its initial
 * value: MP_EVALUE "semaphore or lock released too many times".  MP_ETYPE
 * "expected a Semaphore, got NULL". */
MP_EXTERN int mp_semaphore_release(mp_semaphore *s);

/* get_value(): the count now (another process may change it at once); 0
 * for NULL. */
MP_EXTERN int mp_semaphore_get_value(const mp_semaphore *s);

MP_EXTERN void mp_semaphore_free(mp_semaphore *s);
MP_EXTERN mp_semaphore *mp_as_semaphore(const mp_value *v);

/* Condition(lock=None): over lock (a Lock or an RLock; the condition takes
 * a reference of its own, so lock stays yours) or, for NULL, a new RLock.
 * New object, or NULL with MP_EOS or MP_ENOMEM. */
MP_EXTERN mp_condition *mp_condition_new(mp_lock *lock);
MP_EXTERN mp_condition *mp_context_condition(mp_context *ctx, mp_lock *lock);

/* The condition's lock: acquire and release are the lock's own, with its
 * results and errors (see mp_lock_acquire and mp_lock_release), and
 * MP_ETYPE "expected a Condition, got NULL" for NULL.  mp_condition_lock
 * lends the lock (NULL for NULL). */
MP_EXTERN int mp_condition_acquire(mp_condition *c);
#define mp_condition_acquire_ex(c, ...) mp__condition_acquire_opts((c), &(mp_acquire_opts){__VA_ARGS__})
MP_EXTERN int mp__condition_acquire_opts(mp_condition *c, const mp_acquire_opts *opts);
MP_EXTERN int mp_condition_release(mp_condition *c);
MP_EXTERN mp_lock *mp_condition_lock(const mp_condition *c);

/* wait(timeout), with the lock held (all of an RLock's depth is let go
 * and taken back): 1 (True) when notified, 0 (False) when the timeout
 * passed.  MP_EASSERT "must acquire() condition before using wait()"
 * without the lock; MP_EOWNERDEAD when, taking the lock back, its previous
 * holder had died (the lock is held again; whether this wait was notified
 * is lost: look at the state); MP_EINTERRUPT (the lock is held again); a
 * NaN timeout, MP_EOS "[Errno 22] Invalid argument" (after a wait that
 * only tried, as CPython's).  Up to 1024 threads and processes may wait
 * on one Condition at once: one more gets MP_EOS. */
MP_EXTERN int mp_condition_wait(mp_condition *c, mp_timeout timeout);

/* wait_for(predicate, timeout): wait until predicate(arg) is true, or the
 * timeout (measured once, from the call) passes; returns the predicate's
 * last answer, 1 or 0.  The errors of mp_condition_wait (its MP_EASSERT
 * only when the predicate is false at first, as in CPython). */
MP_EXTERN int mp_condition_wait_for(mp_condition *c, bool (*predicate)(void *arg), void *arg,
                                    mp_timeout timeout);

/* notify(n=1) and notify_all(), with the lock held: wake up to n waiters,
 * the longest waiting first (n <= 0 wakes none), and return without
 * waiting for them.  MP_EASSERT "lock is not owned" without the lock.
 * A waiter killed asleep costs one wake-up: the notify that meets it
 * counts it, where CPython's notify waits for it for ever (lesson 38
 * shows both). */
MP_EXTERN int mp_condition_notify(mp_condition *c, int n);
MP_EXTERN int mp_condition_notify_all(mp_condition *c);

MP_EXTERN void mp_condition_free(mp_condition *c);
MP_EXTERN mp_condition *mp_as_condition(const mp_value *v);

/* Event(): a flag over a Condition(Lock()) and a Semaphore(0), as
 * CPython's.  New object, or NULL with MP_EOS or MP_ENOMEM. */
MP_EXTERN mp_event *mp_event_new(void);
MP_EXTERN mp_event *mp_context_event(mp_context *ctx);

/* is_set() (false for NULL), set(), clear(); wait(timeout): 1 (True) once
 * the flag is set, 0 (False) if the timeout passed first.  set, clear and
 * wait fail with MP_EINTERRUPT on SIGINT, MP_EOS (a NaN timeout: "[Errno
 * 22] Invalid argument"), MP_ETYPE "expected an Event, got NULL". */
MP_EXTERN bool mp_event_is_set(mp_event *e);
MP_EXTERN int mp_event_set(mp_event *e);
MP_EXTERN int mp_event_clear(mp_event *e);
MP_EXTERN int mp_event_wait(mp_event *e, mp_timeout timeout);

MP_EXTERN void mp_event_free(mp_event *e);
MP_EXTERN mp_event *mp_as_event(const mp_value *v);

/* Barrier(parties, action=None, timeout=None).  action, if given, is a
 * registered target (MP_TARGET) that the last party to arrive calls with
 * args () before the others are released; it goes to a spawn or
 * forkserver child by name.  timeout is the default of wait. */
typedef struct mp_barrier_opts {
    mp_target_fn action;
    mp_timeout timeout;
} mp_barrier_opts;

/* New object, or NULL with MP_EOS or MP_ENOMEM.  opts may be NULL. */
MP_EXTERN mp_barrier *mp_barrier_new(int parties, const mp_barrier_opts *opts);
MP_EXTERN mp_barrier *mp_context_barrier(mp_context *ctx, int parties, const mp_barrier_opts *opts);

/* wait(timeout): wait until parties have called wait, then return this
 * party's index, 0 to parties - 1 (each once).  MP_WAIT_FOREVER takes the
 * barrier's default timeout.  MP_EBROKENBARRIER when the barrier is or
 * becomes broken: aborted, reset while waiting, a wait that timed out
 * (which breaks it for all), or an action that failed (that party gets
 * the action's error instead); its message is empty, as CPython's.
 * MP_EINTERRUPT on SIGINT; MP_ETYPE "expected a Barrier, got NULL". */
MP_EXTERN int mp_barrier_wait(mp_barrier *b, mp_timeout timeout);

/* reset(): back to the empty state; the parties waiting get
 * BrokenBarrierError.  abort(): broken for good (until reset); parties
 * waiting and to come get BrokenBarrierError.  Both fail with
 * MP_EINTERRUPT on SIGINT, or MP_ETYPE "expected a Barrier, got NULL". */
MP_EXTERN int mp_barrier_reset(mp_barrier *b);
MP_EXTERN int mp_barrier_abort(mp_barrier *b);

/* parties, n_waiting (those waiting in the filling phase) and broken,
 * read without the lock (0 and false for NULL). */
MP_EXTERN int mp_barrier_parties(const mp_barrier *b);
MP_EXTERN int mp_barrier_n_waiting(const mp_barrier *b);
MP_EXTERN bool mp_barrier_broken(const mp_barrier *b);

MP_EXTERN void mp_barrier_free(mp_barrier *b);
MP_EXTERN mp_barrier *mp_as_barrier(const mp_value *v);

/* ------------------------------------------------------------------------ */
/* Shared ctypes: Value, Array, RawValue, RawArray (sharedctypes, heap)     */
/* ------------------------------------------------------------------------ */

/*
 * multiprocessing.sharedctypes: C data in shared memory that every process
 * given it reads and writes in place.  Python's Value('d', 0.0) is a
 * ctypes object (c_double(0.0)) allocated from a shared heap and, unless
 * lock=False, wrapped in a Synchronized object that holds a lock.
 *
 * Names.  In this library mp_value already means "a Python object" (an
 * int, a list, ...), so the shared objects are not values by name: they
 * are the mp_shared family (Python's Value is mp_shared_value_new, Array
 * is mp_shared_array_new, RawValue and RawArray are mp_raw_value_new and
 * mp_raw_array_new), and a ctypes type is an mp_ctype.  What a call reads
 * from or writes into shared memory goes in and out as mp_value, as
 * Python's .value gives a Python object.
 *
 *   Python                                  C
 *   Value('d', 0.0)                         mp_shared_value_new(mp_typecode("d"), mp_tuple_of(0.0), NULL)
 *   Value(c_double, 1/3, lock=False)        mp_shared_value_new(&mp_c_double, mp_tuple_of(1.0/3), &(mp_shared_opts){.lock = MP_NO})
 *   Array('i', range(10))                   mp_shared_array_new(mp_typecode("i"), list, NULL)
 *   Array('c', b'hi', lock=lock)            mp_shared_array_new(mp_typecode("c"), mp_bytes("hi", 2), &(mp_shared_opts){.use_lock = lock})
 *   RawValue('i', 7), RawArray('h', 7)      mp_raw_value_new(&mp_c_int, mp_tuple_of(7)), mp_raw_array_new(&mp_c_short, mp_int(7))
 *   n.value, n.value = x                    mp_shared_get(n, &v), mp_shared_set(n, x)
 *   a[i], a[i] = x, a[1:3], len(a)          mp_shared_item, mp_shared_set_item, mp_shared_slice, mp_shared_len
 *   s.value, s.raw ('c' arrays)             mp_shared_get, mp_shared_get_raw (and _set)
 *   p.x (a Structure's field)               mp_shared_getattr(p, "x", &v), mp_shared_setattr
 *   ctypes.addressof(obj)                   mp_shared_ptr(obj): the C data itself
 *   get_lock(), get_obj()                   mp_shared_get_lock, mp_shared_get_obj
 *   with n.get_lock(): n.value += 1         mp_lock_acquire(mp_shared_get_lock(n)); ...; mp_lock_release(...)
 *   sharedctypes.copy, synchronized         mp_shared_copy, mp_shared_synchronized
 *
 * One C type for the raw object and for its wrapper, as one mp_lock is a
 * Lock or an RLock: which one it is shows in its repr and in what it
 * refuses, as in Python (get_lock() of a raw object is AttributeError).
 *
 * Types.  The typecodes of sharedctypes ('c' 'u' 'b' 'B' 'h' 'H' 'i' 'I'
 * 'l' 'L' 'q' 'Q' 'f' 'd') are the mp_c_* constants; mp_typecode("d") maps
 * a code to one.  A Structure is described by its C struct, field by
 * field, and registered by name (MP_CTYPE) so that a spawn or forkserver
 * child finds it, as Python imports the class:
 *     typedef struct { double x, y; } point;
 *     static const mp_cfield point_fields[] = {
 *         {"x", &mp_c_double, offsetof(point, x)}, {"y", &mp_c_double, offsetof(point, y)}};
 *     static const mp_ctype Point = {.name = "Point", .size = sizeof(point),
 *                                    .fields = point_fields, .nfields = 2};
 *     MP_CTYPE(Point);
 * and mp_shared_ptr() of an Array(Point, ...) is then a point *.  Fields
 * are of the simple types.
 *
 * Values in and out.  Integers wrap to the type's width as ctypes does
 * (c_byte(300) is 44); a float given to an integer type is TypeError
 * "'float' object cannot be interpreted as an integer"; a float type takes
 * an int, a float or a bool ("must be real number, not str"); 'c' takes a
 * bytes of length 1 or an int 0-255 ("one character bytes, bytearray or
 * integer expected"), 'u' a str of one code point.  A Structure's value
 * (an array's item, or mp_shared_get_obj's fields) comes out as a tuple of
 * its fields, where Python gives a view of the struct: in C, use the
 * struct through mp_shared_ptr.  A 'Q' or 'L' above 2**63 - 1 cannot be
 * an int of the value model: reading one is MP_EOVERFLOW.
 *
 * Sharing.  A shared object is given to children in a Process's args
 * (mp_tuple_of(n) takes a reference of its own) under every start method:
 * a forked child shares the memory as it is, a spawn or forkserver child
 * receives the arena by descriptor with the lock; mp_as_shared() gets it
 * back.  Put in a Queue or sent on a Pipe it is MP_ERUNTIME, in CPython's
 * words: "Synchronized objects should only be shared between processes
 * through inheritance" (SynchronizedArray, SynchronizedString,
 * SynchronizedPoint; for a raw object its ctypes name: "c_int", "c_int_Array_3").
 *
 * Locking.  A wrapper's get and set, item and slice calls each take its
 * lock for the one access, as Python's properties do; a read-modify-write
 * (+=) needs the lock held around it, and lock=MP_NO gives none.  When the
 * lock's previous holder died holding it (see Lock), such a call makes no
 * access, lets the lock go again and fails with MP_EOWNERDEAD: what the
 * dead process was writing may be half written.  Threads:
 * the calls are thread-safe as far as the lock goes; a raw object is
 * plain memory.
 */
typedef struct mp_shared mp_shared;
typedef struct mp_ctype mp_ctype;

/* A Structure's field: its name, its (simple) type, offsetof in the struct. */
typedef struct mp_cfield {
    const char *name;
    const mp_ctype *type;
    size_t offset;
} mp_cfield;

/* A ctypes type: one of the mp_c_* below (code set), or a Structure. */
struct mp_ctype {
    const char *name;           /* ctypes' name: "c_double", or the Structure's: "Point" */
    size_t size;                /* sizeof */
    char code;                  /* the typecode; 0 for a Structure */
    const mp_cfield *fields;    /* a Structure's fields */
    size_t nfields;
    const char *module;         /* a Structure's __module__; NULL: "__main__" */
};

MP_EXTERN extern const mp_ctype mp_c_char, mp_c_wchar, mp_c_byte, mp_c_ubyte, mp_c_short,
    mp_c_ushort, mp_c_int, mp_c_uint, mp_c_long, mp_c_ulong, mp_c_longlong,
    mp_c_ulonglong, mp_c_float, mp_c_double;

/* The type of a typecode ("d" is &mp_c_double), or NULL with MP_ETYPE
 * "this type has no size", as CPython says of an unknown code.  The
 * constructors below given NULL fail with that error. */
MP_EXTERN const mp_ctype *mp_typecode(const char *code);

typedef struct mp_ctype_reg {
    const mp_ctype *type;
    struct mp_ctype_reg *next;
} mp_ctype_reg;
MP_EXTERN void mp__ctype_register(mp_ctype_reg *r);

/* Register a Structure by module and name, for spawn and forkserver
 * children; two under one name is a fatal error at program start. */
#define MP_CTYPE(t)                                                           \
    static mp_ctype_reg mp__ctype_reg_##t = {&t, NULL};                       \
    __attribute__((constructor)) static void mp__register_ctype_##t(void)     \
    { mp__ctype_register(&mp__ctype_reg_##t); }                              \
    extern int mp__ctype_semicolon_##t

/* Value's and Array's lock=.  lock 0 or MP_YES: a new RLock (lock=True or
 * None); MP_NO: no wrapper, the raw object (lock=False).  use_lock: that
 * Lock or RLock instead (the object takes a reference of its own; lock is
 * then ignored).  Python's lock='x' ("'x' has no method 'acquire'") has
 * no C form: use_lock takes only a lock. */
typedef struct mp_shared_opts {
    int lock;
    mp_lock *use_lock;
} mp_shared_opts;

/* Value(typecode_or_type, *args, lock=True) and RawValue(typecode_or_type,
 * *args).  args is the tuple of *args (taken over; NULL is ()): none
 * zeroes the value, one sets it, a Structure takes one per field.  New
 * object, or NULL: MP_ETYPE as type's conversion says, "__init__ expected
 * at most 1 argument, got 2", "too many initializers"; MP_EOS (no shared
 * memory), MP_ENOMEM.  opts may be NULL. */
MP_EXTERN mp_shared *mp_shared_value_new(const mp_ctype *type, mp_value *args, const mp_shared_opts *opts);
MP_EXTERN mp_shared *mp_raw_value_new(const mp_ctype *type, mp_value *args);

/* Array(typecode_or_type, size_or_initializer, lock=True) and RawArray:
 * size_or_init (taken over) is an int, the length of a zeroed array, or
 * the items: a list or tuple (a Structure's items are tuples of fields),
 * a bytes for 'c', a str for 'u'.  MP_EVALUE "Array length must be >= 0,
 * not -1"; the items' conversion errors ("expected Point instance, got
 * int"); as Value otherwise. */
MP_EXTERN mp_shared *mp_shared_array_new(const mp_ctype *type, mp_value *size_or_init,
                                         const mp_shared_opts *opts);
MP_EXTERN mp_shared *mp_raw_array_new(const mp_ctype *type, mp_value *size_or_init);

/* ctx.Value, ctx.Array, ctx.RawValue, ctx.RawArray: the same objects
 * (ctx may be NULL; the lock is the same RLock under every method). */
MP_EXTERN mp_shared *mp_context_value(mp_context *ctx, const mp_ctype *type, mp_value *args,
                                      const mp_shared_opts *opts);
MP_EXTERN mp_shared *mp_context_array(mp_context *ctx, const mp_ctype *type, mp_value *size_or_init,
                                      const mp_shared_opts *opts);
MP_EXTERN mp_shared *mp_context_raw_value(mp_context *ctx, const mp_ctype *type, mp_value *args);
MP_EXTERN mp_shared *mp_context_raw_array(mp_context *ctx, const mp_ctype *type, mp_value *size_or_init);

/* sharedctypes.copy(obj): a new raw object in shared memory holding a copy
 * of obj's data; a wrapper is MP_ETYPE "this type has no size", as in
 * CPython.  synchronized(obj, lock=None): a wrapper around the raw obj
 * with lock (a reference of its own; NULL: a new RLock); MP_EASSERT
 * "object already synchronized" for a wrapper. */
MP_EXTERN mp_shared *mp_shared_copy(const mp_shared *obj);
MP_EXTERN mp_shared *mp_shared_synchronized(mp_shared *obj, mp_lock *lock);

/* get_lock() and get_obj() of a wrapper, lent; for a raw object NULL with
 * MP_EATTR "'c_int' object has no attribute 'get_lock'" ("'c_int' object
 * has no attribute 'get_obj'"). */
MP_EXTERN mp_lock *mp_shared_get_lock(const mp_shared *s);
MP_EXTERN mp_shared *mp_shared_get_obj(const mp_shared *s);

/* ctypes.addressof: the data in shared memory (a wrapper's object's), to
 * be read and written as the C type it is; NULL for NULL. */
MP_EXTERN void *mp_shared_ptr(const mp_shared *s);

/* len(): an array's length; -1 with MP_ETYPE "object of type 'c_int' has
 * no len()" for a single value. */
MP_EXTERN ptrdiff_t mp_shared_len(const mp_shared *s);

/* .value (a simple value, a 'c' or 'u' array: bytes or str up to the
 * first NUL) and .raw ('c' arrays: all the bytes): get gives a new
 * reference in *out, set takes v over.  MP_EATTR where Python has no such
 * attribute ("'SynchronizedArray' object has no attribute 'value'",
 * "'SynchronizedArray' object has no attribute 'raw'");
 * MP_EVALUE "byte string too long"; conversion errors as above. */
MP_EXTERN int mp_shared_get(const mp_shared *s, mp_value **out);
MP_EXTERN int mp_shared_set(mp_shared *s, mp_value *v);
MP_EXTERN int mp_shared_get_raw(const mp_shared *s, mp_value **out);
MP_EXTERN int mp_shared_set_raw(mp_shared *s, mp_value *v);

/* A Structure's field, p.x: as get and set; MP_EATTR "'Point' object has
 * no attribute 'z'" (and "'c_int' object has no attribute 'z'" for a
 * simple value). */
MP_EXTERN int mp_shared_getattr(const mp_shared *s, const char *field, mp_value **out);
MP_EXTERN int mp_shared_setattr(mp_shared *s, const char *field, mp_value *v);

/* a[i] and a[i] = v (a negative i counts from the end): MP_EINDEX
 * "invalid index"; MP_ETYPE for a single value ("'c_int' object is not
 * subscriptable").  a[start:stop:step] as a list (bytes for 'c', str for
 * 'u'), MP_ALL standing for an omitted bound or step (None); a[...] = v,
 * v a list, tuple, bytes or str: MP_EVALUE "Can only assign sequence of
 * same size", "slice step cannot be zero". */
MP_EXTERN int mp_shared_item(const mp_shared *s, ptrdiff_t i, mp_value **out);
MP_EXTERN int mp_shared_set_item(mp_shared *s, ptrdiff_t i, mp_value *v);
MP_EXTERN int mp_shared_slice(const mp_shared *s, ptrdiff_t start, ptrdiff_t stop, ptrdiff_t step,
                              mp_value **out);
MP_EXTERN int mp_shared_set_slice(mp_shared *s, ptrdiff_t start, ptrdiff_t stop, ptrdiff_t step,
                                  mp_value *v);

/* Drop your reference (NULL is ignored); the memory goes back to the heap
 * when no value or wrapper holds the object.  mp_as_shared: the shared
 * object a value holds (borrowed), or NULL.  mp_repr gives CPython's:
 * "<Synchronized wrapper for c_double(0.0)>", "c_int(3)",
 * "<SynchronizedArray wrapper for <multiprocessing.sharedctypes.c_int_Array_10 object at 0x...>>". */
MP_EXTERN void mp_shared_free(mp_shared *s);
MP_EXTERN mp_shared *mp_as_shared(const mp_value *v);
/* Pool, AsyncResult, IMapIterator (multiprocessing.pool)                   */
/* ------------------------------------------------------------------------ */

/*
 * A pool of worker processes, as multiprocessing.pool.Pool: tasks go to
 * the workers through one SimpleQueue and results come back through
 * another, and three threads of the parent do the rest, as CPython's:
 * the worker handler (replaces workers that have ended), the task handler
 * (puts the tasks, chunk by chunk) and the result handler (hands each
 * result to its AsyncResult and calls the callbacks).  Workers are daemon
 * processes named ForkPoolWorker-N, SpawnPoolWorker-N or
 * ForkServerPoolWorker-N, N counting with every other process's.
 *
 * A task is a registered function (MP_TASK), found by name in the worker
 * as MP_TARGET's targets are, with a tuple of arguments; map calls it
 * with (item,) for each item, starmap with each item as the tuple.  A
 * task returns 0 and its result in *result (NULL is None), or an error as
 * a target does (mp_raise, a library call's code): that error is the
 * result's, re-raised by get() in the parent with its name and message
 * (CPython also chains a RemoteTraceback to it, which a C error cannot
 * carry).  A worker that cannot find the function (one registered after
 * the pool's fork, or not in the program a spawn worker runs) fails the
 * task with MP_EATTR "Can't get attribute 'f' on <module '__main__'>",
 * CPython's words for a function its worker cannot import.
 *
 * A worker that dies (beyond CPython).  In CPython a worker killed while it
 * runs a task (SIGKILL, the OOM killer, a crash) leaves that task's result
 * unready for ever: map() and get() wait for ever.  Here each worker
 * writes which task it runs into a slot of shared memory before it runs
 * it (two stores, no system call), so when the worker handler sees it
 * die it fails that task with MP_EWORKERLOST, WorkerLostError, saying
 * which worker and how: "Worker ForkPoolWorker-3 (pid 4242) exited
 * prematurely: signal 9 (SIGKILL)" (or "exitcode 3"), within a moment of
 * the death; the worker is replaced as an ended one is, and every other
 * task goes on.  For map the failed chunk makes map fail with that error
 * once the other chunks are done, as any failed chunk does.  The notice
 * goes through the result queue behind whatever the worker had sent, so
 * a result the worker sent before dying is never replaced by the error.
 * What cannot be told: a worker killed inside the SimpleQueue get that
 * takes a task, or in the few instructions between that get and its
 * slot's stores, takes that task with it unreported (the next reader of
 * the queue is told of a message lost, but not whose it was), and its
 * result then waits as CPython's.
 *
 * A worker that dies as it starts (a failing initializer; an unguarded
 * Pool under spawn, lesson 40) is replaced, as in CPython, by one that
 * will fail too; but a worker that ended with an exit code other than 0
 * within 0.1 s of its start is replaced only 0.1 s after that start: at
 * most ten such a second per place, where a C worker could otherwise
 * fail thousands of times a second (CPython's take tens of milliseconds
 * each to start).  Any other worker is replaced at once.
 *
 * ThreadPool (mp_thread_pool_new, mp_context_pool(mp_dummy(), ...)): the
 * same pool over threads of this process, as multiprocessing.pool.ThreadPool
 * and multiprocessing.dummy.Pool: its workers are dummy processes named
 * "Thread-N (worker)", its repr "<multiprocessing.pool.ThreadPool
 * state=RUN pool_size=4>".  Every call below works on it alike, with
 * these differences, all CPython's:
 *   - a task function or initializer need not be registered (MP_TASK,
 *     MP_TARGET): a thread gets it by its address, since CPython's
 *     ThreadPool pickles nothing; arguments and results still go as
 *     values, copied (pickled) through the pool's queues, so a worker
 *     never shares a value with the caller;
 *   - no maxtasksperchild: a nonzero one is MP_ETYPE "ThreadPool.__init__()
 *     got an unexpected keyword argument 'maxtasksperchild'"; and no
 *     context to give (mp_context_pool's is mp_dummy());
 *   - terminate cannot stop a task a thread runs: the tasks not yet
 *     taken are dropped and each worker ends after the one it runs;
 *     join waits for that (CPython's terminate does not wait for its
 *     threads, which Python abandons at exit; a C program must not free
 *     what they use, so mp_pool_join and mp_pool_free wait).  A task that
 *     never returns therefore makes join wait for ever;
 *   - a worker cannot die alone: a task that crashes takes the process
 *     with it, so WorkerLostError does not arise.
 *
 * Threads: every call is thread-safe; callbacks run in the result
 * handler thread, one at a time, as CPython's (keep them short: results
 * wait behind them).
 */
typedef struct mp_pool mp_pool;
typedef struct mp_async_result mp_async_result;
typedef struct mp_imap_iterator mp_imap_iterator;

/* A task: `def f(*args): return result`.  args is lent for the call;
 * store a new reference in *result (or leave it NULL: None) and return 0,
 * or return a negative code as a target does. */
typedef int (*mp_task_fn)(const mp_value *args, mp_value **result);

typedef struct mp_task_entry {
    const char *name;
    mp_task_fn fn;
    struct mp_task_entry *next;
} mp_task_entry;

MP_EXTERN void mp__task_register(mp_task_entry *e);

/* Register a task function by its name, as MP_TARGET does a target, so a
 * worker in any start method finds it:
 *     static int f(const mp_value *args, mp_value **result) { ... }  MP_TASK(f);
 * Two different functions under one name is a fatal error at program start. */
#define MP_TASK(fn)                                                           \
    static mp_task_entry mp__task_##fn = {#fn, fn, NULL};                     \
    __attribute__((constructor)) static void mp__register_task_##fn(void)    \
    { mp__task_register(&mp__task_##fn); }                                    \
    extern int mp__task_semicolon_##fn

/* The registered name of fn, or NULL if it is not registered. */
MP_EXTERN const char *mp_task_name(mp_task_fn fn);

/* Pool(processes=None, initializer=None, initargs=(), maxtasksperchild=None). */
typedef struct mp_pool_opts {
    int processes;               /* 0: mp_cpu_count() */
    mp_target_fn initializer;    /* a registered target run first in each worker; NULL: none */
    mp_value *initargs;          /* its args, a tuple (taken over); NULL: () */
    int maxtasksperchild;        /* 0: no limit (None); each worker ends after this many
                                    tasks and a new one takes its place */
} mp_pool_opts;

/* Pool(...) and ctx.Pool(...) (ctx NULL: the default context, which this
 * fixes).  Starts the workers and the three threads.  A new pool, or NULL
 * with MP_EVALUE "Number of processes must be at least 1" (processes < 0),
 * "maxtasksperchild must be a positive int or None" (< 0); MP_EPICKLE
 * "Can't pickle the Pool's initializer: it is not registered with
 * MP_TARGET"; MP_ETYPE "initargs must be a tuple, not list"; what
 * starting a worker fails with (mp_process_start); MP_EOS or MP_ENOMEM.
 * Takes over opts->initargs even on failure.  opts may be NULL. */
MP_EXTERN mp_pool *mp_pool_new(const mp_pool_opts *opts);
MP_EXTERN mp_pool *mp_context_pool(mp_context *ctx, const mp_pool_opts *opts);

/* ThreadPool(processes=None, initializer=None, initargs=()) and
 * multiprocessing.dummy.Pool: mp_context_pool(mp_dummy(), opts); see
 * "ThreadPool" above.  Errors as mp_pool_new's, but an unregistered
 * initializer is allowed, and a nonzero maxtasksperchild is MP_ETYPE
 * "ThreadPool.__init__() got an unexpected keyword argument
 * 'maxtasksperchild'". */
MP_EXTERN mp_pool *mp_thread_pool_new(const mp_pool_opts *opts);

/* What happens with a result, for the *_async calls (and their blocking
 * forms, which ignore it): callback(result, data) on success,
 * error_callback(code, data) on failure (mp_errname(code) and mp_errmsg()
 * give the error there), both in the result handler thread; result is
 * lent for the call.  args: apply's arguments, a tuple (taken over; NULL
 * is ()).  chunksize: map's and imap's (0: map's default, len /
 * (4 * processes) rounded up; imap's, 1). */
typedef struct mp_pool_call_opts {
    mp_value *args;
    size_t chunksize;
    void (*callback)(const mp_value *result, void *data);
    void (*error_callback)(int code, void *data);
    void *data;
} mp_pool_call_opts;

/* apply_async(func, args, callback, error_callback): an AsyncResult (free
 * it with mp_async_result_free), or NULL with MP_EVALUE "Pool not
 * running" (after close or terminate), MP_ETYPE "args must be a tuple,
 * not list", MP_ENOMEM.  A func not registered with MP_TASK gives a result
 * that fails with MP_EPICKLE "Can't pickle <function f>: it is not
 * registered with MP_TASK" (CPython's get() raises its PicklingError).
 * opts may be NULL. */
MP_EXTERN mp_async_result *mp_pool_apply_async(mp_pool *p, mp_task_fn func, const mp_pool_call_opts *opts);

/* map_async(func, iterable, chunksize, ...) and starmap_async: iterable, a
 * list or tuple, is borrowed (the pool takes a reference of its own); the
 * result is a list in the iterable's order.  NULL with MP_EVALUE "Pool not
 * running"; MP_ETYPE "'int' object is not iterable" for an iterable that
 * is not a list or tuple; MP_ENOMEM. */
MP_EXTERN mp_async_result *mp_pool_map_async(mp_pool *p, mp_task_fn func, const mp_value *iterable,
                                             const mp_pool_call_opts *opts);
MP_EXTERN mp_async_result *mp_pool_starmap_async(mp_pool *p, mp_task_fn func, const mp_value *iterable,
                                                 const mp_pool_call_opts *opts);

/* apply, map and starmap: the async call and get() without a timeout; the
 * result in *out (a new reference), or the async call's errors, or the
 * task's (see mp_async_result_get). */
MP_EXTERN int mp_pool_apply(mp_pool *p, mp_task_fn func, const mp_pool_call_opts *opts, mp_value **out);
MP_EXTERN int mp_pool_map(mp_pool *p, mp_task_fn func, const mp_value *iterable,
                          const mp_pool_call_opts *opts, mp_value **out);
MP_EXTERN int mp_pool_starmap(mp_pool *p, mp_task_fn func, const mp_value *iterable,
                              const mp_pool_call_opts *opts, mp_value **out);

/* imap(func, iterable, chunksize) and imap_unordered: an iterator of the
 * results, in order, or as they come (free it with mp_imap_iterator_free).
 * NULL with the errors of mp_pool_map_async.  callback and error_callback
 * are not used (CPython's imap has none). */
MP_EXTERN mp_imap_iterator *mp_pool_imap(mp_pool *p, mp_task_fn func, const mp_value *iterable,
                                         const mp_pool_call_opts *opts);
MP_EXTERN mp_imap_iterator *mp_pool_imap_unordered(mp_pool *p, mp_task_fn func, const mp_value *iterable,
                                                   const mp_pool_call_opts *opts);

/* A producer of inputs for mp_pool_imap_iter (a C iterator): store the
 * next input in *item as a new reference (NULL is None) and return 1;
 * return 0 when there are no more; or return a negative code (mp_raise,
 * a library call's), which ends the input as an exception raised by
 * CPython's input iterator does.  Called in the pool's task handler
 * thread, one call at a time, as CPython's task handler draws on the
 * iterable; never again once mp_imap_iterator_free has returned. */
typedef int (*mp_pool_next_fn)(void *data, mp_value **item);

/* mp_pool_imap_iter's options: chunksize, as imap's (0: 1); max_in_flight,
 * the chunks drawn from the producer whose values next() has not all
 * returned yet (0: 4 * the pool's processes); unordered: the results as
 * they come, as imap_unordered's (false: in order, as imap's). */
typedef struct mp_pool_imap_opts {
    size_t chunksize;
    size_t max_in_flight;
    bool unordered;
} mp_pool_imap_opts;

/*
 * imap over a C iterator (beyond CPython): as mp_pool_imap, over the
 * values next(data, &item) produces, but with at most max_in_flight
 * chunks drawn and not yet consumed by mp_imap_iterator_next, so that the
 * parent's memory stays flat however many inputs there are (CPython's
 * task handler reads its whole input first).  The producer is drawn on
 * only as next() makes room; a pool's other calls go on meanwhile.  A
 * producer's error comes from next() after the results of the inputs
 * before it, then the end of the iteration; a task's error and a dead
 * worker's as for imap.  Freeing the iterator early stops the drawing
 * (the chunks in flight are still run, their results dropped).  close()
 * and join() wait for the input to be consumed or the iterator freed.
 * An iterator (free it with mp_imap_iterator_free), or NULL with MP_EVALUE
 * "Pool not running"; MP_ETYPE "'NoneType' object is not iterable" for a
 * NULL next; MP_EPICKLE "Can't pickle <repr>: it is not registered with
 * MP_TASK" for a func not registered (<repr> is <function 0x...>), except
 * on a ThreadPool, which sends it by address; MP_ENOMEM.  opts may be NULL.
 */
MP_EXTERN mp_imap_iterator *mp_pool_imap_iter(mp_pool *p, mp_task_fn func, mp_pool_next_fn next, void *data,
                                              const mp_pool_imap_opts *opts);

/* close(): no more tasks; the workers end once the ones given are done.
 * terminate(): stop the workers now (SIGTERM); results not ready stay so,
 * as in CPython (a get() without a timeout would wait for ever).  Both
 * always succeed and are idempotent. */
MP_EXTERN int mp_pool_close(mp_pool *p);
MP_EXTERN int mp_pool_terminate(mp_pool *p);

/* join(): wait for the threads and the workers to end, after close or
 * terminate: MP_EVALUE "Pool is still running" before. */
MP_EXTERN int mp_pool_join(mp_pool *p);

/* Leaving `with Pool() as p:` (terminate), then join and release the pool.
 * Results and iterators live on (free them on their own).  NULL is ignored. */
MP_EXTERN void mp_pool_free(mp_pool *p);

/* repr(p): "<multiprocessing.pool.Pool state=RUN pool_size=4>" (CLOSE,
 * TERMINATE).  malloc'd; the caller frees; NULL when out of memory. */
MP_EXTERN char *mp_pool_repr(const mp_pool *p);

/* get(timeout): the result as a new reference in *out, once ready.
 * MP_ETIMEOUT (multiprocessing.context.TimeoutError, empty message) when
 * the timeout passed first (a NaN timeout does not wait, as CPython's);
 * the task's error when it failed: its code, name and message (for map,
 * the first failed chunk's), MP_EWORKERLOST when its worker died (see
 * above); MP_EINTERRUPT on SIGINT. */
MP_EXTERN int mp_async_result_get(mp_async_result *r, mp_timeout timeout, mp_value **out);

/* wait(timeout): 0 once ready or when the timeout passed (check ready()).
 * MP_EINTERRUPT on SIGINT. */
MP_EXTERN int mp_async_result_wait(mp_async_result *r, mp_timeout timeout);

/* ready(). */
MP_EXTERN bool mp_async_result_ready(mp_async_result *r);

/* successful(): 1 or 0 once ready; before, MP_EVALUE "<repr> not ready",
 * the repr CPython's object default: <multiprocessing.pool.ApplyResult
 * object at 0x55d0c0a3b2c0> (MapResult for map and starmap). */
MP_EXTERN int mp_async_result_successful(mp_async_result *r);

/* Drop your reference (NULL is ignored); a result not ready lives on in
 * the pool until it is. */
MP_EXTERN void mp_async_result_free(mp_async_result *r);

/* next(timeout): the next result as a new reference in *out.
 * MP_ESTOPITERATION at the end; MP_ETIMEOUT when the timeout passed first
 * (the next call may still get it); the task's error for a result that
 * failed (with chunksize 1 the next call goes on with the next result; a
 * larger chunk ends the iteration, as CPython's generator over chunks
 * does); MP_EINTERRUPT on SIGINT. */
MP_EXTERN int mp_imap_iterator_next(mp_imap_iterator *it, mp_timeout timeout, mp_value **out);

/* Drop your reference (NULL is ignored). */
MP_EXTERN void mp_imap_iterator_free(mp_imap_iterator *it);

/* ------------------------------------------------------------------------ */
/* Listener and Client                                                      */
/* ------------------------------------------------------------------------ */

/*
 * Addresses are values, as in Python: a str is an AF_UNIX path (one that
 * starts with "\0" is a Linux abstract name), a tuple (host, port) is
 * AF_INET.  family ("AF_UNIX", "AF_INET") may be NULL to take it from the
 * address.  With an authkey (bytes), both sides run CPython's mutual
 * challenge-response authentication before any message is delivered; a
 * wrong key is MP_EAUTH on both sides.
 */
typedef struct mp_listener mp_listener;

/* Which challenge a Listener and a Client send.  CPython 3.11 sends a
 * 20-byte challenge answered with HMAC-MD5; 3.12 and later send
 * "{sha256}" and a 40-byte challenge.  Either side accepts both answers. */
typedef enum mp_auth_form {
    MP_AUTH_311 = 0,            /* the default: as CPython 3.11 */
    MP_AUTH_SHA256              /* as CPython 3.12+ */
} mp_auth_form;

/* Listener(address=None, family=None, backlog=1, authkey=None). */
typedef struct mp_listener_opts {
    mp_value *address;          /* stolen; NULL: a fresh address of family */
    const char *family;         /* NULL: from address (AF_UNIX if neither) */
    int backlog;                /* 0: 1 */
    mp_value *authkey;          /* bytes, stolen; NULL: no authentication */
    mp_auth_form auth_form;
} mp_listener_opts;

/* Bind and listen.  New object or NULL with MP_EOS (address in use: "[Errno
 * 98] Address already in use"...), MP_EVALUE (bad family or address:
 * "Family AF_PIPE is not recognized."), MP_ETYPE or MP_EOVERFLOW (a
 * malformed address, with CPython's words: "bind(): port must be
 * 0-65535."), MP_ETYPE "authkey should be a byte string". */
MP_EXTERN mp_listener *mp_listener_new(const mp_listener_opts *opts);

/* accept(): the next connection, authenticated if there is a key.  A
 * client that fails authentication is MP_EAUTH "digest received was
 * wrong" (its connection closed). */
MP_EXTERN int mp_listener_accept(mp_listener *l, mp_connection **out);

/* close(): stop listening (removes an AF_UNIX socket file).  Idempotent. */
MP_EXTERN int mp_listener_close(mp_listener *l);

/* address and last_accepted, borrowed (last_accepted NULL until accept; for
 * AF_UNIX it is '', the unbound client's address, as CPython 3.11 gives;
 * an abstract name reads back as bytes b'\x00name').  After close both are
 * NULL with MP_EATTR, as CPython's attribute errors: "'NoneType' object
 * has no attribute '_address'" and "'NoneType' object has no attribute
 * '_last_accepted'". */
MP_EXTERN const mp_value *mp_listener_address(const mp_listener *l);
MP_EXTERN const mp_value *mp_listener_last_accepted(const mp_listener *l);

MP_EXTERN void mp_listener_free(mp_listener *l);

/* Client(address, family=None, authkey=None): connect, then authenticate
 * if there is a key.  A new connection, or NULL with MP_EOS (nothing
 * listens: mp_errno() ECONNREFUSED, or ENOENT "[Errno 2] No such file or
 * directory"), MP_EAUTH "digest sent was rejected", MP_EVALUE or MP_ETYPE
 * (a bad address or family, with CPython's words: "Family AF_PIPE is not
 * recognized.", "address type of 5 unrecognized"). */
typedef struct mp_client_opts {
    mp_value *address;          /* stolen */
    const char *family;
    mp_value *authkey;          /* bytes, stolen; NULL: no authentication */
    mp_auth_form auth_form;
} mp_client_opts;
MP_EXTERN mp_connection *mp_client_new(const mp_client_opts *opts);

/* The two halves of the handshake on any connection, as
 * multiprocessing.connection's deliver_challenge and answer_challenge. */
MP_EXTERN int mp_deliver_challenge(mp_connection *c, const void *authkey, size_t len, mp_auth_form form);
MP_EXTERN int mp_answer_challenge(mp_connection *c, const void *authkey, size_t len);

/* ------------------------------------------------------------------------ */
/* Managers and proxies (multiprocessing.managers)                          */
/* ------------------------------------------------------------------------ */

/*
 * A manager is a server process that holds objects (referents) and lets
 * other processes use them through proxies, as multiprocessing.managers:
 * each proxy call is a request (id, method, args, kwds) on a connection
 * to the server, answered ('#RETURN', value), ('#ERROR', exception),
 * ('#TRACEBACK', text) or ('#PROXY', (exposed, token)).  The requests,
 * replies, Tokens and proxies are pickled as CPython 3.11 pickles them,
 * and the handshake is the Listener's, so a C program can use a CPython
 * manager and a CPython program a C one (conformance/interop).
 *
 * A proxy is a value: it can be put in a list, given to a child in args,
 * sent to the server inside another call (a proxy inside a managed list,
 * as CPython allows), and it pickles as CPython's does
 * (RebuildProxy(DictProxy, Token(...), 'pickle', {})).  Its repr is
 * CPython's, <DictProxy object, typeid 'dict' at 0x7f...>, and str() asks
 * the referent for its own (mp_print(d) prints {1: '1'}).  While a
 * process holds a proxy the referent lives: the proxy sends incref when
 * made and decref when its last reference goes, each on a connection of
 * its own, as CPython does; a process that ends without releasing its
 * proxies returns them at exit (exitpriority 10, as CPython's), and
 * one that ends without returning them (killed) has them dropped by the
 * server (beyond CPython, whose objects then live for ever): the server
 * knows each client process of an AF_UNIX connection (the kernel names
 * it) and looks every half second for those that ended; a TCP client
 * cannot be named, and its references stay, as in CPython.
 *
 * Referents the library knows: SyncManager's types (dict, list,
 * Namespace, Value, Array, Queue, JoinableQueue, Event, Lock, RLock,
 * Semaphore, BoundedSemaphore, Condition, Barrier), the library's own
 * objects given by a callable (a Queue: the remote-manager example), and
 * instances of a class of your own whose mp_class lists its methods.
 * The server runs each connection's calls in a thread of its own, as
 * CPython's does; calls on a dict, list, Namespace, Value or an instance
 * of your class run one at a time (CPython's GIL does that), while the
 * synchronization objects and queues wait without holding anything.
 * Not provided: SyncManager.Pool (a pool proxied by a manager; use
 * mp_pool_new), SyncManager.Array, and the serializer 'xmlrpclib'.  A
 * dict proxy's __iter__ gives an Iterator proxy over the keys as they
 * were (CPython's fails if the dict changes meanwhile).
 *
 * Errors a call can give: the referent's own exception with its type
 * (KeyError for a missing key: MP_EEXCEPTION named "KeyError", IndexError
 * MP_EINDEX, ...); multiprocessing.managers.RemoteError (a MP_EEXCEPTION
 * so named) carrying the server's text for a failure in the server
 * itself: a method not exposed (the text ends "AttributeError: method 'x'
 * of <class 'dict'> object is not in exposed=(...)", CPython's words with
 * C's names for the class, and CPython's _callmethod raises the same
 * RemoteError), no such object, an argument it could not unpickle;
 * and if the manager has gone, EOFError, or ConnectionRefusedError /
 * FileNotFoundError (MP_EOS) from the next call: never a hang.
 */
typedef struct mp_manager mp_manager;
typedef struct mp_server mp_server;
struct mp__registry;

/* class MyManager(BaseManager): a name and what register() added.  Write
 * one at file scope, zeroed but for the name (and .sync for a
 * SyncManager subclass, which also serves SyncManager's types):
 *     static mp_manager_class MyManager = {.name = "MyManager"}; */
typedef struct mp_manager_class {
    const char *name;
    bool sync;
    struct mp__registry *registry;  /* the library's; starts NULL */
} mp_manager_class;

/* BaseManager and SyncManager themselves. */
MP_EXTERN extern mp_manager_class mp_base_manager;
MP_EXTERN extern mp_manager_class mp_sync_manager;

/* BaseManager.register(typeid, callable, proxytype, exposed,
 * method_to_typeid, create_method). */
typedef struct mp_register_opts {
    mp_task_fn callable;            /* makes the referent from the creation's args
                                       (registered with MP_TASK, so that a server in
                                       a spawned child finds it); NULL: a typeid that
                                       only a method's result gets (method_to_typeid) */
    const mp_class *proxytype;      /* NULL: AutoProxy (every exposed method); a class
                                       of your own (MP_CLASS) names the proxy type a
                                       peer sees (CPython's GeneratorProxy) */
    const char *const *exposed;     /* method names, ended by NULL; NULL: the
                                       referent's public methods */
    const char *const *method_to_typeid;   /* pairs "baz", "Generator", ended by NULL */
    int create_method;              /* 0 or MP_YES: mp_manager_create may make it; MP_NO */
} mp_register_opts;

/* Register typeid on cls (call before the manager starts; the registry is
 * handed to the server's process).  0, MP_ENOMEM, MP_EPICKLE "Can't
 * pickle the callable of 'T': it is not registered with MP_TASK",
 * MP_EVALUE "typeid must be a non-empty string".  Registering a typeid again replaces it, as in
 * CPython.  Not thread-safe. */
MP_EXTERN int mp_manager_register(mp_manager_class *cls, const char *typeid,
                                  const mp_register_opts *opts);

/* BaseManager(address=None, authkey=None, serializer='pickle', ctx=None,
 * *, shutdown_timeout=1.0) */
typedef struct mp_manager_opts {
    mp_value *address;          /* stolen; NULL: a fresh AF_UNIX address */
    mp_value *authkey;          /* bytes, stolen; NULL: current_process().authkey */
    mp_context *ctx;            /* NULL: the default context */
    double shutdown_timeout;    /* 0: 1.0 */
} mp_manager_opts;

/* A manager of class cls, not started.  NULL with MP_ENOMEM or MP_ETYPE
 * "authkey should be a byte string".  Takes over the opts' values even on
 * failure.  opts may be NULL. */
MP_EXTERN mp_manager *mp_manager_new(mp_manager_class *cls, const mp_manager_opts *opts);

/* Manager() / ctx.Manager(): a SyncManager, started.  NULL with what
 * mp_manager_start fails with. */
MP_EXTERN mp_manager *mp_context_manager(mp_context *ctx);

/* start(initializer, initargs): start the server process (named
 * "SyncManager-1", the class's name and the process's identity) and wait
 * for its address.  initializer: a registered target run first in it.
 * MP_EASSERT "Already started server" / "Server has shut down" misused;
 * what starting a process fails with. */
MP_EXTERN int mp_manager_start(mp_manager *m, mp_target_fn initializer, mp_value *initargs);

/* connect(): use a server that runs already (another program's) at the
 * manager's address.  MP_EOS when nobody listens there ("[Errno 2] No
 * such file or directory", ConnectionRefusedError...); MP_EAUTH "digest
 * sent was rejected" for a wrong authkey. */
MP_EXTERN int mp_manager_connect(mp_manager *m);

/* get_server(): a server for this manager's registry and address, run by
 * mp_server_serve_forever in the calling process.  NULL with MP_EOS
 * (the address is in use: "[Errno 98] Address already in use"). */
MP_EXTERN mp_server *mp_manager_get_server(mp_manager *m);

/* serve_forever(): serve until a client asks for shutdown (or SIGINT),
 * then return 0.  CPython's calls sys.exit(0) there; the library never
 * exits on the caller's behalf, so the program returns from main. */
MP_EXTERN int mp_server_serve_forever(mp_server *s);
/* The server's address (borrowed). */
MP_EXTERN const mp_value *mp_server_address(const mp_server *s);

/* shutdown(): ask the server to stop and join its process (terminated
 * after shutdown_timeout if it does not end).  0 also when it was not
 * started or is already shut down, as CPython's.  Proxies made from this
 * manager then fail their calls. */
MP_EXTERN int mp_manager_shutdown(mp_manager *m);

/* Release the manager: shuts it down first if it started it (leaving
 * `with manager:`).  NULL is ignored. */
MP_EXTERN void mp_manager_free(mp_manager *m);

/* address (borrowed; NULL before start for a fresh address). */
MP_EXTERN const mp_value *mp_manager_address(const mp_manager *m);

/* The process running the server (borrowed), or NULL if not started here. */
MP_EXTERN mp_process *mp_manager_process(const mp_manager *m);

/* m.typeid(*args, **kwds): make a referent in the server and return a
 * proxy for it (new reference), or NULL with MP_EATTR "'SyncManager' object
 * has no attribute 'x'" for an unknown typeid or one registered with
 * create_method MP_NO, or what the server raised making it.  args (a
 * tuple) and kwds (a dict) are taken over; NULL: none. */
MP_EXTERN mp_value *mp_manager_create(mp_manager *m, const char *typeid, mp_value *args,
                                      mp_value *kwds);

/* SyncManager's own: m.dict(), m.list(seq), m.Namespace(), m.Value(typecode,
 * value), m.Queue(maxsize), m.Event(), m.Lock(), ...: mp_manager_create
 * with the typeid and the arguments. */
#define mp_manager_dict(m) mp_manager_create((m), "dict", NULL, NULL)
#define mp_manager_list(m, seq) mp_manager_create((m), "list", mp_tuple_of(seq), NULL)
#define mp_manager_namespace(m) mp_manager_create((m), "Namespace", NULL, NULL)
#define mp_manager_value(m, typecode, value) \
    mp_manager_create((m), "Value", mp_tuple_of(typecode, value), NULL)
#define mp_manager_queue(m) mp_manager_create((m), "Queue", NULL, NULL)
#define mp_manager_event(m) mp_manager_create((m), "Event", NULL, NULL)
#define mp_manager_lock(m) mp_manager_create((m), "Lock", NULL, NULL)

/* _number_of_objects(): how many objects the server holds (for tests, as
 * CPython's).  >= 0, or the error of the call. */
MP_EXTERN int mp_manager_number_of_objects(mp_manager *m);

/* multiprocessing.managers.dispatch(Client(address, authkey), None, name,
 * args): one call of the server's own ('shutdown', 'number_of_objects',
 * 'dummy', 'debug_info', 'create', 'incref', 'decref') on a connection of
 * its own, as CPython's clients make them; how a program that connect()ed
 * asks a server to stop.  args (a tuple) is taken over; result may be
 * NULL.  Errors: what connecting gives, and the server's answer
 * (RemoteError for a name it does not know). */
MP_EXTERN int mp_manager_dispatch(mp_manager *m, const char *name, mp_value *args,
                                  mp_value **result);

/* proxy._callmethod(methodname, args, kwds): call a method of the referent
 * and store its result (a new reference; a new proxy when the method's
 * result is another typeid's) in *result, which may be NULL to drop it.
 * args (a tuple) and kwds (a dict) are taken over; NULL: none.  Errors as
 * above; MP_ETYPE "expected a proxy, got 'dict'" for a value that is not
 * one.  Thread-safe: each thread uses a connection of its own. */
MP_EXTERN int mp_proxy_callmethod(const mp_value *proxy, const char *method, mp_value *args,
                                  mp_value *kwds, mp_value **result);

/* mp_proxy_call(d, &r, "__getitem__", 1) is r = d[1]: the arguments as
 * mp_tuple_of takes them (at least one; mp_proxy_callmethod for none). */
#define mp_proxy_call(p, result, method, ...) \
    mp_proxy_callmethod((p), (method), mp_tuple_of(__VA_ARGS__), NULL, (result))

/* proxy._exposed_: the methods the server lets this proxy call, a tuple of
 * str as the server gave it when the object was made (borrowed; None
 * when the server gave none), or NULL with MP_ETYPE "expected a proxy,
 * got 'dict'". */
MP_EXTERN const mp_value *mp_proxy_exposed(const mp_value *proxy);

/* proxy._getvalue(): a copy of the referent (new reference). */
MP_EXTERN int mp_proxy_getvalue(const mp_value *proxy, mp_value **out);

/* Attributes of a Namespace (and .value of a Value) proxy: getattr and
 * setattr.  A name starting with '_' stays on the proxy, as CPython's
 * NamespaceProxy keeps it: it is never sent.  getattr: MP_EATTR
 * "'Namespace' object has no attribute 'x'". */
MP_EXTERN int mp_proxy_getattr(const mp_value *proxy, const char *name, mp_value **out);
MP_EXTERN int mp_proxy_setattr(mp_value *proxy, const char *name, mp_value *val);

/* True if v is a proxy. */
MP_EXTERN bool mp_is_proxy(const mp_value *v);

/* slice(start, stop, step), as a list proxy's __getitem__ takes it
 * (l[2:5] is mp_proxy_call(l, &r, "__getitem__", mp_slice(two, five,
 * NULL))): each part an int, or NULL for None (lent).  A new reference,
 * or NULL with MP_ETYPE "slice indices must be integers or None or have
 * an __index__ method" or MP_ENOMEM. */
MP_EXTERN mp_value *mp_slice(const mp_value *start, const mp_value *stop, const mp_value *step);

/* ------------------------------------------------------------------------ */
/* Logging                                                                  */
/* ------------------------------------------------------------------------ */

enum {
    MP_NOTSET = 0, MP_SUBDEBUG = 5, MP_DEBUG = 10, MP_INFO = 20,
    MP_SUBWARNING = 25, MP_WARNING = 30, MP_ERROR = 40, MP_CRITICAL = 50
};

typedef struct mp_logger mp_logger;

/* get_logger(): multiprocessing's logger.  Its level starts NOTSET, which
 * (as in Python, whose root logger is at WARNING) lets WARNING and above
 * through.  With no handler, such a record goes to stderr as the bare
 * message (logging's last resort); records never go to any other logger.
 * Borrowed; process-wide. */
MP_EXTERN mp_logger *mp_get_logger(void);

/* log_to_stderr(level): add a handler writing "[LEVEL/processName] message"
 * to stderr, and set the level unless it is MP_NOTSET.  Each call adds one
 * more handler, as in Python.  Returns the logger. */
MP_EXTERN mp_logger *mp_log_to_stderr(int level);

/*
 * Handlers of your own, which the docs advise instead of log_to_stderr:
 * logging.StreamHandler(stream) or logging.FileHandler(filename), with
 * setFormatter(logging.Formatter(format)) and setLevel(level):
 *     h = logging.StreamHandler(sys.stdout)
 *     h.setFormatter(logging.Formatter('%(levelname)s %(message)s'))
 *     multiprocessing.get_logger().addHandler(h)
 * is
 *     mp_log_handler *h = mp_log_handler_new(&(mp_log_handler_opts){
 *         .stream = stdout, .format = "%(levelname)s %(message)s"});
 *     mp_logger_add_handler(mp_get_logger(), h);
 * A record the logger lets through goes to every handler whose level it
 * reaches, in the order they were added, each writing one line in its
 * format and flushing its stream.  The format is logging's %-style with
 * the fields name ("multiprocessing"), levelname, levelno, processName,
 * process (the pid) and message, each %(field)s (levelno and process also
 * %(field)d), with flags and a width (%(levelname)-8s); %% is a percent
 * sign.  In a fork child the parent's handlers are the child's; a spawn
 * or forkserver child gets the logger's level and its log_to_stderr
 * handlers only, as in CPython, so it adds its own again if it wants them.
 * Thread-safe: records from several threads come out whole.
 */
typedef struct mp_log_handler mp_log_handler;
typedef struct mp_log_handler_opts {
    FILE *stream;               /* StreamHandler(stream); NULL: stderr */
    const char *filename;       /* FileHandler(filename): appended to, opened now */
    const char *format;         /* Formatter(fmt); NULL: "%(message)s" */
    int level;                  /* setLevel(level); MP_NOTSET: every record */
} mp_log_handler_opts;

/* A new handler (not yet added), or NULL with the error recorded: MP_EVALUE
 * for a format without a field, as "Invalid format 'x' for '%' style" for
 * the format x; for a field not listed above, as "Formatting field not
 * found in record: 'asctime'" (or a conversion other than s and d; CPython
 * only finds out at the first record); "give a stream or a filename, not
 * both"; the system's error opening filename
 * (FileNotFoundError, PermissionError); MP_ENOMEM.  opts may be NULL.  The
 * stream stays yours (it is not closed); the file is the handler's. */
MP_EXTERN mp_log_handler *mp_log_handler_new(const mp_log_handler_opts *opts);
/* handler.setLevel(level), and its level. */
MP_EXTERN void mp_log_handler_set_level(mp_log_handler *h, int level);
MP_EXTERN int mp_log_handler_level(const mp_log_handler *h);
/* logger.addHandler(h): 0 (adding one already there does nothing).  The
 * handler stays yours: remove it, or free it, when it should stop. */
MP_EXTERN int mp_logger_add_handler(mp_logger *lg, mp_log_handler *h);
/* logger.removeHandler(h); one not there is ignored. */
MP_EXTERN void mp_logger_remove_handler(mp_logger *lg, mp_log_handler *h);
/* handler.close(): removes it from the logger, closes its file (not a
 * stream you gave) and frees it.  NULL does nothing. */
MP_EXTERN void mp_log_handler_free(mp_log_handler *h);

MP_EXTERN void mp_logger_set_level(mp_logger *lg, int level);
MP_EXTERN int mp_logger_level(const mp_logger *lg);
/* The level's name as Python's logging prints it: "DEBUG", "INFO", ...; for
 * any other level "Level N" (CPython 3.11 gives SUBDEBUG and SUBWARNING no
 * names, so they print as "Level 5" and "Level 25"). */
MP_EXTERN const char *mp_level_name(int level);

/* Log a printf-formatted message at level, if the logger lets it through. */
MP_EXTERN void mp_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define mp_sub_debug(...) mp_log(MP_SUBDEBUG, __VA_ARGS__)
#define mp_debug(...) mp_log(MP_DEBUG, __VA_ARGS__)
#define mp_info(...) mp_log(MP_INFO, __VA_ARGS__)
#define mp_sub_warning(...) mp_log(MP_SUBWARNING, __VA_ARGS__)
#define mp_warning(...) mp_log(MP_WARNING, __VA_ARGS__)
#define mp_error(...) mp_log(MP_ERROR, __VA_ARGS__)

#ifdef __cplusplus
}
#endif
#endif /* MP_H */

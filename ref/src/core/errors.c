/* errors.c - error codes, their Python exception names, and the per-thread last error. */
#include "core.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One table keeps a code's exception name and description together, so the
 * two can never drift apart.  Indexed by -code. */
static const struct { const char *name, *text; } table[] = {
    [0]                    = {"OK", "success"},
    [-MP_ENOMEM]           = {"MemoryError", "out of memory"},
    [-MP_EVALUE]           = {"ValueError", "inappropriate value"},
    [-MP_ETYPE]            = {"TypeError", "inappropriate type"},
    [-MP_EOVERFLOW]        = {"OverflowError", "number out of range"},
    [-MP_EASSERT]          = {"AssertionError", "API used out of order"},
    [-MP_ERUNTIME]         = {"RuntimeError", "runtime error"},
    [-MP_EOS]              = {"OSError", "operating system error"},
    [-MP_EEMPTY]           = {"_queue.Empty", "queue is empty"},
    [-MP_EFULL]            = {"queue.Full", "queue is full"},
    [-MP_EEOF]             = {"EOFError", "end of file"},
    [-MP_EAUTH]            = {"multiprocessing.context.AuthenticationError", "authentication failed"},
    [-MP_EBUFFERTOOSHORT]  = {"multiprocessing.context.BufferTooShort", "buffer too short"},
    [-MP_EPICKLE]          = {"_pickle.PicklingError", "value cannot be serialized"},
    [-MP_EUNPICKLE]        = {"_pickle.UnpicklingError", "malformed serialized data"},
    [-MP_EINDEX]           = {"IndexError", "index out of range"},
    [-MP_EEXCEPTION]       = {"Exception", "exception raised by the program"},
    [-MP_ESYSTEMEXIT]      = {"SystemExit", "exit requested"},
    [-MP_EATTR]            = {"AttributeError", "no such attribute"},
    [-MP_ECLOSED]          = {"OSError", "handle is closed"},
    [-MP_EINTERRUPT]       = {"KeyboardInterrupt", "interrupted by SIGINT"},
    [-MP_EOWNERDEAD]       = {"OwnerDiedError", "a process died holding a lock"},
    [-MP_EBROKENBARRIER]   = {"threading.BrokenBarrierError", "the barrier is broken"},
    [-MP_ETIMEOUT]         = {"multiprocessing.context.TimeoutError", "timed out waiting for a result"},
    [-MP_ESTOPITERATION]   = {"StopIteration", "no more results"},
    [-MP_EWORKERLOST]      = {"WorkerLostError", "a pool worker died running the task"},
};

/* The last failure of this thread.  Thread-local so that threads (the queue
 * feeder, later) never see each other's messages. */
static _Thread_local char last_msg[MP__ERRMSG_MAX];
static _Thread_local char last_type[MP__ERRTYPE_MAX];
static _Thread_local int last_code;
static _Thread_local int last_errno;
static _Thread_local int exit_status;
/* How many failures this thread has recorded: see mp__fail_since. */
static _Thread_local unsigned long failures;

static bool known(int code)
{
    return code <= 0 && code >= MP__ELAST;
}

/* The subclass of OSError that CPython raises for an errno (PEP 3151's
 * table, as Objects/exceptions.c builds it), or NULL for OSError itself. */
static const char *os_subclass(int e)
{
    switch (e) {
    case EAGAIN: case EALREADY: case EINPROGRESS:
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
        return "BlockingIOError";
    case ECHILD: return "ChildProcessError";
    case EPIPE: case ESHUTDOWN: return "BrokenPipeError";
    case ECONNABORTED: return "ConnectionAbortedError";
    case ECONNREFUSED: return "ConnectionRefusedError";
    case ECONNRESET: return "ConnectionResetError";
    case EEXIST: return "FileExistsError";
    case ENOENT: return "FileNotFoundError";
    case EISDIR: return "IsADirectoryError";
    case ENOTDIR: return "NotADirectoryError";
    case EINTR: return "InterruptedError";
    case EACCES: case EPERM: return "PermissionError";
    case ESRCH: return "ProcessLookupError";
    case ETIMEDOUT: return "TimeoutError";
    default: return NULL;
    }
}

const char *mp_errname(int code)
{
    if (code == MP_EEXCEPTION && last_code == MP_EEXCEPTION && last_type[0])
        return last_type;
    if (code == MP_EOS && last_code == MP_EOS && os_subclass(last_errno))
        return os_subclass(last_errno);
    return known(code) ? table[-code].name : "?";
}

const char *mp_strerror(int code)
{
    return known(code) ? table[-code].text : "unknown error";
}

const char *mp_errmsg(void)
{
    return last_msg;
}

const char *mp__exc_type(void)
{
    return mp_errname(last_code);
}

int mp_errcode(void)
{
    return last_code;
}

int mp_errno(void)
{
    return last_code == MP_EOS ? last_errno : 0;
}

int mp__exit_status(void)
{
    return exit_status;
}

int mp__vfail(int code, const char *fmt, va_list ap)
{
    last_code = code;
    last_errno = 0;
    failures++;
    vsnprintf(last_msg, sizeof last_msg, fmt, ap);
    return code;
}

int mp__fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mp__vfail(code, fmt, ap);
    va_end(ap);
    return code;
}

int mp__fail_os(int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mp__vfail(MP_EOS, fmt, ap);
    va_end(ap);
    last_errno = err;
    return MP_EOS;
}

int mp__fail_errno(const char *what)
{
    int e = errno;
    return mp__fail_os(e, "[Errno %d] %s: %s", e, strerror(e), what);
}

unsigned long mp__fail_mark(void)
{
    return failures;
}

int mp__fail_since(unsigned long mark, int code, const char *fmt, ...)
{
    if (failures != mark && last_code < 0)
        return last_code;
    va_list ap;
    va_start(ap, fmt);
    mp__vfail(code, fmt, ap);
    va_end(ap);
    return code;
}

int mp__null_value(void)
{
    return last_code < 0 ? last_code : mp__fail(MP_EVALUE, "NULL given where a value was expected");
}

int mp_raise(const char *type_name, const char *fmt, ...)
{
    va_list ap;
    snprintf(last_type, sizeof last_type, "%s", type_name ? type_name : "Exception");
    va_start(ap, fmt);
    mp__vfail(MP_EEXCEPTION, fmt, ap);
    va_end(ap);
    return MP_EEXCEPTION;
}

int mp_sys_exit(int status)
{
    exit_status = status;
    return mp__fail(MP_ESYSTEMEXIT, "%d", status);
}

int mp_excepthook(int code)
{
    if (code >= 0)
        return 0;
    if (code == MP_ESYSTEMEXIT)
        return exit_status;
    /* CPython ends by SIGINT after an uncaught KeyboardInterrupt, once its
     * exit path has run; the exit status a shell sees is 128 + 2 either way. */
    if (code == MP_EINTERRUPT)
        mp__interrupt_exit_by_signal(true);
    /* Python prints "Name" alone when the message is empty. */
    const char *name = mp_errname(code);
    fflush(stdout);
    fprintf(stderr, "Traceback (most recent call last):\n");
    fprintf(stderr, "  (a C program keeps no Python traceback)\n");
    if (last_code == code && last_msg[0])
        fprintf(stderr, "%s: %s\n", name, last_msg);
    else
        fprintf(stderr, "%s\n", name);
    fflush(stderr);
    return code == MP_EINTERRUPT ? 128 + 2 : 1;
}

void mp__exc_save(mp__exc *e)
{
    e->code = last_code;
    e->err = last_errno;
    e->status = exit_status;
    memcpy(e->type, last_type, sizeof e->type);
    memcpy(e->msg, last_msg, sizeof e->msg);
}

void mp__exc_restore(const mp__exc *e)
{
    last_code = e->code;
    last_errno = e->err;
    exit_status = e->status;
    memcpy(last_type, e->type, sizeof last_type);
    memcpy(last_msg, e->msg, sizeof last_msg);
}

int mp__code_named(const char *name)
{
    for (int i = 1; i <= -MP__ELAST; i++)
        if (strcmp(table[i].name, name) == 0)
            return -i;
    return 0;
}

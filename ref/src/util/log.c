/* log.c - multiprocessing's logger: get_logger, log_to_stderr, handlers of your own with a format and a level, the record format. */
#include "util.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A handler: logging.StreamHandler or FileHandler with a Formatter (fmt)
 * and a level of its own.  log_to_stderr's handlers are handlers too,
 * marked so that a spawned child can be given as many. */
struct mp_log_handler {
    FILE *stream;
    bool owns_stream;           /* a FileHandler's file, closed with it */
    bool from_log_to_stderr;
    char *format;
    _Atomic int level;
    bool added;
    mp_log_handler *next;
};

/* Python's logger object reduced to what multiprocessing's is: a level and
 * a list of handlers.  `exists` mirrors util._logger being set: until
 * get_logger() or log_to_stderr() is called, nothing is logged.  The list
 * and the writing of a record are under mu (logging's module and handler
 * locks), because a queue's feeder thread logs while the main thread may
 * be adding a handler. */
struct mp_logger {
    _Atomic bool exists;
    _Atomic int level;
    mp_log_handler *handlers;
};

static mp_logger logger;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* A child forked while another thread held mu would wait on it for ever
 * (logging reinitialises its locks after a fork, likewise). */
static void reinit_after_fork(void)
{
    pthread_mutex_init(&mu, NULL);
}

static void install(void)
{
    pthread_atfork(NULL, NULL, reinit_after_fork);
}

/* The record's processName: logging asks multiprocessing for the current
 * process (through sys.modules, at run time); here the process floor hands
 * in how to ask, since this floor may not call up to it.  Until then
 * there is only the main program. */
static const char *(*current_name)(void);

void mp__log_set_name_source(const char *(*fn)(void))
{
    current_name = fn;
    mp__trace_set_name_source(fn);      /* MP_TRACE's lines name it too */
}

const char *mp__current_process_name(void)
{
    return current_name ? current_name() : "MainProcess";
}

mp_logger *mp_get_logger(void)
{
    pthread_once(&once, install);
    logger.exists = true;
    /* Python moves its exit function to run before logging shuts down; in
     * C the order of atexit handlers does not matter for stderr, but the
     * function must be registered for the shutdown messages to appear. */
    mp__ensure_atexit();
    return &logger;
}

/* ---- formats ------------------------------------------------------------ */

/* The record's fields a format may name, and how each is converted. */
static const char *const fields[] = {"name", "levelname", "levelno", "processName", "process",
                                     "message"};
enum { NFIELDS = sizeof fields / sizeof fields[0] };

/* One %(field)<flags><width><conversion> at *p (just after the '%('):
 * the field's index, its printf spec "%-8s" in spec, *p moved past it;
 * -1 when the field or the conversion is not one of these. */
static int parse_field(const char **p, char spec[16])
{
    const char *end = strchr(*p, ')');
    int f = -1;
    for (int i = 0; end && i < NFIELDS; i++)
        if ((size_t)(end - *p) == strlen(fields[i]) && strncmp(*p, fields[i], (size_t)(end - *p)) == 0)
            f = i;
    if (f < 0)
        return -1;
    size_t n = strspn(end + 1, "-+ #0123456789.");
    char conv = end[1 + n];
    if (n > 10 || (conv != 's' && conv != 'd') || (conv == 'd' && f != 2 && f != 4))
        return -1;
    spec[0] = '%';
    memcpy(spec + 1, end + 1, n);
    spec[1 + n] = conv;
    spec[2 + n] = '\0';
    *p = end + 2 + n;
    return f;
}

/* Formatter(fmt) validates fmt: at least one field, and (here, where
 * CPython would fail later, at the first record) only fields it knows. */
static int validate(const char *fmt)
{
    int nfields = 0;
    char spec[16];
    for (const char *p = fmt; *p;) {
        if (p[0] == '%' && p[1] == '(') {
            p += 2;
            if (parse_field(&p, spec) < 0)
                return mp__fail(MP_EVALUE, "Formatting field not found in record: '%.*s'",
                                (int)strcspn(p, ")"), p);
            nfields++;
        } else {
            p += p[0] == '%' && p[1] == '%' ? 2 : 1;
        }
    }
    if (nfields == 0)
        return mp__fail(MP_EVALUE, "Invalid format '%s' for '%%' style", fmt);
    return 0;
}

/* With mu held: the record, as h's format gives it, and flushed
 * (StreamHandler.emit). */
static void emit(mp_log_handler *h, int level, const char *msg)
{
    char spec[16];
    for (const char *p = h->format; *p;) {
        if (p[0] == '%' && p[1] == '(') {
            p += 2;
            switch (parse_field(&p, spec)) {
            case 0: fprintf(h->stream, spec, "multiprocessing"); break;
            case 1: fprintf(h->stream, spec, mp_level_name(level)); break;
            case 2: fprintf(h->stream, spec, level); break;
            case 3: fprintf(h->stream, spec, mp__current_process_name()); break;
            case 4: fprintf(h->stream, spec, (int)getpid()); break;
            default: fprintf(h->stream, spec, msg); break;
            }
        } else if (p[0] == '%' && p[1] == '%') {
            fputc('%', h->stream);
            p += 2;
        } else {
            fputc(*p++, h->stream);
        }
    }
    fputc('\n', h->stream);
    fflush(h->stream);
}

/* ---- handlers ----------------------------------------------------------- */

mp_log_handler *mp_log_handler_new(const mp_log_handler_opts *opts)
{
    static const mp_log_handler_opts defaults;
    if (!opts)
        opts = &defaults;
    const char *fmt = opts->format ? opts->format : "%(message)s";
    if (opts->stream && opts->filename) {
        mp__fail(MP_EVALUE, "give a stream or a filename, not both");
        return NULL;
    }
    if (validate(fmt) < 0)
        return NULL;
    mp_log_handler *h = calloc(1, sizeof *h);
    if (!h || !(h->format = strdup(fmt))) {
        free(h);
        mp__fail(MP_ENOMEM, "out of memory");
        return NULL;
    }
    h->level = opts->level;
    h->stream = opts->stream ? opts->stream : stderr;
    if (opts->filename) {
        if (!(h->stream = fopen(opts->filename, "ae"))) {
            mp__fail_errno(opts->filename);
            free(h->format);
            free(h);
            return NULL;
        }
        h->owns_stream = true;
    }
    return h;
}

void mp_log_handler_set_level(mp_log_handler *h, int level)
{
    h->level = level;
}

int mp_log_handler_level(const mp_log_handler *h)
{
    return h->level;
}

int mp_logger_add_handler(mp_logger *lg, mp_log_handler *h)
{
    (void)lg;
    mp_get_logger();
    pthread_mutex_lock(&mu);
    /* addHandler of a handler already there does nothing. */
    if (!h->added) {
        mp_log_handler **p = &logger.handlers;
        while (*p)
            p = &(*p)->next;
        *p = h;
        h->added = true;
    }
    pthread_mutex_unlock(&mu);
    return 0;
}

void mp_logger_remove_handler(mp_logger *lg, mp_log_handler *h)
{
    (void)lg;
    pthread_mutex_lock(&mu);
    for (mp_log_handler **p = &logger.handlers; *p; p = &(*p)->next) {
        if (*p == h) {
            *p = h->next;
            break;
        }
    }
    h->next = NULL;
    h->added = false;
    pthread_mutex_unlock(&mu);
}

void mp_log_handler_free(mp_log_handler *h)
{
    if (!h)
        return;
    mp_logger_remove_handler(&logger, h);
    if (h->owns_stream)
        fclose(h->stream);
    free(h->format);
    free(h);
}

/* ---- the logger --------------------------------------------------------- */

mp_logger *mp_log_to_stderr(int level)
{
    mp_get_logger();
    mp_log_handler *h = mp_log_handler_new(
        &(mp_log_handler_opts){.format = "[%(levelname)s/%(processName)s] %(message)s"});
    /* Out of memory: the records go to logging's last resort instead. */
    if (h) {
        h->from_log_to_stderr = true;
        mp_logger_add_handler(&logger, h);
    }
    if (level)
        logger.level = level;
    return &logger;
}

void mp_logger_set_level(mp_logger *lg, int level)
{
    lg->level = level;
}

int mp_logger_level(const mp_logger *lg)
{
    return lg->level;
}

const char *mp_level_name(int level)
{
    static _Thread_local char other[24];
    switch (level) {
    case MP_NOTSET: return "NOTSET";
    case MP_DEBUG: return "DEBUG";
    case MP_INFO: return "INFO";
    case MP_WARNING: return "WARNING";
    case MP_ERROR: return "ERROR";
    case MP_CRITICAL: return "CRITICAL";
    }
    /* CPython 3.11 registers no names for SUBDEBUG (5) and SUBWARNING (25),
     * so its records say "Level 5" and "Level 25"; so do ours. */
    snprintf(other, sizeof other, "Level %d", level);
    return other;
}

void mp_log(int level, const char *fmt, ...)
{
    if (!logger.exists)
        return;
    /* A logger at NOTSET defers to the root logger, which is at WARNING. */
    int effective = logger.level ? logger.level : MP_WARNING;
    if (level < effective)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&mu);
    if (!logger.handlers) {
        /* logging.lastResort: the bare message, for WARNING and above. */
        if (level >= MP_WARNING) {
            fprintf(stderr, "%s\n", msg);
            fflush(stderr);
        }
    }
    for (mp_log_handler *h = logger.handlers; h; h = h->next)
        if (level >= h->level)
            emit(h, level, msg);
    pthread_mutex_unlock(&mu);
}

/* What a spawned child is given: whether the logger exists, its level and
 * how many log_to_stderr handlers it has (CPython's preparation data
 * carries the level and log_to_stderr, not handlers of your own). */
void mp__log_get(bool *exists, int *level, int *handlers)
{
    *exists = logger.exists;
    *level = logger.level;
    *handlers = 0;
    pthread_mutex_lock(&mu);
    for (mp_log_handler *h = logger.handlers; h; h = h->next)
        *handlers += h->from_log_to_stderr;
    pthread_mutex_unlock(&mu);
}

void mp__log_set(bool exists, int level, int handlers)
{
    for (int i = 0; i < (handlers > 16 ? 16 : handlers); i++)
        mp_log_to_stderr(MP_NOTSET);
    logger.exists = exists;
    logger.level = level;
}

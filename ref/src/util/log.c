/* log.c - multiprocessing's logger: get_logger, log_to_stderr, levels and the record format. */
#include "util.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>

/* Python's logger object reduced to what multiprocessing uses: a level and
 * a number of stderr handlers.  `exists` mirrors util._logger being set:
 * until get_logger() or log_to_stderr() is called, nothing is logged.
 * Atomic because a queue's feeder thread logs while the main thread may
 * be setting the logger up (Python's logging takes a lock for it). */
struct mp_logger {
    _Atomic bool exists;
    _Atomic int level;
    _Atomic int handlers;
};

static mp_logger logger;

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
    logger.exists = true;
    /* Python moves its exit function to run before logging shuts down; in
     * C the order of atexit handlers does not matter for stderr, but the
     * function must be registered for the shutdown messages to appear. */
    mp__ensure_atexit();
    return &logger;
}

mp_logger *mp_log_to_stderr(int level)
{
    mp_get_logger();
    atomic_fetch_add(&logger.handlers, 1);
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
    if (logger.handlers == 0) {
        /* logging.lastResort: the bare message, for WARNING and above. */
        if (level >= MP_WARNING)
            fprintf(stderr, "%s\n", msg);
    } else {
        for (int i = 0; i < logger.handlers; i++)
            fprintf(stderr, "[%s/%s] %s\n", mp_level_name(level),
                    mp__current_process_name(), msg);
    }
    fflush(stderr);
}

void mp__log_get(bool *exists, int *level, int *handlers)
{
    *exists = logger.exists;
    *level = logger.level;
    *handlers = logger.handlers;
}

void mp__log_set(bool exists, int level, int handlers)
{
    logger.exists = exists;
    logger.level = level;
    logger.handlers = handlers < 0 ? 0 : handlers > 16 ? 16 : handlers;
}

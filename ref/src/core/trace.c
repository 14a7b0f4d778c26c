/* trace.c - MP_TRACE: one line per event (a process started, a message put, a lock taken) appended whole to a file (docs/trace.md). */
#include "core.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The file is opened once, before main(), from the environment: a child
 * started by fork inherits the descriptor, a child that re-runs the program
 * (spawn, the fork server) opens it again the same way.  Every line is one
 * write() to a descriptor opened with O_APPEND, which Linux makes atomic
 * for a regular file: lines of several processes and threads never mix.
 * When MP_TRACE is unset mp__trace_fd stays -1, and every call site costs
 * one well-predicted compare of that global (MP__TRACING).
 */
int mp__trace_fd = -1;

static const char *(*name_source)(void);
static _Atomic uint32_t counter;

__attribute__((constructor)) static void trace_open(void)
{
    const char *path = getenv("MP_TRACE");
    if (!path || !*path)
        return;
    /* Close-on-exec: a spawned child opens the file itself, so that the
     * descriptor it has is the one it expects. */
    mp__trace_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
}

void mp__trace_set_name_source(const char *(*fn)(void))
{
    name_source = fn;
}

void mp__trace_new_id(mp__object *o)
{
    o->trace_pid = (uint32_t)getpid();
    o->trace_n = atomic_fetch_add(&counter, 1) + 1;
}

/* A quoted string: \\, \" and every byte below 0x20 or 0x7f as \xHH, so a
 * line never holds a newline or a quote that is not a field's end.  Bytes
 * from 0x80 up pass as they are (UTF-8 stays readable). */
void mp__trace_quoted(mp__buf *b, const char *key, const char *s, size_t n)
{
    mp__buf_printf(b, " %s=\"", key);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\' || c == '"')
            mp__buf_printf(b, "\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            mp__buf_printf(b, "\\x%02x", c);
        else
            mp__buf_putn(b, (const char *)&c, 1);
    }
    mp__buf_putn(b, "\"", 1);
}

void mp__trace_begin(mp__buf *b, const char *event)
{
    const char *name = name_source ? name_source() : "MainProcess";
    *b = (mp__buf){0};
    mp__buf_printf(b, "%.6f %ld", mp__monotonic(), (long)getpid());
    mp__trace_quoted(b, "proc", name, strlen(name));
    mp__buf_printf(b, " ev=%s", event);
}

void mp__trace_obj(mp__buf *b, const char *kind, const mp__object *o)
{
    mp__buf_printf(b, " kind=%s obj=%u.%u", kind, o->trace_pid, o->trace_n);
}

/* A message's repr, cut to MP__TRACE_REPR characters (with "..."), so a
 * megabyte of 'X' is a short field. */
void mp__trace_repr(mp__buf *b, const mp_value *v)
{
    /* repr() may fail (no memory); the trace must not make that the
     * thread's last failure. */
    mp__exc saved;
    mp__exc_save(&saved);
    char *r = v ? mp_repr(v) : NULL;
    mp__exc_restore(&saved);
    const char *s = r ? r : "?";
    size_t n = strlen(s);
    if (n > MP__TRACE_REPR) {
        /* Cut at a character's start, never inside a UTF-8 sequence. */
        size_t cut = MP__TRACE_REPR;
        while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
            cut--;
        mp__buf b2 = {0};
        mp__buf_putn(&b2, s, cut);
        mp__buf_puts(&b2, "...");
        char *t = mp__buf_finish(&b2);
        mp__trace_quoted(b, "repr", t ? t : "?", t ? strlen(t) : 1);
        free(t);
    } else {
        mp__trace_quoted(b, "repr", s, n);
    }
    free(r);
}

void mp__trace_end(mp__buf *b)
{
    mp__buf_putn(b, "\n", 1);
    char *line = mp__buf_finish(b);
    if (!line)
        return;             /* out of memory: the event is not written */
    /* One write: O_APPEND makes it land whole.  A failed or short write
     * is not the program's concern; the trace is a side channel. */
    ssize_t w = write(mp__trace_fd, line, strlen(line));
    (void)w;
    free(line);
}

void mp__trace_obj_event(const char *event, const char *kind, const mp__object *o)
{
    if (o->trace_n == 0)
        return;
    mp__buf b;
    mp__trace_begin(&b, event);
    mp__trace_obj(&b, kind, o);
    mp__trace_end(&b);
}

void mp__trace_result(const char *event, const mp__object *o, bool ok)
{
    if (o->trace_n == 0)
        return;
    mp__buf b;
    mp__trace_begin(&b, event);
    mp__trace_obj(&b, o->cls->name, o);
    mp__buf_printf(&b, " ok=%d", ok);
    mp__trace_end(&b);
}

void mp__trace_message(const char *event, const char *kind, const mp__object *o, long size,
                       const mp_value *v)
{
    if (o->trace_n == 0)
        return;
    mp__buf b;
    mp__trace_begin(&b, event);
    mp__trace_obj(&b, kind, o);
    if (size >= 0)
        mp__buf_printf(&b, " size=%ld", size);
    mp__trace_repr(&b, v);
    mp__trace_end(&b);
}

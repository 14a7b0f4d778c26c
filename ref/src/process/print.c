/* print.c - print() of C arguments as Python prints its arguments: str() of each, a process as its repr. */
#include "process.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

/* Append str() of one C argument.  A NULL C string prints as None (C's
 * None for a string); a NULL value or process as <NULL>. */
static bool put_arg(mp__buf *b, const mp_arg *a)
{
    switch (a->kind) {
    case MP__A_CSTR:
        mp__buf_puts(b, a->u.s ? a->u.s : "None");
        return true;
    case MP__A_VALUE:
    case MP__A_BORROWED:
    case MP__A_OBJECT:
        return mp__buf_str(b, a->u.v);
    case MP__A_PROCESS: {
        if (!a->u.p) {
            mp__buf_puts(b, "<NULL>");
            return true;
        }
        char *r = mp_process_repr(a->u.p);
        if (!r)
            return false;
        mp__buf_puts(b, r);
        free(r);
        return true;
    }
    case MP__A_BOOL:
        mp__buf_puts(b, a->u.b ? "True" : "False");
        return true;
    case MP__A_INT:
        mp__buf_printf(b, "%" PRId64, a->u.i);
        return true;
    case MP__A_UINT:
        mp__buf_printf(b, "%" PRIu64, a->u.u);
        return true;
    case MP__A_FLOAT:
        mp__buf_float(b, a->u.d);
        return true;
    }
    return false;
}

/*
 * The whole line is built first and written with one fwrite, so that lines
 * printed by several processes to one pipe do not interleave mid-line more
 * than Python's would.  Python would raise MemoryError; this returns void,
 * so a failure prints nothing and is recorded for mp_errmsg().
 */
void mp__print(const mp_print_opts *opts, size_t n, const mp_arg *args)
{
    const char *sep = opts && opts->sep ? opts->sep : " ";
    const char *end = opts && opts->end ? opts->end : "\n";
    FILE *f = opts && opts->file ? opts->file : stdout;
    mp__buf b = {0};
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        if (i)
            mp__buf_puts(&b, sep);
        ok = put_arg(&b, &args[i]);
    }
    mp__buf_puts(&b, end);
    if (!ok || b.oom) {
        if (b.oom)
            mp__fail(MP_ENOMEM, "%s", "");
        free(b.data);
        return;
    }
    if (b.len)
        fwrite(b.data, 1, b.len, f);
    if (opts && opts->flush)
        fflush(f);
    free(b.data);
}

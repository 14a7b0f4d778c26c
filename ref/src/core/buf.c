/* buf.c - the growable string buffer that repr, log lines and names are built in. */
#include "core.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Room for `extra` more bytes and a NUL.  Doubling keeps appends amortised
 * O(1); after one failure the buffer stays failed (oom is sticky). */
static bool reserve(mp__buf *b, size_t extra)
{
    if (b->oom)
        return false;
    if (b->cap - b->len > extra)
        return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap - b->len <= extra) {
        if (cap > SIZE_MAX / 2) {
            b->oom = true;
            return false;
        }
        cap *= 2;
    }
    char *data = realloc(b->data, cap);
    if (!data) {
        b->oom = true;
        return false;
    }
    b->data = data;
    b->cap = cap;
    return true;
}

void mp__buf_putn(mp__buf *b, const char *s, size_t n)
{
    if (n == 0 || !reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
}

void mp__buf_puts(mp__buf *b, const char *s)
{
    mp__buf_putn(b, s, strlen(s));
}


void mp__buf_printf(mp__buf *b, const char *fmt, ...)
{
    va_list ap, again;
    if (!reserve(b, 0))
        return;
    /* Try in the space we have; if it is short, grow once and redo. */
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = true;          /* an encoding error: treat as a failed append */
    } else if ((size_t)n >= b->cap - b->len) {
        if (reserve(b, (size_t)n))
            vsnprintf(b->data + b->len, b->cap - b->len, fmt, again);
    }
    va_end(again);
    if (!b->oom)
        b->len += (size_t)n;
}

char *mp__buf_finish(mp__buf *b)
{
    char *s = b->data;
    if (!b->oom && !s)
        s = calloc(1, 1);       /* nothing appended: the empty string */
    else if (!b->oom)
        s[b->len] = '\0';       /* reserve() always leaves room for it */
    if (b->oom) {
        free(s);
        s = NULL;
    }
    if (!s)
        mp__fail(MP_ENOMEM, "%s", "");
    *b = (mp__buf){0};
    return s;
}

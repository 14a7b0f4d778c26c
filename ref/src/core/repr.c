/* repr.c - repr() and str() exactly as Python 3.11 prints them. */
#include "core.h"
#include "unicode_table.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Python stops at its recursion limit; so do we (see value_container.c). */
#define MAX_DEPTH 1000

/* ---- str and bytes ----------------------------------------------------- */

static void putc_(mp__buf *b, char c)
{
    mp__buf_putn(b, &c, 1);
}

/*
 * Decode one code point at s[0..n).  Text from mp_str is valid UTF-8, but
 * mp__buf_repr_str also sees C strings (process names) that may not be; an
 * invalid byte decodes alone to U+DC80..U+DCFF, as Python's surrogateescape
 * would give it, so its repr shows '\udcff' rather than losing it.
 */
static uint32_t decode(const uint8_t *s, size_t n, size_t *used)
{
    uint8_t c = s[0];
    size_t need = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
    uint32_t cp = c >= 0xF0 ? c & 0x07u : c >= 0xE0 ? c & 0x0Fu : c & 0x1Fu;
    static const uint32_t min[] = {0, 0x80, 0x800, 0x10000};
    *used = 1;
    if (c < 0x80)
        return c;
    if (c < 0xC2 || c > 0xF4 || need >= n)
        return 0xDC00 + c;
    for (size_t k = 1; k <= need; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0xDC00 + c;
        cp = cp << 6 | (s[k] & 0x3Fu);
    }
    if (cp < min[need] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0xDC00 + c;
    *used = need + 1;
    return cp;
}

/* Python's str.isprintable() for one non-ASCII code point. */
static bool printable(uint32_t cp)
{
    size_t lo = 0, hi = sizeof printable_ranges / sizeof printable_ranges[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < printable_ranges[mid][0])
            hi = mid;
        else if (cp > printable_ranges[mid][1])
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

/* Python picks ' unless the text holds ' and no ", and then escapes only the
 * quote it picked (unicode_repr and PyBytes_Repr agree on this). */
static char pick_quote(const char *s, size_t len)
{
    return memchr(s, '\'', len) && !memchr(s, '"', len) ? '"' : '\'';
}

/* The escapes str and bytes share; false if c needs none. */
static bool put_escape(mp__buf *b, uint32_t c, char quote)
{
    static const char hex[] = "0123456789abcdef";
    char e[10] = {'\\'};
    if (c == (uint32_t)quote || c == '\\')
        e[1] = (char)c, mp__buf_putn(b, e, 2);
    else if (c == '\t')
        mp__buf_putn(b, "\\t", 2);
    else if (c == '\n')
        mp__buf_putn(b, "\\n", 2);
    else if (c == '\r')
        mp__buf_putn(b, "\\r", 2);
    else if (c < ' ' || c == 0x7f)
        mp__buf_printf(b, "\\x%c%c", hex[c >> 4], hex[c & 15]);
    else
        return false;
    return true;
}

void mp__buf_repr_str(mp__buf *b, const char *s, size_t len)
{
    char quote = pick_quote(s, len);
    size_t i = 0, run = 0;      /* s[run..i) is pending literal text */
    putc_(b, quote);
    while (i < len) {
        size_t used;
        uint32_t cp = decode((const uint8_t *)s + i, len - i, &used);
        bool literal = cp < 0x7f ? cp >= ' ' && cp != (uint32_t)quote && cp != '\\'
                                 : cp != 0x7f && printable(cp);
        if (literal) {
            i += used;
            continue;
        }
        mp__buf_putn(b, s + run, i - run);
        if (!put_escape(b, cp, quote)) {
            if (cp <= 0xff)
                mp__buf_printf(b, "\\x%02" PRIx32, cp);
            else if (cp <= 0xffff)
                mp__buf_printf(b, "\\u%04" PRIx32, cp);
            else
                mp__buf_printf(b, "\\U%08" PRIx32, cp);
        }
        i += used;
        run = i;
    }
    mp__buf_putn(b, s + run, len - run);
    putc_(b, quote);
}

static void repr_bytes(mp__buf *b, const uint8_t *s, size_t len)
{
    char quote = pick_quote((const char *)s, len);
    mp__buf_putn(b, "b", 1);
    putc_(b, quote);
    for (size_t i = 0; i < len; i++)
        if (!put_escape(b, s[i], quote)) {
            if (s[i] < 0x7f)
                putc_(b, (char)s[i]);
            else
                mp__buf_printf(b, "\\x%02x", s[i]);
        }
    putc_(b, quote);
}

/* ---- float ------------------------------------------------------------- */

/* Does m * 10^e read back as exactly d? */
static bool round_trips(uint64_t m, int e, double d)
{
    char buf[48];
    snprintf(buf, sizeof buf, "%" PRIu64 "e%d", m, e);
    return strtod(buf, NULL) == d;
}

/* The p-digit decimal nearest d > 0 as m * 10^e (m has p digits); returns
 * whether it reads back as d.  glibc's printf and strtod are exact. */
static bool nearest(double d, int p, uint64_t *m, int *e)
{
    char buf[48];
    snprintf(buf, sizeof buf, "%.*e", p - 1, d);
    const char *q = buf;
    *m = 0;
    for (; *q != 'e'; q++)
        if (*q >= '0' && *q <= '9')
            *m = *m * 10 + (uint64_t)(*q - '0');
    *e = atoi(q + 1) - (p - 1);
    return strtod(buf, NULL) == d;
}

/*
 * The shortest decimal m * 10^e that reads back as d > 0, nearest d among
 * the shortest: the digits of Python's repr (David Gay's mode 0).  Seventeen
 * digits always suffice.
 *
 * Usually the doubles that read back as d fill an interval centred on d, so
 * if any p-digit decimal lies in it the nearest one does, and then so does
 * the nearest (p+1)-digit one: a binary search over p finds the shortest.
 * Just above a power of two the interval is lopsided (the gap below is half
 * the gap above); there the nearest p-digit decimal may miss while its
 * neighbour on d's other side hits, so each length is tried in turn with
 * both neighbours.
 */
static void shortest(double d, uint64_t *mant, int *exp10)
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    bool lopsided = (bits & 0xFFFFFFFFFFFFFULL) == 0 && (bits >> 52) > 1;
    if (!lopsided) {
        int lo = 1, hi = 17;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (nearest(d, mid, mant, exp10))
                hi = mid;
            else
                lo = mid + 1;
        }
        nearest(d, lo, mant, exp10);
        return;
    }
    for (int p = 1; p <= 17; p++) {
        uint64_t m, pow = 1;
        int e;
        if (nearest(d, p, &m, &e)) {
            *mant = m;
            *exp10 = e;
            return;
        }
        for (int k = 1; k < p; k++)
            pow *= 10;                          /* 10^(p-1): smallest p-digit m */
        uint64_t cand[2] = {m + 1, m - 1};
        int ce[2] = {e, e};
        if (cand[0] == pow * 10)
            cand[0] = pow, ce[0] = e + 1;
        if (cand[1] < pow)
            cand[1] = pow * 10 - 1, ce[1] = e - 1;
        for (int k = 0; k < 2; k++)
            if (round_trips(cand[k], ce[k], d)) {
                *mant = cand[k];
                *exp10 = ce[k];
                return;
            }
    }
    nearest(d, 17, mant, exp10);                /* not reached: 17 digits round-trip */
}

/* repr(float): shortest round-trip digits, in exponent form when the decimal
 * point would sit more than 16 places right or 4 places left of the digits. */
void mp__buf_float(mp__buf *b, double d)
{
    if (isnan(d)) {
        mp__buf_puts(b, "nan");
        return;
    }
    if (signbit(d))
        putc_(b, '-'), d = -d;
    if (isinf(d)) {
        mp__buf_puts(b, "inf");
        return;
    }
    if (d == 0) {
        mp__buf_puts(b, "0.0");
        return;
    }
    uint64_t m;
    int e;
    char digits[24];
    shortest(d, &m, &e);
    while (m % 10 == 0)
        m /= 10, e++;
    int n = snprintf(digits, sizeof digits, "%" PRIu64, m);
    int decpt = n + e;          /* d = 0.DIGITS * 10^decpt */
    if (decpt <= -4 || decpt > 16) {
        putc_(b, digits[0]);
        if (n > 1) {
            putc_(b, '.');
            mp__buf_putn(b, digits + 1, (size_t)n - 1);
        }
        mp__buf_printf(b, "e%c%02d", decpt - 1 < 0 ? '-' : '+', abs(decpt - 1));
    } else if (decpt <= 0) {
        mp__buf_puts(b, "0.");
        for (int k = decpt; k < 0; k++)
            putc_(b, '0');
        mp__buf_putn(b, digits, (size_t)n);
    } else if (decpt >= n) {
        mp__buf_putn(b, digits, (size_t)n);
        for (int k = n; k < decpt; k++)
            putc_(b, '0');
        mp__buf_puts(b, ".0");
    } else {
        mp__buf_putn(b, digits, (size_t)decpt);
        putc_(b, '.');
        mp__buf_putn(b, digits + decpt, (size_t)(n - decpt));
    }
}

/* ---- repr of values ---------------------------------------------------- */

/* The containers being printed, innermost first: Python shows a container
 * met again inside itself as [...], (...) or {...} (Py_ReprEnter). */
struct chain {
    const mp_value *v;
    const struct chain *up;
};

static bool repr_value(mp__buf *b, const mp_value *v, const struct chain *up, int depth);

static bool repr_container(mp__buf *b, const mp_value *v, const struct chain *up, int depth)
{
    mp_type t = mp_typeof(v);
    const char *open = t == MP_T_TUPLE ? "(" : t == MP_T_LIST ? "[" : "{";
    const char *close = t == MP_T_TUPLE ? ")" : t == MP_T_LIST ? "]" : "}";
    for (const struct chain *c = up; c; c = c->up)
        if (c->v == v) {
            mp__buf_puts(b, open);
            mp__buf_puts(b, "...");
            mp__buf_puts(b, close);
            return true;
        }
    if (depth >= MAX_DEPTH) {
        mp__fail(MP_ERUNTIME, "maximum recursion depth exceeded while getting "
                 "the repr of an object");
        return false;
    }
    struct chain here = {v, up};
    size_t n = mp_len(v);
    mp__buf_puts(b, open);
    for (size_t i = 0; i < n && !b->oom; i++) {
        if (i)
            mp__buf_putn(b, ", ", 2);
        if (t == MP_T_DICT) {
            const mp_value *key, *val;
            mp_dict_entry(v, i, &key, &val);
            if (!repr_value(b, key, &here, depth + 1))
                return false;
            mp__buf_putn(b, ": ", 2);
            if (!repr_value(b, val, &here, depth + 1))
                return false;
        } else if (!repr_value(b, mp_item(v, i), &here, depth + 1)) {
            return false;
        }
    }
    if (t == MP_T_TUPLE && n == 1)
        putc_(b, ',');
    mp__buf_puts(b, close);
    return true;
}

/* Append repr(v).  False only when the nesting is too deep. */
static bool repr_value(mp__buf *b, const mp_value *v, const struct chain *up, int depth)
{
    if (!v) {
        mp__buf_puts(b, "<NULL>");
        return true;
    }
    switch (mp_typeof(v)) {
    case MP_T_NONE:
        mp__buf_puts(b, "None");
        break;
    case MP_T_BOOL:
        mp__buf_puts(b, mp_as_bool(v) ? "True" : "False");
        break;
    case MP_T_INT:
        mp__buf_printf(b, "%" PRId64, mp_as_int(v));
        break;
    case MP_T_FLOAT:
        mp__buf_float(b, mp_as_float(v));
        break;
    case MP_T_STR: {
        size_t len;
        const char *s = mp__str_utf8(v, &len);
        mp__buf_repr_str(b, s, len);
        break;
    }
    case MP_T_BYTES: {
        size_t len;
        const uint8_t *s = mp_as_bytes(v, &len);
        repr_bytes(b, s, len);
        break;
    }
    case MP_T_OBJECT: {
        /* object.__repr__; the address normalises away in the suite. */
        const mp_class *c = mp_class_of(v);
        const mp__native *nat = c->native;
        if (nat && nat->repr)
            return nat->repr((const mp__object *)v, b);
        mp__buf_printf(b, "<%s.%s object at %p>", c->module ? c->module : "__main__", c->name,
                       (const void *)v);
        break;
    }
    default:
        return repr_container(b, v, up, depth);
    }
    return true;
}

/* NULL is shown as <NULL> rather than failing, so that printing the result
 * of a failed constructor is visible.  NULL also when nested deeper than
 * Python's recursion limit allows, with RuntimeError recorded. */
char *mp_repr(const mp_value *v)
{
    mp__buf b = {0};
    if (!repr_value(&b, v, NULL, 0)) {
        free(b.data);
        return NULL;
    }
    return mp__buf_finish(&b);
}

/* str(): a str is itself; everything else is its repr (containers show
 * their items' repr, as Python's do). */
bool mp__buf_str(mp__buf *b, const mp_value *v)
{
    if (mp_typeof(v) == MP_T_STR) {
        size_t len;
        const char *s = mp__str_utf8(v, &len);
        mp__buf_putn(b, s, len);
        return true;
    }
    const mp_class *c = mp_class_of(v);
    if (c && c->native && ((const mp__native *)c->native)->str)
        return ((const mp__native *)c->native)->str((const mp__object *)v, b);
    return repr_value(b, v, NULL, 0);
}

char *mp_tostring(const mp_value *v)
{
    mp__buf b = {0};
    if (!mp__buf_str(&b, v)) {
        free(b.data);
        return NULL;
    }
    return mp__buf_finish(&b);
}

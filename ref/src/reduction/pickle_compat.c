/* pickle_compat.c - the old protocols: text arguments of protocols 0 and 1 as CPython parses them, and the bytes globals. */
#include "pickle.h"

#include <locale.h>
#include <math.h>

static int scratch_reserve(mp__pickle_scratch *sc, size_t n);

/* CPython hands these lines to C's strtol and to its own int() and float()
 * parsers, all of which stop at a NUL byte: a line "5\0junk" reads as 5.
 * The same cut is made here, so that both accept the same lines. */
static size_t cut_at_nul(const char *s, size_t n)
{
    const char *z = memchr(s, '\0', n);
    return z ? (size_t)(z - s) : n;
}

static bool space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return 99;
}

/* Add one digit to a magnitude, remembering overflow past 2**64 - 1. */
static void accumulate(uint64_t *mag, bool *over, int base, int dv)
{
    if (*mag > (UINT64_MAX - (uint64_t)dv) / (uint64_t)base)
        *over = true;
    else
        *mag = *mag * (uint64_t)base + (uint64_t)dv;
}

/* A sign and a magnitude as int64; false if it does not fit. */
static bool to_int64(bool neg, uint64_t mag, bool over, int64_t *out)
{
    if (over || mag > (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX))
        return false;
    *out = neg ? (int64_t)(0 - mag) : (int64_t)mag;
    return true;
}

enum { PARSED = 0, INVALID = 1, TOO_BIG = 2 };

/*
 * Python's int(s, base) for base 0 or 10 (PyLong_FromString): surrounding
 * whitespace, a sign, for base 0 a 0x/0o/0b prefix, digits with single
 * underscores between them, and in base 0 no leading zero before a
 * non-zero digit.  PARSED, INVALID, or TOO_BIG (valid, past int64).
 */
static int python_int(const char *s, size_t n, int base, int64_t *out)
{
    size_t i = 0;
    bool neg = false, over = false, only_zeros = false;
    uint64_t mag = 0;
    while (i < n && space(s[i]))
        i++;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    if (base == 0) {
        char p = i + 1 < n && s[i] == '0' ? s[i + 1] : 0;
        base = p == 'x' || p == 'X' ? 16 : p == 'o' || p == 'O' ? 8 : p == 'b' || p == 'B' ? 2 : 10;
        if (base != 10) {
            i += 2;
            if (i < n && s[i] == '_')       /* 0x_ff is allowed */
                i++;
        } else {
            only_zeros = i < n && s[i] == '0';
        }
    }
    size_t ndigits = 0;
    while (i < n) {
        int dv = digit_value(s[i]);
        if (dv < base) {
            if (only_zeros && dv != 0)
                return INVALID;
            accumulate(&mag, &over, base, dv);
            ndigits++, i++;
        } else if (s[i] == '_' && ndigits && i + 1 < n && digit_value(s[i + 1]) < base) {
            i++;
        } else {
            break;
        }
    }
    while (i < n && space(s[i]))
        i++;
    if (ndigits == 0 || i != n)
        return INVALID;
    return to_int64(neg, mag, over, out) ? PARSED : TOO_BIG;
}

/*
 * C's strtol(s, &end, 0) on the line: whitespace, a sign, 0x for hex, a
 * leading 0 for octal.  Returns how many characters it used (0 when it found
 * no digits) and sets *range when the value is past a long.
 */
static size_t c_strtol(const char *s, size_t n, int64_t *out, bool *range)
{
    size_t i = 0;
    bool neg = false;
    int base = 10;
    uint64_t mag = 0;
    *range = false;
    *out = 0;                           /* no digits reads as 0, as strtol returns */
    while (i < n && space(s[i]))
        i++;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    if (i + 2 < n && s[i] == '0' && (s[i + 1] | 0x20) == 'x' && digit_value(s[i + 2]) < 16)
        base = 16, i += 2;
    else if (i < n && s[i] == '0')
        base = 8;
    size_t start = i;
    while (i < n && digit_value(s[i]) < base)
        accumulate(&mag, range, base, digit_value(s[i++]));
    if (i == start)
        return 0;
    if (!to_int64(neg, mag, *range, out))
        *range = true;
    return i;
}

int mp__pickle_text_int(const char *s, size_t n, int64_t *out, bool *is_bool)
{
    /* CPython: strtol first; a line strtol cannot take whole (a huge
     * number, an underscore) goes to int(line, 0).  A line of exactly two
     * characters whose value is 0 or 1 is a bool: I01 and I00 are how
     * protocols 0 and 1 write True and False (so "-0" is False too). */
    size_t line_len = n;
    n = cut_at_nul(s, n);
    bool range;
    size_t used = c_strtol(s, n, out, &range);
    *is_bool = false;
    if (!range && used == n && (used > 0 || n == 0)) {
        *is_bool = line_len == 2 && (*out == 0 || *out == 1);
        return 0;
    }
    switch (python_int(s, n, 0, out)) {
    case PARSED: return 0;
    case TOO_BIG: return mp__fail(MP_EOVERFLOW, "int too large: more than 64 bits (opcode INT)");
    default: return mp__fail(MP_EUNPICKLE, "could not convert string to int");
    }
}

int mp__pickle_text_long(const char *s, size_t n, int64_t *out)
{
    if (n > 0 && s[n - 1] == 'L')    /* Python 2 wrote longs as 123L */
        n--;
    n = cut_at_nul(s, n);
    switch (python_int(s, n, 0, out)) {
    case PARSED: return 0;
    case TOO_BIG: return mp__fail(MP_EOVERFLOW, "int too large: more than 64 bits (opcode LONG)");
    default: return mp__fail(MP_EUNPICKLE, "invalid literal for int() with base 0 (opcode LONG)");
    }
}

int mp__pickle_text_index(const char *s, size_t n, int64_t *out)
{
    switch (python_int(s, cut_at_nul(s, n), 10, out)) {
    case PARSED: return 0;
    case TOO_BIG: return mp__fail(MP_EUNPICKLE, "Python int too large to convert to C ssize_t");
    default: return mp__fail(MP_EUNPICKLE, "invalid literal for int() with base 10");
    }
}

/* ---- FLOAT ------------------------------------------------------------- */

static bool word_at(const char *s, size_t n, size_t i, const char *w)
{
    size_t k = 0;
    for (; w[k]; k++)
        if (i + k >= n || (s[i + k] | 0x20) != w[k])
            return false;
    return true;
}

/* C's "C" locale, so that a program's setlocale() cannot change what a
 * decimal point is.  Made once; racing threads may each make one, and the
 * losers free theirs. */
static locale_t c_locale(void)
{
    static locale_t loc;
    locale_t have = __atomic_load_n(&loc, __ATOMIC_ACQUIRE);
    if (have)
        return have;
    locale_t mine = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (!mine)
        return (locale_t)0;
    if (!__atomic_compare_exchange_n(&loc, &have, mine, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        freelocale(mine);
        return have;
    }
    return mine;
}

int mp__pickle_text_float(const char *s, size_t n, double *out)
{
    /* float() of the line as PyOS_string_to_double reads it: no whitespace,
     * a sign, then inf, infinity or nan in any case, or digits with an
     * optional point and exponent.  It must use the whole line. */
    n = cut_at_nul(s, n);
    size_t i = 0, digits = 0;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    if (word_at(s, n, i, "infinity") && i + 8 == n) {
        *out = neg ? -INFINITY : INFINITY;
        return 0;
    }
    if (word_at(s, n, i, "inf") && i + 3 == n) {
        *out = neg ? -INFINITY : INFINITY;
        return 0;
    }
    if (word_at(s, n, i, "nan") && i + 3 == n) {
        *out = neg ? -NAN : NAN;
        return 0;
    }
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++, digits++;
    if (i < n && s[i] == '.')
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            digits++;
    if (digits && i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < n && (s[j] == '+' || s[j] == '-'))
            j++;
        if (j < n && s[j] >= '0' && s[j] <= '9') {
            while (j < n && s[j] >= '0' && s[j] <= '9')
                j++;
            i = j;
        }
    }
    if (!digits || i != n)
        return mp__fail(MP_EUNPICKLE, "could not convert string to float (opcode FLOAT)");
    char small[64], *copy = n < sizeof small ? small : malloc(n + 1);
    if (!copy)
        return mp__fail(MP_ENOMEM, "%s", "");
    memcpy(copy, s, n);
    copy[n] = '\0';
    locale_t loc = c_locale();
    double d = loc ? strtod_l(copy, NULL, loc) : strtod(copy, NULL);
    if (copy != small)
        free(copy);
    if (isinf(d))
        return mp__fail(MP_EOVERFLOW, "value too large to convert to float (opcode FLOAT)");
    *out = d;
    return 0;
}

/* ---- STRING, BINSTRING, SHORT_BINSTRING -------------------------------- */

/* Python 2 str data, which Python 3 decodes as ASCII (pickle.loads'
 * default encoding): a byte past 0x7f is an error, as CPython says it. */
int mp__pickle_ascii(const char *s, size_t n, mp_value **out)
{
    for (size_t i = 0; i < n; i++)
        if ((uint8_t)s[i] >= 0x80)
            return mp__fail(MP_EUNPICKLE, "'ascii' codec can't decode byte 0x%02x in position "
                            "%zu: ordinal not in range(128)", (uint8_t)s[i], i);
    *out = mp_str_n(s, n);
    return *out ? 0 : MP_ENOMEM;
}

int mp__pickle_text_string(const char *s, size_t n, mp__pickle_scratch *sc, mp_value **out)
{
    /* The argument is a quoted Python 2 string literal: strip matching
     * quotes, undo the backslash escapes as bytes literals do (an unknown
     * escape is kept as it is), then decode as ASCII. */
    if (n < 2 || s[0] != s[n - 1] || (s[0] != '\'' && s[0] != '"'))
        return mp__fail(MP_EUNPICKLE, "the STRING opcode argument must be quoted");
    s++, n -= 2;
    if (scratch_reserve(sc, n) < 0)
        return MP_ENOMEM;
    char *o = sc->data;
    for (size_t i = 0; i < n;) {
        if (s[i] != '\\') {
            *o++ = s[i++];
            continue;
        }
        if (++i == n)
            return mp__fail(MP_EUNPICKLE, "Trailing \\ in string");
        char c = s[i++];
        static const char simple[] = "\\\\''\"\"b\bf\ft\tn\nr\rv\va\a";
        const char *hit = NULL;
        for (const char *p = simple; *p; p += 2)
            if (*p == c)
                hit = p;
        if (hit) {
            *o++ = hit[1];
        } else if (c >= '0' && c <= '7') {
            int v = c - '0';
            for (int k = 0; k < 2 && i < n && s[i] >= '0' && s[i] <= '7'; k++)
                v = v * 8 + (s[i++] - '0');
            *o++ = (char)(v & 0xff);          /* past \377 wraps, as in CPython */
        } else if (c == 'x') {
            if (i + 1 >= n || digit_value(s[i]) >= 16 || digit_value(s[i + 1]) >= 16)
                return mp__fail(MP_EUNPICKLE, "invalid \\x escape at position %zu", i - 2);
            *o++ = (char)(digit_value(s[i]) * 16 + digit_value(s[i + 1]));
            i += 2;
        } else {
            *o++ = '\\';
            i--;
        }
    }
    return mp__pickle_ascii(sc->data, (size_t)(o - sc->data), out);
}

/* ---- UNICODE ----------------------------------------------------------- */

static char *put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xC0 | (cp >> 6));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xE0 | (cp >> 12));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (char)(0xF0 | (cp >> 18));
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    }
    return o;
}

int mp__pickle_text_unicode(const char *s, size_t n, mp__pickle_scratch *sc, mp_value **out)
{
    /* raw-unicode-escape: each byte is the code point of the same number,
     * except \uXXXX and \UXXXXXXXX.  A backslash before anything else stays
     * as it is, along with that character (so "\\u0041" is not an escape).
     * Lone surrogates, which Python allows in a str, are refused: a str here
     * is strict UTF-8. */
    if (scratch_reserve(sc, 2 * n) < 0)
        return MP_ENOMEM;
    char *o = sc->data;
    for (size_t i = 0; i < n;) {
        uint8_t c = (uint8_t)s[i++];
        if (c != '\\' || i == n || (s[i] != 'u' && s[i] != 'U')) {
            o = put_utf8(o, c);
            if (c == '\\' && i < n)
                o = put_utf8(o, (uint8_t)s[i++]);
            continue;
        }
        size_t start = i - 1, count = s[i++] == 'u' ? 4 : 8;
        uint32_t cp = 0;
        for (size_t k = 0; k < count; k++, i++) {
            if (i == n || digit_value(s[i]) >= 16)
                return mp__fail(MP_EUNPICKLE, "'rawunicodeescape' codec can't decode bytes in "
                                "position %zu-%zu: truncated \\%s escape", start, i - 1,
                                count == 4 ? "uXXXX" : "UXXXXXXXX");
            cp = cp * 16 + (uint32_t)digit_value(s[i]);
        }
        if (cp > 0x10FFFF)
            return mp__fail(MP_EUNPICKLE, "'rawunicodeescape' codec can't decode bytes in "
                            "position %zu-%zu: \\Uxxxxxxxx out of range", start, i - 1);
        if (cp >= 0xD800 && cp <= 0xDFFF)
            return mp__fail(MP_EUNPICKLE, "UNICODE holds the lone surrogate \\u%04x at position "
                            "%zu: a str here must be valid UTF-8", (unsigned)cp, start);
        o = put_utf8(o, cp);
    }
    *out = mp_str_n(sc->data, (size_t)(o - sc->data));
    return *out ? 0 : MP_ENOMEM;
}

static int scratch_reserve(mp__pickle_scratch *sc, size_t n)
{
    if (n <= sc->cap && sc->data)
        return 0;
    size_t cap = sc->cap ? sc->cap : 64;
    while (cap < n) {
        if (cap > SIZE_MAX / 2)
            return mp__fail(MP_ENOMEM, "%s", "");
        cap *= 2;
    }
    char *p = realloc(sc->data, cap);
    if (!p)
        return mp__fail(MP_ENOMEM, "%s", "");
    sc->data = p;
    sc->cap = cap;
    return 0;
}

/* ---- messages ---------------------------------------------------------- */

/* A name from the input, fit for a message: printable ASCII as it is,
 * other bytes as \xNN, long names cut. */
const char *mp__pickle_shown(char *buf, size_t cap, const char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 8 < cap; i++) {
        uint8_t c = (uint8_t)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
            buf[o++] = (char)c;
        else
            o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", c);
        if (i + 1 < n && o + 8 >= cap)
            o += (size_t)snprintf(buf + o, cap - o, "...");
    }
    buf[o] = '\0';
    return buf;
}

/* ---- globals ----------------------------------------------------------- */

/*
 * Protocols 0 to 2 carry bytes as _codecs.encode(text, 'latin1') and
 * __builtin__.bytes() (see pickle_dump.c).  These implement just what those
 * calls need, so that loading calls nothing the data names.
 */

/* Is the encoding one of names, compared as Python's codec lookup
 * normalizes: case, '-' and ' ' do not matter. */
static bool encoding_in(const mp_value *enc, const char *const *names)
{
    char norm[32];
    size_t n;
    const char *s = mp__pickle_str_utf8(enc, &n);
    if (n >= sizeof norm)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        norm[i] = c == '-' || c == ' ' ? '_' : c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
    }
    norm[n] = '\0';
    for (; *names; names++)
        if (strcmp(norm, *names) == 0)
            return true;
    return false;
}

/* who(str[, encoding[, 'strict']]) for latin-1 and UTF-8. */
static int encode_str(const mp_value *args, const char *who, mp_value **out)
{
    static const char *const latin1[] = {"latin1", "latin_1", "l1", "iso8859_1", "iso_8859_1", NULL};
    static const char *const utf8[] = {"utf8", "utf_8", "u8", NULL};
    size_t nargs = mp_len(args), n;
    const mp_value *s = mp_item(args, 0), *enc = nargs > 1 ? mp_item(args, 1) : NULL;
    const mp_value *errors = nargs > 2 ? mp_item(args, 2) : NULL;
    if (mp_typeof(s) != MP_T_STR || (enc && mp_typeof(enc) != MP_T_STR) ||
        (errors && (mp_typeof(errors) != MP_T_STR || strcmp(mp_as_str(errors), "strict") != 0)))
        return mp__fail(MP_EUNPICKLE, "%s() is supported only as %s(str, encoding)", who, who);
    const char *p = mp__pickle_str_utf8(s, &n);
    if (!enc || encoding_in(enc, utf8)) {
        *out = mp_bytes(p, n);
        return *out ? 0 : MP_ENOMEM;
    }
    if (!encoding_in(enc, latin1)) {
        char e[64];
        size_t elen;
        const char *es = mp__pickle_str_utf8(enc, &elen);
        return mp__fail(MP_EUNPICKLE, "%s() with encoding '%s' is not supported (only latin1 "
                        "and utf-8)", who, mp__pickle_shown(e, sizeof e, es, elen));
    }
    size_t ncp = mp_len(s), k = 0;
    uint8_t *b = malloc(ncp ? ncp : 1);
    if (!b)
        return mp__fail(MP_ENOMEM, "%s", "");
    for (size_t i = 0; i < n; k++) {
        uint8_t c = (uint8_t)p[i];
        uint32_t cp = c < 0x80 ? c : c < 0xE0 ? (uint32_t)(c & 0x1F) << 6 | (p[i + 1] & 0x3F)
                                            : 0x100;
        if (cp > 0xff) {
            free(b);
            return mp__fail(MP_EUNPICKLE, "'latin-1' codec can't encode character in position "
                            "%zu: ordinal not in range(256)", k);
        }
        b[k] = (uint8_t)cp;
        i += c < 0x80 ? 1 : 2;
    }
    *out = mp_bytes(b, k);
    free(b);
    return *out ? 0 : MP_ENOMEM;
}

static int call_encode(const mp_value *args, mp_value **out)
{
    size_t n = mp_len(args);
    if (n < 1 || n > 3)
        return mp__fail(MP_EUNPICKLE, "_codecs.encode() takes 1 to 3 arguments (%zu given)", n);
    return encode_str(args, "_codecs.encode", out);
}

static int call_bytes(const mp_value *args, mp_value **out)
{
    size_t n = mp_len(args);
    if (n == 0) {
        *out = mp_bytes("", 0);
        return *out ? 0 : MP_ENOMEM;
    }
    if (n == 1 && mp_typeof(mp_item(args, 0)) == MP_T_BYTES) {
        *out = mp_incref(mp_item(args, 0));
        return 0;
    }
    if (n >= 2 && n <= 3)
        return encode_str(args, "bytes", out);
    return mp__fail(MP_EUNPICKLE, "bytes() is supported only with no arguments, bytes, or str "
                    "and an encoding");
}

const mp__pickle_global mp__pickle_globals[] = {
    {"_codecs", "encode", call_encode, NULL, NULL},
    {"__builtin__", "bytes", call_bytes, call_bytes, NULL},   /* protocols 0-2 name Python 2's module */
    {"builtins", "bytes", call_bytes, call_bytes, NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

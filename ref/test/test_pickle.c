/* test_pickle.c - unit tests of pickle.dumps and pickle.loads (TAP), and the value generator and loader that pickle_check.py drives. */

/*
 * Usage:
 *   test_pickle                 the unit tests, as TAP on stdout; exit 1 if any fail
 *   test_pickle --gen SEED N    N random values from SEED, one line each:
 *                                 ENCODING <TAB> HEX2 <TAB> HEX3 <TAB> HEX4 <TAB> HEX5
 *                               where HEXp is mp_pickle_dumps(value, protocol p) in hex
 *   test_pickle --load          reads one pickle per line, in hex, on stdin, and prints
 *                               for each line either
 *                                 ok <TAB> hex(mp_repr(value))
 *                               or
 *                                 error <TAB> mp_errname(code) <TAB> hex(mp_errmsg())
 *
 * ENCODING is the structural encoding of ref/test/test_values.c, in prefix
 * notation, tokens separated by one space:
 *   N  T  F          None, True, False
 *   i<decimal>       int               f<hex float>  float (C's %a or Python's
 *                                                    float.hex(); also inf, -inf, nan)
 *   s<hex>           str, its UTF-8    b<hex>        bytes
 *   t<n> ...         tuple             l<n> ...      list
 *   d<n> K1 V1 ...   the dict made by n assignments d[K] = V in this order
 * A generated value may hold the same sub-value twice (one object, shared);
 * the encoding then spells it out twice.  pickle_check.py decodes the
 * encoding with plain Python, loads each pickle with pickle.loads and
 * compares; see its header for the rest.
 */
#include "mp.h"
#include "core/core.h"
#include "tap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Hex to bytes; *len is set.  malloc'd (at least 1 byte), NULL on bad hex. */
static uint8_t *unhex(const char *hex, size_t n, size_t *len)
{
    uint8_t *b = malloc(n / 2 + 1);
    if (!b || n % 2) {
        free(b);
        return NULL;
    }
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(b);
            return NULL;
        }
        b[i] = (uint8_t)(hi << 4 | lo);
    }
    *len = n / 2;
    return b;
}

static void put_hex(FILE *f, const void *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        putc(digits[b[i] >> 4], f);
        putc(digits[b[i] & 15], f);
    }
}

static char *to_hex(const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char *s = malloc(2 * n + 1);
    if (!s)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        s[2 * i] = digits[p[i] >> 4];
        s[2 * i + 1] = digits[p[i] & 15];
    }
    s[2 * n] = '\0';
    return s;
}

/* Build a value from its structural encoding (see the top of the file). */
static mp_value *decode(const char **pos)
{
    const char *t = *pos;
    const char *end = strchr(t, ' ');
    if (!end)
        end = t + strlen(t);
    *pos = *end ? end + 1 : end;
    char tag = t[0];
    const char *arg = t + 1;
    size_t alen = (size_t)(end - arg);
    char num[64];
    snprintf(num, sizeof num, "%.*s", (int)(alen < 63 ? alen : 63), arg);
    switch (tag) {
    case 'N': return mp_none();
    case 'T': return mp_bool(true);
    case 'F': return mp_bool(false);
    case 'i': return mp_int(strtoll(num, NULL, 10));
    case 'f': return mp_float(strtod(num, NULL));
    case 's':
    case 'b': {
        size_t n;
        uint8_t *raw = unhex(arg, alen, &n);
        if (!raw)
            return NULL;
        mp_value *v = tag == 's' ? mp_str_n((const char *)raw, n) : mp_bytes(raw, n);
        free(raw);
        return v;
    }
    case 't': {
        size_t n = strtoul(num, NULL, 10);
        mp_value *v = mp_tuple_new(n);
        for (size_t i = 0; i < n; i++)
            mp_tuple_set(v, i, decode(pos));
        return v;
    }
    case 'l': {
        size_t n = strtoul(num, NULL, 10);
        mp_value *v = mp_list_new();
        for (size_t i = 0; i < n; i++)
            mp_list_append(v, decode(pos));
        return v;
    }
    case 'd': {
        size_t n = strtoul(num, NULL, 10);
        mp_value *v = mp_dict_new();
        for (size_t i = 0; i < n; i++) {
            mp_value *k = decode(pos);
            mp_dict_set(v, k, decode(pos));
        }
        return v;
    }
    default:
        return NULL;
    }
}

static mp_value *from_encoding(const char *enc)
{
    return decode(&enc);
}

/* Load a hex pickle; the code, and the value in *out (NULL on failure). */
static int load_hex(const char *hex, const mp_unpickle_opts *opts, mp_value **out)
{
    size_t n;
    uint8_t *b = unhex(hex, strlen(hex), &n);
    if (!b) {
        *out = NULL;
        return -999;
    }
    int rc = mp_pickle_loads(b, n, opts, out);
    free(b);
    return rc;
}

/* Load raw bytes. */
static int load_raw(const void *p, size_t n, const mp_unpickle_opts *opts, mp_value **out)
{
    return mp_pickle_loads(p, n, opts, out);
}

static char *repr_of(const mp_value *v)
{
    return v ? mp_repr(v) : NULL;
}

/* FNV-1a, to compare big pickles with CPython's without pasting them. */
static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

/* ------------------------------------------------------------------------ */
/* Byte strings recorded from CPython                                       */
/* ------------------------------------------------------------------------ */

/* The value (structural encoding), the protocol, and pickle.dumps' bytes. */
struct dumps_case { const char *enc; int proto; const char *hex; };
/* The protocol, pickle.dumps' bytes, and repr() of the value. */
struct loads_case { int proto; const char *hex; const char *repr; };
/* Pickles CPython writes for values outside the model, and the code that
 * loading them must give. */
struct fail_case { int proto; const char *hex; int code; };

/* The tables below were generated by running python3 (CPython 3.11.7) on each
 * expression in the comment above each entry, and pasted here. */
static const struct dumps_case dumps_cases[] = {
    /* pickle.dumps(None, protocol=2) */
    {"N", 2,
     "80024e2e"},
    /* pickle.dumps(None, protocol=4) */
    {"N", 4,
     "80044e2e"},
    /* pickle.dumps(True, protocol=2) */
    {"T", 2,
     "8002882e"},
    /* pickle.dumps(False, protocol=5) */
    {"F", 5,
     "8005892e"},
    /* pickle.dumps(0, protocol=2) */
    {"i0", 2,
     "80024b002e"},
    /* pickle.dumps(255, protocol=2) */
    {"i255", 2,
     "80024bff2e"},
    /* pickle.dumps(256, protocol=3) */
    {"i256", 3,
     "80034d00012e"},
    /* pickle.dumps(65535, protocol=4) */
    {"i65535", 4,
     "80049504000000000000004dffff2e"},
    /* pickle.dumps(65536, protocol=4) */
    {"i65536", 4,
     "80049506000000000000004a000001002e"},
    /* pickle.dumps(-1, protocol=2) */
    {"i-1", 2,
     "80024affffffff2e"},
    /* pickle.dumps(-256, protocol=2) */
    {"i-256", 2,
     "80024a00ffffff2e"},
    /* pickle.dumps(2**31-1, protocol=2) */
    {"i2147483647", 2,
     "80024affffff7f2e"},
    /* pickle.dumps(-2**31, protocol=2) */
    {"i-2147483648", 2,
     "80024a000000802e"},
    /* pickle.dumps(2**31, protocol=2) */
    {"i2147483648", 2,
     "80028a0500000080002e"},
    /* pickle.dumps(-2**31-1, protocol=2) */
    {"i-2147483649", 2,
     "80028a05ffffff7fff2e"},
    /* pickle.dumps(2**63-1, protocol=4) */
    {"i9223372036854775807", 4,
     "8004950b000000000000008a08ffffffffffffff7f2e"},
    /* pickle.dumps(-2**63, protocol=4) */
    {"i-9223372036854775808", 4,
     "8004950b000000000000008a0800000000000000802e"},
    /* pickle.dumps(-128*2**32, protocol=4) */
    {"i-549755813888", 4,
     "80049508000000000000008a0500000000802e"},
    /* pickle.dumps(1.5, protocol=2) */
    {"f0x1.8000000000000p+0", 2,
     "8002473ff80000000000002e"},
    /* pickle.dumps(-0.0, protocol=4) */
    {"f-0x0.0p+0", 4,
     "8004950a000000000000004780000000000000002e"},
    /* pickle.dumps(float('inf'), protocol=4) */
    {"finf", 4,
     "8004950a00000000000000477ff00000000000002e"},
    /* pickle.dumps(1e-310, protocol=4) */
    {"f0x0.012688b70e62bp-1022", 4,
     "8004950a0000000000000047000012688b70e62b2e"},
    /* pickle.dumps('', protocol=2) */
    {"s", 2,
     "8002580000000071002e"},
    /* pickle.dumps('', protocol=4) */
    {"s", 4,
     "80049504000000000000008c00942e"},
    /* pickle.dumps('abc', protocol=2) */
    {"s616263", 2,
     "8002580300000061626371002e"},
    /* pickle.dumps('abc', protocol=3) */
    {"s616263", 3,
     "8003580300000061626371002e"},
    /* pickle.dumps('abc', protocol=4) */
    {"s616263", 4,
     "80049507000000000000008c03616263942e"},
    /* pickle.dumps('abc', protocol=5) */
    {"s616263", 5,
     "80059507000000000000008c03616263942e"},
    /* pickle.dumps('\xe9\u20ac\U0001f600\x00', protocol=3) */
    {"sc3a9e282acf09f988000", 3,
     "8003580a000000c3a9e282acf09f98800071002e"},
    /* pickle.dumps('\xe9\u20ac\U0001f600\x00', protocol=4) */
    {"sc3a9e282acf09f988000", 4,
     "8004950e000000000000008c0ac3a9e282acf09f988000942e"},
    /* pickle.dumps('x'*255, protocol=4) */
    {"s78787878787878787878787878787878787878787878787878787878787878787878787"
     "878787878787878787878787878787878787878787878787878787878787878787878787"
     "878787878787878787878787878787878787878787878787878787878787878787878787"
     "878787878787878787878787878787878787878787878787878787878787878787878787"
     "878787878787878787878787878787878787878787878787878787878787878787878787"
     "878787878787878787878787878787878787878787878787878787878787878787878787"
     "878787878787878787878787878787878787878787878787878787878787878787878787"
     "8787878", 4,
     "80049503010000000000008cff7878787878787878787878787878787878787878787878"
     "787878787878787878787878787878787878787878787878787878787878787878787878"
     "787878787878787878787878787878787878787878787878787878787878787878787878"
     "787878787878787878787878787878787878787878787878787878787878787878787878"
     "787878787878787878787878787878787878787878787878787878787878787878787878"
     "787878787878787878787878787878787878787878787878787878787878787878787878"
     "787878787878787878787878787878787878787878787878787878787878787878787878"
     "78787878787878787878787878787878942e"},
    /* pickle.dumps('y'*256, protocol=4) */
    {"s79797979797979797979797979797979797979797979797979797979797979797979797"
     "979797979797979797979797979797979797979797979797979797979797979797979797"
     "979797979797979797979797979797979797979797979797979797979797979797979797"
     "979797979797979797979797979797979797979797979797979797979797979797979797"
     "979797979797979797979797979797979797979797979797979797979797979797979797"
     "979797979797979797979797979797979797979797979797979797979797979797979797"
     "979797979797979797979797979797979797979797979797979797979797979797979797"
     "979797979", 4,
     "800495070100000000000058000100007979797979797979797979797979797979797979"
     "797979797979797979797979797979797979797979797979797979797979797979797979"
     "797979797979797979797979797979797979797979797979797979797979797979797979"
     "797979797979797979797979797979797979797979797979797979797979797979797979"
     "797979797979797979797979797979797979797979797979797979797979797979797979"
     "797979797979797979797979797979797979797979797979797979797979797979797979"
     "797979797979797979797979797979797979797979797979797979797979797979797979"
     "7979797979797979797979797979797979797979942e"},
    /* pickle.dumps(b'', protocol=2) */
    {"b", 2,
     "8002635f5f6275696c74696e5f5f0a62797465730a7100295271012e"},
    /* pickle.dumps(b'', protocol=3) */
    {"b", 3,
     "8003430071002e"},
    /* pickle.dumps(b'', protocol=4) */
    {"b", 4,
     "80049504000000000000004300942e"},
    /* pickle.dumps(b'abc', protocol=2) */
    {"b616263", 2,
     "8002635f636f646563730a656e636f64650a71005803000000616263710158060000006c"
     "6174696e3171028671035271042e"},
    /* pickle.dumps(b'abc', protocol=3) */
    {"b616263", 3,
     "8003430361626371002e"},
    /* pickle.dumps(b'abc', protocol=4) */
    {"b616263", 4,
     "80049507000000000000004303616263942e"},
    /* pickle.dumps(bytes(range(256)), protocol=2) */
    {"b000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222"
     "32425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464"
     "748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6"
     "b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8"
     "f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b"
     "3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d"
     "7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9faf"
     "bfcfdfeff", 2,
     "8002635f636f646563730a656e636f64650a71005880010000000102030405060708090a"
     "0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e"
     "2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152"
     "535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f70717273747576"
     "7778797a7b7c7d7e7fc280c281c282c283c284c285c286c287c288c289c28ac28bc28cc2"
     "8dc28ec28fc290c291c292c293c294c295c296c297c298c299c29ac29bc29cc29dc29ec2"
     "9fc2a0c2a1c2a2c2a3c2a4c2a5c2a6c2a7c2a8c2a9c2aac2abc2acc2adc2aec2afc2b0c2"
     "b1c2b2c2b3c2b4c2b5c2b6c2b7c2b8c2b9c2bac2bbc2bcc2bdc2bec2bfc380c381c382c3"
     "83c384c385c386c387c388c389c38ac38bc38cc38dc38ec38fc390c391c392c393c394c3"
     "95c396c397c398c399c39ac39bc39cc39dc39ec39fc3a0c3a1c3a2c3a3c3a4c3a5c3a6c3"
     "a7c3a8c3a9c3aac3abc3acc3adc3aec3afc3b0c3b1c3b2c3b3c3b4c3b5c3b6c3b7c3b8c3"
     "b9c3bac3bbc3bcc3bdc3bec3bf710158060000006c6174696e3171028671035271042e"},
    /* pickle.dumps(b'\x00\xff', protocol=2) */
    {"b00ff", 2,
     "8002635f636f646563730a656e636f64650a7100580300000000c3bf710158060000006c"
     "6174696e3171028671035271042e"},
    /* pickle.dumps(b'\x00\xff', protocol=5) */
    {"b00ff", 5,
     "8005950600000000000000430200ff942e"},
    /* pickle.dumps(b'z'*256, protocol=3) */
    {"b7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7"
     "a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7"
     "a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7"
     "a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7"
     "a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7"
     "a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7"
     "a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7"
     "a7a7a7a7a", 3,
     "800342000100007a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a"
     "7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a"
     "7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a"
     "7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a"
     "7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a"
     "7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a"
     "7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a"
     "7a7a7a7a7a7a7a7a7a7a7a71002e"},
    /* pickle.dumps((), protocol=2) */
    {"t0", 2,
     "8002292e"},
    /* pickle.dumps((), protocol=4) */
    {"t0", 4,
     "8004292e"},
    /* pickle.dumps((1,), protocol=2) */
    {"t1 i1", 2,
     "80024b018571002e"},
    /* pickle.dumps((1, 2), protocol=3) */
    {"t2 i1 i2", 3,
     "80034b014b028671002e"},
    /* pickle.dumps((1, 2, 3), protocol=4) */
    {"t3 i1 i2 i3", 4,
     "80049509000000000000004b014b024b0387942e"},
    /* pickle.dumps((1, 2, 3, 4), protocol=2) */
    {"t4 i1 i2 i3 i4", 2,
     "8002284b014b024b034b047471002e"},
    /* pickle.dumps((1, 2, 3, 4), protocol=4) */
    {"t4 i1 i2 i3 i4", 4,
     "8004950c00000000000000284b014b024b034b0474942e"},
    /* pickle.dumps(((),), protocol=4) */
    {"t1 t0", 4,
     "80049504000000000000002985942e"},
    /* pickle.dumps([], protocol=2) */
    {"l0", 2,
     "80025d71002e"},
    /* pickle.dumps([], protocol=4) */
    {"l0", 4,
     "80045d942e"},
    /* pickle.dumps([1], protocol=4) */
    {"l1 i1", 4,
     "80049506000000000000005d944b01612e"},
    /* pickle.dumps([1, 2], protocol=2) */
    {"l2 i1 i2", 2,
     "80025d7100284b014b02652e"},
    /* pickle.dumps([1, 2], protocol=4) */
    {"l2 i1 i2", 4,
     "80049509000000000000005d94284b014b02652e"},
    /* pickle.dumps([None, [True, [1.5]]], protocol=3) */
    {"l2 N l2 T l1 f0x1.8000000000000p+0", 3,
     "80035d7100284e5d710128885d7102473ff80000000000006165652e"},
    /* pickle.dumps({}, protocol=4) */
    {"d0", 4,
     "80047d942e"},
    /* pickle.dumps({1: 2}, protocol=4) */
    {"d1 i1 i2", 4,
     "80049508000000000000007d944b014b02732e"},
    /* pickle.dumps({'a': 1, 'b': [1, 2], (1, 'c'): {}}, protocol=2) */
    {"d3 s61 i1 s62 l2 i1 i2 t2 i1 s63 d0", 2,
     "80027d71002858010000006171014b0158010000006271025d7103284b014b02654b0158"
     "010000006371048671057d7106752e"},
    /* pickle.dumps({'a': 1, 'b': [1, 2], (1, 'c'): {}}, protocol=4) */
    {"d3 s61 i1 s62 l2 i1 i2 t2 i1 s63 d0", 4,
     "80049521000000000000007d94288c0161944b018c0162945d94284b014b02654b018c01"
     "639486947d94752e"},
    /* pickle.dumps({'a': 1, 'b': [1, 2], (1, 'c'): {}}, protocol=5) */
    {"d3 s61 i1 s62 l2 i1 i2 t2 i1 s63 d0", 5,
     "80059521000000000000007d94288c0161944b018c0162945d94284b014b02654b018c01"
     "639486947d94752e"},
    /* pickle.dumps([b'ab', b'cd', b'\xe9'], protocol=2) */
    {"l3 b6162 b6364 be9", 2,
     "80025d710028635f636f646563730a656e636f64650a7101580200000061627102580600"
     "00006c6174696e3171038671045271056801580200000063647106680386710752710868"
     "015802000000c3a97109680386710a52710b652e"},
    /* pickle.dumps({'k%d' % i: i for i in range(3)}, protocol=2) */
    {"d3 s6b30 i0 s6b31 i1 s6b32 i2", 2,
     "80027d71002858020000006b3071014b0058020000006b3171024b0158020000006b3271"
     "034b02752e"},
    /* pickle.dumps(('tuple', 42, b'data', 3.25, None), protocol=4) */
    {"t5 s7475706c65 i42 b64617461 f0x1.a000000000000p+1 N", 4,
     "8004951f00000000000000288c057475706c65944b2a4304646174619447400a00000000"
     "00004e74942e"},
};
static const struct loads_case loads_cases[] = {
    /* pickle.dumps(None, protocol=0) */
    {0, "4e2e",
     "None"},
    /* pickle.dumps(None, protocol=2) */
    {2, "80024e2e",
     "None"},
    /* pickle.dumps(True, protocol=0) */
    {0, "4930310a2e",
     "True"},
    /* pickle.dumps(True, protocol=1) */
    {1, "4930310a2e",
     "True"},
    /* pickle.dumps(True, protocol=2) */
    {2, "8002882e",
     "True"},
    /* pickle.dumps(True, protocol=3) */
    {3, "8003882e",
     "True"},
    /* pickle.dumps(True, protocol=4) */
    {4, "8004882e",
     "True"},
    /* pickle.dumps(True, protocol=5) */
    {5, "8005882e",
     "True"},
    /* pickle.dumps(False, protocol=0) */
    {0, "4930300a2e",
     "False"},
    /* pickle.dumps(False, protocol=1) */
    {1, "4930300a2e",
     "False"},
    /* pickle.dumps(False, protocol=2) */
    {2, "8002892e",
     "False"},
    /* pickle.dumps(0, protocol=0) */
    {0, "49300a2e",
     "0"},
    /* pickle.dumps(0, protocol=1) */
    {1, "4b002e",
     "0"},
    /* pickle.dumps(-5, protocol=0) */
    {0, "492d350a2e",
     "-5"},
    /* pickle.dumps(-5, protocol=1) */
    {1, "4afbffffff2e",
     "-5"},
    /* pickle.dumps(-5, protocol=2) */
    {2, "80024afbffffff2e",
     "-5"},
    /* pickle.dumps(1000, protocol=0) */
    {0, "49313030300a2e",
     "1000"},
    /* pickle.dumps(1000, protocol=1) */
    {1, "4de8032e",
     "1000"},
    /* pickle.dumps(2**40, protocol=0) */
    {0, "4c313039393531313632373737364c0a2e",
     "1099511627776"},
    /* pickle.dumps(2**40, protocol=1) */
    {1, "4c313039393531313632373737364c0a2e",
     "1099511627776"},
    /* pickle.dumps(2**40, protocol=2) */
    {2, "80028a060000000000012e",
     "1099511627776"},
    /* pickle.dumps(-2**63, protocol=0) */
    {0, "4c2d393232333337323033363835343737353830384c0a2e",
     "-9223372036854775808"},
    /* pickle.dumps(-2**63, protocol=2) */
    {2, "80028a0800000000000000802e",
     "-9223372036854775808"},
    /* pickle.dumps(2**63-1, protocol=0) */
    {0, "4c393232333337323033363835343737353830374c0a2e",
     "9223372036854775807"},
    /* pickle.dumps(2**63-1, protocol=4) */
    {4, "8004950b000000000000008a08ffffffffffffff7f2e",
     "9223372036854775807"},
    /* pickle.dumps(1.5, protocol=0) */
    {0, "46312e350a2e",
     "1.5"},
    /* pickle.dumps(1.5, protocol=1) */
    {1, "473ff80000000000002e",
     "1.5"},
    /* pickle.dumps(-0.0, protocol=0) */
    {0, "462d302e300a2e",
     "-0.0"},
    /* pickle.dumps(-0.0, protocol=4) */
    {4, "8004950a000000000000004780000000000000002e",
     "-0.0"},
    /* pickle.dumps(float('nan'), protocol=0) */
    {0, "466e616e0a2e",
     "nan"},
    /* pickle.dumps(float('nan'), protocol=1) */
    {1, "477ff80000000000002e",
     "nan"},
    /* pickle.dumps(float('-inf'), protocol=0) */
    {0, "462d696e660a2e",
     "-inf"},
    /* pickle.dumps(float('-inf'), protocol=5) */
    {5, "8005950a0000000000000047fff00000000000002e",
     "-inf"},
    /* pickle.dumps(1e300, protocol=0) */
    {0, "4631652b3330300a2e",
     "1e+300"},
    /* pickle.dumps('', protocol=0) */
    {0, "560a70300a2e",
     "''"},
    /* pickle.dumps('', protocol=1) */
    {1, "580000000071002e",
     "''"},
    /* pickle.dumps('', protocol=4) */
    {4, "80049504000000000000008c00942e",
     "''"},
    /* pickle.dumps('abc', protocol=0) */
    {0, "566162630a70300a2e",
     "'abc'"},
    /* pickle.dumps('abc', protocol=1) */
    {1, "580300000061626371002e",
     "'abc'"},
    /* pickle.dumps('abc', protocol=2) */
    {2, "8002580300000061626371002e",
     "'abc'"},
    /* pickle.dumps('abc', protocol=3) */
    {3, "8003580300000061626371002e",
     "'abc'"},
    /* pickle.dumps('abc', protocol=4) */
    {4, "80049507000000000000008c03616263942e",
     "'abc'"},
    /* pickle.dumps('abc', protocol=5) */
    {5, "80059507000000000000008c03616263942e",
     "'abc'"},
    /* pickle.dumps('a\\b\nc\x00\x1a\r\xe9\u20ac\U0001f600', protocol=0) */
    {0, "56615c7530303563625c7530303061635c75303030305c75303031615c7530303064e95c"
     "75323061635c5530303031663630300a70300a2e",
     "'a\\\\b\\nc\\x00\\x1a\\r\303\251\342\202\254\360\237\230\200'"},
    /* pickle.dumps('a\\b\nc\x00\x1a\r\xe9\u20ac\U0001f600', protocol=1) */
    {1, "5811000000615c620a63001a0dc3a9e282acf09f988071002e",
     "'a\\\\b\\nc\\x00\\x1a\\r\303\251\342\202\254\360\237\230\200'"},
    /* pickle.dumps('a\\b\nc\x00\x1a\r\xe9\u20ac\U0001f600', protocol=3) */
    {3, "80035811000000615c620a63001a0dc3a9e282acf09f988071002e",
     "'a\\\\b\\nc\\x00\\x1a\\r\303\251\342\202\254\360\237\230\200'"},
    /* pickle.dumps('a\\b\nc\x00\x1a\r\xe9\u20ac\U0001f600', protocol=4) */
    {4, "80049515000000000000008c11615c620a63001a0dc3a9e282acf09f9880942e",
     "'a\\\\b\\nc\\x00\\x1a\\r\303\251\342\202\254\360\237\230\200'"},
    /* pickle.dumps('\\u0041', protocol=0) */
    {0, "565c753030356375303034310a70300a2e",
     "'\\\\u0041'"},
    /* pickle.dumps(b'', protocol=0) */
    {0, "635f5f6275696c74696e5f5f0a62797465730a70300a28745270310a2e",
     "b''"},
    /* pickle.dumps(b'', protocol=1) */
    {1, "635f5f6275696c74696e5f5f0a62797465730a7100295271012e",
     "b''"},
    /* pickle.dumps(b'', protocol=2) */
    {2, "8002635f5f6275696c74696e5f5f0a62797465730a7100295271012e",
     "b''"},
    /* pickle.dumps(b'', protocol=3) */
    {3, "8003430071002e",
     "b''"},
    /* pickle.dumps(b'', protocol=4) */
    {4, "80049504000000000000004300942e",
     "b''"},
    /* pickle.dumps(b'', protocol=5) */
    {5, "80059504000000000000004300942e",
     "b''"},
    /* pickle.dumps(b'a\x00\xff', protocol=0) */
    {0, "635f636f646563730a656e636f64650a70300a2856615c7530303030ff0a70310a566c61"
     "74696e310a70320a7470330a5270340a2e",
     "b'a\\x00\\xff'"},
    /* pickle.dumps(b'a\x00\xff', protocol=1) */
    {1, "635f636f646563730a656e636f64650a71002858040000006100c3bf710158060000006c"
     "6174696e3171027471035271042e",
     "b'a\\x00\\xff'"},
    /* pickle.dumps(b'a\x00\xff', protocol=2) */
    {2, "8002635f636f646563730a656e636f64650a710058040000006100c3bf71015806000000"
     "6c6174696e3171028671035271042e",
     "b'a\\x00\\xff'"},
    /* pickle.dumps(b'a\x00\xff', protocol=3) */
    {3, "800343036100ff71002e",
     "b'a\\x00\\xff'"},
    /* pickle.dumps(b'a\x00\xff', protocol=4) */
    {4, "800495070000000000000043036100ff942e",
     "b'a\\x00\\xff'"},
    /* pickle.dumps(b'a\x00\xff', protocol=5) */
    {5, "800595070000000000000043036100ff942e",
     "b'a\\x00\\xff'"},
    /* pickle.dumps(bytes(range(256)), protocol=0) */
    {0, "635f636f646563730a656e636f64650a70300a28565c7530303030010203040506070809"
     "5c75303030610b0c5c75303030640e0f101112131415161718195c75303031611b1c1d1e"
     "1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142"
     "434445464748494a4b4c4d4e4f505152535455565758595a5b5c75303035635d5e5f6061"
     "62636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485"
     "868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9"
     "aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccd"
     "cecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1"
     "f2f3f4f5f6f7f8f9fafbfcfdfeff0a70310a566c6174696e310a70320a7470330a527034"
     "0a2e",
     "b'\\x00\\x01\\x02\\x03\\x04\\x05\\x06\\x07\\x08\\t\\n\\x0b\\x0c\\r\\x0e"
     "\\x0f\\x10\\x11\\x12\\x13\\x14\\x15\\x16\\x17\\x18\\x19\\x1a\\x1b\\x1c\\"
     "x1d\\x1e\\x1f !\"#$%&\\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVW"
     "XYZ[\\\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\\x7f\\x80\\x81\\x82\\x83\\x84"
     "\\x85\\x86\\x87\\x88\\x89\\x8a\\x8b\\x8c\\x8d\\x8e\\x8f\\x90\\x91\\x92\\"
     "x93\\x94\\x95\\x96\\x97\\x98\\x99\\x9a\\x9b\\x9c\\x9d\\x9e\\x9f\\xa0\\xa"
     "1\\xa2\\xa3\\xa4\\xa5\\xa6\\xa7\\xa8\\xa9\\xaa\\xab\\xac\\xad\\xae\\xaf"
     "\\xb0\\xb1\\xb2\\xb3\\xb4\\xb5\\xb6\\xb7\\xb8\\xb9\\xba\\xbb\\xbc\\xbd\\"
     "xbe\\xbf\\xc0\\xc1\\xc2\\xc3\\xc4\\xc5\\xc6\\xc7\\xc8\\xc9\\xca\\xcb\\xc"
     "c\\xcd\\xce\\xcf\\xd0\\xd1\\xd2\\xd3\\xd4\\xd5\\xd6\\xd7\\xd8\\xd9\\xda"
     "\\xdb\\xdc\\xdd\\xde\\xdf\\xe0\\xe1\\xe2\\xe3\\xe4\\xe5\\xe6\\xe7\\xe8\\"
     "xe9\\xea\\xeb\\xec\\xed\\xee\\xef\\xf0\\xf1\\xf2\\xf3\\xf4\\xf5\\xf6\\xf"
     "7\\xf8\\xf9\\xfa\\xfb\\xfc\\xfd\\xfe\\xff'"},
    /* pickle.dumps((), protocol=0) */
    {0, "28742e",
     "()"},
    /* pickle.dumps((), protocol=1) */
    {1, "292e",
     "()"},
    /* pickle.dumps((), protocol=2) */
    {2, "8002292e",
     "()"},
    /* pickle.dumps((1,), protocol=0) */
    {0, "2849310a7470300a2e",
     "(1,)"},
    /* pickle.dumps((1,), protocol=2) */
    {2, "80024b018571002e",
     "(1,)"},
    /* pickle.dumps((1, 2), protocol=1) */
    {1, "284b014b027471002e",
     "(1, 2)"},
    /* pickle.dumps((1, 2), protocol=2) */
    {2, "80024b014b028671002e",
     "(1, 2)"},
    /* pickle.dumps((1, 2, 3), protocol=0) */
    {0, "2849310a49320a49330a7470300a2e",
     "(1, 2, 3)"},
    /* pickle.dumps((1, 2, 3), protocol=3) */
    {3, "80034b014b024b038771002e",
     "(1, 2, 3)"},
    /* pickle.dumps((1, 2, 3, 4), protocol=0) */
    {0, "2849310a49320a49330a49340a7470300a2e",
     "(1, 2, 3, 4)"},
    /* pickle.dumps((1, 2, 3, 4), protocol=1) */
    {1, "284b014b024b034b047471002e",
     "(1, 2, 3, 4)"},
    /* pickle.dumps((1, 2, 3, 4), protocol=4) */
    {4, "8004950c00000000000000284b014b024b034b0474942e",
     "(1, 2, 3, 4)"},
    /* pickle.dumps([], protocol=0) */
    {0, "286c70300a2e",
     "[]"},
    /* pickle.dumps([], protocol=1) */
    {1, "5d71002e",
     "[]"},
    /* pickle.dumps([1], protocol=0) */
    {0, "286c70300a49310a612e",
     "[1]"},
    /* pickle.dumps([1], protocol=1) */
    {1, "5d71004b01612e",
     "[1]"},
    /* pickle.dumps([1, [2, [3]]], protocol=0) */
    {0, "286c70300a49310a61286c70310a49320a61286c70320a49330a6161612e",
     "[1, [2, [3]]]"},
    /* pickle.dumps([1, [2, [3]]], protocol=1) */
    {1, "5d7100284b015d7101284b025d71024b036165652e",
     "[1, [2, [3]]]"},
    /* pickle.dumps([1, [2, [3]]], protocol=2) */
    {2, "80025d7100284b015d7101284b025d71024b036165652e",
     "[1, [2, [3]]]"},
    /* pickle.dumps([1, [2, [3]]], protocol=3) */
    {3, "80035d7100284b015d7101284b025d71024b036165652e",
     "[1, [2, [3]]]"},
    /* pickle.dumps([1, [2, [3]]], protocol=4) */
    {4, "80049512000000000000005d94284b015d94284b025d944b036165652e",
     "[1, [2, [3]]]"},
    /* pickle.dumps([1, [2, [3]]], protocol=5) */
    {5, "80059512000000000000005d94284b015d94284b025d944b036165652e",
     "[1, [2, [3]]]"},
    /* pickle.dumps({}, protocol=0) */
    {0, "286470300a2e",
     "{}"},
    /* pickle.dumps({}, protocol=1) */
    {1, "7d71002e",
     "{}"},
    /* pickle.dumps({'b': 1, 'a': 2}, protocol=0) */
    {0, "286470300a56620a70310a49310a7356610a70320a49320a732e",
     "{'b': 1, 'a': 2}"},
    /* pickle.dumps({'b': 1, 'a': 2}, protocol=1) */
    {1, "7d71002858010000006271014b0158010000006171024b02752e",
     "{'b': 1, 'a': 2}"},
    /* pickle.dumps({'b': 1, 'a': 2}, protocol=2) */
    {2, "80027d71002858010000006271014b0158010000006171024b02752e",
     "{'b': 1, 'a': 2}"},
    /* pickle.dumps({'b': 1, 'a': 2}, protocol=3) */
    {3, "80037d71002858010000006271014b0158010000006171024b02752e",
     "{'b': 1, 'a': 2}"},
    /* pickle.dumps({'b': 1, 'a': 2}, protocol=4) */
    {4, "80049511000000000000007d94288c0162944b018c0161944b02752e",
     "{'b': 1, 'a': 2}"},
    /* pickle.dumps({'b': 1, 'a': 2}, protocol=5) */
    {5, "80059511000000000000007d94288c0162944b018c0161944b02752e",
     "{'b': 1, 'a': 2}"},
    /* pickle.dumps({(1, 'x'): [None], 2.5: b'q'}, protocol=0) */
    {0, "286470300a2849310a56780a70310a7470320a286c70330a4e617346322e350a635f636f"
     "646563730a656e636f64650a70340a2856710a70350a566c6174696e310a70360a747037"
     "0a5270380a732e",
     "{(1, 'x'): [None], 2.5: b'q'}"},
    /* pickle.dumps({(1, 'x'): [None], 2.5: b'q'}, protocol=1) */
    {1, "7d710028284b0158010000007871017471025d71034e61474004000000000000635f636f"
     "646563730a656e636f64650a710428580100000071710558060000006c6174696e317106"
     "747107527108752e",
     "{(1, 'x'): [None], 2.5: b'q'}"},
    /* pickle.dumps({(1, 'x'): [None], 2.5: b'q'}, protocol=2) */
    {2, "80027d7100284b0158010000007871018671025d71034e61474004000000000000635f63"
     "6f646563730a656e636f64650a7104580100000071710558060000006c6174696e317106"
     "867107527108752e",
     "{(1, 'x'): [None], 2.5: b'q'}"},
    /* pickle.dumps({(1, 'x'): [None], 2.5: b'q'}, protocol=3) */
    {3, "80037d7100284b0158010000007871018671025d71034e61474004000000000000430171"
     "7104752e",
     "{(1, 'x'): [None], 2.5: b'q'}"},
    /* pickle.dumps({(1, 'x'): [None], 2.5: b'q'}, protocol=4) */
    {4, "8004951e000000000000007d94284b018c01789486945d944e6147400400000000000043"
     "017194752e",
     "{(1, 'x'): [None], 2.5: b'q'}"},
    /* pickle.dumps({(1, 'x'): [None], 2.5: b'q'}, protocol=5) */
    {5, "8005951e000000000000007d94284b018c01789486945d944e6147400400000000000043"
     "017194752e",
     "{(1, 'x'): [None], 2.5: b'q'}"},
    /* pickle.dumps((lambda x: [x, x, (x,)])([1]), protocol=0) */
    {0, "286c70300a286c70310a49310a616167310a612867310a7470320a612e",
     "[[1], [1], ([1],)]"},
    /* pickle.dumps((lambda x: [x, x, (x,)])([1]), protocol=1) */
    {1, "5d7100285d71014b01616801286801747102652e",
     "[[1], [1], ([1],)]"},
    /* pickle.dumps((lambda x: [x, x, (x,)])([1]), protocol=2) */
    {2, "80025d7100285d71014b016168016801857102652e",
     "[[1], [1], ([1],)]"},
    /* pickle.dumps((lambda x: [x, x, (x,)])([1]), protocol=3) */
    {3, "80035d7100285d71014b016168016801857102652e",
     "[[1], [1], ([1],)]"},
    /* pickle.dumps((lambda x: [x, x, (x,)])([1]), protocol=4) */
    {4, "80049510000000000000005d94285d944b0161680168018594652e",
     "[[1], [1], ([1],)]"},
    /* pickle.dumps((lambda x: [x, x, (x,)])([1]), protocol=5) */
    {5, "80059510000000000000005d94285d944b0161680168018594652e",
     "[[1], [1], ([1],)]"},
    /* pickle.dumps((lambda b: [b, b])(b'shared'), protocol=0) */
    {0, "286c70300a635f636f646563730a656e636f64650a70310a28567368617265640a70320a"
     "566c6174696e310a70330a7470340a5270350a6167350a612e",
     "[b'shared', b'shared']"},
    /* pickle.dumps((lambda b: [b, b])(b'shared'), protocol=2) */
    {2, "80025d710028635f636f646563730a656e636f64650a7101580600000073686172656471"
     "0258060000006c6174696e3171038671045271056805652e",
     "[b'shared', b'shared']"},
    /* pickle.dumps((lambda b: [b, b])(b'shared'), protocol=3) */
    {3, "80035d710028430673686172656471016801652e",
     "[b'shared', b'shared']"},
    /* pickle.dumps([b'', b'x', b''], protocol=0) */
    {0, "286c70300a635f5f6275696c74696e5f5f0a62797465730a70310a28745270320a61635f"
     "636f646563730a656e636f64650a70330a2856780a70340a566c6174696e310a70350a74"
     "70360a5270370a6167320a612e",
     "[b'', b'x', b'']"},
    /* pickle.dumps([b'', b'x', b''], protocol=2) */
    {2, "80025d710028635f5f6275696c74696e5f5f0a62797465730a710129527102635f636f64"
     "6563730a656e636f64650a7103580100000078710458060000006c6174696e3171058671"
     "065271076802652e",
     "[b'', b'x', b'']"},
};
static const struct fail_case cpython_fail_cases[] = {
    /* pickle.dumps(2**64, protocol=2) */
    {2, "80028a090000000000000000012e",
     MP_EOVERFLOW},
    /* pickle.dumps(2**64, protocol=0) */
    {0, "4c31383434363734343037333730393535313631364c0a2e",
     MP_EOVERFLOW},
    /* pickle.dumps(-2**63-1, protocol=4) */
    {4, "8004950c000000000000008a09ffffffffffffff7fff2e",
     MP_EOVERFLOW},
    /* pickle.dumps(10**30, protocol=0) */
    {0, "4c313030303030303030303030303030303030303030303030303030303030304c0a2e",
     MP_EOVERFLOW},
    /* pickle.dumps(10**30, protocol=1) */
    {1, "4c313030303030303030303030303030303030303030303030303030303030304c0a2e",
     MP_EOVERFLOW},
    /* pickle.dumps('\ud800', protocol=0) */
    {0, "565c75643830300a70300a2e",
     MP_EUNPICKLE},
    /* pickle.dumps('\ud800', protocol=2) */
    {2, "80025803000000eda08071002e",
     MP_EUNPICKLE},
    /* pickle.dumps('\ud800', protocol=4) */
    {4, "80049507000000000000008c03eda080942e",
     MP_EUNPICKLE},
    /* pickle.dumps(set(), protocol=4) */
    {4, "80048f942e",
     MP_EUNPICKLE},
    /* pickle.dumps(frozenset(), protocol=4) */
    {4, "80049504000000000000002891942e",
     MP_EUNPICKLE},
    /* pickle.dumps(bytearray(b'x'), protocol=5) */
    {5, "8005950c0000000000000096010000000000000078942e",
     MP_EUNPICKLE},
    /* pickle.dumps(bytearray(b'x'), protocol=2) */
    {2, "8002635f5f6275696c74696e5f5f0a6279746561727261790a7100635f636f646563730a"
     "656e636f64650a7101580100000078710258060000006c6174696e317103867104527105"
     "8571065271072e",
     MP_EUNPICKLE},
    /* pickle.dumps(rec, protocol=0) */
    {0, "286c70300a67300a612e",
     MP_EUNPICKLE},
    /* pickle.dumps(rec, protocol=4) */
    {4, "80049506000000000000005d946800612e",
     MP_EUNPICKLE},
    /* pickle.dumps(rt, protocol=2) */
    {2, "80025d71006800857101613068012e",
     MP_EUNPICKLE},
    /* pickle.dumps(rt, protocol=4) */
    {4, "8004950b000000000000005d9468008594613068012e",
     MP_EUNPICKLE},
    /* pickle.dumps(d, protocol=4) */
    {4, "8004950d000000000000007d948c0473656c66946800732e",
     MP_EUNPICKLE},
    /* pickle.dumps({1, 2}, protocol=2) */
    {2, "8002635f5f6275696c74696e5f5f0a7365740a71005d7101284b014b0265857102527103"
     "2e",
     MP_EUNPICKLE},
    /* pickle.dumps(complex(1, 2), protocol=4) */
    {4, "8004952e000000000000008c086275696c74696e73948c07636f6d706c6578949394473f"
     "f0000000000000474000000000000000869452942e",
     MP_EUNPICKLE},
    /* pickle.dumps(print, protocol=4) */
    {4, "80049516000000000000008c086275696c74696e73948c057072696e749493942e",
     MP_EUNPICKLE},
    /* pickle.dumps(1j, protocol=0) */
    {0, "635f5f6275696c74696e5f5f0a636f6d706c65780a70300a2846302e300a46312e300a74"
     "70310a5270320a2e",
     MP_EUNPICKLE},
};

/* pickle.dumps(...) of big values: length and FNV-1a of CPython's bytes. */
static const struct { int proto; size_t len; uint64_t fnv; } big_cases[] = {
    /* pickle.dumps('x'*70000, protocol=4) */
    {4, 70009, 0xbe243bedb51995cbULL},
    /* pickle.dumps(['a', 'x'*70000, 'b'], protocol=4) */
    {4, 70039, 0xa808ac6bd255a598ULL},
    /* pickle.dumps(list(range(20000)), protocol=4) */
    {4, 59798, 0xdde6b768c8068a81ULL},
    /* pickle.dumps([b'y'*65536, b'z'*65535], protocol=5) */
    {5, 131099, 0x50f4a2bf993eb2c7ULL},
    /* pickle.dumps({i: str(i) for i in range(2500)}, protocol=4) */
    {4, 23654, 0x00c21401a13af0a5ULL},
    /* pickle.dumps(list(range(2001)), protocol=3) */
    {3, 5759, 0x8947c129a83f6927ULL},
    /* pickle.dumps([list(range(30)) for i in range(3000)], protocol=5) */
    {5, 192038, 0xa421b188255fdb5cULL},
};

static mp_value *repeat_str(char c, size_t n)
{
    char *s = malloc(n);
    memset(s, c, n);
    mp_value *v = mp_str_n(s, n);
    free(s);
    return v;
}

static mp_value *repeat_bytes(char c, size_t n)
{
    char *s = malloc(n);
    memset(s, c, n);
    mp_value *v = mp_bytes(s, n);
    free(s);
    return v;
}

static mp_value *range_list(int64_t n)
{
    mp_value *l = mp_list_new();
    for (int64_t i = 0; i < n; i++)
        mp_list_append(l, mp_int(i));
    return l;
}

/* The values of big_cases, built in C. */
static mp_value *big_value(size_t k)
{
    switch (k) {
    case 0: return repeat_str('x', 70000);
    case 1: return mp_list_of("a", repeat_str('x', 70000), "b");
    case 2: return range_list(20000);
    case 3: return mp_list_of(repeat_bytes('y', 65536), repeat_bytes('z', 65535));
    case 4: {
        mp_value *d = mp_dict_new();
        for (int i = 0; i < 2500; i++) {
            char s[16];
            snprintf(s, sizeof s, "%d", i);
            mp_dict_set(d, mp_int(i), mp_str(s));
        }
        return d;
    }
    case 5: return range_list(2001);
    default: {
        mp_value *l = mp_list_new();
        for (int i = 0; i < 3000; i++)
            mp_list_append(l, range_list(30));
        return l;
    }
    }
}

/* ------------------------------------------------------------------------ */
/* Tests                                                                    */
/* ------------------------------------------------------------------------ */

/* Every recorded value dumps to CPython's exact bytes, and loads back equal. */
static void test_dumps_exact(void)
{
    int exact = 0, total = 0;
    for (size_t k = 0; k < sizeof dumps_cases / sizeof dumps_cases[0]; k++) {
        const struct dumps_case *c = &dumps_cases[k];
        mp_value *v = from_encoding(c->enc), *back = NULL;
        uint8_t *out = NULL;
        size_t len = 0;
        int rc = mp_pickle_dumps(v, &(mp_pickle_opts){.protocol = c->proto}, &out, &len);
        char *hex = rc == 0 ? to_hex(out, len) : NULL;
        bool same = hex && strcmp(hex, c->hex) == 0;
        total++;
        exact += same;
        if (!same)
            tap_diag("dumps %s protocol %d\n       got: %s\n  expected: %s", c->enc, c->proto,
                     hex ? hex : mp_errmsg(), c->hex);
        rc = rc == 0 ? mp_pickle_loads(out, len, NULL, &back) : rc;
        char *r1 = repr_of(v), *r2 = repr_of(back);
        bool round = rc == 0 && mp_equal(v, back) && r1 && r2 && strcmp(r1, r2) == 0;
        /* nan != nan, so compare a float's repr when == says no */
        if (!round && rc == 0 && r1 && r2 && strcmp(r1, r2) == 0 && strstr(r1, "nan"))
            round = true;
        if (!round)
            tap_diag("round trip of %s protocol %d: %s", c->enc, c->proto, r2 ? r2 : mp_errmsg());
        tap_ok(same && round, "dumps %.40s protocol %d is CPython's bytes and loads back", c->enc,
               c->proto);
        free(r1);
        free(r2);
        free(hex);
        free(out);
        mp_decref(v);
        mp_decref(back);
    }
    tap_diag("%d of %d dumps byte-identical to CPython", exact, total);
}

/* A shared sub-value is written once and fetched with GET, as CPython does:
 * x = [1]; [x, x, (x,)] has the bytes recorded for it in loads_cases. */
static void test_dumps_shared(void)
{
    for (int proto = 2; proto <= 5; proto++) {
        const char *want = NULL;
        for (size_t k = 0; k < sizeof loads_cases / sizeof loads_cases[0]; k++)
            if (loads_cases[k].proto == proto && strcmp(loads_cases[k].repr, "[[1], [1], ([1],)]") == 0)
                want = loads_cases[k].hex;
        mp_value *x = mp_list_of(1);
        mp_value *v = mp_list_of(mp_incref(x), mp_incref(x), mp_tuple_of(mp_incref(x)));
        mp_decref(x);
        uint8_t *out = NULL;
        size_t len;
        int rc = mp_pickle_dumps(v, &(mp_pickle_opts){.protocol = proto}, &out, &len);
        char *hex = rc == 0 ? to_hex(out, len) : NULL;
        tap_is_str(hex, want, "shared list written once, protocol %d", proto);
        free(hex);
        free(out);
        mp_decref(v);
    }
}

static void test_dumps_big(void)
{
    for (size_t k = 0; k < sizeof big_cases / sizeof big_cases[0]; k++) {
        mp_value *v = big_value(k), *back = NULL;
        uint8_t *out = NULL;
        size_t len = 0;
        int rc = mp_pickle_dumps(v, &(mp_pickle_opts){.protocol = big_cases[k].proto}, &out, &len);
        bool same = rc == 0 && len == big_cases[k].len && fnv1a(out, len) == big_cases[k].fnv;
        if (!same)
            tap_diag("got %zu bytes, fnv %016llx; CPython %zu, %016llx", len,
                     rc == 0 ? (unsigned long long)fnv1a(out, len) : 0ULL, big_cases[k].len,
                     (unsigned long long)big_cases[k].fnv);
        rc = rc == 0 ? mp_pickle_loads(out, len, NULL, &back) : rc;
        tap_ok(same && rc == 0 && mp_equal(v, back),
               "big value %zu: CPython's bytes (frames, batches) and loads back", k);
        free(out);
        mp_decref(v);
        mp_decref(back);
    }
}

/* inner inside a list, a tuple or a dict, by turns. */
static mp_value *wrap(mp_value *inner, int i)
{
    if (i % 3 == 0)
        return mp_list_of(inner);
    if (i % 3 == 1)
        return mp_tuple_of(inner);
    mp_value *d = mp_dict_new();
    mp_dict_set(d, mp_int(i), inner);
    return d;
}

static void test_dumps_options(void)
{
    mp_value *v = mp_list_of("a", 1, 2.5);
    uint8_t *a = NULL, *b = NULL;
    size_t alen, blen;
    int rc1 = mp_pickle_dumps(v, NULL, &a, &alen);
    int rc2 = mp_pickle_dumps(v, &(mp_pickle_opts){.protocol = 4}, &b, &blen);
    TAP_OK(rc1 == 0 && rc2 == 0 && alen == blen && memcmp(a, b, alen) == 0 && a[1] == 4,
           "opts NULL and protocol 0 mean protocol 4, CPython's default");
    free(a);
    free(b);
    rc1 = mp_pickle_dumps(v, &(mp_pickle_opts){.protocol = -1}, &a, &alen);
    TAP_OK(rc1 == 0 && a[1] == 5, "a negative protocol means the highest, 5");
    free(a);
    a = (uint8_t *)"untouched";
    tap_is_int(mp_pickle_dumps(v, &(mp_pickle_opts){.protocol = 6}, &a, &alen), MP_EVALUE,
               "protocol 6 is ValueError");
    tap_is_str(mp_errmsg(), "pickle protocol must be <= 5", "  with CPython's message");
    TAP_OK(a == NULL && alen == 0, "  and *out is NULL");
    tap_is_int(mp_pickle_dumps(v, &(mp_pickle_opts){.protocol = 1}, &a, &alen), MP_EVALUE,
               "protocol 1 is not written");
    tap_is_int(mp_pickle_dumps(NULL, NULL, &a, &alen), MP_EPICKLE, "a NULL value is PicklingError");
    mp_decref(v);

    /* Nesting: 1000 containers deep pickles; 1001 is RecursionError's
     * RuntimeError, where CPython also gives up (at about this depth). */
    mp_value *deep = mp_int(7);
    for (int i = 0; i < 1000; i++)
        deep = wrap(deep, i);
    mp_value *back = NULL;
    rc1 = mp_pickle_dumps(deep, NULL, &a, &alen);
    rc2 = rc1 == 0 ? mp_pickle_loads(a, alen, NULL, &back) : rc1;
    TAP_OK(rc1 == 0 && rc2 == 0 && mp_equal(deep, back), "1000 nested containers dump and load");
    free(a);
    mp_decref(back);
    deep = mp_list_of(deep);
    tap_is_int(mp_pickle_dumps(deep, NULL, &a, &alen), MP_ERUNTIME, "1001 nested containers: RuntimeError");
    tap_is_str(mp_errmsg(), "maximum recursion depth exceeded while pickling an object",
               "  with RecursionError's message");
    mp_decref(deep);
}

/* CPython's pickles, protocols 0 to 5, load to values with Python's repr. */
static void test_loads_cpython(void)
{
    for (size_t k = 0; k < sizeof loads_cases / sizeof loads_cases[0]; k++) {
        const struct loads_case *c = &loads_cases[k];
        mp_value *v = NULL;
        int rc = load_hex(c->hex, NULL, &v);
        char *r = repr_of(v);
        if (rc != 0)
            tap_diag("%s: %s", mp_errname(rc), mp_errmsg());
        tap_is_str(r, c->repr, "loads protocol %d: %.50s", c->proto, c->repr);
        free(r);
        mp_decref(v);
    }
}

static void test_loads_cpython_outside_model(void)
{
    for (size_t k = 0; k < sizeof cpython_fail_cases / sizeof cpython_fail_cases[0]; k++) {
        const struct fail_case *c = &cpython_fail_cases[k];
        mp_value *v = (mp_value *)"sentinel";
        int rc = load_hex(c->hex, NULL, &v);
        if (!tap_is_int(rc, c->code, "refused: CPython pickle %zu, protocol %d (%s)", k, c->proto,
                        mp_errname(c->code)))
            tap_diag("message: %s", mp_errmsg());
        else if (v != NULL)
            tap_ok(false, "  *out is NULL after a failure");
        mp_decref(rc == 0 ? v : NULL);
    }
}

/* ---- hand-written pickles: every way input can be wrong ---------------- */

#define B(s) s, sizeof(s) - 1

struct bad_case { const char *data; size_t len; int code; const char *msg; };

static const struct bad_case bad_cases[] = {
    /* truncated, or never ending */
    {B(""), MP_EUNPICKLE, "Ran out of input"},
    {B("\x80\x04N"), MP_EUNPICKLE, "Ran out of input"},
    {B("X\xff\xff\xff\x7f"), MP_EUNPICKLE, "pickle data was truncated"},
    {B("\x8d\xff\xff\xff\xff\xff\xff\xff\xff."), MP_EUNPICKLE, "pickle data was truncated"},
    {B("\x8e\x00\x00\x00\x00\x00\x00\x00\x40."), MP_EUNPICKLE, "pickle data was truncated"},
    {B("T\xff\xff\xff\xff."), MP_EUNPICKLE, "pickle data was truncated"},
    {B("\x8b\xff\xff\xff\x7f."), MP_EUNPICKLE, "pickle data was truncated"},
    {B("\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00N."), MP_EUNPICKLE, "pickle data was truncated"},
    {B("\x8b\xff\xff\xff\xff."), MP_EUNPICKLE, "LONG pickle has negative byte count"},
    {B("I\n."), MP_EUNPICKLE, "pickle data was truncated"},
    {B("cos"), MP_EUNPICKLE, "pickle data was truncated"},
    {B("J\x01\x02"), MP_EUNPICKLE, "pickle data was truncated"},
    /* opcodes and protocols that do not exist */
    {B("\x80\x06N."), MP_EUNPICKLE, "unsupported pickle protocol: 6"},
    {B("\xff"), MP_EUNPICKLE, "invalid load key, '\\xff'."},
    {B("N\x80\x04z."), MP_EUNPICKLE, "invalid load key, 'z'."},
    /* the stack and MARK */
    {B("0."), MP_EUNPICKLE, "unpickling stack underflow"},
    {B("."), MP_EUNPICKLE, "unpickling stack underflow"},
    {B("]a."), MP_EUNPICKLE, "unpickling stack underflow"},
    {B("(."), MP_EUNPICKLE, "unexpected MARK found"},
    {B("Nt."), MP_EUNPICKLE, "could not find MARK"},
    {B("(N\x86."), MP_EUNPICKLE, "unexpected MARK found"},
    {B("](Na."), MP_EUNPICKLE, "unexpected MARK found"},
    {B("]Ne."), MP_EUNPICKLE, "could not find MARK"},
    {B("(]e."), MP_EUNPICKLE, "unpickling stack underflow"},
    {B("1."), MP_EUNPICKLE, "could not find MARK"},
    {B("2."), MP_EUNPICKLE, "unpickling stack underflow"},
    {B("\x94."), MP_EUNPICKLE, "unpickling stack underflow"},
    /* the memo */
    {B("h\x05."), MP_EUNPICKLE, "Memo value not found at index 5"},
    {B("g5\n."), MP_EUNPICKLE, "Memo value not found at index 5"},
    {B("Nr\xff\xff\xff\xff" "0j\xfe\xff\xff\xff."), MP_EUNPICKLE, "Memo value not found at index 4294967294"},
    {B("Np-1\n."), MP_EUNPICKLE, "negative PUT argument"},
    {B("gx\n."), MP_EUNPICKLE, "invalid literal for int() with base 10"},
    /* text that is not UTF-8, or not text our str can hold */
    {B("X\x01\x00\x00\x00\xff."), MP_EUNPICKLE, "'utf-8' codec can't decode byte 0xff in position 0"},
    {B("X\x03\x00\x00\x00\xed\xa0\x80."), MP_EUNPICKLE, "lone surrogates are not supported"},
    {B("\x8c\x03\xed\xb0\x80."), MP_EUNPICKLE, "(opcode SHORT_BINUNICODE)"},
    {B("V\\ud800\n."), MP_EUNPICKLE, "lone surrogate \\ud800"},
    {B("V\\u00\n."), MP_EUNPICKLE, "truncated \\uXXXX escape"},
    {B("V\\U00110000\n."), MP_EUNPICKLE, "\\Uxxxxxxxx out of range"},
    {B("Sabc\n."), MP_EUNPICKLE, "the STRING opcode argument must be quoted"},
    {B("S'ab\"\n."), MP_EUNPICKLE, "the STRING opcode argument must be quoted"},
    {B("S'\\xff'\n."), MP_EUNPICKLE, "'ascii' codec can't decode byte 0xff in position 0"},
    {B("S'\\777'\n."), MP_EUNPICKLE, "'ascii' codec can't decode byte 0xff"},
    {B("S'a\\'\n."), MP_EUNPICKLE, "Trailing \\ in string"},
    {B("S'\\x4'\n."), MP_EUNPICKLE, "invalid \\x escape at position 0"},
    {B("U\x01\xe9."), MP_EUNPICKLE, "'ascii' codec can't decode byte 0xe9"},
    /* numbers */
    {B("I99999999999999999999\n."), MP_EOVERFLOW, "int too large"},
    {B("I-9223372036854775809\n."), MP_EOVERFLOW, "int too large"},
    {B("L99999999999999999999L\n."), MP_EOVERFLOW, "int too large"},
    {B("\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x80\x00."), MP_EOVERFLOW, "int too large"},
    {B("\x8a\x09\xff\xff\xff\xff\xff\xff\xff\x7f\xff."), MP_EOVERFLOW, "int too large"},
    {B("\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01."), MP_EOVERFLOW, "(opcode LONG1)"},
    {B("Iabc\n."), MP_EUNPICKLE, "could not convert string to int"},
    {B("I08\n."), MP_EUNPICKLE, "could not convert string to int"},
    {B("L5LL\n."), MP_EUNPICKLE, "invalid literal for int()"},
    {B("L5L\0x\n."), MP_EUNPICKLE, "invalid literal for int()"},
    {B("Fabc\n."), MP_EUNPICKLE, "could not convert string to float"},
    {B("F 1.5\n."), MP_EUNPICKLE, "could not convert string to float"},
    {B("F1_0\n."), MP_EUNPICKLE, "could not convert string to float"},
    {B("F0x10\n."), MP_EUNPICKLE, "could not convert string to float"},
    {B("F1e\n."), MP_EUNPICKLE, "could not convert string to float"},
    {B("F1e500\n."), MP_EOVERFLOW, "value too large to convert to float"},
    /* containers used wrongly */
    {B("}]Ns."), MP_EUNPICKLE, "unhashable type: 'list'"},
    {B("}(}NK\x01\x85Nu."), MP_EUNPICKLE, "unhashable type: 'dict'"},
    {B("}(Nu."), MP_EUNPICKLE, "odd number of items for SETITEMS"},
    {B("(Nd."), MP_EUNPICKLE, "odd number of items for DICT"},
    {B("}Na."), MP_EUNPICKLE, "opcode APPEND needs a list to add to, not dict"},
    {B("]NNs."), MP_EUNPICKLE, "opcode SETITEM needs a dict to add to, not list"},
    {B(")N\x85\x86(Ne."), MP_EUNPICKLE, "opcode APPENDS needs a list"},
    /* recursive values: a list that would contain itself */
    {B("]\x94h\x00" "a."), MP_EUNPICKLE, "already shared: recursive"},
    {B("]2a."), MP_EUNPICKLE, "already shared"},
    {B("]\x94h\x00\x85" "a."), MP_EUNPICKLE, "already shared"},
    {B("}\x94(Nh\x00u."), MP_EUNPICKLE, "opcode SETITEMS would change a dict that is already shared"},
    {B("]\x94N\x85h\x00\x85\x86\x94" "0h\x00N" "a."), MP_EUNPICKLE, "already shared"},
    /* globals: nothing runs */
    {B("cos\nsystem\n."), MP_EUNPICKLE, "global 'os.system' is forbidden (opcode GLOBAL)"},
    {B("\x8c\x02os\x8c\x06system\x93."), MP_EUNPICKLE, "global 'os.system' is forbidden (opcode STACK_GLOBAL)"},
    {B("(X\x02\x00\x00\x00lsios\nsystem\n."), MP_EUNPICKLE, "global 'os.system' is forbidden (opcode INST)"},
    {B("cbuiltins\neval\n."), MP_EUNPICKLE, "global 'builtins.eval' is forbidden"},
    {B("c\x01\xff\nx\n."), MP_EUNPICKLE, "global '\\x01\\xff.x' is forbidden"},
    {B("c_codecs\ndecode\n."), MP_EUNPICKLE, "global '_codecs.decode' is forbidden"},
    {B("K\x01K\x02\x93."), MP_EUNPICKLE, "STACK_GLOBAL requires str"},
    {B("c__builtin__\nbytes\n."), MP_EUNPICKLE, "global '__builtin__.bytes' cannot be used as a value (opcode STOP)"},
    {B("c__builtin__\nbytes\n\x85."), MP_EUNPICKLE, "cannot be used as a value (opcode TUPLE1)"},
    {B("N)R."), MP_EUNPICKLE, "opcode REDUCE needs a global to apply, not 'NoneType'"},
    {B("c__builtin__\nbytes\nNR."), MP_EUNPICKLE, "opcode REDUCE needs a tuple of arguments"},
    {B("c_codecs\nencode\n)\x81."), MP_EUNPICKLE, "opcode NEWOBJ cannot apply global '_codecs.encode'"},
    {B("c_codecs\nencode\nN\x85R."), MP_EUNPICKLE, "_codecs.encode() is supported only as"},
    {B("c_codecs\nencode\n)R."), MP_EUNPICKLE, "_codecs.encode() takes 1 to 3 arguments (0 given)"},
    {B("c_codecs\nencode\nX\x03\x00\x00\x00\xe2\x82\xacX\x06\x00\x00\x00latin1\x86R."), MP_EUNPICKLE,
     "'latin-1' codec can't encode character in position 0"},
    {B("c_codecs\nencode\nX\x01\x00\x00\x00" "aX\x05\x00\x00\x00rot13\x86R."), MP_EUNPICKLE,
     "_codecs.encode() with encoding 'rot13' is not supported"},
    {B("c__builtin__\nbytes\nK\x05\x85R."), MP_EUNPICKLE, "bytes() is supported only with"},
    {B("c__builtin__\nbytes\n)}(NNu\x92."), MP_EUNPICKLE, "NEWOBJ_EX with keyword arguments"},
    /* what the value model has no type for */
    {B("\x82\x05."), MP_EUNPICKLE, "unregistered extension code 5 (opcode EXT1)"},
    {B("\x82\x00."), MP_EUNPICKLE, "EXT specifies code <= 0"},
    {B("Pabc\n."), MP_EUNPICKLE, "persistent id"},
    {B("NQ."), MP_EUNPICKLE, "persistent id"},
    {B("NNb."), MP_EUNPICKLE, "opcode BUILD"},
    {B("\x8f."), MP_EUNPICKLE, "opcode EMPTY_SET: sets are not a type"},
    {B("(\x91."), MP_EUNPICKLE, "opcode FROZENSET: sets"},
    {B("\x80\x05\x96\x01\x00\x00\x00\x00\x00\x00\x00" "a."), MP_EUNPICKLE, "bytearray is not a type"},
    {B("\x80\x05\x97."), MP_EUNPICKLE, "out-of-band data"},
    {B("N\x98."), MP_EUNPICKLE, "opcode READONLY_BUFFER needs bytes, not NoneType"},
    {B("N((e."), MP_EUNPICKLE, "unexpected MARK found"},
};

struct good_case { const char *data; size_t len; const char *repr; };

static const struct good_case good_cases[] = {
    {B("N.garbage after STOP is ignored, as pickle.loads does"), "None"},
    {B("(0N."), "None"},                    /* POP takes a MARK off the top */
    {B("N(1."), "None"},
    {B("I01\n."), "True"},
    {B("I00\n."), "False"},
    {B("I-0\n."), "False"},                 /* CPython's two-character rule */
    {B("I+1\n."), "True"},
    {B("I001\n."), "1"},
    {B("I0x10\n."), "16"},                  /* strtol's base 0 */
    {B("I010\n."), "8"},
    {B("I1_0\n."), "10"},                   /* int(s, 0) takes over from strtol */
    {B("I 5\n."), "5"},
    {B("I5\0junk\n."), "5"},                /* C's parsers stop at NUL */
    {B("I-9223372036854775808\n."), "-9223372036854775808"},
    {B("L 5 L\n."), "5"},
    {B("L5\0xL\n."), "5"},                /* the L is dropped, then the NUL ends the text */
    {B("I\0\n."), "0"},                   /* strtol of "" is 0, and CPython takes it */
    {B(")(u."), "()"},                      /* SETITEMS of nothing checks nothing */
    {B("X\x06\x00\x00\x00latin1(e."), "'latin1'"},
    {B("](N(e."), "None"},
    {B("C\x01" "b\x98."), "b'b'"},          /* READONLY_BUFFER of bytes changes nothing */
    {B("L0x10\n."), "16"},
    {B("L-9223372036854775808L\n."), "-9223372036854775808"},
    {B("F-Infinity\n."), "-inf"},
    {B("Finf\n."), "inf"},
    {B("FNaN\n."), "nan"},
    {B("F1.5\0x\n."), "1.5"},
    {B("F1e-400\n."), "0.0"},
    {B("F.5\n."), "0.5"},
    {B("F1.\n."), "1.0"},
    {B("F+1E+05\n."), "100000.0"},
    {B("F0.1\n."), "0.1"},
    {B("S'a\\x41\\n'\n."), "'aA\\n'"},
    {B("S\"ab\"\n."), "'ab'"},
    {B("S'a\\q\\101'\n."), "'a\\\\qA'"},
    {B("S''\n."), "''"},
    {B("U\x03" "abc."), "'abc'"},
    {B("T\x01\x00\x00\x00z."), "'z'"},
    {B("V\n."), "''"},
    {B("V\\u0041\\\\u0042\\x\xe9\n."), "'A\\\\\\\\u0042\\\\x\303\251'"},
    {B("V\\U0001F600\n."), "'\360\237\230\200'"},
    {B("Nr\xff\xff\xff\xff" "0j\xff\xff\xff\xff."), "None"},
    {B("Np99999\n0g99999\n."), "None"},
    {B("Nq\x05q\x05" "0h\x05."), "None"},
    {B("N\x94K\x01\x94" "00h\x01."), "1"},
    {B("\x8a\x09\xff\xff\xff\xff\xff\xff\xff\xff\xff."), "-1"},
    {B("\x8a\x00."), "0"},
    {B("\x8b\x00\x00\x00\x00."), "0"},
    {B("\x8a\x01\x80."), "-128"},
    {B("\x8a\x08\x00\x00\x00\x00\x00\x00\x00\x80."), "-9223372036854775808"},
    {B("J\xff\xff\xff\xff."), "-1"},
    {B("K\x01K\x02\x86\x94h\x00h\x00\x86."), "((1, 2), (1, 2))"},
    {B("}(K\x01K\x02\x88K\x03G?\xf0\x00\x00\x00\x00\x00\x00K\x04u."), "{1: 4}"},
    {B("(K\x01K\x02K\x03l."), "[1, 2, 3]"},
    {B("(K\x01K\x02" "d."), "{1: 2}"},
    {B("(K\x01K\x02t."), "(1, 2)"},
    {B("\x80\x04\x95\x02\x00\x00\x00\x00\x00\x00\x00N."), "None"},
    {B("]\x94(K\x01" "e(K\x02K\x03" "e."), "[1, 2, 3]"},
    {B("c__builtin__\nbytes\n)R."), "b''"},
    {B("cbuiltins\nbytes\nC\x02" "ab\x85R."), "b'ab'"},
    {B("c__builtin__\nbytes\n)\x81."), "b''"},
    {B("c__builtin__\nbytes\n)}\x92."), "b''"},
    {B("\x8c\x08" "builtins\x8c\x05" "bytes\x93)R."), "b''"},
    {B("(c_codecs\nencode\nX\x02\x00\x00\x00" "abX\x06\x00\x00\x00latin1o."), "b'ab'"},
    {B("(X\x02\x00\x00\x00" "abX\x07\x00\x00\x00Latin-1i_codecs\nencode\n."), "b'ab'"},
    {B("c_codecs\nencode\nX\x02\x00\x00\x00\xc3\xa9\x85R."), "b'\\xc3\\xa9'"},
    {B("c_codecs\nencode\nX\x02\x00\x00\x00\xc3\xa9X\x06\x00\x00\x00latin1X\x06\x00\x00\x00strict\x87R."), "b'\\xe9'"},
    {B("c__builtin__\nbytes\nX\x01\x00\x00\x00zX\x05\x00\x00\x00utf-8\x86R."), "b'z'"},
};

static void test_bad_input(void)
{
    for (size_t k = 0; k < sizeof bad_cases / sizeof bad_cases[0]; k++) {
        const struct bad_case *c = &bad_cases[k];
        mp_value *v = (mp_value *)"sentinel";
        int rc = load_raw(c->data, c->len, NULL, &v);
        bool ok = rc == c->code && strstr(mp_errmsg(), c->msg) && v == NULL;
        tap_ok(ok, "bad pickle %zu: %s \"%s\"", k, mp_errname(c->code), c->msg);
        if (!ok)
            tap_diag("got %s \"%s\"%s", rc ? mp_errname(rc) : "success", rc ? mp_errmsg() : "",
                     v ? " and a value" : "");
        if (rc == 0)
            mp_decref(v);
    }
}

static void test_good_input(void)
{
    for (size_t k = 0; k < sizeof good_cases / sizeof good_cases[0]; k++) {
        const struct good_case *c = &good_cases[k];
        mp_value *v = NULL;
        int rc = load_raw(c->data, c->len, NULL, &v);
        char *r = repr_of(v);
        if (rc)
            tap_diag("%s: %s", mp_errname(rc), mp_errmsg());
        tap_is_str(r, c->repr, "hand-made pickle %zu loads as %s", k, c->repr);
        free(r);
        mp_decref(v);
    }
}

/* ---- limits ------------------------------------------------------------ */

/* n EMPTY_LISTs then n-1 APPENDs: lists nested n deep. */
static char *nested_lists(size_t n, size_t *len)
{
    char *p = malloc(2 * n + 1);
    memset(p, ']', n);
    memset(p + n, 'a', n - 1);
    p[2 * n - 1] = '.';
    *len = 2 * n;
    return p;
}

static void test_limits(void)
{
    size_t len;
    mp_value *v = NULL;
    char *p = nested_lists(1000, &len);
    tap_is_int(load_raw(p, len, NULL, &v), 0, "lists nested 1000 deep load (the default max_depth)");
    mp_decref(v);
    free(p);
    p = nested_lists(1001, &len);
    tap_is_int(load_raw(p, len, NULL, &v), MP_ENOMEM, "1001 deep is past max_depth");
    tap_is_str(mp_errmsg(), "pickle data nests deeper than max_depth (1000)", "  and says so");
    free(p);
    p = nested_lists(200000, &len);
    tap_is_int(load_raw(p, len, NULL, &v), MP_ENOMEM, "200000 deep fails the same way, without recursion");
    tap_is_int(load_raw(p, len, &(mp_unpickle_opts){.max_depth = 300000}, &v), 0,
               "  and loads when max_depth allows it (the reader does not recurse)");
    mp_decref(v);                       /* value.c frees without recursion too */
    free(p);
    tap_is_int(load_raw(B("]]]aa."), &(mp_unpickle_opts){.max_depth = 3}, &v), 0, "max_depth 3 allows [[[]]]");
    mp_decref(v);
    tap_is_int(load_raw(B("]]]]aaa."), &(mp_unpickle_opts){.max_depth = 3}, &v), MP_ENOMEM,
               "  but not [[[[]]]]");
    tap_is_int(load_raw(B("))\x85\x85\x85."), &(mp_unpickle_opts){.max_depth = 3}, &v), MP_ENOMEM,
               "  nor ((((),),),)");
    tap_is_int(load_raw(B("}K\x01]]]aas."), &(mp_unpickle_opts){.max_depth = 3}, &v), MP_ENOMEM,
               "  nor {1: [[[]]]}");
    tap_is_int(load_raw(B("]\x94]]aa0h\x00\x85."), &(mp_unpickle_opts){.max_depth = 3}, &v), MP_ENOMEM,
               "  a list's depth is known when it is fetched from the memo after growing");
    tap_is_int(load_raw(B("]\x94]]aa0h\x00\x85."), &(mp_unpickle_opts){.max_depth = 4}, &v), 0,
               "  (([[[]]],) is 4 deep)");
    mp_decref(v);

    /* Many open containers, marks and memo entries: memory in proportion to
     * the input, released on failure. */
    p = malloc(300001);
    memset(p, ']', 300000);
    p[300000] = '.';
    tap_is_int(load_raw(p, 300001, NULL, &v), 0, "300000 lists on the stack");
    mp_decref(v);
    memset(p, '(', 300000);
    tap_is_int(load_raw(p, 300001, NULL, &v), MP_EUNPICKLE, "300000 MARKs, then STOP");
    for (size_t i = 0; i < 300000; i += 3)
        memcpy(p + i, "N\x94" "0", 3);
    tap_is_int(load_raw(p, 300001, NULL, &v), MP_EUNPICKLE, "100000 memo entries, then an empty stack at STOP");
    free(p);

    mp_unpickle_opts small = {.max_size = 10};
    tap_is_int(load_raw(B("X\x0a\x00\x00\x00" "0123456789."), &small, &v), 0, "max_size 10 allows a 10-byte str");
    mp_decref(v);
    tap_is_int(load_raw(B("X\x0b\x00\x00\x00" "0123456789a."), &small, &v), MP_ENOMEM, "  not 11 bytes");
    tap_is_str(mp_errmsg(), "str of 11 bytes is larger than max_size (10) (opcode BINUNICODE)", "  and says so");
    tap_is_int(load_raw(B("C\x0b" "0123456789a."), &small, &v), MP_ENOMEM, "  nor 11 bytes of bytes");
    tap_is_int(load_raw(B("V0123456789a\n."), &small, &v), MP_ENOMEM, "  nor an 11-character UNICODE");
    tap_is_int(load_raw(B("](NNNNNNNNNNNe."), &small, &v), MP_ENOMEM, "  nor 11 list items");
    tap_is_int(load_raw(B("](NNNNNNNNNNe(Ne."), &small, &v), MP_ENOMEM, "  also in two batches");
    tap_is_int(load_raw(B("(NNNNNNNNNNNt."), &small, &v), MP_ENOMEM, "  nor an 11-tuple");
    tap_is_int(load_raw(B("}(K\x01NK\x02NK\x03NK\x04NK\x05NK\x06NK\x07NK\x08NK\x09NK\x0aNK\x0bNu."), &small, &v),
               MP_ENOMEM, "  nor 11 dict items");

    /* A dict key made of one tuple shared 2**64 times over: hashing it would
     * never end, so the key budget refuses it at once. */
    char dag[64 * 7 + 32], *o = dag;
    memcpy(o, ")\x94", 2), o += 2;
    for (int i = 0; i < 64; i++) {
        o[0] = 'h', o[1] = (char)i, o[2] = 'h', o[3] = (char)i;
        memcpy(o + 4, "\x86\x94" "0", 3);
        o += 7;
    }
    memcpy(o, "}h\x40Ns.", 6), o += 6;
    tap_is_int(load_raw(dag, (size_t)(o - dag), NULL, &v), MP_EUNPICKLE, "a dict key shared 2**64 times over is refused");
    tap_is_str(mp_errmsg(), "dict keys built from shared tuples are too large to hash", "  quickly, with a reason");
    o[-6] = '0', o[-3] = '.';
    tap_is_int(load_raw(dag, (size_t)(o - dag), NULL, &v), 0, "  while the shared tuple itself loads at once (65 objects)");
    mp_decref(v);
}

/* Every strict prefix of a good pickle lacks its STOP: each must fail,
 * never succeed or crash. */
static void test_prefixes(void)
{
    int wrong = 0, tried = 0;
    for (size_t k = 0; k < sizeof loads_cases / sizeof loads_cases[0]; k++) {
        size_t n;
        uint8_t *b = unhex(loads_cases[k].hex, strlen(loads_cases[k].hex), &n);
        for (size_t cut = 0; cut < n; cut++) {
            mp_value *v = NULL;
            int rc = mp_pickle_loads(b, cut, NULL, &v);
            tried++;
            if (rc != MP_EUNPICKLE || v) {
                if (wrong++ < 5)
                    tap_diag("prefix %zu of case %zu: %s", cut, k, rc ? mp_errname(rc) : "loaded");
                mp_decref(v);
            }
        }
        free(b);
    }
    tap_ok(wrong == 0, "all %d strict prefixes of CPython's pickles are UnpicklingError", tried);
}

/* Change bytes of good pickles: whatever comes out, nothing may crash, leak
 * or hang (the sanitizer build and valgrind watch this run). */
static void test_mutations(void)
{
    uint64_t s = 12345;
    int loaded = 0, failed = 0;
    for (size_t k = 0; k < sizeof loads_cases / sizeof loads_cases[0]; k++) {
        size_t n;
        uint8_t *b = unhex(loads_cases[k].hex, strlen(loads_cases[k].hex), &n);
        for (int round = 0; round < 40; round++) {
            uint8_t *m = malloc(n);
            memcpy(m, b, n);
            for (int flips = 1 + round % 3; flips > 0; flips--) {
                s = s * 6364136223846793005ULL + 1442695040888963407ULL;
                m[(s >> 33) % n] = (uint8_t)(s >> 17);
            }
            mp_value *v = NULL;
            int rc = mp_pickle_loads(m, n, NULL, &v);
            if (rc == 0) {
                char *r = mp_repr(v);       /* the value must be whole */
                free(r);
                loaded++;
            } else {
                failed++;
            }
            mp_decref(v);
            free(m);
        }
        free(b);
    }
    tap_ok(loaded + failed > 0, "%d mutated pickles: %d loaded, %d refused, none crashed",
           loaded + failed, loaded, failed);
}

/* ------------------------------------------------------------------------ */
/* Random values, for the round trips here and in pickle_check.py           */
/* ------------------------------------------------------------------------ */

static uint64_t rng;

static uint64_t rnd(void)
{
    uint64_t z = (rng += 0x9E3779B97F4A7C15ULL);       /* splitmix64 */
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
    return rnd() % n;
}

static int64_t gen_int(void)
{
    /* The edges of every int opcode, and random widths. */
    static const int64_t edges[] = {0, 1, 127, 128, 255, 256, 32767, 32768, 65535, 65536,
                                    2147483647, 2147483648LL, 4294967295LL, 4294967296LL,
                                    (1LL << 53) + 1, 140737488355327LL, 140737488355328LL,
                                    INT64_MAX};
    if (below(2)) {
        int64_t e = edges[below(sizeof edges / sizeof edges[0])];
        return below(2) ? e : e == INT64_MAX && below(2) ? INT64_MIN : -e;
    }
    int bits = (int)below(64);
    return (int64_t)(rnd() >> (63 - bits)) * (below(2) ? 1 : -1);
}

static double gen_float(void)
{
    static const double specials[] = {0.0, -0.0, 1.0, 0.1, 1.5, -2.5, 1e300, 1e-300, 5e-324,
                                      2.2250738585072014e-308, 1.7976931348623157e308,
                                      9007199254740993.0, 1e16, 123456789.125};
    switch (below(6)) {
    case 0: return INFINITY * (below(2) ? 1 : -1);
    case 1: return below(2) ? NAN : -NAN;
    case 2: return specials[below(sizeof specials / sizeof specials[0])];
    case 3: return (double)gen_int() / 8;
    default: {
        uint64_t bits = rnd();
        double d;
        memcpy(&d, &bits, sizeof d);
        return isnan(d) ? 0.25 : d;         /* NaN payloads are not the point here */
    }
    }
}

static size_t gen_len(bool big_ok)
{
    uint64_t k = below(400);
    if (k < 10)
        return 255 + below(3);                  /* the SHORT_ opcodes' edge */
    if (k < 20)
        return 1000 + below(5000);
    if (big_ok && k == 398)
        return 65530 + below(12);               /* frames: 64 KiB */
    if (big_ok && k == 399)
        return 70000 + below(100000);
    return below(12);
}

static mp_value *gen_str(bool big_ok)
{
    size_t n = gen_len(big_ok);
    char *s = malloc(4 * n + 1), *o = s;
    int kind = (int)below(5);
    for (size_t i = 0; i < n; i++) {
        uint32_t cp;
        switch (kind == 4 ? below(4) : (uint64_t)kind) {
        case 0: cp = 0x20 + (uint32_t)below(0x5f); break;
        case 1: cp = (uint32_t)below(0x100); break;           /* latin-1, NUL, \n, \\ */
        case 2: cp = (uint32_t)below(0xD800); break;
        default: cp = below(2) ? 0xE000 + (uint32_t)below(0x2000) : 0x10000 + (uint32_t)below(0x100000);
        }
        if (cp < 0x80) {
            *o++ = (char)cp;
        } else if (cp < 0x800) {
            *o++ = (char)(0xC0 | (cp >> 6)), *o++ = (char)(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            *o++ = (char)(0xE0 | (cp >> 12)), *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
            *o++ = (char)(0x80 | (cp & 0x3F));
        } else {
            *o++ = (char)(0xF0 | (cp >> 18)), *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
            *o++ = (char)(0x80 | ((cp >> 6) & 0x3F)), *o++ = (char)(0x80 | (cp & 0x3F));
        }
    }
    mp_value *v = mp_str_n(s, (size_t)(o - s));
    free(s);
    return v;
}

static mp_value *gen_bytes(bool big_ok)
{
    size_t n = gen_len(big_ok);
    uint8_t *b = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)rnd();
    mp_value *v = mp_bytes(b, n);
    free(b);
    return v;
}

static mp_value *gen_scalar(bool big_ok)
{
    switch (below(8)) {
    case 0: return mp_none();
    case 1: return mp_bool(below(2));
    case 2: case 3: return mp_int(gen_int());
    case 4: return mp_float(gen_float());
    case 5: case 6: return gen_str(big_ok);
    default: return gen_bytes(big_ok);
    }
}

static mp_value *gen_key(void)
{
    if (below(4) == 0) {
        size_t n = below(4);
        mp_value *t = mp_tuple_new(n);
        for (size_t i = 0; i < n; i++)
            mp_tuple_set(t, i, gen_scalar(false));
        return t;
    }
    return gen_scalar(false);
}

/* Values made so far in this top-level value, which may be used again
 * (one object in two places, so that the writer's memo GET is exercised).
 * The pool holds a reference to each.  Only small values go in, so that
 * reuse cannot make a value (and its encoding) grow exponentially. */
static mp_value *pool[16];
static size_t npool;

/* How many values v is made of, counting shared parts each time; stops
 * counting past limit. */
static size_t nodes(const mp_value *v, size_t limit)
{
    size_t n = 1;
    mp_type t = mp_typeof(v);
    for (size_t i = 0; (t == MP_T_TUPLE || t == MP_T_LIST) && i < mp_len(v) && n <= limit; i++)
        n += nodes(mp_item(v, i), limit - n);
    for (size_t i = 0; t == MP_T_DICT && i < mp_len(v) && n <= limit; i++) {
        mp_value *k, *val;
        mp_dict_entry(v, i, &k, &val);
        n += nodes(k, limit - n);
        n += n <= limit ? nodes(val, limit - n) : 0;
    }
    return n;
}

static mp_value *gen_value(int depth)
{
    if (npool && below(12) == 0)
        return mp_incref(pool[below(npool)]);
    /* Containers get rarer with depth, so that values stay small. */
    uint64_t pick = below(depth == 0 ? 10 : depth < 3 ? 16 : 40);
    mp_value *v;
    if (pick >= 8) {
        v = gen_scalar(depth <= 1);
    } else if (pick < 3) {
        bool big = depth == 0 && below(25) == 0;
        size_t n = big ? 999 + below(1100) : below(7);
        v = mp_list_new();
        for (size_t i = 0; i < n; i++)
            mp_list_append(v, big ? gen_scalar(false) : gen_value(depth + 1));
    } else if (pick < 5) {
        size_t n = below(8);
        v = mp_tuple_new(n);
        for (size_t i = 0; i < n; i++)
            mp_tuple_set(v, i, gen_value(depth + 1));
    } else if (pick < 7) {
        bool big = depth == 0 && below(25) == 0;
        size_t n = big ? 999 + below(1100) : below(6);
        v = mp_dict_new();
        for (size_t i = 0; i < n; i++)
            mp_dict_set(v, big ? mp_int((int64_t)i) : gen_key(), big ? gen_scalar(false) : gen_value(depth + 1));
    } else {
        /* a chain: lists and tuples nested 20 to 200 deep */
        size_t n = 20 + below(180);
        v = gen_scalar(false);
        for (size_t i = 0; i < n; i++)
            v = below(2) ? mp_list_of(v) : mp_tuple_of(v);
    }
    mp_type t = mp_typeof(v);
    if (npool < 16 && (t == MP_T_STR || t == MP_T_BYTES || t >= MP_T_TUPLE) && nodes(v, 30) <= 30 &&
        mp_len(v) < 1000)
        pool[npool++] = mp_incref(v);
    return v;
}

static mp_value *gen_top(void)
{
    mp_value *v = gen_value(0);
    while (npool)
        mp_decref(pool[--npool]);
    return v;
}

/* The structural encoding of v (see the top of the file). */
static void encode(FILE *f, const mp_value *v)
{
    size_t n;
    switch (mp_typeof(v)) {
    case MP_T_NONE: putc('N', f); return;
    case MP_T_BOOL: putc(mp_as_bool(v) ? 'T' : 'F', f); return;
    case MP_T_INT: fprintf(f, "i%lld", (long long)mp_as_int(v)); return;
    case MP_T_FLOAT: fprintf(f, "f%a", mp_as_float(v)); return;
    case MP_T_STR: {
        const char *s = mp_as_str(v);
        size_t ncp = mp_len(v), i = 0;
        for (size_t k = 0; k < ncp; k++) {
            uint8_t c = (uint8_t)s[i];
            i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        }
        putc('s', f);
        put_hex(f, s, i);
        return;
    }
    case MP_T_BYTES: {
        const uint8_t *b = mp_as_bytes(v, &n);
        putc('b', f);
        put_hex(f, b, n);
        return;
    }
    case MP_T_TUPLE:
    case MP_T_LIST:
        n = mp_len(v);
        fprintf(f, "%c%zu", mp_typeof(v) == MP_T_TUPLE ? 't' : 'l', n);
        for (size_t i = 0; i < n; i++) {
            putc(' ', f);
            encode(f, mp_item(v, i));
        }
        return;
    case MP_T_DICT:
        n = mp_len(v);
        fprintf(f, "d%zu", n);
        for (size_t i = 0; i < n; i++) {
            mp_value *k, *val;
            mp_dict_entry(v, i, &k, &val);
            putc(' ', f);
            encode(f, k);
            putc(' ', f);
            encode(f, val);
        }
        return;
    case MP_T_OBJECT:
        /* The generator makes none (pickle_check.py has no classes). */
        fprintf(f, "?object");
        return;
    }
}

/* Same value, compared as pickle must keep it: == with the types kept
 * (True is not 1) and nan equal to nan. */
static bool same(const mp_value *a, const mp_value *b)
{
    if (mp_typeof(a) != mp_typeof(b))
        return false;
    switch (mp_typeof(a)) {
    case MP_T_FLOAT: {
        double x = mp_as_float(a), y = mp_as_float(b);
        return (isnan(x) && isnan(y)) || (x == y && signbit(x) == signbit(y));
    }
    case MP_T_TUPLE:
    case MP_T_LIST:
        if (mp_len(a) != mp_len(b))
            return false;
        for (size_t i = 0; i < mp_len(a); i++)
            if (!same(mp_item(a, i), mp_item(b, i)))
                return false;
        return true;
    case MP_T_DICT:
        if (mp_len(a) != mp_len(b))
            return false;
        for (size_t i = 0; i < mp_len(a); i++) {
            mp_value *ka, *va, *kb, *vb;
            mp_dict_entry(a, i, &ka, &va);
            mp_dict_entry(b, i, &kb, &vb);
            if (!same(ka, kb) || !same(va, vb))
                return false;
        }
        return true;
    default:
        return mp_equal(a, b);
    }
}

static void test_round_trip(void)
{
    rng = 42;
    int bad = 0, n = 0;
    for (int k = 0; k < 300; k++) {
        mp_value *v = gen_top();
        for (int proto = 2; proto <= 5; proto++) {
            uint8_t *out = NULL;
            size_t len;
            mp_value *back = NULL;
            int rc = mp_pickle_dumps(v, &(mp_pickle_opts){.protocol = proto}, &out, &len);
            if (rc == 0)
                rc = mp_pickle_loads(out, len, NULL, &back);
            n++;
            if (rc != 0 || !same(v, back)) {
                if (bad++ < 3)
                    tap_diag("value %d protocol %d: %s %s", k, proto, rc ? mp_errname(rc) : "differs",
                             rc ? mp_errmsg() : "");
            }
            free(out);
            mp_decref(back);
        }
        mp_decref(v);
    }
    tap_ok(bad == 0, "%d random values x protocols 2-5 round-trip through dumps and loads", n);
}

/* ------------------------------------------------------------------------ */
/* The modes pickle_check.py drives                                         */
/* ------------------------------------------------------------------------ */

static int gen_mode(uint64_t seed, long n)
{
    rng = seed;
    for (long k = 0; k < n; k++) {
        mp_value *v = gen_top();
        encode(stdout, v);
        for (int proto = 2; proto <= 5; proto++) {
            uint8_t *out;
            size_t len;
            int rc = mp_pickle_dumps(v, &(mp_pickle_opts){.protocol = proto}, &out, &len);
            if (rc < 0) {
                fprintf(stderr, "test_pickle: value %ld protocol %d: %s: %s\n", k, proto,
                        mp_errname(rc), mp_errmsg());
                return 1;
            }
            putchar('\t');
            put_hex(stdout, out, len);
            free(out);
        }
        putchar('\n');
        mp_decref(v);
    }
    return fflush(stdout) == 0 ? 0 : 1;
}

static int load_mode(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    while ((got = getline(&line, &cap, stdin)) >= 0) {
        size_t n = (size_t)got;
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        size_t len;
        uint8_t *b = unhex(line, n, &len);
        if (!b) {
            fprintf(stderr, "test_pickle: a line is not hex\n");
            free(line);
            return 1;
        }
        mp_value *v = NULL;
        int rc = mp_pickle_loads(b, len, NULL, &v);
        free(b);
        char *r = rc == 0 ? mp_repr(v) : NULL;
        if (rc == 0 && r) {
            fputs("ok\t", stdout);
            put_hex(stdout, r, strlen(r));
        } else {
            printf("error\t%s\t", mp_errname(rc));
            put_hex(stdout, mp_errmsg(), strlen(mp_errmsg()));
        }
        putchar('\n');
        free(r);
        mp_decref(v);
    }
    free(line);
    return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--gen") == 0)
        return gen_mode(strtoull(argv[2], NULL, 0), strtol(argv[3], NULL, 0));
    if (argc == 2 && strcmp(argv[1], "--load") == 0)
        return load_mode();
    if (argc != 1) {
        fprintf(stderr, "usage: %s [--gen SEED N | --load]\n", argv[0]);
        return 2;
    }
    test_dumps_exact();
    test_dumps_shared();
    test_dumps_big();
    test_dumps_options();
    test_loads_cpython();
    test_loads_cpython_outside_model();
    test_bad_input();
    test_good_input();
    test_limits();
    test_prefixes();
    test_mutations();
    test_round_trip();
    return tap_done();
}

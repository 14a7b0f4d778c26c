/* pickle_dump.c - pickle.dumps for values: the bytes CPython 3.11's pickler writes, protocols 2 to 5. */
#include "pickle.h"

/* CPython gives up at its recursion limit; a value nested deeper than this
 * (or a cycle through tuples only) is refused rather than overflowing the
 * C stack. */
#define MAX_DEPTH 1000

#define NO_MEMO UINT32_MAX

typedef struct dumper {
    uint8_t *buf;
    size_t len, cap;
    int proto;
    bool framing;
    size_t frame_start;         /* offset of the open frame's 9-byte header */
    mp__pmap memo;              /* value address -> memo index */
    uint32_t memo_n;
    /* Protocol 2 carries bytes as _codecs.encode(str, 'latin1') (or
     * __builtin__.bytes() when empty).  In CPython the function, the class
     * and the string 'latin1' are single objects, memoized once and fetched
     * again with GET; these remember their memo indexes. */
    uint32_t memo_encode, memo_latin1, memo_bytes;
    /* The states library objects reduced to.  The memo knows values by
     * address, so each must live until the dump ends (as CPython's memo
     * holds a reference to what it remembers), or a later state could
     * reuse the address and be written as a reference to an earlier one. */
    mp_value **states;
    size_t nstates, capstates;
} dumper;

/* ---- output ------------------------------------------------------------ */

static int reserve(dumper *d, size_t extra)
{
    if (d->cap - d->len >= extra)
        return 0;
    size_t cap = d->cap ? d->cap : 256;
    while (cap - d->len < extra) {
        if (cap > SIZE_MAX / 2)
            return mp__fail(MP_ENOMEM, "%s", "");
        cap *= 2;
    }
    uint8_t *buf = realloc(d->buf, cap);
    if (!buf)
        return mp__fail(MP_ENOMEM, "%s", "");
    d->buf = buf;
    d->cap = cap;
    return 0;
}

static int put(dumper *d, const void *p, size_t n)
{
    int rc = reserve(d, n);
    if (rc < 0)
        return rc;
    memcpy(d->buf + d->len, p, n);
    d->len += n;
    return 0;
}

static int put1(dumper *d, uint8_t op)
{
    if (d->len == d->cap && reserve(d, 1) < 0)
        return MP_ENOMEM;
    d->buf[d->len++] = op;
    return 0;
}

/* An opcode followed by an n-byte little-endian unsigned argument. */
static int put_op_le(dumper *d, uint8_t op, uint64_t arg, int n)
{
    uint8_t b[9];
    b[0] = op;
    for (int i = 0; i < n; i++)
        b[1 + i] = (uint8_t)(arg >> (8 * i));
    return put(d, b, (size_t)n + 1);
}

/* ---- framing (protocol 4 and later) ------------------------------------ */

/* Open a frame: room for its header, filled in when the frame ends. */
static int frame_open(dumper *d)
{
    d->frame_start = d->len;
    int rc = reserve(d, 9);
    if (rc == 0)
        d->len += 9;
    return rc;
}

/* Close the open frame.  As in CPython, a frame shorter than 4 bytes is
 * written without a header: the header would cost more than it helps. */
static void frame_close(dumper *d)
{
    size_t body = d->len - d->frame_start - 9;
    uint8_t *h = d->buf + d->frame_start;
    if (body >= MP__PICKLE_FRAME_MIN) {
        h[0] = OP_FRAME;
        for (int i = 0; i < 8; i++)
            h[1 + i] = (uint8_t)((uint64_t)body >> (8 * i));
    } else {
        memmove(h, h + 9, body);
        d->len -= 9;
    }
}

/* Called before each value is written, as CPython's pickler does: once the
 * open frame reaches 64 KiB it is closed and another opened, so a reader
 * can load a big pickle in bounded pieces. */
static int frame_boundary(dumper *d)
{
    if (!d->framing || d->len - d->frame_start - 9 < MP__PICKLE_FRAME_TARGET)
        return 0;
    frame_close(d);
    return frame_open(d);
}

/* An opcode header and a payload.  A payload of 64 KiB or more goes outside
 * any frame (CPython does this so it need not be copied into one): close
 * the open frame, write header and payload bare, open the next. */
static int put_payload(dumper *d, const uint8_t *hdr, size_t hlen, const void *data, size_t n)
{
    int rc;
    if (d->framing && n >= MP__PICKLE_FRAME_TARGET) {
        frame_close(d);
        if ((rc = reserve(d, hlen + n)) < 0)
            return rc;
        memcpy(d->buf + d->len, hdr, hlen);
        memcpy(d->buf + d->len + hlen, data, n);
        d->len += hlen + n;
        return frame_open(d);
    }
    if ((rc = reserve(d, hlen + n)) < 0)
        return rc;
    memcpy(d->buf + d->len, hdr, hlen);
    if (n)
        memcpy(d->buf + d->len + hlen, data, n);
    d->len += hlen + n;
    return 0;
}

/* ---- the memo ---------------------------------------------------------- */

/*
 * The memo finds values already written by their address, as CPython's
 * finds objects by id().  Except that CPython keeps a single copy of the
 * empty str and bytes, of each one-character str below U+0100 and of each
 * one-byte bytes, so that all of them in a Python value are one object and
 * the second is written as a GET.  Keying those by content (with keys no
 * address can have) gives the same bytes for the same value.
 */
#define KEY_STR 1u                  /* 1 + code point, or KEY_STR alone for '' */
#define KEY_BYTES 0x200u            /* 1 + the byte, or KEY_BYTES alone for b'' */

static uint64_t memo_key(const mp_value *v)
{
    size_t n;
    if (mp_typeof(v) == MP_T_STR && mp_len(v) <= 1) {
        const uint8_t *s = (const uint8_t *)mp_as_str(v);
        if (mp_len(v) == 0)
            return KEY_STR;
        if (s[0] < 0x80)
            return KEY_STR + 1 + s[0];
        if (s[0] < 0xC4)                /* two bytes, below U+0100 */
            return KEY_STR + 1 + ((s[0] & 0x1Fu) << 6 | (s[1] & 0x3Fu));
    } else if (mp_typeof(v) == MP_T_BYTES) {
        const uint8_t *b = mp_as_bytes(v, &n);
        if (n == 0)
            return KEY_BYTES;
        if (n == 1)
            return KEY_BYTES + 1 + b[0];
    }
    return (uint64_t)(uintptr_t)v;
}

/* Record the value just written under the next memo index (MEMOIZE from
 * protocol 4, BINPUT or LONG_BINPUT before), found again by key.  Key 0 is
 * for an object that exists only inside CPython's pickler (an argument
 * tuple), which nothing fetches again. */
static int memoize(dumper *d, uint64_t key, uint32_t *index)
{
    uint32_t i = d->memo_n++;
    int rc;
    if (key && (rc = mp__pmap_put(&d->memo, key, i)) < 0)
        return rc;
    if (index)
        *index = i;
    if (d->proto >= 4)
        return put1(d, OP_MEMOIZE);
    return i < 256 ? put_op_le(d, OP_BINPUT, i, 1) : put_op_le(d, OP_LONG_BINPUT, i, 4);
}

static int memo_get(dumper *d, uint32_t i)
{
    return i < 256 ? put_op_le(d, OP_BINGET, i, 1) : put_op_le(d, OP_LONG_BINGET, i, 4);
}

/* ---- scalars ----------------------------------------------------------- */

/* save_long: the shortest of BININT1, BININT2, BININT, and otherwise LONG1
 * with the fewest little-endian two's complement bytes that hold i. */
static int save_int(dumper *d, int64_t i)
{
    if (i >= 0 && i <= 0xff)
        return put_op_le(d, OP_BININT1, (uint64_t)i, 1);
    if (i >= 0 && i <= 0xffff)
        return put_op_le(d, OP_BININT2, (uint64_t)i, 2);
    if (i >= INT32_MIN && i <= INT32_MAX)
        return put_op_le(d, OP_BININT, (uint64_t)i, 4);
    int n = 8;
    while (n > 1) {
        /* Drop the top byte while the next one down still carries the sign. */
        int64_t lo = -((int64_t)1 << (8 * (n - 1) - 1));
        if (i < lo || i > -lo - 1)
            break;
        n--;
    }
    uint8_t b[10] = {OP_LONG1, (uint8_t)n};
    for (int k = 0; k < n; k++)
        b[2 + k] = (uint8_t)((uint64_t)i >> (8 * k));
    return put(d, b, (size_t)n + 2);
}

static int save_float(dumper *d, double x)
{
    uint64_t bits;
    uint8_t b[9] = {OP_BINFLOAT};
    memcpy(&bits, &x, sizeof bits);
    mp__put_be64(b + 1, bits);                          /* big-endian, as struct's '>d' */
    return put(d, b, sizeof b);
}

/* A str's UTF-8: SHORT_BINUNICODE (protocol 4+, under 256 bytes),
 * BINUNICODE, or BINUNICODE8 past 4 GiB. */
static int save_text(dumper *d, const char *s, size_t n)
{
    uint8_t h[9];
    size_t hlen;
    if (n < 256 && d->proto >= 4) {
        h[0] = OP_SHORT_BINUNICODE, h[1] = (uint8_t)n, hlen = 2;
    } else if (n <= 0xffffffffu) {
        h[0] = OP_BINUNICODE, hlen = 5;
        for (int k = 0; k < 4; k++)
            h[1 + k] = (uint8_t)(n >> (8 * k));
    } else if (d->proto >= 4) {
        h[0] = OP_BINUNICODE8, hlen = 9;
        for (int k = 0; k < 8; k++)
            h[1 + k] = (uint8_t)((uint64_t)n >> (8 * k));
    } else {
        return mp__fail(MP_EPICKLE, "cannot serialize a string larger than 4GiB");
    }
    return put_payload(d, h, hlen, s, n);
}

static int save_str(dumper *d, const mp_value *v)
{
    size_t n;
    const char *s = mp__pickle_str_utf8(v, &n);
    int rc = save_text(d, s, n);
    return rc < 0 ? rc : memoize(d, memo_key(v), NULL);
}

/* Write a global such as "c_codecs\nencode\n" the first time, and fetch it
 * from the memo after that (CPython's pickler sees one object each time). */
static int save_global(dumper *d, const char *text, uint32_t *memo)
{
    int rc;
    if (*memo != NO_MEMO)
        return memo_get(d, *memo);
    if ((rc = put(d, text, strlen(text))) < 0)
        return rc;
    return memoize(d, 0, memo);
}

/* The str bytes.decode('latin1') makes of n bytes: BINUNICODE of its UTF-8
 * (bytes under 0x80 as they are, the rest as two bytes each), memoized.  A
 * one-character str is CPython's single copy of that character, which may
 * have been written already. */
static int save_latin1_text(dumper *d, const uint8_t *p, size_t n)
{
    int rc;
    uint64_t *seen = n == 1 ? mp__pmap_get(&d->memo, KEY_STR + 1 + p[0]) : NULL;
    if (seen)
        return memo_get(d, (uint32_t)*seen);
    size_t wide = 0;
    for (size_t i = 0; i < n; i++)
        wide += p[i] >> 7;
    if (n + wide > 0xffffffffu)
        return mp__fail(MP_EPICKLE, "cannot serialize a string larger than 4GiB");
    uint8_t h[5] = {OP_BINUNICODE};
    for (int k = 0; k < 4; k++)
        h[1 + k] = (uint8_t)((n + wide) >> (8 * k));
    if ((rc = put(d, h, 5)) < 0 || (rc = reserve(d, n + wide)) < 0)
        return rc;
    uint8_t *o = d->buf + d->len;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < 0x80) {
            *o++ = p[i];
        } else {
            *o++ = (uint8_t)(0xC0 | (p[i] >> 6));
            *o++ = (uint8_t)(0x80 | (p[i] & 0x3F));
        }
    }
    d->len += n + wide;
    return memoize(d, n == 1 ? KEY_STR + 1 + p[0] : 0, NULL);
}

/* Protocol 2 has no bytes opcode; CPython writes what rebuilds the value
 * through functions every Python has:
 *   b''   as  __builtin__.bytes()
 *   data  as  _codecs.encode(data.decode('latin1'), 'latin1')
 * with the argument tuple memoized too, as CPython's save_reduce does. */
static int save_bytes_proto2(dumper *d, const mp_value *v, const uint8_t *p, size_t n)
{
    int rc;
    if (n == 0) {
        if ((rc = save_global(d, "c__builtin__\nbytes\n", &d->memo_bytes)) < 0 ||
            (rc = put1(d, OP_EMPTY_TUPLE)) < 0 || (rc = put1(d, OP_REDUCE)) < 0)
            return rc;
        return memoize(d, memo_key(v), NULL);
    }
    if ((rc = save_global(d, "c_codecs\nencode\n", &d->memo_encode)) < 0 ||
        (rc = save_latin1_text(d, p, n)) < 0)
        return rc;
    if (d->memo_latin1 != NO_MEMO)
        rc = memo_get(d, d->memo_latin1);
    else if ((rc = save_text(d, "latin1", 6)) == 0)
        rc = memoize(d, 0, &d->memo_latin1);
    if (rc < 0 || (rc = put1(d, OP_TUPLE2)) < 0 || (rc = memoize(d, 0, NULL)) < 0 ||
        (rc = put1(d, OP_REDUCE)) < 0)
        return rc;
    return memoize(d, memo_key(v), NULL);
}

/* bytes: SHORT_BINBYTES, BINBYTES or BINBYTES8 from protocol 3. */
static int save_bytes(dumper *d, const mp_value *v)
{
    size_t n;
    const uint8_t *p = mp_as_bytes(v, &n);
    uint8_t h[9];
    size_t hlen;
    if (d->proto < 3)
        return save_bytes_proto2(d, v, p, n);
    if (n < 256) {
        h[0] = OP_SHORT_BINBYTES, h[1] = (uint8_t)n, hlen = 2;
    } else if (n <= 0xffffffffu) {
        h[0] = OP_BINBYTES, hlen = 5;
        for (int k = 0; k < 4; k++)
            h[1 + k] = (uint8_t)(n >> (8 * k));
    } else if (d->proto >= 4) {
        h[0] = OP_BINBYTES8, hlen = 9;
        for (int k = 0; k < 8; k++)
            h[1 + k] = (uint8_t)((uint64_t)n >> (8 * k));
    } else {
        return mp__fail(MP_EPICKLE, "cannot serialize a bytes object larger than 4 GiB");
    }
    int rc = put_payload(d, h, hlen, p, n);
    return rc < 0 ? rc : memoize(d, memo_key(v), NULL);
}

/* ---- containers -------------------------------------------------------- */

static int save(dumper *d, const mp_value *v, int depth);

/* A tuple's items go on the stack, then TUPLE1..3 (protocol 2+) or MARK ...
 * TUPLE gathers them.  If writing the items memoized the tuple itself (a
 * cycle through a list), the items are dropped and the memo fetched, as
 * CPython does. */
static int save_tuple(dumper *d, const mp_value *v, int depth)
{
    size_t n = mp_len(v);
    int rc;
    if (n == 0)
        return put1(d, OP_EMPTY_TUPLE);
    bool small = n <= 3;
    if (!small && (rc = put1(d, OP_MARK)) < 0)
        return rc;
    for (size_t i = 0; i < n; i++)
        if ((rc = save(d, mp_item(v, i), depth + 1)) < 0)
            return rc;
    uint64_t *seen = mp__pmap_get(&d->memo, (uint64_t)(uintptr_t)v);
    if (seen) {
        uint32_t i = (uint32_t)*seen;
        if (small) {
            for (size_t k = 0; k < n; k++)
                if ((rc = put1(d, OP_POP)) < 0)
                    return rc;
        } else if ((rc = put1(d, OP_POP_MARK)) < 0) {
            return rc;
        }
        return memo_get(d, i);
    }
    static const uint8_t tuple_op[] = {0, OP_TUPLE1, OP_TUPLE2, OP_TUPLE3};
    if ((rc = put1(d, small ? tuple_op[n] : OP_TUPLE)) < 0)
        return rc;
    return memoize(d, memo_key(v), NULL);
}

/* A list: EMPTY_LIST, memoized before its items so that an item may refer
 * back to it, then the items: one item with APPEND, more in batches of 1000
 * between MARK and APPENDS. */
static int save_list(dumper *d, const mp_value *v, int depth)
{
    size_t n = mp_len(v);
    int rc;
    if ((rc = put1(d, OP_EMPTY_LIST)) < 0 || (rc = memoize(d, memo_key(v), NULL)) < 0)
        return rc;
    if (n == 1) {
        if ((rc = save(d, mp_item(v, 0), depth + 1)) < 0)
            return rc;
        return put1(d, OP_APPEND);
    }
    for (size_t i = 0; i < n;) {
        if ((rc = put1(d, OP_MARK)) < 0)
            return rc;
        for (size_t k = 0; k < MP__PICKLE_BATCH && i < n; k++, i++)
            if ((rc = save(d, mp_item(v, i), depth + 1)) < 0)
                return rc;
        if ((rc = put1(d, OP_APPENDS)) < 0)
            return rc;
    }
    return 0;
}

/* A dict, in insertion order: EMPTY_DICT, then one pair with SETITEM, more
 * in batches of 1000 between MARK and SETITEMS.  CPython ends a run of full
 * batches with an empty one (a dict of exactly 1000 items has two); so do
 * we, so that the bytes match. */
static int save_dict(dumper *d, const mp_value *v, int depth)
{
    size_t n = mp_len(v);
    const mp_value *key, *val;
    int rc;
    if ((rc = put1(d, OP_EMPTY_DICT)) < 0 || (rc = memoize(d, memo_key(v), NULL)) < 0)
        return rc;
    if (n == 1) {
        mp_dict_entry(v, 0, &key, &val);
        if ((rc = save(d, key, depth + 1)) < 0 || (rc = save(d, val, depth + 1)) < 0)
            return rc;
        return put1(d, OP_SETITEM);
    }
    if (n == 0)
        return 0;
    size_t i = 0, batch;
    do {
        if ((rc = put1(d, OP_MARK)) < 0)
            return rc;
        for (batch = 0; batch < MP__PICKLE_BATCH && i < n; batch++, i++) {
            mp_dict_entry(v, i, &key, &val);
            if ((rc = save(d, key, depth + 1)) < 0 || (rc = save(d, val, depth + 1)) < 0)
                return rc;
        }
        if ((rc = put1(d, OP_SETITEMS)) < 0)
            return rc;
    } while (batch == MP__PICKLE_BATCH);
    return 0;
}

/* ---- objects ----------------------------------------------------------- */

static const char main_module[] = "__main__";

/* A str that stands for one C string: memoized by the string's address,
 * so that a module name shared by several classes is written once, as
 * CPython writes its one '__main__' object once. */
static int save_cstr(dumper *d, const char *s)
{
    uint64_t *seen = mp__pmap_get(&d->memo, (uint64_t)(uintptr_t)s);
    if (seen)
        return memo_get(d, (uint32_t)*seen);
    int rc = save_text(d, s, strlen(s));
    return rc < 0 ? rc : memoize(d, (uint64_t)(uintptr_t)s, NULL);
}

/* The class as a global: STACK_GLOBAL from protocol 4, GLOBAL before;
 * memoized by the class's address, so each class is written once. */
static int save_class(dumper *d, const mp_class *c)
{
    uint64_t *seen = mp__pmap_get(&d->memo, (uint64_t)(uintptr_t)c);
    if (seen)
        return memo_get(d, (uint32_t)*seen);
    const char *module = c->module ? c->module : main_module;
    int rc;
    if (d->proto >= 4) {
        if ((rc = save_cstr(d, module)) < 0 || (rc = save_cstr(d, c->name)) < 0 ||
            (rc = put1(d, OP_STACK_GLOBAL)) < 0)
            return rc;
    } else if ((rc = put1(d, OP_GLOBAL)) < 0 || (rc = put(d, module, strlen(module))) < 0 ||
               (rc = put(d, "\n", 1)) < 0 || (rc = put(d, c->name, strlen(c->name))) < 0 ||
               (rc = put(d, "\n", 1)) < 0) {
        return rc;
    }
    return memoize(d, (uint64_t)(uintptr_t)c, NULL);
}

/* Hold a value made for the dump (a state, reduce's arguments) until it
 * ends: the memo knows values by address.  Takes over v, even on failure. */
static int keep(dumper *d, mp_value *v)
{
    if (d->nstates == d->capstates) {
        size_t cap = d->capstates ? d->capstates * 2 : 8;
        mp_value **s = realloc(d->states, cap * sizeof *s);
        if (!s) {
            mp_decref(v);
            return mp__fail(MP_ENOMEM, "out of memory");
        }
        d->states = s;
        d->capstates = cap;
    }
    d->states[d->nstates++] = v;
    return 0;
}

/*
 * An instance of a registered class is what CPython writes for a plain
 * object: the class, NEWOBJ with no arguments, then its __dict__ and BUILD
 * (no BUILD when the dict is empty, as CPython skips a false state).
 * A library object (a queue, a connection) can be written only into the
 * description of a child being started: its reduce registers descriptors
 * to pass beside it, and the child rebuilds it with class(state).
 */
static int save_object(dumper *d, const mp_value *v, int depth)
{
    const mp__object *o = (const mp__object *)v;
    const mp__native *nat = o->cls->native;
    int rc;
    const mp_class *type = mp__type_of_value(v);
    if (type)
        return save_class(d, type);
    if (nat && (nat->reduce_ex || nat->getstate)) {
        const mp_class *fn = o->cls;
        mp_value *part;
        unsigned long mark = mp__fail_mark();
        if (nat->reduce_ex) {
            if ((rc = nat->reduce_ex(o, &fn, &part)) < 0)
                return rc;
        } else if (!(part = nat->getstate(o))) {
            return mp__fail_since(mark, MP_ENOMEM, "out of memory");
        }
        if ((rc = keep(d, part)) < 0)
            return rc;
        if (nat->reduce_ex)
            rc = save_class(d, fn) == 0 && (rc = save(d, part, depth + 1)) == 0 &&
                         (rc = put1(d, OP_REDUCE)) == 0 ? memoize(d, memo_key(v), NULL) : rc;
        else if ((rc = save_class(d, fn)) == 0 && (rc = put1(d, OP_EMPTY_TUPLE)) == 0 &&
                 (rc = put1(d, OP_NEWOBJ)) == 0 && (rc = memoize(d, memo_key(v), NULL)) == 0 &&
                 (rc = save(d, part, depth + 1)) == 0)
            rc = put1(d, OP_BUILD);
        return rc;
    }
    if (nat) {
        if (!nat->reduce)
            return mp__fail(MP_ETYPE, "cannot pickle '%s' object", o->cls->name);
        unsigned long mark = mp__fail_mark();
        mp_value *state = nat->reduce((mp__object *)o);
        if (!state)
            return mp__fail_since(mark, MP_ENOMEM, "out of memory");
        if ((rc = keep(d, state)) < 0)
            return rc;
        /* A traced object carries its trace name (MP_TRACE) as two more
         * arguments, so that the child's copy is named as the parent's. */
        bool named = o->trace_n != 0;
        if ((rc = save_class(d, o->cls)) == 0 && (rc = save(d, state, depth + 1)) == 0 &&
            (!named || ((rc = save_int(d, o->trace_pid)) == 0 &&
                        (rc = save_int(d, o->trace_n)) == 0)) &&
            (rc = put1(d, named ? OP_TUPLE3 : OP_TUPLE1)) == 0 && (rc = put1(d, OP_REDUCE)) == 0)
            rc = memoize(d, memo_key(v), NULL);
        return rc;
    }
    if ((rc = save_class(d, o->cls)) < 0 || (rc = put1(d, OP_EMPTY_TUPLE)) < 0 ||
        (rc = put1(d, OP_NEWOBJ)) < 0 || (rc = memoize(d, memo_key(v), NULL)) < 0)
        return rc;
    if (mp_len(o->dict) == 0)
        return 0;
    if ((rc = save(d, o->dict, depth + 1)) < 0)
        return rc;
    return put1(d, OP_BUILD);
}

/* Write one value.  None, bools, ints and floats are never memoized; any
 * other value already written is fetched from the memo, so shared parts
 * are written once and cycles through lists and dicts end. */
static int save(dumper *d, const mp_value *v, int depth)
{
    int rc;
    if ((rc = frame_boundary(d)) < 0)
        return rc;
    switch (mp_typeof(v)) {
    case MP_T_NONE:
        return put1(d, OP_NONE);
    case MP_T_BOOL:
        return put1(d, mp_as_bool(v) ? OP_NEWTRUE : OP_NEWFALSE);
    case MP_T_INT:
        return save_int(d, mp_as_int(v));
    case MP_T_FLOAT:
        return save_float(d, mp_as_float(v));
    default:
        break;
    }
    uint64_t *seen = mp__pmap_get(&d->memo, memo_key(v));
    if (seen)
        return memo_get(d, (uint32_t)*seen);
    if (depth >= MAX_DEPTH && mp_typeof(v) >= MP_T_TUPLE)
        return mp__fail(MP_ERUNTIME, "maximum recursion depth exceeded while pickling an object");
    switch (mp_typeof(v)) {
    case MP_T_STR: return save_str(d, v);
    case MP_T_BYTES: return save_bytes(d, v);
    case MP_T_TUPLE: return save_tuple(d, v, depth);
    case MP_T_LIST: return save_list(d, v, depth);
    case MP_T_DICT: return save_dict(d, v, depth);
    case MP_T_OBJECT: return save_object(d, v, depth);
    default: return mp__fail(MP_EPICKLE, "cannot pickle '%s' object", mp_type_name(v));
    }
}

static void release_states(dumper *d)
{
    for (size_t i = 0; i < d->nstates; i++)
        mp_decref(d->states[i]);
    free(d->states);
}

int mp_pickle_dumps(const mp_value *v, const mp_pickle_opts *opts, uint8_t **out, size_t *len)
{
    return mp__pickle_dumps_room(v, opts, 0, out, len);
}

int mp__pickle_dumps_room(const mp_value *v, const mp_pickle_opts *opts, size_t room,
                          uint8_t **out, size_t *len)
{
    int proto = opts ? opts->protocol : 0;
    int rc;
    *out = NULL;
    *len = 0;
    /* 0 is the default, and a negative protocol means the highest, as in
     * pickle.dumps(obj, -1). */
    if (proto == 0)
        proto = 4;
    else if (proto < 0)
        proto = 5;
    if (proto < 2 || proto > 5)
        return mp__fail(MP_EVALUE, proto > 5 ? "pickle protocol must be <= 5"
                        : "pickle protocol %d is not supported (2 to 5 are)", proto);
    if (!v)
        return mp__fail(MP_EPICKLE, "cannot pickle a NULL value");
    dumper d = {.proto = proto, .framing = proto >= 4, .memo_encode = NO_MEMO,
                .memo_latin1 = NO_MEMO, .memo_bytes = NO_MEMO};
    mp__pmap_init(&d.memo);
    uint8_t head[2] = {OP_PROTO, (uint8_t)proto};
    if ((rc = reserve(&d, room)) == 0)
        d.len = room;
    if (rc < 0 || (rc = put(&d, head, 2)) < 0 || (d.framing && (rc = frame_open(&d)) < 0) ||
        (rc = save(&d, v, 0)) < 0 || (rc = put1(&d, OP_STOP)) < 0) {
        release_states(&d);
        mp__pmap_free(&d.memo);
        free(d.buf);
        return rc;
    }
    if (d.framing)
        frame_close(&d);
    release_states(&d);
    mp__pmap_free(&d.memo);
    *out = d.buf;
    *len = d.len;
    return 0;
}

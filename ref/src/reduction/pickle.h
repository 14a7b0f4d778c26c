/* pickle.h - what the pickle writer and reader share: opcodes, a small integer map, the globals allowlist. */
#ifndef MP_PICKLE_H
#define MP_PICKLE_H

#include "reduction.h"
#include "core/siphash.h"

#include <stdlib.h>
#include <string.h>

/* The opcodes of protocols 0 to 5, named as pickletools names them. */
enum {
    OP_MARK = '(', OP_STOP = '.', OP_POP = '0', OP_POP_MARK = '1', OP_DUP = '2',
    OP_FLOAT = 'F', OP_INT = 'I', OP_BININT = 'J', OP_BININT1 = 'K', OP_LONG = 'L',
    OP_BININT2 = 'M', OP_NONE = 'N', OP_PERSID = 'P', OP_BINPERSID = 'Q',
    OP_REDUCE = 'R', OP_STRING = 'S', OP_BINSTRING = 'T', OP_SHORT_BINSTRING = 'U',
    OP_UNICODE = 'V', OP_BINUNICODE = 'X', OP_APPEND = 'a', OP_BUILD = 'b',
    OP_GLOBAL = 'c', OP_DICT = 'd', OP_EMPTY_DICT = '}', OP_APPENDS = 'e', OP_GET = 'g',
    OP_BINGET = 'h', OP_INST = 'i', OP_LONG_BINGET = 'j', OP_LIST = 'l',
    OP_EMPTY_LIST = ']', OP_OBJ = 'o', OP_PUT = 'p', OP_BINPUT = 'q',
    OP_LONG_BINPUT = 'r', OP_SETITEM = 's', OP_TUPLE = 't', OP_EMPTY_TUPLE = ')',
    OP_SETITEMS = 'u', OP_BINFLOAT = 'G',
    /* protocol 2 */
    OP_PROTO = 0x80, OP_NEWOBJ = 0x81, OP_EXT1 = 0x82, OP_EXT2 = 0x83, OP_EXT4 = 0x84,
    OP_TUPLE1 = 0x85, OP_TUPLE2 = 0x86, OP_TUPLE3 = 0x87, OP_NEWTRUE = 0x88,
    OP_NEWFALSE = 0x89, OP_LONG1 = 0x8a, OP_LONG4 = 0x8b,
    /* protocol 3 */
    OP_BINBYTES = 'B', OP_SHORT_BINBYTES = 'C',
    /* protocol 4 */
    OP_SHORT_BINUNICODE = 0x8c, OP_BINUNICODE8 = 0x8d, OP_BINBYTES8 = 0x8e,
    OP_EMPTY_SET = 0x8f, OP_ADDITEMS = 0x90, OP_FROZENSET = 0x91, OP_NEWOBJ_EX = 0x92,
    OP_STACK_GLOBAL = 0x93, OP_MEMOIZE = 0x94, OP_FRAME = 0x95,
    /* protocol 5 */
    OP_BYTEARRAY8 = 0x96, OP_NEXT_BUFFER = 0x97, OP_READONLY_BUFFER = 0x98
};

/* CPython's pickler: batches of 1000 items, frames of about 64 KiB, and a
 * frame header is written only for frames of at least 4 bytes. */
#define MP__PICKLE_BATCH 1000
#define MP__PICKLE_FRAME_TARGET (64 * 1024)
#define MP__PICKLE_FRAME_MIN 4

/* The UTF-8 bytes of a str value and their number.  mp.h gives the code
 * point count; since the text is valid UTF-8, each lead byte says how long
 * its sequence is, which finds the byte length without trusting a NUL (a
 * str may hold U+0000). */
static inline const char *mp__pickle_str_utf8(const mp_value *v, size_t *len)
{
    const char *s = mp_as_str(v);
    size_t ncp = mp_len(v), i = 0;
    for (size_t k = 0; k < ncp; k++) {
        uint8_t c = (uint8_t)s[i];
        i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    }
    *len = i;
    return s;
}

/*
 * A map from 64-bit keys to 64-bit values: open addressing, probed as the
 * dicts are (mp__probe_next) with a keyed hash of the key (siphash.h),
 * starting in storage inside the struct so that a small message costs no
 * malloc.  The writer maps a value's address to its memo index; the reader
 * maps container addresses to what it knows about them, and the memo
 * indexes a pickler would not write to memo slots.  Those indexes are the
 * peer's to choose (PUT takes any number), so that map hashes with SipHash
 * (mp__pmap_init_chosen); addresses are only steered by the peer, and hash
 * with mp__hash_addr (mp__pmap_init).  Either way no choice of keys lines
 * them up on one chain.  Entries are never removed.
 */
typedef struct mp__pmap_ent {
    uint64_t key;               /* key + 1; 0 marks an empty entry */
    uint64_t val;
} mp__pmap_ent;

#define MP__PMAP_INLINE 16

typedef struct mp__pmap {
    mp__pmap_ent *ents;
    size_t cap, n;              /* cap is a power of two */
    bool chosen;                /* keys a peer picks: hash with SipHash */
    mp__pmap_ent inl[MP__PMAP_INLINE];
} mp__pmap;

/* An empty map of addresses (or other keys a peer cannot pick). */
static inline void mp__pmap_init(mp__pmap *m)
{
    memset(m->inl, 0, sizeof m->inl);
    m->ents = m->inl;
    m->cap = MP__PMAP_INLINE;
    m->n = 0;
    m->chosen = false;
}

/* An empty map of keys a peer picks. */
static inline void mp__pmap_init_chosen(mp__pmap *m)
{
    mp__pmap_init(m);
    m->chosen = true;
}

static inline void mp__pmap_free(mp__pmap *m)
{
    if (m->ents != m->inl)
        free(m->ents);
    m->ents = m->inl;
}

/* The hash of a stored key (key + 1). */
static inline uint64_t mp__pmap_hash(const mp__pmap *m, uint64_t k)
{
    return m->chosen ? mp__hash_u64(k) : mp__hash_addr(k);
}

/* The entry holding stored key k whose hash is h, or the empty entry where
 * it would go. */
static inline mp__pmap_ent *mp__pmap_find(mp__pmap_ent *ents, size_t cap, uint64_t k, uint64_t h)
{
    size_t mask = cap - 1;
    uint64_t perturb = h;
    for (size_t i = h & mask;; i = mp__probe_next(i, &perturb, mask))
        if (ents[i].key == k || ents[i].key == 0)
            return &ents[i];
}

/* The value stored for key, or NULL. */
static inline uint64_t *mp__pmap_get(mp__pmap *m, uint64_t key)
{
    mp__pmap_ent *e = mp__pmap_find(m->ents, m->cap, key + 1, mp__pmap_hash(m, key + 1));
    return e->key ? &e->val : NULL;
}

/* Store val for key, replacing any earlier value.  0 or MP_ENOMEM. */
static inline int mp__pmap_put(mp__pmap *m, uint64_t key, uint64_t val)
{
    uint64_t h = mp__pmap_hash(m, ++key);
    mp__pmap_ent *e = mp__pmap_find(m->ents, m->cap, key, h);
    if (e->key) {
        e->val = val;
        return 0;
    }
    if ((m->n + 1) * 3 > m->cap * 2) {
        size_t cap = m->cap * 2;
        mp__pmap_ent *ents = calloc(cap, sizeof *ents), *prev = m->ents;
        if (!ents)
            return mp__fail(MP_ENOMEM, "%s", "");
        for (size_t i = 0; i < m->cap; i++)
            if (prev[i].key)
                *mp__pmap_find(ents, cap, prev[i].key, mp__pmap_hash(m, prev[i].key)) = prev[i];
        if (prev != m->inl)
            free(prev);
        m->ents = ents;
        m->cap = cap;
        e = mp__pmap_find(ents, cap, key, h);
    }
    *e = (mp__pmap_ent){key, val};
    m->n++;
    return 0;
}

/* A growable scratch buffer for decoding text arguments, reused across
 * opcodes so that decoding costs no allocation per string. */
typedef struct mp__pickle_scratch {
    char *data;
    size_t cap;
} mp__pickle_scratch;

/* The text arguments of protocol 0 and 1 (pickle_compat.c).  s and n are the
 * line without its newline.  Each returns 0, or MP_EUNPICKLE, MP_EOVERFLOW
 * or MP_ENOMEM with CPython's message where it has one.
 *   text_int    INT: C's strtol, falling back to int(s, 0); *is_bool for
 *               the two-character lines "01" and "00" (True and False)
 *   text_long   LONG: int(s, 0) after dropping a trailing L
 *   text_index  the memo index of PUT and GET: int(s, 10)
 *   text_float  FLOAT: float(s) as PyOS_string_to_double reads it
 *   text_string STRING: a quoted Python 2 literal, decoded as ASCII
 *   text_unicode UNICODE: raw-unicode-escape; lone surrogates refused
 *   ascii       BINSTRING and SHORT_BINSTRING data, decoded as ASCII */
int mp__pickle_text_int(const char *s, size_t n, int64_t *out, bool *is_bool);
int mp__pickle_text_long(const char *s, size_t n, int64_t *out);
int mp__pickle_text_index(const char *s, size_t n, int64_t *out);
int mp__pickle_text_float(const char *s, size_t n, double *out);
int mp__pickle_text_string(const char *s, size_t n, mp__pickle_scratch *sc, mp_value **out);
int mp__pickle_text_unicode(const char *s, size_t n, mp__pickle_scratch *sc, mp_value **out);
int mp__pickle_ascii(const char *s, size_t n, mp_value **out);

/* A name from the input, fit for a message: printable ASCII as it is, other
 * bytes as \xNN, long names cut to fit buf. */
const char *mp__pickle_shown(char *buf, size_t cap, const char *s, size_t n);

/*
 * The globals the reader accepts: names whose meaning this codec implements
 * itself, so that loading never runs anything chosen by the data.  call
 * serves REDUCE, INST and OBJ (name(*args)); newobj serves NEWOBJ and
 * NEWOBJ_EX (name.__new__(name, *args)); either may be NULL when the opcode
 * makes no sense for the name.  args is a tuple, borrowed; on success *out
 * is a new reference.  The table ends with a NULL module.  Registered
 * classes are found after the table (pickle_load_build.c).
 */
typedef struct mp__pickle_global {
    const char *module, *name;
    int (*call)(const mp_value *args, mp_value **out);
    int (*newobj)(const mp_value *args, mp_value **out);
    const mp_class *cls;        /* a registered class (then call and newobj are NULL) */
} mp__pickle_global;

extern const mp__pickle_global mp__pickle_globals[];     /* pickle_compat.c */

#endif

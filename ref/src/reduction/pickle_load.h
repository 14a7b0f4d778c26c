/* pickle_load.h - what the loader's parts share: the loader and its slots, and the helpers pickle_load.c, pickle_load_input.c and pickle_load_build.c call across. */
#ifndef MP_PICKLE_LOAD_H
#define MP_PICKLE_LOAD_H

#include "pickle.h"

/*
 * The reader is CPython's unpickling machine: a stack of slots, a stack of
 * MARK positions, and a memo.  What keeps hostile input harmless:
 *
 *  - Every length is checked against the bytes that remain before anything
 *    is allocated, and against max_size; the stack, the marks and the memo
 *    grow one entry per opcode read, so memory stays proportional to the
 *    input.  The memo finds the indexes a pickler writes (0, 1, 2... as
 *    CPython numbers them) in an array, by index, and any other in a hash
 *    map: the array covers no more than twice the entries stored plus 1024,
 *    so PUT 4000000000 costs one map entry, not an array that long.
 *  - Time stays proportional to the input too, whatever keys the peer
 *    picks.  The tables it fills (the entries of its dicts, the memo's map,
 *    the map of containers below) are open-addressed, so keys that all hash
 *    alike would make each insertion walk past every earlier one.  Their
 *    hash is SipHash under a key this process drew at random (siphash.h),
 *    ints and memo indexes included, so which keys collide is a guess; the
 *    probe sequence is CPython's (the high bits of the hash come in at each
 *    step), so even keys that share their low bits part after a few steps;
 *    and a nan key hashes by identity, as in CPython, since a thousand nans
 *    are a thousand keys that compare unequal.  So each insertion and lookup
 *    costs a few probes, expected.
 *  - No recursion: nesting costs no C stack.  Each slot knows how deeply its
 *    value nests, and a value nested past max_depth is refused, since
 *    repr(), == and pickle.dumps of it would recurse that deep.
 *  - No cycles.  Reference counts cannot free a list that contains itself,
 *    so a list or dict may receive items (APPEND, SETITEMS...) only while it
 *    is "open": created by this pickle and not yet put inside another value,
 *    fetched from the memo, or duplicated.  CPython writes every container's
 *    items before anything else can refer to it, so this refuses exactly
 *    the recursive values (and hand-made pickles that change a value after
 *    sharing it).  Proof sketch: an open container is referred to only from
 *    the stack and the memo, never from another value, so adding an item
 *    to it cannot close a loop unless the item is the container itself.
 *  - A tuple used as a dict key is hashed (and maybe compared) in full; a
 *    key built from memo references shared a thousand times over would take
 *    forever, so the nodes hashed are counted against a budget that grows
 *    with the input.
 *  - Globals name code.  Only the names in mp__pickle_globals are accepted,
 *    and they are implemented here, not looked up anywhere.
 */

typedef struct slot {
    mp_value *v;                    /* owned; NULL for a global */
    const mp__pickle_global *g;     /* pushed by GLOBAL or STACK_GLOBAL */
    uint32_t depth;                 /* nesting; lists and dicts keep theirs in info */
} slot;

/* Flag in an info entry: the list or dict may still receive items. */
#define OPEN ((uint64_t)1 << 32)

typedef struct loader {
    const uint8_t *p, *end;
    size_t max_depth, max_size;
    slot *stack;
    size_t sp, scap;
    size_t *marks;
    size_t nmarks, mcap;
    slot *memo_slots;               /* the memo's values, in the order first stored */
    size_t nmemo, memo_cap;
    size_t *memo_at;                /* memo index -> position in memo_slots + 1, 0 if none */
    size_t memo_at_cap;             /*   for indexes below this (see pickle_load.c) */
    mp__pmap memo_far;              /* memo index -> position, for the other indexes */
    mp__pmap info;                  /* list or dict address -> depth | OPEN */
    mp__pickle_scratch text;
    uint64_t key_budget;
    slot stack_inl[32];
    size_t marks_inl[16];
    slot memo_inl[16];
    size_t memo_at_inl[16];
} loader;

#define ADDR(v) ((uint64_t)(uintptr_t)(v))

/* ---- errors, the stack and the input (pickle_load_input.c) ------------ */

/* Each opcode's name as pickletools spells it, for messages; NULL for a byte that is no opcode. */
extern const char *const mp__load_op_names[256];

/* Record MP_EUNPICKLE with a printf-formatted message, and return MP_EUNPICKLE. */
int mp__load_bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Record MP_ENOMEM (no message) and return it. */
int mp__load_nomem(void);
/* Record and return MP_ENOMEM for a what ("str", "list"...) of n bytes or items past max_size. */
int mp__load_too_big(const loader *L, unsigned long long n, const char *what, int op);

/* arr grown to hold `want` elements, off inl (*cap updated); NULL if out of memory, arr kept. */
void *mp__load_grow(void *arr, size_t *cap, size_t size, const void *inl, size_t want);

/* Where the slots above the last MARK start (0 with no MARK). */
size_t mp__load_fence(const loader *L);
/* Record and return MP_EUNPICKLE in CPython's words for popping what is not there. */
int mp__load_underflow(const loader *L);
/* 0 if at least n slots lie above the last MARK, else the underflow error. */
int mp__load_need_items(const loader *L, size_t n);
/* Push v (stolen) or global g at depth: 0, or MP_ENOMEM (also for a NULL v without g).
 * Inline, with take and arg_le below: the machine calls them for nearly
 * every opcode, and a call across files would cost a few percent. */
static inline int mp__load_push(loader *L, mp_value *v, const mp__pickle_global *g, uint32_t depth)
{
    if (!v && !g)
        return MP_ENOMEM;
    if (L->sp == L->scap) {
        slot *s = mp__load_grow(L->stack, &L->scap, sizeof *s, L->stack_inl, L->sp + 1);
        if (!s) {
            mp_decref(v);
            return mp__load_nomem();
        }
        L->stack = s;
    }
    L->stack[L->sp++] = (slot){v, g, depth};
    return 0;
}
/* Pop the last MARK into *mark (0 if none): 0, or MP_EUNPICKLE "could not find MARK". */
int mp__load_pop_mark(loader *L, size_t *mark);
/* Pop the slots from `from` up, releasing their values. */
void mp__load_drop_slots(loader *L, size_t from);

/* The next n input bytes at *p, consumed: 0, or MP_EUNPICKLE "pickle data was truncated". */
static inline int mp__load_take(loader *L, uint64_t n, const uint8_t **p)
{
    *p = L->p;
    if (n > (uint64_t)(L->end - L->p))
        return mp__load_bad("pickle data was truncated");
    L->p += n;
    return 0;
}

/* p[0..n) as a little-endian unsigned number. */
static inline uint64_t mp__load_le(const uint8_t *p, int n)
{
    uint64_t x = 0;
    for (int i = n - 1; i >= 0; i--)
        x = x << 8 | p[i];
    return x;
}

/* An n-byte little-endian unsigned argument into *x (0 on error): 0 or the truncation error. */
static inline int mp__load_arg_le(loader *L, int n, uint64_t *x)
{
    const uint8_t *p;
    int rc = mp__load_take(L, (uint64_t)n, &p);
    *x = rc == 0 ? mp__load_le(p, n) : 0;
    return rc;
}
/* The next line, without its newline, at *s and *n: 0 or the truncation error. */
int mp__load_line(loader *L, const char **s, size_t *n, size_t min);
/* A width-byte little-endian length, then that many bytes at *p: 0 or the truncation error. */
int mp__load_counted(loader *L, int width, const uint8_t **p, uint64_t *n);
/* Push the str of UTF-8 p[0..n): 0, MP_EUNPICKLE if not valid UTF-8, or MP_ENOMEM. */
int mp__load_push_str(loader *L, const uint8_t *p, uint64_t n, int op);
/* Push the bytes p[0..n): 0, or MP_ENOMEM (past max_size or out of memory). */
int mp__load_push_bytes(loader *L, const uint8_t *p, uint64_t n, int op);
/* Push the int LONG1 or LONG4 data p[0..n) hold: 0, MP_EOVERFLOW past 64 bits, or MP_ENOMEM. */
int mp__load_push_long(loader *L, const uint8_t *p, uint64_t n, int op);
/* Push v (stolen), a text decoder's result: its error rc if negative, else 0 or MP_ENOMEM. */
int mp__load_push_text_result(loader *L, int rc, mp_value *v, int op);
/* GLOBAL's and INST's two lines as an allowed global in *g: 0, or MP_EUNPICKLE. */
int mp__load_global_lines(loader *L, int op, const mp__pickle_global **g);

/* ---- containers and globals (pickle_load_build.c) ---------------------- */

/* Close the list, dict or instance v to more items: it is now reachable another way. */
void mp__load_seal(loader *L, const mp_value *v);
/* APPEND, APPENDS, SETITEM, SETITEMS: the slots from `from` up into stack[t]: 0 or an error. */
int mp__load_add_to(loader *L, size_t t, size_t from, int op);
/* LIST and DICT: the slots above the last MARK become a new container: 0 or an error. */
int mp__load_make_container(loader *L, int op);
/* EMPTY_LIST and EMPTY_DICT: push a new open container: 0 or MP_ENOMEM. */
int mp__load_new_container(loader *L, int op);
/* The slots from `from` up become a tuple of them: 0 or an error. */
int mp__load_make_tuple(loader *L, size_t from, int op);
/* The allowed global m.n (or a registered class), or NULL with the error recorded. */
const mp__pickle_global *mp__load_find_global(const char *m, size_t mlen, const char *n,
                                              size_t nlen, int op);
/* g applied to the argument tuple on top of the stack, which it replaces: 0 or an error. */
int mp__load_apply(loader *L, const mp__pickle_global *g, int op);
/* REDUCE, NEWOBJ, NEWOBJ_EX: the global below the arguments applied to them: 0 or an error. */
int mp__load_reduce(loader *L, int op);
/* BUILD: the open instance below the state takes the state, which is popped: 0 or an error. */
int mp__load_build(loader *L);

#endif

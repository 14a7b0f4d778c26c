/* pickle_load.c - pickle.loads for values: reads what CPython 3.11 writes with protocols 0 to 5, and runs nothing. */
#include "pickle.h"

#include <pthread.h>

/*
 * The reader is CPython's unpickling machine: a stack of slots, a stack of
 * MARK positions, and a memo.  What keeps hostile input harmless:
 *
 *  - Every length is checked against the bytes that remain before anything
 *    is allocated, and against max_size; the stack, the marks and the memo
 *    grow one entry per opcode read, so memory stays proportional to the
 *    input.  The memo is a hash map, so PUT 4000000000 costs one entry.
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
    slot *memo_slots;
    size_t nmemo, memo_cap;
    mp__pmap memo;                  /* memo index -> position in memo_slots */
    mp__pmap info;                  /* list or dict address -> depth | OPEN */
    mp__pickle_scratch text;
    uint64_t key_budget;
    slot stack_inl[32];
    size_t marks_inl[16];
    slot memo_inl[16];
} loader;

#define ADDR(v) ((uint64_t)(uintptr_t)(v))

static const char *const op_names[256] = {
    [OP_MARK] = "MARK", [OP_STOP] = "STOP", [OP_POP] = "POP", [OP_POP_MARK] = "POP_MARK",
    [OP_DUP] = "DUP", [OP_FLOAT] = "FLOAT", [OP_INT] = "INT", [OP_BININT] = "BININT",
    [OP_BININT1] = "BININT1", [OP_LONG] = "LONG", [OP_BININT2] = "BININT2",
    [OP_NONE] = "NONE", [OP_PERSID] = "PERSID", [OP_BINPERSID] = "BINPERSID",
    [OP_REDUCE] = "REDUCE", [OP_STRING] = "STRING", [OP_BINSTRING] = "BINSTRING",
    [OP_SHORT_BINSTRING] = "SHORT_BINSTRING", [OP_UNICODE] = "UNICODE",
    [OP_BINUNICODE] = "BINUNICODE", [OP_APPEND] = "APPEND", [OP_BUILD] = "BUILD",
    [OP_GLOBAL] = "GLOBAL", [OP_DICT] = "DICT", [OP_EMPTY_DICT] = "EMPTY_DICT",
    [OP_APPENDS] = "APPENDS", [OP_GET] = "GET", [OP_BINGET] = "BINGET", [OP_INST] = "INST",
    [OP_LONG_BINGET] = "LONG_BINGET", [OP_LIST] = "LIST", [OP_EMPTY_LIST] = "EMPTY_LIST",
    [OP_OBJ] = "OBJ", [OP_PUT] = "PUT", [OP_BINPUT] = "BINPUT",
    [OP_LONG_BINPUT] = "LONG_BINPUT", [OP_SETITEM] = "SETITEM", [OP_TUPLE] = "TUPLE",
    [OP_EMPTY_TUPLE] = "EMPTY_TUPLE", [OP_SETITEMS] = "SETITEMS", [OP_BINFLOAT] = "BINFLOAT",
    [OP_PROTO] = "PROTO", [OP_NEWOBJ] = "NEWOBJ", [OP_EXT1] = "EXT1", [OP_EXT2] = "EXT2",
    [OP_EXT4] = "EXT4", [OP_TUPLE1] = "TUPLE1", [OP_TUPLE2] = "TUPLE2",
    [OP_TUPLE3] = "TUPLE3", [OP_NEWTRUE] = "NEWTRUE", [OP_NEWFALSE] = "NEWFALSE",
    [OP_LONG1] = "LONG1", [OP_LONG4] = "LONG4", [OP_BINBYTES] = "BINBYTES",
    [OP_SHORT_BINBYTES] = "SHORT_BINBYTES", [OP_SHORT_BINUNICODE] = "SHORT_BINUNICODE",
    [OP_BINUNICODE8] = "BINUNICODE8", [OP_BINBYTES8] = "BINBYTES8",
    [OP_EMPTY_SET] = "EMPTY_SET", [OP_ADDITEMS] = "ADDITEMS", [OP_FROZENSET] = "FROZENSET",
    [OP_NEWOBJ_EX] = "NEWOBJ_EX", [OP_STACK_GLOBAL] = "STACK_GLOBAL",
    [OP_MEMOIZE] = "MEMOIZE", [OP_FRAME] = "FRAME", [OP_BYTEARRAY8] = "BYTEARRAY8",
    [OP_NEXT_BUFFER] = "NEXT_BUFFER", [OP_READONLY_BUFFER] = "READONLY_BUFFER",
};

static int bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bad(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mp__vfail(MP_EUNPICKLE, fmt, ap);
    va_end(ap);
    return MP_EUNPICKLE;
}

static int nomem(void)
{
    return mp__fail(MP_ENOMEM, "%s", "");
}

static int too_big(const loader *L, unsigned long long n, const char *what, int op)
{
    return mp__fail(MP_ENOMEM, "%s of %llu %s is larger than max_size (%zu) (opcode %s)",
                    what, n, strcmp(what, "str") && strcmp(what, "bytes") ? "items" : "bytes",
                    L->max_size, op_names[op]);
}

static int too_deep(const loader *L)
{
    return mp__fail(MP_ENOMEM, "pickle data nests deeper than max_depth (%zu)", L->max_depth);
}

/* ---- arrays that start inside the loader ------------------------------- */

/* Room for `want` elements; the array moves to the heap on first growth. */
static void *grow(void *arr, size_t *cap, size_t size, const void *inl, size_t want)
{
    size_t n = *cap;
    while (n < want) {
        if (n > SIZE_MAX / 2 / size)
            return NULL;
        n *= 2;
    }
    void *p = arr == inl ? malloc(n * size) : realloc(arr, n * size);
    if (!p)
        return NULL;
    if (arr == inl)
        memcpy(p, inl, *cap * size);
    *cap = n;
    return p;
}

/* ---- the stack --------------------------------------------------------- */

static size_t fence(const loader *L)
{
    return L->nmarks ? L->marks[L->nmarks - 1] : 0;
}

/* CPython's two words for popping what is not there. */
static int underflow(const loader *L)
{
    return bad(L->nmarks ? "unexpected MARK found" : "unpickling stack underflow");
}

/* n slots above the last MARK, or an error. */
static int need_items(const loader *L, size_t n)
{
    return L->sp - fence(L) < n ? underflow(L) : 0;
}

/* Push v (stolen) or a global.  NULL v without g: a constructor failed. */
static int push(loader *L, mp_value *v, const mp__pickle_global *g, uint32_t depth)
{
    if (!v && !g)
        return MP_ENOMEM;
    if (L->sp == L->scap) {
        slot *s = grow(L->stack, &L->scap, sizeof *s, L->stack_inl, L->sp + 1);
        if (!s) {
            mp_decref(v);
            return nomem();
        }
        L->stack = s;
    }
    L->stack[L->sp++] = (slot){v, g, depth};
    return 0;
}

static int pop_mark(loader *L, size_t *mark)
{
    *mark = 0;
    if (L->nmarks == 0)
        return bad("could not find MARK");
    *mark = L->marks[--L->nmarks];
    return 0;
}

static void drop_slots(loader *L, size_t from)
{
    while (L->sp > from)
        mp_decref(L->stack[--L->sp].v);
}

/* ---- what the loader knows about containers ---------------------------- */

/* Lists, dicts and instances of user classes: the values that can still
 * change after they are made (an instance gets its state from BUILD). */
static bool is_container(const mp_value *v)
{
    mp_type t = mp_typeof(v);
    if (t == MP_T_OBJECT)
        return !mp_class_of(v)->native;
    return v && (t == MP_T_LIST || t == MP_T_DICT);
}

static int track(loader *L, mp_value *c, uint32_t depth, bool open)
{
    return mp__pmap_put(&L->info, ADDR(c), depth | (open ? OPEN : 0));
}

static uint32_t depth_of(loader *L, const slot *s)
{
    if (is_container(s->v)) {
        uint64_t *e = mp__pmap_get(&L->info, ADDR(s->v));
        return e ? (uint32_t)*e : 1;
    }
    return s->depth;
}

/* The value is now reachable another way: it may receive no more items. */
static void seal(loader *L, const mp_value *v)
{
    if (is_container(v)) {
        uint64_t *e = mp__pmap_get(&L->info, ADDR(v));
        if (e)
            *e &= ~OPEN;
    }
}

/* A slot about to become part of another value: it must be a value, not a
 * global, and it is sealed.  *depth is how deeply it nests. */
static int use(loader *L, const slot *s, int op, uint32_t *depth)
{
    if (s->g)
        return bad("global '%s.%s' cannot be used as a value (opcode %s)",
                   s->g->module, s->g->name, op_names[op]);
    *depth = depth_of(L, s);
    seal(L, s->v);
    return 0;
}

/* Charge a dict key's hashing to the budget (see the top of the file).
 * Deeper than 1000 the hash refuses the key itself. */
static int key_cost(loader *L, const mp_value *k, int level)
{
    if (mp_typeof(k) != MP_T_TUPLE)
        return 0;
    size_t n = mp_len(k);
    if (L->key_budget < n + 1)
        return bad("dict keys built from shared tuples are too large to hash");
    L->key_budget -= n + 1;
    for (size_t i = 0; i < n && level < 1000; i++) {
        int rc = key_cost(L, mp_item(k, i), level + 1);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Move the slots from `from` up into list or dict c (pairs for a dict). */
static int add_items(loader *L, mp_value *c, size_t from, int op)
{
    bool dict = mp_typeof(c) == MP_T_DICT;
    size_t n = L->sp - from;
    int rc;
    if (dict && n % 2)
        return bad("odd number of items for %s", op_names[op]);
    uint64_t *e = mp__pmap_get(&L->info, ADDR(c));
    uint32_t depth = e ? (uint32_t)*e : 1;
    for (size_t i = from; i < L->sp; i++) {
        uint32_t d;
        if (L->stack[i].v == c)
            return bad("opcode %s would put a %s inside itself: recursive values are "
                       "not supported", op_names[op], mp_type_name(c));
        if ((rc = use(L, &L->stack[i], op, &d)) < 0)
            return rc;
        if (d + 1 > depth)
            depth = d + 1;
    }
    if (depth > L->max_depth)
        return too_deep(L);
    if (mp_len(c) + (dict ? n / 2 : n) > L->max_size)
        return too_big(L, mp_len(c) + (dict ? n / 2 : n), mp_type_name(c), op);
    for (size_t i = from; i < L->sp; i += dict ? 2 : 1) {
        mp_value *a = L->stack[i].v;
        if (dict) {
            mp_value *b = L->stack[i + 1].v;
            if ((rc = key_cost(L, a, 0)) < 0)
                return rc;
            L->stack[i].v = L->stack[i + 1].v = NULL;
            rc = mp_dict_set(c, a, b);
        } else {
            L->stack[i].v = NULL;
            rc = mp_list_append(c, a);
        }
        if (rc == MP_ETYPE) {   /* an unhashable key, in TypeError's words */
            char why[200];
            snprintf(why, sizeof why, "%s", mp_errmsg());
            return bad("%s (opcode %s)", why, op_names[op]);
        }
        if (rc < 0)
            return rc;
    }
    L->sp = from;
    if ((e = mp__pmap_get(&L->info, ADDR(c))))
        *e = depth | (*e & OPEN);
    return 0;
}

/* APPEND, APPENDS, SETITEM, SETITEMS: target at stack[t], items above. */
static int add_to(loader *L, size_t t, size_t from, int op)
{
    const slot *s = &L->stack[t];
    bool list = op == OP_APPEND || op == OP_APPENDS;
    if (s->g || mp_typeof(s->v) != (list ? MP_T_LIST : MP_T_DICT))
        return bad("opcode %s needs a %s to add to, not %s", op_names[op], list ? "list" : "dict",
                   s->g ? "a global" : mp_type_name(s->v));
    uint64_t *e = mp__pmap_get(&L->info, ADDR(s->v));
    if (!e || !(*e & OPEN))
        return bad("opcode %s would change a %s that is already shared: recursive or "
                   "self-referencing values are not supported", op_names[op],
                   mp_type_name(s->v));
    return add_items(L, s->v, from, op);
}

/* LIST and DICT: a new container of the slots above the MARK. */
static int make_container(loader *L, int op)
{
    size_t mark;
    int rc = pop_mark(L, &mark);
    if (rc < 0)
        return rc;
    mp_value *c = op == OP_LIST ? mp_list_new() : mp_dict_new();
    if (!c)
        return MP_ENOMEM;
    if ((rc = track(L, c, 1, true)) < 0 || (rc = add_items(L, c, mark, op)) < 0) {
        mp_decref(c);
        return rc;
    }
    return push(L, c, NULL, 1);
}

static int new_container(loader *L, int op)
{
    mp_value *c = op == OP_EMPTY_LIST ? mp_list_new() : mp_dict_new();
    int rc;
    if (!c)
        return MP_ENOMEM;
    if ((rc = track(L, c, 1, true)) < 0) {
        mp_decref(c);
        return rc;
    }
    return push(L, c, NULL, 1);
}

/* A tuple of the slots from `from` up, replacing them. */
static int make_tuple(loader *L, size_t from, int op)
{
    size_t n = L->sp - from;
    uint32_t depth = 1;
    int rc;
    for (size_t i = from; i < L->sp; i++) {
        uint32_t d;
        if ((rc = use(L, &L->stack[i], op, &d)) < 0)
            return rc;
        if (d + 1 > depth)
            depth = d + 1;
    }
    if (depth > L->max_depth)
        return too_deep(L);
    if (n > L->max_size)
        return too_big(L, n, "tuple", op);
    mp_value *t = mp_tuple_new(n);
    if (!t)
        return MP_ENOMEM;
    for (size_t i = 0; i < n; i++)
        mp_tuple_set(t, i, L->stack[from + i].v);
    L->sp = from;
    return push(L, t, NULL, depth);
}

/* ---- the memo ---------------------------------------------------------- */

static int memo_put(loader *L, uint64_t idx)
{
    if (L->sp <= fence(L))
        return underflow(L);
    slot top = L->stack[L->sp - 1];
    uint64_t *pos = mp__pmap_get(&L->memo, idx);
    if (pos) {
        slot *m = &L->memo_slots[*pos];
        mp_decref(m->v);
        *m = top;
        mp_incref(top.v);
        return 0;
    }
    if (L->nmemo == L->memo_cap) {
        slot *s = grow(L->memo_slots, &L->memo_cap, sizeof *s, L->memo_inl, L->nmemo + 1);
        if (!s)
            return nomem();
        L->memo_slots = s;
    }
    int rc = mp__pmap_put(&L->memo, idx, L->nmemo);
    if (rc < 0)
        return rc;
    L->memo_slots[L->nmemo++] = top;
    mp_incref(top.v);
    return 0;
}

static int memo_get(loader *L, uint64_t idx)
{
    uint64_t *pos = mp__pmap_get(&L->memo, idx);
    if (!pos)
        return bad("Memo value not found at index %llu", (unsigned long long)idx);
    slot m = L->memo_slots[*pos];
    seal(L, m.v);
    return push(L, mp_incref(m.v), m.g, m.depth);
}

/* ---- globals ----------------------------------------------------------- */

/*
 * A registered class as a global.  The stack holds globals by pointer, so
 * each class gets one entry, made on first use and kept for the life of
 * the process (classes are static; so are these).
 */
typedef struct class_global {
    mp__pickle_global g;
    struct class_global *next;
} class_global;

static class_global *class_globals;
static pthread_mutex_t class_globals_lock = PTHREAD_MUTEX_INITIALIZER;

static const mp__pickle_global *class_global_for(const mp_class *c)
{
    const mp__pickle_global *found = NULL;
    pthread_mutex_lock(&class_globals_lock);
    for (class_global *e = class_globals; e && !found; e = e->next)
        if (e->g.cls == c)
            found = &e->g;
    if (!found) {
        class_global *e = malloc(sizeof *e);
        if (e) {
            e->g = (mp__pickle_global){c->module ? c->module : "__main__", c->name, NULL, NULL, c};
            e->next = class_globals;
            class_globals = e;
            found = &e->g;
        }
    }
    pthread_mutex_unlock(&class_globals_lock);
    if (!found)
        nomem();
    return found;
}

static const mp__pickle_global *find_global(const char *m, size_t mlen, const char *n,
                                            size_t nlen, int op)
{
    for (const mp__pickle_global *g = mp__pickle_globals; g->module; g++)
        if (strlen(g->module) == mlen && memcmp(g->module, m, mlen) == 0 &&
            strlen(g->name) == nlen && memcmp(g->name, n, nlen) == 0)
            return g;
    const mp_class *c = mp__class_lookup(m, mlen, n, nlen);
    if (c)
        return class_global_for(c);
    char a[128], b[128];
    bad("global '%s.%s' is forbidden (opcode %s)", mp__pickle_shown(a, sizeof a, m, mlen),
        mp__pickle_shown(b, sizeof b, n, nlen), op_names[op]);
    return NULL;
}

/* How deeply a global's result nests: a scalar not at all; anything else at
 * most one more than the arguments it was made from. */
static int push_result(loader *L, mp_value *v, uint32_t args_depth)
{
    if (!v)
        return MP_ENOMEM;
    uint32_t depth = 0;
    mp_type t = mp_typeof(v);
    if (t == MP_T_TUPLE || t == MP_T_LIST || t == MP_T_DICT)
        depth = args_depth + 1;
    if (depth > L->max_depth) {
        mp_decref(v);
        return too_deep(L);
    }
    int rc = is_container(v) ? track(L, v, depth, false) : 0;
    if (rc < 0) {
        mp_decref(v);
        return rc;
    }
    return push(L, v, NULL, depth);
}

/* Apply global g to the argument tuple on top of the stack, replacing it
 * with the result: name(*args), or name.__new__(name, *args) for NEWOBJ. */
/*
 * A registered class applied to arguments.  An instance of a user class
 * comes from cls.__new__(cls) (NEWOBJ, no arguments) and gets its state
 * from BUILD; it is open until used, like a list.  A library object comes
 * from cls(state) (REDUCE), and only while a child rebuilds its
 * description: its descriptors travel beside the pickle.
 */
static int apply_class(loader *L, const mp_class *c, int op, const mp_value *args, mp_value **out)
{
    const mp__native *nat = c->native;
    if (!nat && (op == OP_NEWOBJ || op == OP_NEWOBJ_EX)) {
        if (mp_len(args) != 0)
            return bad("%s.__new__() takes no arguments here (opcode %s)", c->name, op_names[op]);
        *out = mp_object_new(c, NULL);
        return *out ? 0 : MP_ENOMEM;
    }
    if (nat && op == OP_REDUCE && mp_len(args) == 1 && nat->rebuild) {
        mp__object *o = nat->rebuild(mp_item(args, 0));
        if (!o)
            return mp_errcode() < 0 ? mp_errcode() : MP_ENOMEM;
        *out = &o->h;
        return 0;
    }
    (void)L;
    return bad("opcode %s cannot make a '%s' object", op_names[op], c->name);
}

static int apply(loader *L, const mp__pickle_global *g, int op)
{
    const slot *args = &L->stack[L->sp - 1];
    bool newobj = op == OP_NEWOBJ || op == OP_NEWOBJ_EX;
    if (g->cls && !args->g && mp_typeof(args->v) == MP_T_TUPLE) {
        mp_value *obj = NULL;
        int rc = apply_class(L, g->cls, op, args->v, &obj);
        if (rc < 0)
            return rc;
        drop_slots(L, L->sp - 1);
        if (is_container(obj) && (rc = track(L, obj, 1, true)) < 0) {
            mp_decref(obj);
            return rc;
        }
        return push(L, obj, NULL, 1);
    }
    int (*fn)(const mp_value *, mp_value **) = newobj ? g->newobj : g->call;
    if (args->g || mp_typeof(args->v) != MP_T_TUPLE)
        return bad("opcode %s needs a tuple of arguments, not %s", op_names[op],
                   args->g ? "a global" : mp_type_name(args->v));
    if (!fn)
        return bad("opcode %s cannot apply global '%s.%s'", op_names[op], g->module, g->name);
    mp_value *out = NULL;
    int rc = fn(args->v, &out);
    if (rc < 0)
        return rc;
    uint32_t d = args->depth;
    drop_slots(L, L->sp - 1);
    return push_result(L, out, d);
}

/* REDUCE, NEWOBJ, NEWOBJ_EX: the global is below the arguments (and below
 * the keyword arguments, which must be empty, for NEWOBJ_EX). */
static int reduce(loader *L, int op)
{
    int rc;
    if (op == OP_NEWOBJ_EX) {
        if ((rc = need_items(L, 3)) < 0)
            return rc;
        const slot *kw = &L->stack[L->sp - 1];
        if (kw->g || mp_typeof(kw->v) != MP_T_DICT || mp_len(kw->v) != 0)
            return bad("opcode NEWOBJ_EX with keyword arguments is not supported");
        drop_slots(L, L->sp - 1);
    } else if ((rc = need_items(L, 2)) < 0) {
        return rc;
    }
    const slot *fn = &L->stack[L->sp - 2];
    if (!fn->g)
        return bad("opcode %s needs a global to apply, not '%s'", op_names[op],
                   mp_type_name(fn->v));
    if ((rc = apply(L, fn->g, op)) < 0)
        return rc;
    L->stack[L->sp - 2] = L->stack[L->sp - 1];     /* the global needs no release */
    L->sp--;
    return 0;
}

/*
 * BUILD: inst.__dict__.update(state) for an instance of a registered class.
 * Only while the instance is open: nothing refers to it yet, so its state
 * cannot refer back to it, and reference counting never meets a cycle
 * (an object that contains itself, which CPython allows, is refused).
 */
static int build(loader *L)
{
    int rc = need_items(L, 2);
    if (rc < 0)
        return rc;
    slot *st = &L->stack[L->sp - 1], *inst = &L->stack[L->sp - 2];
    mp_value *obj = inst->v, *state = st->v;
    uint32_t sd;
    if (inst->g || !is_container(obj) || mp_typeof(obj) != MP_T_OBJECT)
        return bad("opcode BUILD needs an instance of a registered class, not %s",
                   inst->g ? "a global" : mp_type_name(obj));
    uint64_t *e = mp__pmap_get(&L->info, ADDR(obj));
    if (!e || !(*e & OPEN))
        return bad("opcode BUILD on a '%s' object that is already shared (an object that "
                   "contains itself is not supported)", mp_type_name(obj));
    if ((rc = use(L, st, OP_BUILD, &sd)) < 0)
        return rc;
    /* (state, slotstate) with no slot state is what a class with
     * __slots__ = () would give; anything else has no meaning here. */
    if (mp_typeof(state) == MP_T_TUPLE && mp_len(state) == 2 &&
        mp_typeof(mp_item(state, 1)) == MP_T_NONE)
        state = mp_item(state, 0);
    if (mp_typeof(state) != MP_T_DICT)
        return bad("opcode BUILD: the state of a '%s' object must be a dict, not '%s'",
                   mp_type_name(obj), mp_type_name(state));
    for (size_t i = 0; i < mp_len(state); i++) {
        mp_value *k, *v;
        mp_dict_entry(state, i, &k, &v);
        if (mp_typeof(k) != MP_T_STR)
            return bad("opcode BUILD: attribute name must be str, not '%s'", mp_type_name(k));
        size_t klen;
        const char *ks = mp__pickle_str_utf8(k, &klen);
        if (strlen(ks) != klen)
            return bad("opcode BUILD: attribute name contains a NUL character");
        if ((rc = mp_setattr(obj, ks, mp_incref(v))) < 0)
            return rc;
    }
    uint32_t depth = sd + 1;
    if (depth > L->max_depth)
        return too_deep(L);
    *e = depth | OPEN;
    drop_slots(L, L->sp - 1);
    return 0;
}

/* ---- reading the input ------------------------------------------------- */

static int take(loader *L, uint64_t n, const uint8_t **p)
{
    *p = L->p;
    if (n > (uint64_t)(L->end - L->p))
        return bad("pickle data was truncated");
    L->p += n;
    return 0;
}

static uint64_t le(const uint8_t *p, int n)
{
    uint64_t x = 0;
    for (int i = n - 1; i >= 0; i--)
        x = x << 8 | p[i];
    return x;
}

/* An n-byte little-endian unsigned argument. */
static int arg_le(loader *L, int n, uint64_t *x)
{
    const uint8_t *p;
    int rc = take(L, (uint64_t)n, &p);
    *x = rc == 0 ? le(p, n) : 0;
    return rc;
}

/* A text argument: the line up to '\n', without it.  CPython calls a line
 * shorter than `min` (the newline not counted) truncated data. */
static int line(loader *L, const char **s, size_t *n, size_t min)
{
    const uint8_t *nl = memchr(L->p, '\n', (size_t)(L->end - L->p));
    *s = (const char *)L->p;
    *n = 0;
    if (!nl || (size_t)(nl - L->p) < min)
        return bad("pickle data was truncated");
    *s = (const char *)L->p;
    *n = (size_t)(nl - L->p);
    L->p = nl + 1;
    return 0;
}

/* A length-prefixed argument of `width` bytes (4 for BINUNICODE...). */
static int counted(loader *L, int width, const uint8_t **p, uint64_t *n)
{
    int rc = arg_le(L, width, n);
    return rc < 0 ? rc : take(L, *n, p);
}

static int push_str(loader *L, const uint8_t *p, uint64_t n, int op)
{
    if (n > L->max_size)
        return too_big(L, n, "str", op);
    mp_value *v = mp_str_n((const char *)p, (size_t)n);
    if (!v && strcmp(mp__exc_type(), mp_errname(MP_EVALUE)) == 0) {
        char why[300];
        snprintf(why, sizeof why, "%s", mp_errmsg());
        return bad("%s (opcode %s): a str must be valid UTF-8, and lone surrogates are not "
                   "supported", why, op_names[op]);
    }
    return push(L, v, NULL, 0);
}

static int push_bytes(loader *L, const uint8_t *p, uint64_t n, int op)
{
    if (n > L->max_size)
        return too_big(L, n, "bytes", op);
    return push(L, mp_bytes(p, (size_t)n), NULL, 0);
}

/* LONG1 and LONG4: little-endian two's complement of any length, which
 * must fit in 64 bits. */
static int push_long(loader *L, const uint8_t *p, uint64_t n, int op)
{
    uint64_t x = 0;
    if (n > 8) {
        /* Longer than needed is fine if the extra bytes only repeat the sign. */
        uint8_t ext = (p[n - 1] & 0x80) ? 0xff : 0;
        for (uint64_t i = 8; i < n; i++)
            if (p[i] != ext)
                return mp__fail(MP_EOVERFLOW, "int too large: more than 64 bits (opcode %s)",
                                op_names[op]);
        if (((p[7] & 0x80) ? 0xff : 0) != ext)
            return mp__fail(MP_EOVERFLOW, "int too large: more than 64 bits (opcode %s)",
                            op_names[op]);
        n = 8;
    }
    if (n > 0) {
        x = le(p, (int)n);
        if (n < 8 && (p[n - 1] & 0x80))
            x |= UINT64_MAX << (8 * n);      /* sign-extend */
    }
    return push(L, mp_int((int64_t)x), NULL, 0);
}

static int push_text_result(loader *L, int rc, mp_value *v, int op)
{
    if (rc < 0)
        return rc;
    size_t n = mp_len(v);
    if (n > L->max_size) {
        mp_decref(v);
        return too_big(L, n, "str", op);
    }
    return push(L, v, NULL, 0);
}

/* GLOBAL and INST name a global on two lines, module then name. */
static int global_lines(loader *L, int op, const mp__pickle_global **g)
{
    const char *m, *n;
    size_t mlen, nlen;
    int rc;
    if ((rc = line(L, &m, &mlen, 1)) < 0 || (rc = line(L, &n, &nlen, 1)) < 0)
        return rc;
    *g = find_global(m, mlen, n, nlen, op);
    return *g ? 0 : MP_EUNPICKLE;
}

/* ---- the machine ------------------------------------------------------- */

/* One opcode.  Returns 0 to go on, 1 at STOP (the result in *out), or an
 * error. */
static int step(loader *L, mp_value **out)
{
    const uint8_t *p;
    const char *s;
    size_t n, mark;
    uint64_t x;
    int64_t i;
    bool flag;
    double d;
    mp_value *v;
    const mp__pickle_global *g;
    int rc;

    if (L->p == L->end)
        return bad("Ran out of input");
    int op = *L->p++;
    switch (op) {
    case OP_PROTO:
        if ((rc = arg_le(L, 1, &x)) < 0)
            return rc;
        return x <= 5 ? 0 : bad("unsupported pickle protocol: %d", (int)x);
    case OP_FRAME:
        /* Frames only group opcodes for buffered reading; the whole
         * input is here, so check the frame is and read on. */
        if ((rc = arg_le(L, 8, &x)) < 0)
            return rc;
        return x <= (uint64_t)(L->end - L->p) ? 0 : bad("pickle data was truncated");
    case OP_STOP:
        if (L->sp <= fence(L))
            return underflow(L);
        if (L->stack[L->sp - 1].g) {
            g = L->stack[L->sp - 1].g;
            return bad("global '%s.%s' cannot be used as a value (opcode STOP)", g->module, g->name);
        }
        *out = L->stack[--L->sp].v;
        return 1;

    /* ---- scalars ---- */
    case OP_NONE:
        return push(L, mp_none(), NULL, 0);
    case OP_NEWTRUE:
    case OP_NEWFALSE:
        return push(L, mp_bool(op == OP_NEWTRUE), NULL, 0);
    case OP_BININT1:
    case OP_BININT2:
        if ((rc = arg_le(L, op == OP_BININT1 ? 1 : 2, &x)) < 0)
            return rc;
        return push(L, mp_int((int64_t)x), NULL, 0);
    case OP_BININT:
        if ((rc = arg_le(L, 4, &x)) < 0)
            return rc;
        return push(L, mp_int((int32_t)(uint32_t)x), NULL, 0);
    case OP_LONG1:
    case OP_LONG4:
        if ((rc = arg_le(L, op == OP_LONG1 ? 1 : 4, &x)) < 0)
            return rc;
        if (op == OP_LONG4 && (x & 0x80000000u))
            return bad("LONG pickle has negative byte count");
        if ((rc = take(L, x, &p)) < 0)
            return rc;
        return push_long(L, p, x, op);
    case OP_INT:
        if ((rc = line(L, &s, &n, 1)) < 0 || (rc = mp__pickle_text_int(s, n, &i, &flag)) < 0)
            return rc;
        return push(L, flag ? mp_bool(i) : mp_int(i), NULL, 0);
    case OP_LONG:
        if ((rc = line(L, &s, &n, 1)) < 0 || (rc = mp__pickle_text_long(s, n, &i)) < 0)
            return rc;
        return push(L, mp_int(i), NULL, 0);
    case OP_BINFLOAT:
        if ((rc = take(L, 8, &p)) < 0)
            return rc;
        x = 0;
        for (int k = 0; k < 8; k++)
            x = x << 8 | p[k];              /* big-endian */
        memcpy(&d, &x, sizeof d);
        return push(L, mp_float(d), NULL, 0);
    case OP_FLOAT:
        if ((rc = line(L, &s, &n, 1)) < 0 || (rc = mp__pickle_text_float(s, n, &d)) < 0)
            return rc;
        return push(L, mp_float(d), NULL, 0);

    /* ---- str and bytes ---- */
    case OP_SHORT_BINUNICODE:
    case OP_BINUNICODE:
    case OP_BINUNICODE8:
        if ((rc = counted(L, op == OP_SHORT_BINUNICODE ? 1 : op == OP_BINUNICODE ? 4 : 8,
                          &p, &x)) < 0)
            return rc;
        return push_str(L, p, x, op);
    case OP_SHORT_BINBYTES:
    case OP_BINBYTES:
    case OP_BINBYTES8:
        if ((rc = counted(L, op == OP_SHORT_BINBYTES ? 1 : op == OP_BINBYTES ? 4 : 8, &p, &x)) < 0)
            return rc;
        return push_bytes(L, p, x, op);
    case OP_SHORT_BINSTRING:
    case OP_BINSTRING:
        if ((rc = arg_le(L, op == OP_SHORT_BINSTRING ? 1 : 4, &x)) < 0)
            return rc;
        if ((rc = take(L, x, &p)) < 0)
            return rc;
        if (x > L->max_size)
            return too_big(L, x, "str", op);
        rc = mp__pickle_ascii((const char *)p, (size_t)x, &v);
        return push_text_result(L, rc, v, op);
    case OP_STRING:
        if ((rc = line(L, &s, &n, 0)) < 0)
            return rc;
        rc = mp__pickle_text_string(s, n, &L->text, &v);
        return push_text_result(L, rc, v, op);
    case OP_UNICODE:
        if ((rc = line(L, &s, &n, 0)) < 0)
            return rc;
        rc = mp__pickle_text_unicode(s, n, &L->text, &v);
        return push_text_result(L, rc, v, op);

    /* ---- containers ---- */
    case OP_EMPTY_TUPLE:
        return make_tuple(L, L->sp, op);
    case OP_TUPLE1:
    case OP_TUPLE2:
    case OP_TUPLE3:
        if ((rc = need_items(L, (size_t)(op - OP_TUPLE1 + 1))) < 0)
            return rc;
        return make_tuple(L, L->sp - (size_t)(op - OP_TUPLE1 + 1), op);
    case OP_TUPLE:
        if ((rc = pop_mark(L, &mark)) < 0)
            return rc;
        return make_tuple(L, mark, op);
    case OP_EMPTY_LIST:
    case OP_EMPTY_DICT:
        return new_container(L, op);
    case OP_LIST:
    case OP_DICT:
        return make_container(L, op);
    case OP_APPEND:
        if ((rc = need_items(L, 2)) < 0)
            return rc;
        return add_to(L, L->sp - 2, L->sp - 1, op);
    case OP_SETITEM:
        if ((rc = need_items(L, 3)) < 0)
            return rc;
        return add_to(L, L->sp - 3, L->sp - 2, op);
    case OP_APPENDS:
    case OP_SETITEMS:
        /* As CPython: the target must be above the next MARK down, and
         * with no items nothing else is checked. */
        if ((rc = pop_mark(L, &mark)) < 0)
            return rc;
        if (mark <= fence(L))
            return underflow(L);
        return mark == L->sp ? 0 : add_to(L, mark - 1, mark, op);

    /* ---- the stack and the memo ---- */
    case OP_MARK:
        if (L->nmarks == L->mcap) {
            size_t *m = grow(L->marks, &L->mcap, sizeof *m, L->marks_inl, L->nmarks + 1);
            if (!m)
                return nomem();
            L->marks = m;
        }
        L->marks[L->nmarks++] = L->sp;
        return 0;
    case OP_POP:
        /* A MARK on top is popped like an item, as CPython does. */
        if (L->nmarks && L->marks[L->nmarks - 1] == L->sp) {
            L->nmarks--;
            return 0;
        }
        if ((rc = need_items(L, 1)) < 0)
            return rc;
        drop_slots(L, L->sp - 1);
        return 0;
    case OP_POP_MARK:
        if ((rc = pop_mark(L, &mark)) < 0)
            return rc;
        drop_slots(L, mark);
        return 0;
    case OP_DUP:
        if ((rc = need_items(L, 1)) < 0)
            return rc;
        seal(L, L->stack[L->sp - 1].v);
        return push(L, mp_incref(L->stack[L->sp - 1].v), L->stack[L->sp - 1].g,
                    L->stack[L->sp - 1].depth);
    case OP_GET:
        if ((rc = line(L, &s, &n, 1)) < 0 || (rc = mp__pickle_text_index(s, n, &i)) < 0)
            return rc;
        if (i < 0)
            return bad("Memo value not found at index %lld", (long long)i);
        return memo_get(L, (uint64_t)i);
    case OP_BINGET:
    case OP_LONG_BINGET:
        if ((rc = arg_le(L, op == OP_BINGET ? 1 : 4, &x)) < 0)
            return rc;
        return memo_get(L, x);
    case OP_PUT:
        /* CPython looks at the stack before the argument. */
        if (L->sp <= fence(L))
            return underflow(L);
        if ((rc = line(L, &s, &n, 1)) < 0 || (rc = mp__pickle_text_index(s, n, &i)) < 0)
            return rc;
        if (i < 0)
            return bad("negative PUT argument");
        return memo_put(L, (uint64_t)i);
    case OP_BINPUT:
    case OP_LONG_BINPUT:
        if (L->sp <= fence(L))
            return underflow(L);
        if ((rc = arg_le(L, op == OP_BINPUT ? 1 : 4, &x)) < 0)
            return rc;
        return memo_put(L, x);
    case OP_MEMOIZE:
        return memo_put(L, L->memo.n);

    /* ---- globals ---- */
    case OP_GLOBAL:
        if ((rc = global_lines(L, op, &g)) < 0)
            return rc;
        return push(L, NULL, g, 0);
    case OP_STACK_GLOBAL: {
        if ((rc = need_items(L, 2)) < 0)
            return rc;
        const slot *m = &L->stack[L->sp - 2], *nm = &L->stack[L->sp - 1];
        if (mp_typeof(m->v) != MP_T_STR || mp_typeof(nm->v) != MP_T_STR || m->g || nm->g)
            return bad("STACK_GLOBAL requires str");
        size_t mlen, nlen;
        const char *ms = mp__pickle_str_utf8(m->v, &mlen), *ns = mp__pickle_str_utf8(nm->v, &nlen);
        if (!(g = find_global(ms, mlen, ns, nlen, op)))
            return MP_EUNPICKLE;
        drop_slots(L, L->sp - 2);
        return push(L, NULL, g, 0);
    }
    case OP_REDUCE:
    case OP_NEWOBJ:
    case OP_NEWOBJ_EX:
        return reduce(L, op);
    case OP_INST:
        if ((rc = global_lines(L, op, &g)) < 0 || (rc = pop_mark(L, &mark)) < 0 ||
            (rc = make_tuple(L, mark, op)) < 0)
            return rc;
        return apply(L, g, op);
    case OP_OBJ:
        if ((rc = pop_mark(L, &mark)) < 0)
            return rc;
        if (L->sp == mark)
            return underflow(L);
        if (!(g = L->stack[mark].g))
            return bad("opcode OBJ needs a global to apply, not '%s'", mp_type_name(L->stack[mark].v));
        if ((rc = make_tuple(L, mark + 1, op)) < 0 || (rc = apply(L, g, op)) < 0)
            return rc;
        L->stack[mark] = L->stack[mark + 1];
        L->sp--;
        return 0;

    /* ---- what the value model does not have ---- */
    case OP_BUILD:
        return build(L);
    case OP_EXT1:
    case OP_EXT2:
    case OP_EXT4:
        if ((rc = arg_le(L, op == OP_EXT1 ? 1 : op == OP_EXT2 ? 2 : 4, &x)) < 0)
            return rc;
        if (op == OP_EXT4)
            x = (uint64_t)(int64_t)(int32_t)(uint32_t)x;
        if ((int64_t)x <= 0)
            return bad("EXT specifies code <= 0");
        return bad("unregistered extension code %lld (opcode %s)", (long long)x, op_names[op]);
    case OP_PERSID:
    case OP_BINPERSID:
        return bad("A load persistent id instruction was encountered,\nbut no persistent_load "
                   "function was specified.");
    case OP_EMPTY_SET:
    case OP_ADDITEMS:
    case OP_FROZENSET:
        return bad("opcode %s: sets are not a type this codec supports", op_names[op]);
    case OP_BYTEARRAY8:
        return bad("opcode BYTEARRAY8: bytearray is not a type this codec supports (bytes is)");
    case OP_NEXT_BUFFER:
        return bad("pickle stream refers to out-of-band data but no *buffers* argument was "
                   "given (opcode NEXT_BUFFER)");
    case OP_READONLY_BUFFER:
        /* A read-only view of what is on top: bytes already is one. */
        if ((rc = need_items(L, 1)) < 0)
            return rc;
        if (L->stack[L->sp - 1].g || mp_typeof(L->stack[L->sp - 1].v) != MP_T_BYTES)
            return bad("opcode READONLY_BUFFER needs bytes, not %s", L->stack[L->sp - 1].g
                       ? "a global" : mp_type_name(L->stack[L->sp - 1].v));
        return 0;
    default:
        if (op >= 0x20 && op <= 0x7e && op != '\'' && op != '\\')
            return bad("invalid load key, '%c'.", op);
        return bad("invalid load key, '\\x%02x'.", op);
    }
}

int mp_pickle_loads(const void *data, size_t len, const mp_unpickle_opts *opts, mp_value **out)
{
    /* Field by field: zeroing the inline arrays too would cost more than
     * reading a small message. */
    loader L;
    L.p = data;
    L.end = (const uint8_t *)data + len;
    L.max_depth = opts && opts->max_depth ? opts->max_depth : 1000;
    L.max_size = opts && opts->max_size ? opts->max_size : (size_t)1 << 30;
    L.sp = L.nmarks = L.nmemo = 0;
    L.scap = sizeof L.stack_inl / sizeof L.stack_inl[0];
    L.mcap = sizeof L.marks_inl / sizeof L.marks_inl[0];
    L.memo_cap = sizeof L.memo_inl / sizeof L.memo_inl[0];
    L.text = (mp__pickle_scratch){NULL, 0};
    L.key_budget = ((uint64_t)1 << 20) + 16 * (uint64_t)len;
    int rc;
    *out = NULL;
    if (!data && len)
        return bad("pickle data is NULL");
    if (!data)
        L.p = L.end = (const uint8_t *)"";
    if (L.max_depth > UINT32_MAX - 1)
        L.max_depth = UINT32_MAX - 1;       /* depths are kept in 32 bits */
    L.stack = L.stack_inl;
    L.marks = L.marks_inl;
    L.memo_slots = L.memo_inl;
    mp__pmap_init(&L.memo);
    mp__pmap_init(&L.info);
    while ((rc = step(&L, out)) == 0)
        ;
    drop_slots(&L, 0);
    for (size_t k = 0; k < L.nmemo; k++)
        mp_decref(L.memo_slots[k].v);
    if (L.stack != L.stack_inl)
        free(L.stack);
    if (L.marks != L.marks_inl)
        free(L.marks);
    if (L.memo_slots != L.memo_inl)
        free(L.memo_slots);
    mp__pmap_free(&L.memo);
    mp__pmap_free(&L.info);
    free(L.text.data);
    return rc == 1 ? 0 : rc;
}

/* pickle_load.c - pickle.loads for values: reads what CPython 3.11 writes with protocols 0 to 5, and runs nothing. */
#include "pickle_load.h"

/* ---- the memo ---------------------------------------------------------- */

/*
 * Memo index -> position in memo_slots.  A pickler numbers what it memoizes
 * 0, 1, 2..., so a PUT's index is nearly always the number of entries
 * already stored: memo_at holds those, looked up by index.  It is extended
 * only for an index below twice the entries plus MEMO_AT_SLACK, so it never
 * grows past a few words per PUT read; any other index (a pickle written by
 * hand, or by a peer that wants the memo to cost more than its input) goes
 * into memo_far, a hash map keyed per process (pickle.h).  An index is in
 * one place or the other, never both: a PUT looks in both before it adds.
 */
#define MEMO_AT_SLACK 1024

/* The position + 1 stored for idx, or 0. */
static size_t memo_find(loader *L, uint64_t idx)
{
    if (idx < L->memo_at_cap && L->memo_at[idx])
        return L->memo_at[idx];
    uint64_t *pos = L->memo_far.n ? mp__pmap_get(&L->memo_far, idx) : NULL;
    return pos ? (size_t)*pos + 1 : 0;
}

/* Record that idx is at position pos of memo_slots: 0 or MP_ENOMEM. */
static int memo_index(loader *L, uint64_t idx, size_t pos)
{
    if (idx >= 2 * (uint64_t)L->nmemo + MEMO_AT_SLACK) {
        if (!L->memo_far.cap)
            mp__pmap_init_chosen(&L->memo_far); /* on first use: most pickles never need it */
        return mp__pmap_put(&L->memo_far, idx, pos);
    }
    if (idx >= L->memo_at_cap) {
        size_t was = L->memo_at_cap;
        size_t *a = mp__load_grow(L->memo_at, &L->memo_at_cap, sizeof *a, L->memo_at_inl,
                                  (size_t)idx + 1);
        if (!a)
            return mp__load_nomem();
        memset(a + was, 0, (L->memo_at_cap - was) * sizeof *a);
        L->memo_at = a;
    }
    L->memo_at[idx] = pos + 1;
    return 0;
}

static int memo_put(loader *L, uint64_t idx)
{
    if (L->sp <= mp__load_fence(L))
        return mp__load_underflow(L);
    slot top = L->stack[L->sp - 1];
    size_t at = memo_find(L, idx);
    if (at) {
        slot *m = &L->memo_slots[at - 1];
        mp_decref(m->v);
        *m = top;
        mp_incref(top.v);
        return 0;
    }
    if (L->nmemo == L->memo_cap) {
        slot *s = mp__load_grow(L->memo_slots, &L->memo_cap, sizeof *s, L->memo_inl, L->nmemo + 1);
        if (!s)
            return mp__load_nomem();
        L->memo_slots = s;
    }
    int rc = memo_index(L, idx, L->nmemo);
    if (rc < 0)
        return rc;
    L->memo_slots[L->nmemo++] = top;
    mp_incref(top.v);
    return 0;
}

static int memo_get(loader *L, uint64_t idx)
{
    size_t at = memo_find(L, idx);
    if (!at)
        return mp__load_bad("Memo value not found at index %llu", (unsigned long long)idx);
    slot m = L->memo_slots[at - 1];
    mp__load_seal(L, m.v);
    return mp__load_push(L, mp_incref(m.v), m.g, m.depth);
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
        return mp__load_bad("Ran out of input");
    int op = *L->p++;
    switch (op) {
    case OP_PROTO:
        if ((rc = mp__load_arg_le(L, 1, &x)) < 0)
            return rc;
        return x <= 5 ? 0 : mp__load_bad("unsupported pickle protocol: %d", (int)x);
    case OP_FRAME:
        /* Frames only group opcodes for buffered reading; the whole
         * input is here, so check the frame is and read on. */
        if ((rc = mp__load_arg_le(L, 8, &x)) < 0)
            return rc;
        return x <= (uint64_t)(L->end - L->p) ? 0 : mp__load_bad("pickle data was truncated");
    case OP_STOP:
        if (L->sp <= mp__load_fence(L))
            return mp__load_underflow(L);
        if (L->stack[L->sp - 1].g) {
            g = L->stack[L->sp - 1].g;
            return mp__load_bad("global '%s.%s' cannot be used as a value (opcode STOP)",
                                g->module, g->name);
        }
        *out = L->stack[--L->sp].v;
        return 1;

    /* ---- scalars ---- */
    case OP_NONE:
        return mp__load_push(L, mp_none(), NULL, 0);
    case OP_NEWTRUE:
    case OP_NEWFALSE:
        return mp__load_push(L, mp_bool(op == OP_NEWTRUE), NULL, 0);
    case OP_BININT1:
    case OP_BININT2:
        if ((rc = mp__load_arg_le(L, op == OP_BININT1 ? 1 : 2, &x)) < 0)
            return rc;
        return mp__load_push(L, mp_int((int64_t)x), NULL, 0);
    case OP_BININT:
        if ((rc = mp__load_arg_le(L, 4, &x)) < 0)
            return rc;
        return mp__load_push(L, mp_int((int32_t)(uint32_t)x), NULL, 0);
    case OP_LONG1:
    case OP_LONG4:
        if ((rc = mp__load_arg_le(L, op == OP_LONG1 ? 1 : 4, &x)) < 0)
            return rc;
        if (op == OP_LONG4 && (x & 0x80000000u))
            return mp__load_bad("LONG pickle has negative byte count");
        if ((rc = mp__load_take(L, x, &p)) < 0)
            return rc;
        return mp__load_push_long(L, p, x, op);
    case OP_INT:
        if ((rc = mp__load_line(L, &s, &n, 1)) < 0 ||
            (rc = mp__pickle_text_int(s, n, &i, &flag)) < 0)
            return rc;
        return mp__load_push(L, flag ? mp_bool(i) : mp_int(i), NULL, 0);
    case OP_LONG:
        if ((rc = mp__load_line(L, &s, &n, 1)) < 0 || (rc = mp__pickle_text_long(s, n, &i)) < 0)
            return rc;
        return mp__load_push(L, mp_int(i), NULL, 0);
    case OP_BINFLOAT:
        if ((rc = mp__load_take(L, 8, &p)) < 0)
            return rc;
        x = mp__get_be64(p);
        memcpy(&d, &x, sizeof d);
        return mp__load_push(L, mp_float(d), NULL, 0);
    case OP_FLOAT:
        if ((rc = mp__load_line(L, &s, &n, 1)) < 0 || (rc = mp__pickle_text_float(s, n, &d)) < 0)
            return rc;
        return mp__load_push(L, mp_float(d), NULL, 0);

    /* ---- str and bytes ---- */
    case OP_SHORT_BINUNICODE:
    case OP_BINUNICODE:
    case OP_BINUNICODE8:
        if ((rc = mp__load_counted(L, op == OP_SHORT_BINUNICODE ? 1 : op == OP_BINUNICODE ? 4 : 8,
                                   &p, &x)) < 0)
            return rc;
        return mp__load_push_str(L, p, x, op);
    case OP_SHORT_BINBYTES:
    case OP_BINBYTES:
    case OP_BINBYTES8:
        if ((rc = mp__load_counted(L, op == OP_SHORT_BINBYTES ? 1 : op == OP_BINBYTES ? 4 : 8,
                                   &p, &x)) < 0)
            return rc;
        return mp__load_push_bytes(L, p, x, op);
    case OP_SHORT_BINSTRING:
    case OP_BINSTRING:
        if ((rc = mp__load_arg_le(L, op == OP_SHORT_BINSTRING ? 1 : 4, &x)) < 0)
            return rc;
        if ((rc = mp__load_take(L, x, &p)) < 0)
            return rc;
        if (x > L->max_size)
            return mp__load_too_big(L, x, "str", op);
        rc = mp__pickle_ascii((const char *)p, (size_t)x, &v);
        return mp__load_push_text_result(L, rc, v, op);
    case OP_STRING:
        if ((rc = mp__load_line(L, &s, &n, 0)) < 0)
            return rc;
        rc = mp__pickle_text_string(s, n, &L->text, &v);
        return mp__load_push_text_result(L, rc, v, op);
    case OP_UNICODE:
        if ((rc = mp__load_line(L, &s, &n, 0)) < 0)
            return rc;
        rc = mp__pickle_text_unicode(s, n, &L->text, &v);
        return mp__load_push_text_result(L, rc, v, op);

    /* ---- containers ---- */
    case OP_EMPTY_TUPLE:
        return mp__load_make_tuple(L, L->sp, op);
    case OP_TUPLE1:
    case OP_TUPLE2:
    case OP_TUPLE3:
        if ((rc = mp__load_need_items(L, (size_t)(op - OP_TUPLE1 + 1))) < 0)
            return rc;
        return mp__load_make_tuple(L, L->sp - (size_t)(op - OP_TUPLE1 + 1), op);
    case OP_TUPLE:
        if ((rc = mp__load_pop_mark(L, &mark)) < 0)
            return rc;
        return mp__load_make_tuple(L, mark, op);
    case OP_EMPTY_LIST:
    case OP_EMPTY_DICT:
        return mp__load_new_container(L, op);
    case OP_LIST:
    case OP_DICT:
        return mp__load_make_container(L, op);
    case OP_APPEND:
        if ((rc = mp__load_need_items(L, 2)) < 0)
            return rc;
        return mp__load_add_to(L, L->sp - 2, L->sp - 1, op);
    case OP_SETITEM:
        if ((rc = mp__load_need_items(L, 3)) < 0)
            return rc;
        return mp__load_add_to(L, L->sp - 3, L->sp - 2, op);
    case OP_APPENDS:
    case OP_SETITEMS:
        /* As CPython: the target must be above the next MARK down, and
         * with no items nothing else is checked. */
        if ((rc = mp__load_pop_mark(L, &mark)) < 0)
            return rc;
        if (mark <= mp__load_fence(L))
            return mp__load_underflow(L);
        return mark == L->sp ? 0 : mp__load_add_to(L, mark - 1, mark, op);

    /* ---- the stack and the memo ---- */
    case OP_MARK:
        if (L->nmarks == L->mcap) {
            size_t *m = mp__load_grow(L->marks, &L->mcap, sizeof *m, L->marks_inl, L->nmarks + 1);
            if (!m)
                return mp__load_nomem();
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
        if ((rc = mp__load_need_items(L, 1)) < 0)
            return rc;
        mp__load_drop_slots(L, L->sp - 1);
        return 0;
    case OP_POP_MARK:
        if ((rc = mp__load_pop_mark(L, &mark)) < 0)
            return rc;
        mp__load_drop_slots(L, mark);
        return 0;
    case OP_DUP:
        if ((rc = mp__load_need_items(L, 1)) < 0)
            return rc;
        mp__load_seal(L, L->stack[L->sp - 1].v);
        return mp__load_push(L, mp_incref(L->stack[L->sp - 1].v), L->stack[L->sp - 1].g,
                             L->stack[L->sp - 1].depth);
    case OP_GET:
        if ((rc = mp__load_line(L, &s, &n, 1)) < 0 || (rc = mp__pickle_text_index(s, n, &i)) < 0)
            return rc;
        if (i < 0)
            return mp__load_bad("Memo value not found at index %lld", (long long)i);
        return memo_get(L, (uint64_t)i);
    case OP_BINGET:
    case OP_LONG_BINGET:
        if ((rc = mp__load_arg_le(L, op == OP_BINGET ? 1 : 4, &x)) < 0)
            return rc;
        return memo_get(L, x);
    case OP_PUT:
        /* CPython looks at the stack before the argument. */
        if (L->sp <= mp__load_fence(L))
            return mp__load_underflow(L);
        if ((rc = mp__load_line(L, &s, &n, 1)) < 0 || (rc = mp__pickle_text_index(s, n, &i)) < 0)
            return rc;
        if (i < 0)
            return mp__load_bad("negative PUT argument");
        return memo_put(L, (uint64_t)i);
    case OP_BINPUT:
    case OP_LONG_BINPUT:
        if (L->sp <= mp__load_fence(L))
            return mp__load_underflow(L);
        if ((rc = mp__load_arg_le(L, op == OP_BINPUT ? 1 : 4, &x)) < 0)
            return rc;
        return memo_put(L, x);
    case OP_MEMOIZE:
        return memo_put(L, L->nmemo);   /* len(memo), as CPython */

    /* ---- globals ---- */
    case OP_GLOBAL:
        if ((rc = mp__load_global_lines(L, op, &g)) < 0)
            return rc;
        return mp__load_push(L, NULL, g, 0);
    case OP_STACK_GLOBAL: {
        if ((rc = mp__load_need_items(L, 2)) < 0)
            return rc;
        const slot *m = &L->stack[L->sp - 2], *nm = &L->stack[L->sp - 1];
        if (mp_typeof(m->v) != MP_T_STR || mp_typeof(nm->v) != MP_T_STR || m->g || nm->g)
            return mp__load_bad("STACK_GLOBAL requires str");
        size_t mlen, nlen;
        const char *ms = mp__pickle_str_utf8(m->v, &mlen), *ns = mp__pickle_str_utf8(nm->v, &nlen);
        if (!(g = mp__load_find_global(ms, mlen, ns, nlen, op)))
            return MP_EUNPICKLE;
        mp__load_drop_slots(L, L->sp - 2);
        return mp__load_push(L, NULL, g, 0);
    }
    case OP_REDUCE:
    case OP_NEWOBJ:
    case OP_NEWOBJ_EX:
        return mp__load_reduce(L, op);
    case OP_INST:
        if ((rc = mp__load_global_lines(L, op, &g)) < 0 || (rc = mp__load_pop_mark(L, &mark)) < 0 ||
            (rc = mp__load_make_tuple(L, mark, op)) < 0)
            return rc;
        return mp__load_apply(L, g, op);
    case OP_OBJ:
        if ((rc = mp__load_pop_mark(L, &mark)) < 0)
            return rc;
        if (L->sp == mark)
            return mp__load_underflow(L);
        if (!(g = L->stack[mark].g))
            return mp__load_bad("opcode OBJ needs a global to apply, not '%s'",
                                mp_type_name(L->stack[mark].v));
        if ((rc = mp__load_make_tuple(L, mark + 1, op)) < 0 || (rc = mp__load_apply(L, g, op)) < 0)
            return rc;
        L->stack[mark] = L->stack[mark + 1];
        L->sp--;
        return 0;

    /* ---- what the value model does not have ---- */
    case OP_BUILD:
        return mp__load_build(L);
    case OP_EXT1:
    case OP_EXT2:
    case OP_EXT4:
        if ((rc = mp__load_arg_le(L, op == OP_EXT1 ? 1 : op == OP_EXT2 ? 2 : 4, &x)) < 0)
            return rc;
        if (op == OP_EXT4)
            x = (uint64_t)(int64_t)(int32_t)(uint32_t)x;
        if ((int64_t)x <= 0)
            return mp__load_bad("EXT specifies code <= 0");
        return mp__load_bad("unregistered extension code %lld (opcode %s)", (long long)x,
                            mp__load_op_names[op]);
    case OP_PERSID:
    case OP_BINPERSID:
        return mp__load_bad("A load persistent id instruction was encountered,\n"
                            "but no persistent_load function was specified.");
    case OP_EMPTY_SET:
    case OP_ADDITEMS:
    case OP_FROZENSET:
        return mp__load_bad("opcode %s: sets are not a type this codec supports",
                            mp__load_op_names[op]);
    case OP_BYTEARRAY8:
        return mp__load_bad("opcode BYTEARRAY8: bytearray is not a type this codec supports "
                            "(bytes is)");
    case OP_NEXT_BUFFER:
        return mp__load_bad("pickle stream refers to out-of-band data but no *buffers* argument "
                            "was given (opcode NEXT_BUFFER)");
    case OP_READONLY_BUFFER:
        /* A read-only view of what is on top: bytes already is one. */
        if ((rc = mp__load_need_items(L, 1)) < 0)
            return rc;
        if (L->stack[L->sp - 1].g || mp_typeof(L->stack[L->sp - 1].v) != MP_T_BYTES)
            return mp__load_bad("opcode READONLY_BUFFER needs bytes, not %s", L->stack[L->sp - 1].g
                                ? "a global" : mp_type_name(L->stack[L->sp - 1].v));
        return 0;
    default:
        if (op >= 0x20 && op <= 0x7e && op != '\'' && op != '\\')
            return mp__load_bad("invalid load key, '%c'.", op);
        return mp__load_bad("invalid load key, '\\x%02x'.", op);
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
    L.memo_at_cap = sizeof L.memo_at_inl / sizeof L.memo_at_inl[0];
    memset(L.memo_at_inl, 0, sizeof L.memo_at_inl);
    L.text = (mp__pickle_scratch){NULL, 0};
    L.key_budget = ((uint64_t)1 << 20) + 16 * (uint64_t)len;
    int rc;
    *out = NULL;
    if (!data && len)
        return mp__load_bad("pickle data is NULL");
    if (!data)
        L.p = L.end = (const uint8_t *)"";
    if (L.max_depth > UINT32_MAX - 1)
        L.max_depth = UINT32_MAX - 1;       /* depths are kept in 32 bits */
    L.stack = L.stack_inl;
    L.marks = L.marks_inl;
    L.memo_slots = L.memo_inl;
    L.memo_at = L.memo_at_inl;
    L.memo_far.ents = NULL;             /* made on first use (memo_index) */
    L.memo_far.cap = L.memo_far.n = 0;
    mp__pmap_init(&L.info);
    while ((rc = step(&L, out)) == 0)
        ;
    mp__load_drop_slots(&L, 0);
    for (size_t k = 0; k < L.nmemo; k++)
        mp_decref(L.memo_slots[k].v);
    if (L.stack != L.stack_inl)
        free(L.stack);
    if (L.marks != L.marks_inl)
        free(L.marks);
    if (L.memo_slots != L.memo_inl)
        free(L.memo_slots);
    if (L.memo_at != L.memo_at_inl)
        free(L.memo_at);
    mp__pmap_free(&L.memo_far);
    mp__pmap_free(&L.info);
    free(L.text.data);
    return rc == 1 ? 0 : rc;
}

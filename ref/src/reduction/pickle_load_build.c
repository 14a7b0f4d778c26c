/* pickle_load_build.c - what the loader builds from the stack: lists, dicts and tuples kept free of cycles, and what the allowed globals make. */
#include "pickle_load.h"

#include <pthread.h>

static int too_deep(const loader *L)
{
    return mp__fail(MP_ENOMEM, "pickle data nests deeper than max_depth (%zu)", L->max_depth);
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
void mp__load_seal(loader *L, const mp_value *v)
{
    if (is_container(v)) {
        uint64_t *e = mp__pmap_get(&L->info, ADDR(v));
        if (e)
            *e &= ~OPEN;
    }
}

/* A slot about to become part of another value: it must be a value, not a
 * global, and it is sealed.  *depth is how deeply it nests. */
static int use(loader *L, slot *s, int op, uint32_t *depth)
{
    if (s->g && s->g->cls) {
        /* A registered class used as a value: the class itself, as in
         * RebuildProxy(DictProxy, ...). */
        if (!(s->v = mp__type_value(s->g->cls)))
            return MP_ENOMEM;
        s->g = NULL;
        s->depth = 0;
    }
    if (s->g)
        return mp__load_bad("global '%s.%s' cannot be used as a value (opcode %s)",
                            s->g->module, s->g->name, mp__load_op_names[op]);
    *depth = depth_of(L, s);
    mp__load_seal(L, s->v);
    return 0;
}

/* use() every slot from `from` up, for a container c that will hold them
 * (NULL for a new tuple, which cannot hold itself): *depth, at least what
 * it was, becomes the container's nesting, refused past max_depth. */
static int use_slots(loader *L, size_t from, const mp_value *c, int op, uint32_t *depth)
{
    for (size_t i = from; i < L->sp; i++) {
        uint32_t d;
        int rc;
        if (c && L->stack[i].v == c)
            return mp__load_bad("opcode %s would put a %s inside itself: recursive values are "
                                "not supported", mp__load_op_names[op], mp_type_name(c));
        if ((rc = use(L, &L->stack[i], op, &d)) < 0)
            return rc;
        if (d + 1 > *depth)
            *depth = d + 1;
    }
    return *depth > L->max_depth ? too_deep(L) : 0;
}

/* Charge a dict key's hashing to the budget (see pickle_load.h).
 * Deeper than 1000 the hash refuses the key itself. */
static int key_cost(loader *L, const mp_value *k, int level)
{
    if (mp_typeof(k) != MP_T_TUPLE)
        return 0;
    size_t n = mp_len(k);
    if (L->key_budget < n + 1)
        return mp__load_bad("dict keys built from shared tuples are too large to hash");
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
        return mp__load_bad("odd number of items for %s", mp__load_op_names[op]);
    uint64_t *e = mp__pmap_get(&L->info, ADDR(c));
    uint32_t depth = e ? (uint32_t)*e : 1;
    if ((rc = use_slots(L, from, c, op, &depth)) < 0)
        return rc;
    if (mp_len(c) + (dict ? n / 2 : n) > L->max_size)
        return mp__load_too_big(L, mp_len(c) + (dict ? n / 2 : n), mp_type_name(c), op);
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
            return mp__load_bad("%s (opcode %s)", why, mp__load_op_names[op]);
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
int mp__load_add_to(loader *L, size_t t, size_t from, int op)
{
    const slot *s = &L->stack[t];
    bool list = op == OP_APPEND || op == OP_APPENDS;
    if (s->g || mp_typeof(s->v) != (list ? MP_T_LIST : MP_T_DICT))
        return mp__load_bad("opcode %s needs a %s to add to, not %s", mp__load_op_names[op],
                            list ? "list" : "dict", s->g ? "a global" : mp_type_name(s->v));
    uint64_t *e = mp__pmap_get(&L->info, ADDR(s->v));
    if (!e || !(*e & OPEN))
        return mp__load_bad("opcode %s would change a %s that is already shared: recursive or "
                            "self-referencing values are not supported", mp__load_op_names[op],
                            mp_type_name(s->v));
    return add_items(L, s->v, from, op);
}

/* LIST and DICT: a new container of the slots above the MARK. */
int mp__load_make_container(loader *L, int op)
{
    size_t mark;
    int rc = mp__load_pop_mark(L, &mark);
    if (rc < 0)
        return rc;
    mp_value *c = op == OP_LIST ? mp_list_new() : mp_dict_new();
    if (!c)
        return MP_ENOMEM;
    if ((rc = track(L, c, 1, true)) < 0 || (rc = add_items(L, c, mark, op)) < 0) {
        mp_decref(c);
        return rc;
    }
    return mp__load_push(L, c, NULL, 1);
}

int mp__load_new_container(loader *L, int op)
{
    mp_value *c = op == OP_EMPTY_LIST ? mp_list_new() : mp_dict_new();
    int rc;
    if (!c)
        return MP_ENOMEM;
    if ((rc = track(L, c, 1, true)) < 0) {
        mp_decref(c);
        return rc;
    }
    return mp__load_push(L, c, NULL, 1);
}

/* A tuple of the slots from `from` up, replacing them. */
int mp__load_make_tuple(loader *L, size_t from, int op)
{
    size_t n = L->sp - from;
    uint32_t depth = 1;
    int rc = use_slots(L, from, NULL, op, &depth);
    if (rc < 0)
        return rc;
    if (n > L->max_size)
        return mp__load_too_big(L, n, "tuple", op);
    mp_value *t = mp_tuple_new(n);
    if (!t)
        return MP_ENOMEM;
    for (size_t i = 0; i < n; i++)
        mp_tuple_set(t, i, L->stack[from + i].v);
    L->sp = from;
    return mp__load_push(L, t, NULL, depth);
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
        mp__load_nomem();
    return found;
}

const mp__pickle_global *mp__load_find_global(const char *m, size_t mlen, const char *n,
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
    mp__load_bad("global '%s.%s' is forbidden (opcode %s)", mp__pickle_shown(a, sizeof a, m, mlen),
                 mp__pickle_shown(b, sizeof b, n, nlen), mp__load_op_names[op]);
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
    return mp__load_push(L, v, NULL, depth);
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
            return mp__load_bad("%s.__new__() takes no arguments here (opcode %s)", c->name,
                                mp__load_op_names[op]);
        *out = mp_object_new(c, NULL);
        return *out ? 0 : MP_ENOMEM;
    }
    if (nat && nat->construct) {
        (void)L;
        return nat->construct(c, args, out);
    }
    /* (state,) or, from a traced parent, (state, pid, n): its trace name. */
    size_t nargs = mp_len(args);
    bool named = nargs == 3 && mp_typeof(mp_item(args, 1)) == MP_T_INT &&
                 mp_typeof(mp_item(args, 2)) == MP_T_INT;
    if (nat && op == OP_REDUCE && (nargs == 1 || named) && nat->rebuild) {
        unsigned long mark = mp__fail_mark();
        mp__object *o = nat->rebuild(mp_item(args, 0));
        if (!o)
            return mp__fail_since(mark, MP_ENOMEM, "out of memory");
        /* The parent's name, or none: an object the parent left untraced
         * (a pool's own queues) stays so. */
        o->trace_pid = named ? (uint32_t)mp_as_int(mp_item(args, 1)) : 0;
        o->trace_n = named ? (uint32_t)mp_as_int(mp_item(args, 2)) : 0;
        *out = &o->h;
        return 0;
    }
    (void)L;
    return mp__load_bad("opcode %s cannot make a '%s' object", mp__load_op_names[op], c->name);
}

int mp__load_apply(loader *L, const mp__pickle_global *g, int op)
{
    const slot *args = &L->stack[L->sp - 1];
    bool newobj = op == OP_NEWOBJ || op == OP_NEWOBJ_EX;
    if (g->cls && !args->g && mp_typeof(args->v) == MP_T_TUPLE) {
        mp_value *obj = NULL;
        int rc = apply_class(L, g->cls, op, args->v, &obj);
        if (rc < 0)
            return rc;
        mp__load_drop_slots(L, L->sp - 1);
        const mp__native *nat = g->cls->native;
        bool open = is_container(obj) || (nat && nat->setstate && mp_class_of(obj) == g->cls);
        if (open && (rc = track(L, obj, 1, true)) < 0) {
            mp_decref(obj);
            return rc;
        }
        return mp__load_push(L, obj, NULL, 1);
    }
    int (*fn)(const mp_value *, mp_value **) = newobj ? g->newobj : g->call;
    if (args->g || mp_typeof(args->v) != MP_T_TUPLE)
        return mp__load_bad("opcode %s needs a tuple of arguments, not %s", mp__load_op_names[op],
                            args->g ? "a global" : mp_type_name(args->v));
    if (!fn)
        return mp__load_bad("opcode %s cannot apply global '%s.%s'", mp__load_op_names[op],
                            g->module, g->name);
    mp_value *out = NULL;
    int rc = fn(args->v, &out);
    if (rc < 0)
        return rc;
    uint32_t d = args->depth;
    mp__load_drop_slots(L, L->sp - 1);
    return push_result(L, out, d);
}

/* REDUCE, NEWOBJ, NEWOBJ_EX: the global is below the arguments (and below
 * the keyword arguments, which must be empty, for NEWOBJ_EX). */
int mp__load_reduce(loader *L, int op)
{
    int rc;
    if (op == OP_NEWOBJ_EX) {
        if ((rc = mp__load_need_items(L, 3)) < 0)
            return rc;
        const slot *kw = &L->stack[L->sp - 1];
        if (kw->g || mp_typeof(kw->v) != MP_T_DICT || mp_len(kw->v) != 0)
            return mp__load_bad("opcode NEWOBJ_EX with keyword arguments is not supported");
        mp__load_drop_slots(L, L->sp - 1);
    } else if ((rc = mp__load_need_items(L, 2)) < 0) {
        return rc;
    }
    const slot *fn = &L->stack[L->sp - 2];
    if (!fn->g)
        return mp__load_bad("opcode %s needs a global to apply, not '%s'", mp__load_op_names[op],
                            mp_type_name(fn->v));
    if ((rc = mp__load_apply(L, fn->g, op)) < 0)
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
int mp__load_build(loader *L)
{
    int rc = mp__load_need_items(L, 2);
    if (rc < 0)
        return rc;
    slot *st = &L->stack[L->sp - 1], *inst = &L->stack[L->sp - 2];
    mp_value *obj = inst->v;
    const mp_value *state = st->v;
    uint32_t sd;
    const mp__native *nat = inst->g ? NULL : mp_class_of(obj) ? mp_class_of(obj)->native : NULL;
    if (nat && nat->setstate) {
        /* Only an object NEWOBJ has just made takes a state, once. */
        uint32_t sd;
        uint64_t *e = mp__pmap_get(&L->info, ADDR(obj));
        if (!e || !(*e & OPEN))
            return mp__load_bad("opcode BUILD on a '%s' object that has its state already",
                                mp_type_name(obj));
        if ((rc = use(L, st, OP_BUILD, &sd)) < 0 || (rc = nat->setstate((mp__object *)obj, state)) < 0)
            return rc;
        *e &= ~OPEN;
        mp__load_drop_slots(L, L->sp - 1);
        return 0;
    }
    if (inst->g || !is_container(obj) || mp_typeof(obj) != MP_T_OBJECT)
        return mp__load_bad("opcode BUILD needs an instance of a registered class, not %s",
                            inst->g ? "a global" : mp_type_name(obj));
    uint64_t *e = mp__pmap_get(&L->info, ADDR(obj));
    if (!e || !(*e & OPEN))
        return mp__load_bad("opcode BUILD on a '%s' object that is already shared (an object that "
                            "contains itself is not supported)", mp_type_name(obj));
    if ((rc = use(L, st, OP_BUILD, &sd)) < 0)
        return rc;
    /* (state, slotstate) with no slot state is what a class with
     * __slots__ = () would give; anything else has no meaning here. */
    if (mp_typeof(state) == MP_T_TUPLE && mp_len(state) == 2 &&
        mp_typeof(mp_item(state, 1)) == MP_T_NONE)
        state = mp_item(state, 0);
    if (mp_typeof(state) != MP_T_DICT)
        return mp__load_bad("opcode BUILD: the state of a '%s' object must be a dict, not '%s'",
                            mp_type_name(obj), mp_type_name(state));
    for (size_t i = 0; i < mp_len(state); i++) {
        const mp_value *k, *v;
        mp_dict_entry(state, i, &k, &v);
        if (mp_typeof(k) != MP_T_STR)
            return mp__load_bad("opcode BUILD: attribute name must be str, not '%s'",
                                mp_type_name(k));
        size_t klen;
        const char *ks = mp__pickle_str_utf8(k, &klen);
        if (strlen(ks) != klen)
            return mp__load_bad("opcode BUILD: attribute name contains a NUL character");
        if ((rc = mp_setattr(obj, ks, mp_incref(v))) < 0)
            return rc;
    }
    uint32_t depth = sd + 1;
    if (depth > L->max_depth)
        return too_deep(L);
    *e = depth | OPEN;
    mp__load_drop_slots(L, L->sp - 1);
    return 0;
}

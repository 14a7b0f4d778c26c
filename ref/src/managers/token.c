/* token.c - Token, the name of a served object, pickled as CPython pickles it; and the proxy classes' names. */
#include "managers.h"

#include <stdlib.h>
#include <string.h>

static void finalize(mp__object *self)
{
    mp__token *t = (mp__token *)self;
    mp_decref(t->typeid);
    mp_decref(t->address);
    mp_decref(t->id);
}

/* Token(typeid='dict', address='/tmp/pymp-x/listener-y', id='7f0a...'),
 * as managers.py's Token.__repr__. */
static bool repr(const mp__object *self, mp__buf *b)
{
    const mp__token *t = (const mp__token *)self;
    char *a = mp_repr(t->typeid), *c = mp_repr(t->address), *d = mp_repr(t->id);
    if (a && c && d)
        mp__buf_printf(b, "Token(typeid=%s, address=%s, id=%s)", a, c, d);
    free(a);
    free(c);
    free(d);
    return a && c && d;
}

/* Token.__new__(Token): an empty token that BUILD then fills. */
static int construct(const mp_class *cls, const mp_value *args, mp_value **out)
{
    if (mp_len(args) != 0)
        return mp__fail(MP_ETYPE, "Token.__new__() takes no arguments here");
    mp__token *t = (mp__token *)mp__object_alloc(cls);
    if (!t)
        return MP_ENOMEM;
    t->typeid = mp_none();
    t->address = mp_none();
    t->id = mp_none();
    *out = &t->o.h;
    return 0;
}

/* __setstate__((typeid, address, id)).  A hostile peer may send anything:
 * the parts are checked here, so the rest of the floor can trust them. */
static int token_setstate(mp__object *self, const mp_value *state)
{
    mp__token *t = (mp__token *)self;
    if (mp_typeof(state) != MP_T_TUPLE || mp_len(state) != 3)
        return mp__fail(MP_ETYPE, "a Token's state must be (typeid, address, id)");
    const mp_value *typeid = mp_item(state, 0), *address = mp_item(state, 1),
                   *id = mp_item(state, 2);
    mp_type at = mp_typeof(address);
    /* The state of a Token that never got one (NEWOBJ, then no BUILD):
     * what getstate gives for it, so it reads back the same. */
    bool empty = mp_typeof(typeid) == MP_T_NONE && at == MP_T_NONE && mp_typeof(id) == MP_T_NONE;
    if (!empty && (mp_typeof(typeid) != MP_T_STR || mp_typeof(id) != MP_T_STR ||
        (at != MP_T_STR && at != MP_T_TUPLE && at != MP_T_BYTES)))
        return mp__fail(MP_ETYPE, "a Token's state must be (typeid, address, id)");
    finalize(self);
    t->typeid = mp_incref(typeid);
    t->address = mp_incref(address);
    t->id = mp_incref(id);
    return 0;
}

static mp_value *token_getstate(const mp__object *self)
{
    const mp__token *t = (const mp__token *)self;
    return mp_tuple_of((const mp_value *)t->typeid, (const mp_value *)t->address,
                       (const mp_value *)t->id);
}

static const mp__native native = {
    .size = sizeof(mp__token), .finalize = finalize, .repr = repr, .construct = construct,
    .setstate = token_setstate, .getstate = token_getstate,
};
static const mp_class token_class = {
    .name = "Token", .module = "multiprocessing.managers", .native = &native};

mp_value *mp__token_new(const mp_value *typeid, const mp_value *address, const mp_value *id)
{
    mp_value *t = NULL, *state = mp_tuple_of(typeid, address, id), *none = mp_tuple_new(0);
    if (state && none && construct(&token_class, none, &t) == 0 &&
        token_setstate((mp__object *)t, state) < 0) {
        mp_decref(t);
        t = NULL;
    }
    mp_decref(state);
    mp_decref(none);
    return t;
}

/* A Token with its state: one without (read from a pickle with no BUILD)
 * names nothing, and is no token to a proxy or a server. */
const mp__token *mp__as_token(const mp_value *v)
{
    const mp__token *t = mp_class_of(v) == &token_class ? (const mp__token *)v : NULL;
    return t && mp_typeof(t->typeid) == MP_T_STR ? t : NULL;
}

/* The proxy types managers.py defines, known by name so that a pickled
 * proxy (RebuildProxy(DictProxy, token, ...)) names its type.  They are
 * names only: a proxy object is always the library's proxy (proxy.c),
 * which remembers which of these it is. */
static const mp__native name_only = {.size = sizeof(mp__object)};
#define PROXY_CLASS(var, nm)                                                  \
    const mp_class var = {.name = nm, .module = "multiprocessing.managers", .native = &name_only}
PROXY_CLASS(mp__auto_proxy_class, "AutoProxy");
PROXY_CLASS(mp__dict_proxy_class, "DictProxy");
PROXY_CLASS(mp__list_proxy_class, "ListProxy");
PROXY_CLASS(mp__namespace_proxy_class, "NamespaceProxy");
PROXY_CLASS(mp__value_proxy_class, "ValueProxy");
PROXY_CLASS(mp__event_proxy_class, "EventProxy");
PROXY_CLASS(mp__acquirer_proxy_class, "AcquirerProxy");
PROXY_CLASS(mp__condition_proxy_class, "ConditionProxy");
PROXY_CLASS(mp__barrier_proxy_class, "BarrierProxy");
PROXY_CLASS(mp__iterator_proxy_class, "IteratorProxy");

static const mp_class *const known[] = {
    &token_class, &mp__auto_proxy_class, &mp__dict_proxy_class, &mp__list_proxy_class,
    &mp__namespace_proxy_class, &mp__value_proxy_class, &mp__event_proxy_class,
    &mp__acquirer_proxy_class, &mp__condition_proxy_class, &mp__barrier_proxy_class,
    &mp__iterator_proxy_class,
};
static mp_class_reg regs[sizeof known / sizeof known[0]];

__attribute__((constructor)) static void register_classes(void)
{
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        regs[i].cls = known[i];
        mp__object_class_register(&regs[i]);
    }
}

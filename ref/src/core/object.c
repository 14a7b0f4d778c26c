/* object.c - classes registered by name, and their instances: values holding a class and a __dict__. */
#include "core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the class registry ------------------------------------------------- */

static mp_class_reg *classes;

static const char *module_of(const mp_class *c)
{
    return c->module ? c->module : "__main__";
}

/* Runs from constructors before main(), so a clash can only be reported
 * and the program stopped: two classes under one name would make every
 * pickle naming it ambiguous. */
void mp__object_class_register(mp_class_reg *r)
{
    for (mp_class_reg *e = classes; e; e = e->next) {
        if (e->cls == r->cls)
            return;
        if (strcmp(e->cls->name, r->cls->name) == 0 &&
            strcmp(module_of(e->cls), module_of(r->cls)) == 0) {
            fprintf(stderr, "forklore: two classes registered as %s.%s\n", module_of(r->cls),
                    r->cls->name);
            abort();
        }
    }
    r->next = classes;
    classes = r;
}

static bool same(const char *a, const char *s, size_t n)
{
    return strlen(a) == n && memcmp(a, s, n) == 0;
}

/* A spawned CPython child names its main module __mp_main__; a class
 * pickled there is the same class as __main__'s. */
const mp_class *mp__class_lookup(const char *module, size_t mlen, const char *name, size_t nlen)
{
    if (same("__mp_main__", module, mlen)) {
        module = "__main__";
        mlen = 8;
    }
    for (mp_class_reg *e = classes; e; e = e->next)
        if (same(e->cls->name, name, nlen) && same(module_of(e->cls), module, mlen))
            return e->cls;
    return NULL;
}

/* ---- instances ----------------------------------------------------------- */

static mp__object *alloc(const mp_class *cls, size_t size)
{
    mp__object *o = calloc(1, size);
    if (!o) {
        mp__fail(MP_ENOMEM, "out of memory");
        return NULL;
    }
    o->h.type = MP_T_OBJECT;
    o->h.refs = 1;
    o->cls = cls;
    return o;
}

mp__object *mp__object_alloc(const mp_class *cls)
{
    mp__object *o = alloc(cls, ((const mp__native *)cls->native)->size);
    if (o && MP__TRACING)
        mp__trace_new_id(o);
    return o;
}

mp_value *mp_object_new(const mp_class *cls, mp_value *dict)
{
    if (!cls || cls->native) {
        mp_decref(dict);
        mp__fail(MP_ETYPE, "mp_object_new needs a class of your own");
        return NULL;
    }
    if (dict) {
        if (mp_typeof(dict) != MP_T_DICT) {
            mp__fail(MP_ETYPE, "an object's attributes must be a dict, not '%s'",
                     mp_type_name(dict));
            mp_decref(dict);
            return NULL;
        }
        for (size_t i = 0; i < mp_len(dict); i++) {
            const mp_value *k;
            mp_dict_entry(dict, i, &k, NULL);
            if (mp_typeof(k) != MP_T_STR) {
                mp__fail(MP_ETYPE, "attribute name must be string, not '%s'", mp_type_name(k));
                mp_decref(dict);
                return NULL;
            }
        }
    } else if (!(dict = mp_dict_new())) {
        return NULL;
    }
    mp__object *o = alloc(cls, sizeof *o);
    if (!o) {
        mp_decref(dict);
        return NULL;
    }
    o->dict = dict;
    return &o->h;
}

const mp_class *mp_class_of(const mp_value *v)
{
    return mp_typeof(v) == MP_T_OBJECT ? ((const mp__object *)v)->cls : NULL;
}

bool mp_isinstance(const mp_value *v, const mp_class *cls)
{
    return cls && mp_class_of(v) == cls;
}

const mp_value *mp_getattr(const mp_value *obj, const char *name)
{
    const mp_class *c = mp_class_of(obj);
    if (!c) {
        mp__fail(MP_EATTR, "'%s' object has no attribute '%s'", mp_type_name(obj), name);
        return NULL;
    }
    mp_value *k = mp_str(name);
    const mp_value *v = NULL;
    const mp__object *o = (const mp__object *)obj;
    if (k && o->dict)
        v = mp_dict_get(o->dict, k);
    mp_decref(k);
    if (!v)
        mp__fail(MP_EATTR, "'%s' object has no attribute '%s'", c->name, name);
    return v;
}

int mp_setattr(mp_value *obj, const char *name, mp_value *val)
{
    const mp_class *c = mp_class_of(obj);
    if (!c || c->native) {
        mp_decref(val);
        return mp__fail(MP_EATTR, "'%s' object attribute '%s' is read-only", mp_type_name(obj),
                        name);
    }
    return mp_dict_set(((mp__object *)obj)->dict, mp_str(name), val);
}

/* builtins.c - the Python objects a peer pickles by reference that values may hold: classes, slices and exceptions. */
#include "core.h"
#include "value_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- classes as values ------------------------------------------------- */

/*
 * A class is a value in Python, and pickle writes it as its global name.
 * A manager's proxy pickles as RebuildProxy(DictProxy, token, ...), with
 * the proxy's class among the arguments, so the loader turns a registered
 * class used as a value into one of these, and the dumper writes it back
 * as the global.
 */
typedef struct {
    mp__object o;
    const mp_class *cls;
} vtype;

static bool type_repr(const mp__object *self, mp__buf *b)
{
    const mp_class *c = ((const vtype *)self)->cls;
    mp__buf_printf(b, "<class '%s.%s'>", c->module ? c->module : "__main__", c->name);
    return true;
}

static const mp__native type_native = {.size = sizeof(vtype), .repr = type_repr};
const mp_class mp__type_class = {.name = "type", .module = "builtins", .native = &type_native};

mp_value *mp__type_value(const mp_class *cls)
{
    vtype *t = (vtype *)mp__object_alloc(&mp__type_class);
    if (!t)
        return NULL;
    t->cls = cls;
    return &t->o.h;
}

const mp_class *mp__type_of_value(const mp_value *v)
{
    return mp_class_of(v) == &mp__type_class ? ((const vtype *)v)->cls : NULL;
}

/* ---- slices ------------------------------------------------------------- */

/* slice(start, stop, step): what a[2:5] sends to a list's __getitem__.
 * Each part is None or an int here (Python allows any object). */
typedef struct {
    mp__object o;
    mp_value *part[3];
} vslice;

static void slice_finalize(mp__object *self)
{
    for (int i = 0; i < 3; i++)
        mp_decref(((vslice *)self)->part[i]);
}

static bool slice_repr(const mp__object *self, mp__buf *b)
{
    mp__buf_puts(b, "slice(");
    for (int i = 0; i < 3; i++) {
        char *r = mp_repr(((const vslice *)self)->part[i]);
        if (!r)
            return false;
        mp__buf_printf(b, "%s%s", i ? ", " : "", r);
        free(r);
    }
    mp__buf_puts(b, ")");
    return true;
}

static int slice_construct(const mp_class *cls, const mp_value *args, mp_value **out)
{
    size_t n = mp_len(args);
    if (n < 1 || n > 3)
        return mp__fail(MP_ETYPE, "slice expected at least 1 argument, got %zu", n);
    const mp_value *p[3] = {NULL, mp_item(args, 0), NULL};
    if (n > 1) {
        p[0] = mp_item(args, 0);
        p[1] = mp_item(args, 1);
        p[2] = n > 2 ? mp_item(args, 2) : NULL;
    }
    for (int i = 0; i < 3; i++) {
        mp_type t = mp_typeof(p[i]);
        if (p[i] && t != MP_T_NONE && t != MP_T_INT && t != MP_T_BOOL)
            return mp__fail(MP_ETYPE, "slice indices must be integers or None or have an "
                            "__index__ method");
    }
    vslice *s = (vslice *)mp__object_alloc(cls);
    if (!s)
        return MP_ENOMEM;
    for (int i = 0; i < 3; i++)
        s->part[i] = p[i] ? mp_incref(p[i]) : mp_none();
    *out = &s->o.h;
    return 0;
}

static int slice_reduce(const mp__object *self, const mp_class **fn, mp_value **args)
{
    const vslice *s = (const vslice *)self;
    *fn = self->cls;
    *args = mp_tuple_of((const mp_value *)s->part[0], (const mp_value *)s->part[1],
                        (const mp_value *)s->part[2]);
    return *args ? 0 : MP_ENOMEM;
}

static const mp__native slice_native = {
    .size = sizeof(vslice), .finalize = slice_finalize, .repr = slice_repr,
    .construct = slice_construct, .reduce_ex = slice_reduce,
};
const mp_class mp__slice_class = {.name = "slice", .module = "builtins", .native = &slice_native};

mp_value *mp__slice_new(const mp_value *start, const mp_value *stop, const mp_value *step)
{
    mp_value *args = mp_tuple_of(start, stop, step), *out = NULL;
    if (args && slice_construct(&mp__slice_class, args, &out) < 0)
        out = NULL;
    mp_decref(args);
    return out;
}

/*
 * The indices a slice selects in a sequence of n items, as
 * slice.indices(n): *start, *stop, *step (step never 0: MP_EVALUE "slice
 * step cannot be zero") and the count.
 */
int mp__slice_indices(const mp_value *v, size_t n, int64_t *start, int64_t *stop, int64_t *step,
                      size_t *count)
{
    const vslice *s = (const vslice *)v;
    int64_t len = (int64_t)n;
    *step = mp_typeof(s->part[2]) == MP_T_NONE ? 1 : mp_as_int(s->part[2]);
    if (*step == 0)
        return mp__fail(MP_EVALUE, "slice step cannot be zero");
    bool back = *step < 0;
    int64_t lo = back ? -1 : 0, hi = back ? len - 1 : len;
    int64_t *ends[2] = {start, stop};
    for (int i = 0; i < 2; i++) {
        const mp_value *p = s->part[i];
        if (mp_typeof(p) == MP_T_NONE) {
            *ends[i] = (i == 0) == back ? hi : lo;
            continue;
        }
        int64_t x = mp_as_int(p);
        if (x < 0)
            x = x + len < lo ? lo : x + len;
        else if (x > hi)
            x = hi;
        *ends[i] = x;
    }
    int64_t c = 0;
    if (back ? *stop < *start : *start < *stop)
        c = back ? (*start - *stop - 1) / (-*step) + 1 : (*stop - *start - 1) / *step + 1;
    *count = (size_t)c;
    return 0;
}

mp_value *mp_slice(const mp_value *start, const mp_value *stop, const mp_value *step)
{
    return mp__slice_new(start ? start : mp_none(), stop ? stop : mp_none(),
                         step ? step : mp_none());
}

bool mp__is_slice(const mp_value *v)
{
    return mp_class_of(v) == &mp__slice_class;
}

/* ---- exceptions --------------------------------------------------------- */

/*
 * An exception as a value: a manager sends the one a method raised
 * (('#ERROR', KeyError('x'))), and pickle writes it as its class applied
 * to its args.  Only the classes below can be read back (the loader's
 * allowlist); their instances are this struct.
 */
typedef struct {
    mp__object o;
    mp_value *args;             /* a tuple */
} vexc;

static void exc_finalize(mp__object *self)
{
    mp_decref(((vexc *)self)->args);
}

static const char *exc_qualname(const mp_class *c, char *buf, size_t cap)
{
    if (strcmp(c->module, "builtins") == 0)
        return c->name;
    snprintf(buf, cap, "%s.%s", c->module, c->name);
    return buf;
}

static bool exc_repr(const mp__object *self, mp__buf *b)
{
    const vexc *e = (const vexc *)self;
    char *r = mp_repr(e->args);
    if (!r)
        return false;
    size_t n = strlen(r);
    /* (x,) shows as Name(x); () as Name(). */
    if (mp_len(e->args) == 1)
        n--;
    mp__buf_printf(b, "%s(%.*s)", self->cls->name, (int)(n - 2), r + 1);
    free(r);
    return true;
}

/* str(exc): '' for no args, str(arg) for one (a KeyError's repr(arg)),
 * else the args tuple's repr. */
static bool exc_str(const mp__object *self, mp__buf *b)
{
    const vexc *e = (const vexc *)self;
    size_t n = mp_len(e->args);
    if (n == 0)
        return true;
    if (n == 1 && strcmp(self->cls->name, "KeyError") != 0)
        return mp__buf_str(b, mp_item(e->args, 0));
    char *r = mp_repr(n == 1 ? mp_item(e->args, 0) : e->args);
    if (!r)
        return false;
    mp__buf_puts(b, r);
    free(r);
    return true;
}

static int exc_construct(const mp_class *cls, const mp_value *args, mp_value **out)
{
    vexc *e = (vexc *)mp__object_alloc(cls);
    if (!e)
        return MP_ENOMEM;
    e->args = mp_incref(args);
    *out = &e->o.h;
    return 0;
}

/* BUILD's state is the exception's __dict__ (attributes set on it); the
 * args carry all this library shows, so it is accepted and dropped. */
static int exc_setstate(mp__object *self, const mp_value *state)
{
    (void)self;
    mp_type t = mp_typeof(state);
    return t == MP_T_DICT || t == MP_T_NONE ? 0 : mp__fail(MP_ETYPE, "state is not a dictionary");
}

static int exc_reduce(const mp__object *self, const mp_class **fn, mp_value **args)
{
    *fn = self->cls;
    *args = mp_incref(((const vexc *)self)->args);
    return 0;
}

static const mp__native exc_native = {
    .size = sizeof(vexc), .finalize = exc_finalize, .repr = exc_repr, .str = exc_str,
    .construct = exc_construct, .setstate = exc_setstate, .reduce_ex = exc_reduce,
};

#define B(n) {.name = #n, .module = "builtins", .native = &exc_native}
static const mp_class exc_classes[] = {
    B(BaseException), B(Exception), B(ArithmeticError), B(ZeroDivisionError), B(OverflowError),
    B(FloatingPointError), B(AssertionError), B(AttributeError), B(EOFError), B(LookupError),
    B(IndexError), B(KeyError), B(MemoryError), B(NameError), B(NotImplementedError),
    B(RuntimeError), B(RecursionError), B(StopIteration), B(TypeError), B(ValueError),
    B(KeyboardInterrupt), B(SystemExit), B(OSError), B(BlockingIOError), B(ChildProcessError),
    B(BrokenPipeError), B(ConnectionError), B(ConnectionAbortedError),
    B(ConnectionRefusedError), B(ConnectionResetError), B(FileExistsError),
    B(FileNotFoundError), B(IsADirectoryError), B(NotADirectoryError), B(InterruptedError),
    B(PermissionError), B(ProcessLookupError), B(TimeoutError),
    {.name = "Empty", .module = "_queue", .native = &exc_native},
    {.name = "Full", .module = "queue", .native = &exc_native},
    {.name = "BrokenBarrierError", .module = "threading", .native = &exc_native},
    {.name = "RemoteError", .module = "multiprocessing.managers", .native = &exc_native},
    {.name = "ProcessError", .module = "multiprocessing.context", .native = &exc_native},
    {.name = "TimeoutError", .module = "multiprocessing.context", .native = &exc_native},
    {.name = "AuthenticationError", .module = "multiprocessing.context", .native = &exc_native},
    {.name = "BufferTooShort", .module = "multiprocessing.context", .native = &exc_native},
};
#undef B
#define NEXC (sizeof exc_classes / sizeof exc_classes[0])

static mp_class_reg regs[NEXC + 2];

__attribute__((constructor)) static void register_builtins(void)
{
    for (size_t i = 0; i < NEXC; i++) {
        regs[i].cls = &exc_classes[i];
        mp__object_class_register(&regs[i]);
    }
    regs[NEXC].cls = &mp__slice_class;
    mp__object_class_register(&regs[NEXC]);
}

bool mp__is_exception(const mp_value *v)
{
    const mp_class *c = mp_class_of(v);
    return c && c->native == &exc_native;
}

/* The exception class named as mp_errname() names it ("KeyError",
 * "_queue.Empty", "multiprocessing.managers.RemoteError"), or NULL. */
static const mp_class *exc_class_named(const char *qual)
{
    const char *dot = strrchr(qual, '.');
    for (size_t i = 0; i < NEXC; i++) {
        const mp_class *c = &exc_classes[i];
        if (dot ? strlen(c->module) == (size_t)(dot - qual) &&
                      memcmp(c->module, qual, (size_t)(dot - qual)) == 0 &&
                      strcmp(c->name, dot + 1) == 0
                : strcmp(c->module, "builtins") == 0 && strcmp(c->name, qual) == 0)
            return c;
    }
    return NULL;
}

mp_value *mp__exception_new(const char *qualname, mp_value *args)
{
    const mp_class *c = exc_class_named(qualname);
    mp_value *out = NULL;
    if (!c)
        mp__fail(MP_EVALUE, "no exception class %s", qualname);
    else if (args || (args = mp_tuple_new(0)))
        exc_construct(c, args, &out);
    mp_decref(args);
    return out;
}

/* The exception a server's method raised with keep (a KeyError holds its
 * key, which its message, the key's repr, cannot give back), until the
 * server takes it for its reply. */
static _Thread_local mp_value *kept;
static _Thread_local unsigned long kept_mark;

mp_value *mp__exception_from_error(int code)
{
    mp_value *k = kept;
    kept = NULL;
    if (k && kept_mark == mp__fail_mark())
        return k;
    mp_decref(k);
    const char *msg = mp_errmsg();
    char name[MP__ERRTYPE_MAX];
    snprintf(name, sizeof name, "%s", mp_errname(code));
    mp_value *args = msg[0] ? mp_tuple_of(msg) : mp_tuple_new(0);
    return args ? mp__exception_new(name, args) : NULL;
}

int mp__exception_raise(const mp_value *exc, bool keep)
{
    const mp__object *o = (const mp__object *)exc;
    char qbuf[MP__ERRTYPE_MAX];
    const char *qual = exc_qualname(o->cls, qbuf, sizeof qbuf);
    mp__buf b = {0};
    if (!exc_str(o, &b)) {
        free(b.data);
        return MP_ENOMEM;
    }
    char *msg = mp__buf_finish(&b);
    if (!msg)
        return mp__fail(MP_ENOMEM, "out of memory");
    const mp_value *a0 = mp_item(((const vexc *)exc)->args, 0);
    int code = mp__code_named(qual);
    if (code == MP_EOS && mp_typeof(a0) == MP_T_INT && mp_len(((const vexc *)exc)->args) >= 2)
        code = mp__fail_os((int)mp_as_int(a0), "%s", msg);
    else if (code < 0 && code != MP_EOS)
        mp__fail(code, "%s", msg);
    else
        code = mp_raise(qual, "%s", msg);
    free(msg);
    if (keep) {
        mp_decref(kept);
        kept = mp_incref(exc);
        kept_mark = mp__fail_mark();
    }
    return code;
}

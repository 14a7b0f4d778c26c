/* lesson.c - Lesson 61: the documentation's customized managers and proxies: Foo exposed two ways, a generator behind a proxy type of its own, the operator module served as an object.

   register() decides what a proxy may call.  Foo1 serves Foo with its
   public methods (f and g); Foo2 serves the same class with exposed=('g',
   '_h'), so f is refused and the private _h allowed.  baz is served with
   a proxy type of its own, GeneratorProxy, whose one exposed method is
   __next__: the client iterates it until StopIteration.  The methods run
   in the manager's server process, so what Foo prints comes from there
   (its buffered output reaches the file when the server ends, before the
   parent's).

   Where C must differ (the lines starting "op."): a C program has no
   operator module to serve, so it serves a class of its own with the
   two functions the example calls, add and pow; its _exposed_ is those
   two, where CPython's lists the module's 55 functions.  And an int here
   has 64 bits, so pow(2, 94) is an OverflowError, where CPython prints
   19807040628566084398385987584.  The test says so (README.md).

   Usage:  make lesson-61         build and run this program
           make lesson-61 PY=1    run its Python twin, lesson.py
*/
#include <stdio.h>
#include <string.h>

#include "mp.h"

/* class Foo: f(), g(), _h() print that they were called. */
static int foo_f(mp_value *self, const mp_value *args, const mp_value *kwds, mp_value **result)
{
    (void)self, (void)args, (void)kwds, (void)result;
    mp_print("you called Foo.f()");
    return 0;
}

static int foo_g(mp_value *self, const mp_value *args, const mp_value *kwds, mp_value **result)
{
    (void)self, (void)args, (void)kwds, (void)result;
    mp_print("you called Foo.g()");
    return 0;
}

static int foo_h(mp_value *self, const mp_value *args, const mp_value *kwds, mp_value **result)
{
    (void)self, (void)args, (void)kwds, (void)result;
    mp_print("you called Foo._h()");
    return 0;
}

static const mp_method foo_methods[] = {{"f", foo_f}, {"g", foo_g}, {"_h", foo_h}, {NULL, NULL}};
static const mp_class Foo = {.name = "Foo", .methods = foo_methods};
MP_CLASS(Foo);

static int make_foo(const mp_value *args, mp_value **result)
{
    (void)args;
    *result = mp_object_new(&Foo, NULL);
    return *result != NULL ? 0 : mp_errcode();
}
MP_TASK(make_foo);

/* def baz(): for i in range(10): yield i*i -- a generator is an object
   whose __next__ gives the next value, then raises StopIteration. */
static int baz_next(mp_value *self, const mp_value *args, const mp_value *kwds, mp_value **result)
{
    (void)args, (void)kwds;
    int64_t i = mp_as_int(mp_getattr(self, "i"));
    if (i >= 10)
        return mp_raise("StopIteration", "%s", "");
    *result = mp_int(i * i);
    return mp_setattr(self, "i", mp_int(i + 1));
}

static const mp_method generator_methods[] = {{"__next__", baz_next}, {NULL, NULL}};
static const mp_class generator = {.name = "generator", .methods = generator_methods};
MP_CLASS(generator);

static int baz(const mp_value *args, mp_value **result)
{
    (void)args;
    mp_value *state = mp_dict_new();
    if (state == NULL || mp_dict_set(state, mp_str("i"), mp_int(0)) < 0) {
        mp_decref(state);
        return MP_ENOMEM;
    }
    *result = mp_object_new(&generator, state);
    return *result != NULL ? 0 : mp_errcode();
}
MP_TASK(baz);

/* class GeneratorProxy(BaseProxy): _exposed_ = ['__next__']: the name of
   the proxy type a peer sees; its one method is exposed below. */
static const mp_class GeneratorProxy = {.name = "GeneratorProxy"};
MP_CLASS(GeneratorProxy);

/* The operator module, as far as the example uses it: add and pow. */
static int op_add(mp_value *self, const mp_value *args, const mp_value *kwds, mp_value **result)
{
    (void)self, (void)kwds;
    *result = mp_int(mp_as_int(mp_item(args, 0)) + mp_as_int(mp_item(args, 1)));
    return 0;
}

static int op_pow(mp_value *self, const mp_value *args, const mp_value *kwds, mp_value **result)
{
    (void)self, (void)kwds;
    int64_t base = mp_as_int(mp_item(args, 0)), exp = mp_as_int(mp_item(args, 1)), r = 1;
    for (int64_t k = 0; k < exp; k++)
        if (__builtin_mul_overflow(r, base, &r))
            return mp_raise("OverflowError", "%lld ** %lld does not fit in 64 bits",
                            (long long)base, (long long)exp);
    *result = mp_int(r);
    return 0;
}

static const mp_method operator_methods[] = {{"add", op_add}, {"pow", op_pow}, {NULL, NULL}};
static const mp_class operator_module = {.name = "operator", .methods = operator_methods};
MP_CLASS(operator_module);

static int get_operator_module(const mp_value *args, mp_value **result)
{
    (void)args;
    *result = mp_object_new(&operator_module, NULL);
    return *result != NULL ? 0 : mp_errcode();
}
MP_TASK(get_operator_module);

/* class MyManager(BaseManager): pass */
static mp_manager_class MyManager = {.name = "MyManager"};

static void rule(void)
{
    mp_print("--------------------");       /* print('-' * 20) */
}

/* p.method(), and the check that a method is (or is not) there. */
static int call(const mp_value *p, const char *method)
{
    return mp_proxy_callmethod(p, method, NULL, NULL, NULL);
}

static int test(void)
{
    static const char *const g_h[] = {"g", "_h", NULL};
    static const char *const next[] = {"__next__", NULL};
    int rc = mp_manager_register(&MyManager, "Foo1", &(mp_register_opts){.callable = make_foo});
    if (rc >= 0)
        rc = mp_manager_register(&MyManager, "Foo2",
                                 &(mp_register_opts){.callable = make_foo, .exposed = g_h});
    if (rc >= 0)
        rc = mp_manager_register(&MyManager, "baz", &(mp_register_opts){
                                                        .callable = baz, .proxytype = &GeneratorProxy,
                                                        .exposed = next});
    if (rc >= 0)
        rc = mp_manager_register(&MyManager, "operator",
                                 &(mp_register_opts){.callable = get_operator_module});
    mp_manager *manager = rc < 0 ? NULL : mp_manager_new(&MyManager, NULL);
    if (manager == NULL || (rc = mp_manager_start(manager, NULL, NULL)) < 0) {
        mp_manager_free(manager);
        return rc < 0 ? rc : mp_errcode();
    }
    rule();

    mp_value *f1 = mp_manager_create(manager, "Foo1", NULL, NULL);
    if (f1 == NULL || (rc = call(f1, "f")) < 0 || (rc = call(f1, "g")) < 0)
        goto out;
    if (call(f1, "_h") >= 0)                    /* assert not hasattr(f1, '_h') */
        rc = mp_raise("AssertionError", "Foo1 lets _h be called");
    rule();

    mp_value *f2 = rc < 0 ? NULL : mp_manager_create(manager, "Foo2", NULL, NULL);
    if (f2 != NULL && (rc = call(f2, "g")) >= 0 && (rc = call(f2, "_h")) >= 0 && call(f2, "f") >= 0)
        rc = mp_raise("AssertionError", "Foo2 lets f be called");   /* assert not hasattr(f2, 'f') */
    mp_decref(f2);
    if (rc < 0)
        goto out;
    rule();

    mp_value *it = mp_manager_create(manager, "baz", NULL, NULL), *i = NULL;
    while (it != NULL && (rc = mp_proxy_callmethod(it, "__next__", NULL, NULL, &i)) == 0) {
        char s[32];
        snprintf(s, sizeof s, "<%lld>", (long long)mp_as_int(i));
        mp_print_ex((mp_print_opts){.end = " "}, s);     /* print('<%d>' % i, end=' ') */
        mp_decref(i);
    }
    rc = it == NULL ? mp_errcode() : rc == MP_ESTOPITERATION ? 0 : rc;
    mp_decref(it);
    if (rc < 0)
        goto out;
    mp_print("");
    rule();

    mp_value *op = mp_manager_create(manager, "operator", NULL, NULL), *r = NULL;
    if (op != NULL && (rc = mp_proxy_call(op, &r, "add", 23, 45)) >= 0) {
        mp_print("op.add(23, 45) =", r);
        mp_decref(r);
        rc = mp_proxy_call(op, &r, "pow", 2, 94);
        if (rc >= 0)
            mp_print("op.pow(2, 94) =", r);
        else {
            char line[256];
            snprintf(line, sizeof line, "op.pow(2, 94) = %s: %s", mp_errname(rc), mp_errmsg());
            mp_print(line);
            rc = 0;
        }
        mp_decref(r);
        mp_print("op._exposed_ =", mp_proxy_exposed(op));
    } else if (op == NULL) {
        rc = mp_errcode();
    }
    mp_decref(op);
out:
    mp_decref(f1);
    mp_manager_free(manager);
    return rc;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    mp_freeze_support();
    int rc = test();
    return rc < 0 ? mp_excepthook(rc) : 0;
}

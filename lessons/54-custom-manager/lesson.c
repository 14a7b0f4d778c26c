/* lesson.c - Lesson 54: a manager of your own serving a class of your own (MathsClass, 7 and 56).

   MyManager is a BaseManager with one registered type, 'Maths': its
   callable makes a MathsClass instance in the server, and the proxy
   (an AutoProxy, offering the class's public methods) sends maths.add(4,
   3) to the server, which runs MathsClass's add on its instance and
   sends back 7.

   Usage:  make lesson-54         build and run this program
           make lesson-54 PY=1    run its Python twin, lesson.py
*/
#include "mp.h"

/* x and y as C integers, or TypeError (this C class knows ints only). */
static int two_ints(const char *method, const mp_value *args, int64_t *x, int64_t *y)
{
    if (mp_len(args) != 2)
        return mp_raise("TypeError",
                        "MathsClass.%s() takes 3 positional arguments but %zu were given",
                        method, mp_len(args) + 1);
    for (size_t i = 0; i < 2; i++)
        if (mp_typeof(mp_item(args, i)) != MP_T_INT)
            return mp_raise("TypeError", "MathsClass.%s() wants ints, got '%s'", method,
                            mp_type_name(mp_item(args, i)));
    *x = mp_as_int(mp_item(args, 0));
    *y = mp_as_int(mp_item(args, 1));
    return 0;
}

/* def add(self, x, y): return x + y */
static int add(mp_value *self, const mp_value *args, const mp_value *kwds, mp_value **result)
{
    (void)self, (void)kwds;
    int64_t x, y;
    int rc = two_ints("add", args, &x, &y);
    if (rc == 0)
        *result = mp_int(x + y);
    return rc;
}

/* def mul(self, x, y): return x * y */
static int mul(mp_value *self, const mp_value *args, const mp_value *kwds, mp_value **result)
{
    (void)self, (void)kwds;
    int64_t x, y;
    int rc = two_ints("mul", args, &x, &y);
    if (rc == 0)
        *result = mp_int(x * y);
    return rc;
}

/* class MathsClass: add and mul are its public methods, which the
   manager serves. */
static const mp_class MathsClass = {
    .name = "MathsClass",
    .methods = (const mp_method[]){{"add", add}, {"mul", mul}, {NULL, NULL}},
};
MP_CLASS(MathsClass);

/* The callable register() is given: calling the class makes an instance.
   Registered with MP_TASK so that a server started by spawn finds it. */
static int Maths(const mp_value *args, mp_value **result)
{
    (void)args;
    *result = mp_object_new(&MathsClass, NULL);
    return *result ? 0 : mp_errcode();
}
MP_TASK(Maths);

/* class MyManager(BaseManager): pass */
static mp_manager_class MyManager = {.name = "MyManager"};

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    /* MyManager.register('Maths', MathsClass) */
    int rc = mp_manager_register(&MyManager, "Maths", &(mp_register_opts){.callable = Maths});
    if (rc < 0)
        return mp_excepthook(rc);

    /* with MyManager() as manager: */
    mp_manager *manager = mp_manager_new(&MyManager, NULL);
    if (manager == NULL)
        return mp_excepthook(mp_errcode());
    mp_value *maths = NULL, *r = NULL;
    if ((rc = mp_manager_start(manager, NULL, NULL)) >= 0 &&
        (maths = mp_manager_create(manager, "Maths", NULL, NULL)) == NULL)
        rc = mp_errcode();
    if (rc >= 0 && (rc = mp_proxy_call(maths, &r, "add", 4, 3)) >= 0)
        mp_print(r);                                      /* prints 7 */
    mp_decref(r);
    r = NULL;
    if (rc >= 0 && (rc = mp_proxy_call(maths, &r, "mul", 7, 8)) >= 0)
        mp_print(r);                                      /* prints 56 */
    mp_decref(r);
    mp_decref(maths);
    mp_manager_free(manager);                            /* leaving the with block */
    return rc < 0 ? mp_excepthook(rc) : 0;
}

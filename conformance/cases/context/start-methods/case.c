/* case.c - case context/start-methods: what fixes the default start method, and what set_start_method() then refuses or forces.

   Mirrors case.py, which says what is pinned.  Python's None for
   get_start_method(allow_none=True) is a NULL here.

   Run:  bats conformance/cases/context.bats --filter start-methods
*/
#include <stdio.h>

#include "mp.h"

static int nothing(const mp_value *args)
{
    (void)args;
    return 0;
}
MP_TARGET(nothing);

static bool fixed(void)
{
    return mp_get_start_method(true) != NULL;
}

/* What Python prints for a call that returned None or raised. */
static void attempt(const char *label, int rc)
{
    if (rc < 0)
        printf("%s: %s: %s\n", label, mp_errname(rc), mp_errmsg());
    else
        printf("%s returned None\n", label);
}

static mp_value *method_or_none(const char *method)
{
    return method == NULL ? mp_none() : mp_str(method);
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    const char *methods[8];
    size_t n = mp_get_all_start_methods(methods, 8);
    for (size_t i = 0; i < n && i < 8; i++) {
        mp_context *ctx = mp_get_context(methods[i]);
        if (ctx == NULL)
            return mp_excepthook(mp_errcode());
        printf("get_context('%s').get_start_method(): %s\n", methods[i], mp_context_get_start_method(ctx));
    }
    mp_value *m = method_or_none(mp_get_start_method(true));
    mp_print("get_start_method(allow_none=True) at first:", m);
    mp_decref(m);
    attempt("set_start_method('thread')", mp_set_start_method("thread", false));
    mp_print("fixed after the refused set:", fixed());
    attempt("set_start_method('spawn')", mp_set_start_method("spawn", false));
    mp_print("get_start_method():", mp_get_start_method(false));
    attempt("set_start_method('fork')", mp_set_start_method("fork", false));
    attempt("set_start_method('thread')", mp_set_start_method("thread", false));
    attempt("set_start_method('forkserver', force=True)", mp_set_start_method("forkserver", true));
    mp_print("get_start_method():", mp_get_start_method(false));
    attempt("set_start_method(None, force=True)", mp_set_start_method(NULL, true));
    m = method_or_none(mp_get_start_method(true));
    mp_print("get_start_method(allow_none=True):", m);
    mp_decref(m);

    int rc;
    mp_get_start_method(false);
    mp_print("fixed by get_start_method():", fixed());
    if ((rc = mp_set_start_method(NULL, true)) < 0)
        return mp_excepthook(rc);
    if (mp_get_context(NULL) == NULL)
        return mp_excepthook(mp_errcode());
    mp_print("fixed by get_context():", fixed());
    if ((rc = mp_set_start_method(NULL, true)) < 0)
        return mp_excepthook(rc);
    mp_process *p = mp_process_new(&(mp_process_opts){.target = nothing});
    if (p == NULL)
        return mp_excepthook(mp_errcode());
    mp_print("fixed by Process():", fixed());
    if ((rc = mp_process_start(p)) == 0) {
        mp_print("fixed by start():", fixed());
        rc = mp_process_join(p, MP_WAIT_FOREVER);
    }
    mp_process_free(p);
    if (rc < 0)
        return mp_excepthook(rc);
    attempt("set_start_method('spawn') after start", mp_set_start_method("spawn", false));
    return 0;
}

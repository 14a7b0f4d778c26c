/* context.c - contexts and start methods: get_context, set/get_start_method, set_executable, freeze_support (context.py). */
#include "start.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The class each concrete context gives its processes (ctx.Process). */
static const mp_process_class fork_class = {"ForkProcess", sizeof(mp_process), NULL, NULL, NULL, NULL};
static const mp_process_class spawn_class = {"SpawnProcess", sizeof(mp_process), NULL, NULL, NULL, NULL};
static const mp_process_class forkserver_class = {"ForkServerProcess", sizeof(mp_process), NULL, NULL, NULL, NULL};
static const mp_process_class dummy_class = {"DummyProcess", sizeof(mp_process), NULL, NULL, NULL, NULL};

struct mp_context {
    const char *name;                   /* NULL for the default context */
    const mp_process_class *cls;
    const mp__popen_ops *ops;
};

/* In CPython 3.11's order on Linux: fork is the default. */
static mp_context concrete[] = {
    {"fork", &fork_class, &mp__popen_fork_ops},
    {"spawn", &spawn_class, &mp__popen_spawn_ops},
    {"forkserver", &forkserver_class, &mp__popen_forkserver_ops},
};
enum { NCONCRETE = sizeof concrete / sizeof concrete[0] };

/* multiprocessing.dummy: not a start method (get_context does not know it),
 * but the same factories over threads. */
static mp_context dummy_ctx = {"dummy", &dummy_class, &mp__popen_thread_ops};

mp_context *mp_dummy(void)
{
    return &dummy_ctx;
}

bool mp__context_threads(const mp_context *ctx)
{
    return ctx == &dummy_ctx;
}

/* DefaultContext: `actual` stays NULL until something fixes the method. */
static mp_context default_ctx = {NULL, NULL, NULL};
static mp_context *actual;

static mp_context *find(const char *method)
{
    for (int i = 0; i < NCONCRETE; i++)
        if (strcmp(concrete[i].name, method) == 0)
            return &concrete[i];
    return NULL;
}

/* The method a run starts with: fork, unless MP_START_METHOD names another.
 * A bad value is reported once and ignored, so a typo is never silent. */
static mp_context *initial(void)
{
    static bool warned;
    const char *env = getenv("MP_START_METHOD");
    if (!env || !*env)
        return &concrete[0];
    mp_context *c = find(env);
    if (!c && !warned) {
        warned = true;
        fprintf(stderr, "mp: ignoring MP_START_METHOD=%s (not fork, spawn or forkserver)\n", env);
    }
    return c ? c : &concrete[0];
}

mp_context *mp_get_context(const char *method)
{
    /* DefaultContext.get_context(None): the concrete context in force,
     * which fixes the method as get_start_method() does. */
    if (!method) {
        if (!actual)
            actual = initial();
        return actual;
    }
    mp_context *c = find(method);
    if (!c)
        mp__fail(MP_EVALUE, "cannot find context for '%s'", method);
    return c;
}

const char *mp_get_start_method(bool allow_none)
{
    if (!actual) {
        if (allow_none)
            return NULL;
        actual = initial();
    }
    return actual->name;
}

const char *mp_context_get_start_method(mp_context *ctx)
{
    return !ctx || ctx == &default_ctx ? mp_get_start_method(false) : ctx->name;
}

int mp_set_start_method(const char *method, bool force)
{
    /* A child that re-runs the program has its method fixed before the
     * program's top level runs (CPython's spawn.prepare sets the parent's,
     * with force), so an unguarded set_start_method fails there at once,
     * before any start() could meet the bootstrapping error. */
    if ((actual || mp__spawn_inheriting()) && !force)
        return mp__fail(MP_ERUNTIME, "context has already been set");
    if (!method) {
        /* None with force unfixes; None without it fixes the default. */
        actual = force ? NULL : initial();
        return 0;
    }
    mp_context *c = find(method);
    if (!c)
        return mp__fail(MP_EVALUE, "cannot find context for '%s'", method);
    actual = c;
    return 0;
}

size_t mp_get_all_start_methods(const char **buf, size_t cap)
{
    for (int i = 0; i < NCONCRETE; i++)
        if ((size_t)i < cap)
            buf[i] = concrete[i].name;
    return NCONCRETE;
}

mp_process *mp_context_process(mp_context *ctx, const mp_process_opts *opts)
{
    if (!ctx || ctx == &default_ctx)
        return mp_process_new(opts);
    mp_process_opts o = opts ? *opts : (mp_process_opts){0};
    if (!o.cls)
        o.cls = ctx->cls;
    mp_process *p = mp_process_new(&o);
    if (!p)
        return NULL;
    p->ctx = ctx;
    if (ctx == &dummy_ctx) {
        /* threading's numbering, not multiprocessing's: Thread-N, and
         * Thread-N (f) for a target, f being the last part of its
         * registered name (a target need not be registered: no pickling). */
        mp__process_uncount(p);
        if (!o.name) {
            const char *t = o.target ? mp_target_name(o.target) : NULL;
            const char *dot = t ? strrchr(t, '.') : NULL;
            mp__buf b = {0};
            mp__buf_printf(&b, "Thread-%d", mp__thread_number());
            if (t)
                mp__buf_printf(&b, " (%s)", dot ? dot + 1 : t);
            char *name = mp__buf_finish(&b);
            int rc = name ? mp_process_set_name(p, name) : mp__fail(MP_ENOMEM, "out of memory");
            free(name);
            if (rc < 0) {
                mp_process_free(p);
                return NULL;
            }
        }
    }
    return p;
}

const mp__popen_ops *mp__context_ops(const mp_process *p)
{
    /* A default-context process uses whatever method is in force when it
     * starts, and starting it fixes that method (DefaultContext.get_context). */
    if (p->ctx && p->ctx->ops)
        return p->ctx->ops;
    mp_get_start_method(false);
    return actual->ops;
}

const mp_process_class *mp__context_class(const char *name)
{
    for (int i = 0; i < NCONCRETE; i++)
        if (strcmp(concrete[i].cls->name, name) == 0)
            return concrete[i].cls;
    return NULL;
}

mp_context *mp__context_by_class(const mp_process_class *cls)
{
    for (int i = 0; i < NCONCRETE; i++)
        if (concrete[i].cls == cls)
            return &concrete[i];
    return NULL;
}

/* ---- the executable ----------------------------------------------------- */

static char *executable;

int mp_set_executable(const char *path)
{
    char *copy = path ? strdup(path) : NULL;
    if (!copy)
        return path ? mp__fail(MP_ENOMEM, "out of memory") : mp__fail(MP_ETYPE, "path must be a string");
    free(executable);
    executable = copy;
    return 0;
}

/* Nothing to do: the re-run child's check is mp_main's (see mp.h). */
void mp_freeze_support(void)
{
}

const char *mp__executable(void)
{
    /* readlink rather than exec'ing /proc/self/exe itself: under valgrind
     * the link names the program being checked, the path the tool. */
    static char self[4096];
    if (executable)
        return executable;
    if (!self[0]) {
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        if (n <= 0)
            return "/proc/self/exe";
        self[n] = 0;
    }
    return self;
}

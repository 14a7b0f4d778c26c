/* process.c - the Process object: names, identities, join/terminate, the children set, repr (process.py). */
#include "process.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const mp_process_class process_class = {"Process", sizeof(mp_process), NULL, NULL, NULL, NULL};
static const mp_process_class main_class = {"_MainProcess", sizeof(mp_process), NULL, NULL, NULL, NULL};
static const mp_process_class parent_class = {"_ParentProcess", sizeof(mp_process), NULL, NULL, NULL, NULL};

/* The state Python keeps in module globals of multiprocessing.process:
 * the current process, the parent (in a child), the counter behind default
 * names, and the set of started children.  A child resets all of it. */
static mp_process *current;
static mp_process *parent;
static int counter;
static mp_process **children;
static size_t nchildren, capchildren;

/* ---- the main process ------------------------------------------------- */

/* os.urandom(32): the key that later authenticates connections.  No
 * fallback: a key that is not random would authenticate anyone who can
 * guess it, so a failure is an OSError (CPython's os.urandom raises too). */
static int random_authkey(uint8_t key[32])
{
    return mp__random_bytes(key, 32) ? 0 : mp__fail_errno("getrandom");
}

static mp_process *alloc_process(const mp_process_class *cls)
{
    mp_process *p = calloc(1, cls->size);
    if (!p)
        return NULL;
    p->cls = cls;
    p->refs = 1;
    p->exitcode = MP_EXITCODE_NONE;
    p->sentinel = -1;
    p->parent_w = -1;
    return p;
}

mp_process *mp__process_alloc(const mp_process_class *cls)
{
    return alloc_process(cls);
}

const mp_process_class *mp__process_default_class(void)
{
    return &process_class;
}

static const char *current_name(void);

/* Make the MainProcess object on first use; `static` storage would do, but
 * a heap object lets the child replace it like any other. */
static mp_process *ensure_current(void)
{
    if (current)
        return current;
    uint8_t key[32];
    if (random_authkey(key) < 0)
        return NULL;
    mp_process *p = alloc_process(&main_class);
    if (!p || !(p->name = strdup("MainProcess")) || !(p->authkey = mp_bytes(key, sizeof key))) {
        if (p)
            free(p->name);
        free(p);
        mp__fail(MP_ENOMEM, "out of memory");
        return NULL;
    }
    p->is_self = true;
    counter = 1;
    current = p;
    mp__log_set_name_source(current_name);
    return p;
}

mp_process *mp_current_process(void)
{
    return ensure_current();
}

mp_process *mp_parent_process(void)
{
    return parent;
}

/* The log record's processName (util/log.c asks through this). */
static const char *current_name(void)
{
    mp_process *p = ensure_current();
    return p ? p->name : "MainProcess";
}

/* ---- creation and release --------------------------------------------- */

mp_process *mp_process_new(const mp_process_opts *opts)
{
    static const mp_process_opts none;
    const mp_process_opts *o = opts ? opts : &none;
    const mp_process_class *cls = o->cls ? o->cls : &process_class;
    mp_value *args = o->args, *kwargs = o->kwargs;
    mp_process *cur = ensure_current(), *p = NULL;

    if (!cur)
        goto fail;              /* its error (no memory, no random key) is recorded */
    if (args && mp_typeof(args) != MP_T_TUPLE) {
        mp__fail(MP_ETYPE, "args must be a tuple, not %s", mp_type_name(args));
        goto fail;
    }
    if (kwargs && mp_typeof(kwargs) != MP_T_DICT) {
        mp__fail(MP_ETYPE, "kwargs must be a dict, not %s", mp_type_name(kwargs));
        goto fail;
    }
    if (cls->size < sizeof(mp_process) || cur->identity_len >= 8) {
        mp__fail(MP_EVALUE, cls->size < sizeof(mp_process)
                 ? "class size is smaller than mp_process" : "processes nested too deeply");
        goto fail;
    }
    if (!(p = alloc_process(cls)))
        goto nomem;
    if (!args && !(args = mp_tuple_new(0)))
        goto nomem;
    p->args = args;
    p->kwargs = kwargs;
    args = kwargs = NULL;
    p->target = o->target;
    /* _identity = current._identity + (count,): a child's child is 1:1. */
    memcpy(p->identity, cur->identity, cur->identity_len * sizeof(int));
    p->identity[cur->identity_len] = counter++;
    p->identity_len = cur->identity_len + 1;
    p->parent_pid = getpid();
    p->daemon = o->daemon ? o->daemon == MP_YES : cur->daemon;
    p->authkey = mp_incref(cur->authkey);
    if (o->name) {
        p->name = strdup(o->name);
    } else {
        mp__buf b = {0};
        mp__buf_printf(&b, "%s-", cls->name);
        for (size_t i = 0; i < p->identity_len; i++)
            mp__buf_printf(&b, i ? ":%d" : "%d", p->identity[i]);
        p->name = mp__buf_finish(&b);
    }
    if (!p->name)
        goto nomem;
    return p;
nomem:
    mp__fail(MP_ENOMEM, "out of memory");
fail:
    mp_decref(args);
    mp_decref(kwargs);
    mp_process_free(p);
    return NULL;
}

static void close_fds(mp_process *p)
{
    if (p->sentinel >= 0)
        close(p->sentinel);
    if (p->parent_w >= 0)
        close(p->parent_w);
    p->sentinel = p->parent_w = -1;
}

void mp_process_free(mp_process *p)
{
    if (!p || --p->refs > 0)
        return;
    if (p->cls->finalize)
        p->cls->finalize(p);
    const mp__popen_ops *ops = p->popen;
    if (ops && ops->release)
        ops->release(p);
    close_fds(p);
    free(p->name);
    mp_decref(p->args);
    mp_decref(p->kwargs);
    mp_decref(p->authkey);
    free(p);
}

void mp__process_uncount(mp_process *p)
{
    if (p->identity_len && p->identity[p->identity_len - 1] == counter - 1)
        counter--;
}

int mp__thread_number(void)
{
    static _Atomic int threads;
    return ++threads;
}

/* A started process that is a thread of this one (a DummyProcess). */
static bool is_thread(const mp_process *p)
{
    const mp__popen_ops *ops = p->popen;
    return ops && ops->thread;
}

/* ---- the children set -------------------------------------------------- */

static void shutdown_children(void);
static int popen_poll(mp_process *p, bool block);
static int popen_send_signal(mp_process *p, int sig);

void mp__children_add(mp_process *p)
{
    if (nchildren == capchildren) {
        size_t cap = capchildren ? capchildren * 2 : 8;
        mp_process **n = realloc(children, cap * sizeof *n);
        if (!n)
            return;     /* the child still runs; only active_children misses it */
        children = n;
        capchildren = cap;
    }
    p->refs++;
    children[nchildren++] = p;
    mp__exit_set_children_step(shutdown_children);
}

static void discard_child(mp_process *p)
{
    for (size_t i = 0; i < nchildren; i++) {
        if (children[i] == p) {
            children[i] = children[--nchildren];
            mp_process_free(p);
            return;
        }
    }
}

/* _cleanup(): forget children that have ended, reaping them. */
static void cleanup(void)
{
    for (size_t i = nchildren; i-- > 0;) {
        mp_process *p = children[i];
        if (popen_poll(p, false) != MP_EXITCODE_NONE)
            discard_child(p);
    }
}

/* The live children, threads (dummy processes) too if asked: up to cap
 * in buf, and how many there are. */
static size_t live_children(mp_process **buf, size_t cap, bool threads)
{
    size_t n = 0;
    cleanup();
    for (size_t i = 0; i < nchildren; i++) {
        if (!threads && is_thread(children[i]))
            continue;
        if (n < cap)
            buf[n] = children[i];
        n++;
    }
    return n;
}

size_t mp_active_children(mp_process **buf, size_t cap)
{
    /* Not the threads: CPython's multiprocessing does not list them. */
    return live_children(buf, cap, false);
}

/* The exit function's part that needs processes (util._exit_function):
 * terminate the daemonic children, then join every child left. */
static void shutdown_children(void)
{
    size_t n = live_children(NULL, 0, true);
    mp_process **kids = n ? malloc(n * sizeof *kids) : NULL;
    n = kids ? live_children(kids, n, true) : 0;
    for (size_t i = 0; i < n; i++) {
        if (mp_process_daemon(kids[i]) && !is_thread(kids[i])) {
            mp_info("calling terminate() for daemon %s", mp_process_name(kids[i]));
            popen_send_signal(kids[i], SIGTERM);
        }
    }
    free(kids);
    /* Again: the terminated ones may have been reaped. */
    n = live_children(NULL, 0, true);
    kids = n ? malloc(n * sizeof *kids) : NULL;
    n = kids ? live_children(kids, n, true) : 0;
    for (size_t i = 0; i < n; i++)
        kids[i]->refs++;        /* join drops the set's reference */
    for (size_t i = 0; i < n; i++) {
        /* A daemon thread is left running, as Python's interpreter leaves
         * its daemon threads at exit (one that never ends would hang it). */
        if (is_thread(kids[i]) && mp_process_daemon(kids[i])) {
            mp_process_free(kids[i]);
            continue;
        }
        mp_info("calling join() for process %s", mp_process_name(kids[i]));
        mp_process_join(kids[i], MP_WAIT_FOREVER);
        mp_process_free(kids[i]);
    }
    free(kids);
}

/* ---- the back end's side (popen_*.py), through p->popen ------------------ */

/* MP_TRACE: an event about child p, as its parent sees it (no line for a
 * dummy process, a thread: CPython's is a threading.Thread). */
void mp__trace_child(const char *event, const mp_process *p, const char *extra)
{
    if (is_thread(p))
        return;
    mp__buf b;
    mp__trace_begin(&b, event);
    mp__trace_quoted(&b, "child", p->name, strlen(p->name));
    mp__buf_printf(&b, " cpid=%ld%s", (long)p->pid, extra);
    mp__trace_end(&b);
}

static int popen_poll(mp_process *p, bool block)
{
    const mp__popen_ops *ops = p->popen;
    if (!ops || p->exitcode != MP_EXITCODE_NONE)
        return p->exitcode;
    int code = ops->poll(p, block);
    if (MP__TRACING && code != MP_EXITCODE_NONE) {     /* the first time it is known */
        char extra[32];
        snprintf(extra, sizeof extra, " code=%d", code);
        mp__trace_child("proc.exit", p, extra);
    }
    return code;
}

/* Without a limit, a child of this process's own is waited for itself,
 * not reaped (waitid with WNOWAIT): the sentinel reads end of file a
 * moment before the child can be reaped, so a wait on it wakes twice,
 * and a start and join cost a tenth more.  1 when it has ended, 0 when
 * it cannot be waited for so, or MP_EINTERRUPT: SIGINT's handler has no
 * SA_RESTART, so the wait returns for it, as the sentinel's poll would. */
static int wait_own_child(mp_process *p)
{
    const mp__popen_ops *ops = p->popen;
    if (!ops || !ops->own_child || p->pid <= 0)
        return 0;
    for (;;) {
        int rc = mp__interrupted();
        if (rc < 0)
            return rc;
        siginfo_t si;
        if (waitid(P_PID, (id_t)p->pid, &si, WEXITED | WNOWAIT) == 0)
            return 1;
        if (errno != EINTR)
            return 0;       /* ECHILD: reaped elsewhere; the sentinel says */
    }
}

/* wait(timeout): 0 with the exit code (MP_EXITCODE_NONE if the child has
 * not ended by the deadline) in *exitcode, or an error of the wait (a
 * SIGINT is KeyboardInterrupt).  The wait is interruptible, even without
 * a limit, as CPython's. */
static int popen_wait(mp_process *p, const mp__deadline *d, int *exitcode)
{
    *exitcode = p->exitcode;
    if (p->exitcode != MP_EXITCODE_NONE)
        return 0;
    int own = d->kind == MP__NEVER ? wait_own_child(p) : 0;
    if (own < 0)
        return own;
    if (!own && d->kind != MP__NOW && p->sentinel >= 0) {
        int r = mp__wait_readable(p->sentinel, d);
        if (r <= 0)
            return r;
    }
    /* A readable sentinel means the child has ended: waitpid() will not
     * block (popen_fork.py's wait does the same). */
    *exitcode = popen_poll(p, d->kind != MP__NOW);
    return 0;
}

static int popen_send_signal(mp_process *p, int sig)
{
    if (is_thread(p))       /* a thread cannot be stopped from outside */
        return mp__fail(MP_EATTR, "'%s' object has no attribute '%s'", p->cls->name,
                        sig == SIGTERM ? "terminate" : "kill");
    if (p->exitcode != MP_EXITCODE_NONE)
        return 0;
    if (kill(p->pid, sig) == 0 || errno == ESRCH)
        return 0;
    /* A failure for a child that has just ended is not an error. */
    int e = errno, code;
    mp__deadline d;
    mp__deadline_set(&d, MP_TIMEOUT(0.1));
    if (popen_wait(p, &d, &code) < 0 || code == MP_EXITCODE_NONE) {
        errno = e;
        return mp__fail_errno("kill");
    }
    return 0;
}

/* The processes a forked child was before it became itself, oldest first
 * (MainProcess, then each forked generation): user code in the child may
 * still hold borrowed pointers to them, and the parent's name is borrowed
 * from the last, so they are kept, not freed.  Nesting is at most eight
 * deep (a process's identity), so nine places hold every generation.
 * volatile, because pointers that are only ever written would be
 * optimised away and the objects would then look leaked. */
static mp_process *volatile ancestors[9];
static size_t nancestors;

/* The parent as a child sees it (_ParentProcess): its name, pid and a
 * sentinel that reads EOF when it ends.  Static, and named by a borrowed
 * string, because a child should write as little memory as it can: every
 * page it writes is copied (the fork benchmark counts these faults). */

static mp_process parent_obj = {.cls = &parent_class, .refs = 1, .sentinel = -1,
                                .parent_w = -1, .is_parent = true,
                                .exitcode = MP_EXITCODE_NONE};

/* In a new child: this object is now the current process, the parent is
 * described as above, and the children set and counter start over.  The
 * set's references to the parent's children are dropped: an object the
 * child's copy of main() still points at survives, the rest are freed, and
 * either way the child no longer holds its siblings' sentinels open.
 * parent_name must outlive the process (the old current process's name,
 * which is never freed in the child, or a string the caller keeps). */
void mp__process_after_fork_child(mp_process *self, const char *parent_name,
                                  pid_t parent_pid, int parent_sentinel)
{
    mp_process *old = current;

    if (old && old != self && nancestors < sizeof ancestors / sizeof ancestors[0])
        ancestors[nancestors++] = old;
    if (parent && parent->sentinel >= 0)
        close(parent->sentinel);    /* the grandparent's, inherited */
    parent_obj.name = (char *)parent_name;
    parent_obj.pid = parent_pid;
    parent_obj.sentinel = parent_sentinel;
    parent = &parent_obj;
    if (old && old != self)
        old->is_self = false;
    self->is_self = true;
    self->pid = 0;          /* in the child its own _popen is None */
    current = self;
    mp__log_set_name_source(current_name);
    counter = 1;
    for (size_t i = 0; i < nchildren; i++)
        mp_process_free(children[i]);
    free(children);
    children = NULL;
    nchildren = capchildren = 0;
}

/* ---- the methods -------------------------------------------------------- */

static int check_closed(const mp_process *p)
{
    return p->closed ? mp__fail(MP_EVALUE, "process object is closed") : 0;
}

static bool started(const mp_process *p)
{
    return p->pid != 0;
}

int mp__process_check_startable(mp_process *p, bool thread)
{
    int rc = check_closed(p);
    mp_process *cur = ensure_current();

    if (rc < 0)
        return rc;
    /* The current process has no _popen: CPython's next assert names it. */
    if (started(p))
        return mp__fail(MP_EASSERT, "cannot start a process twice");
    if (p->parent_pid != getpid())
        return mp__fail(MP_EASSERT,
                        "can only start a process object created by current process");
    if (cur && cur->daemon && !thread)
        return mp__fail(MP_EASSERT, "daemonic processes are not allowed to have children");
    mp__ensure_atexit();
    cleanup();
    return 0;
}

int mp_process_run(mp_process *p)
{
    if (p->cls->run)
        return p->cls->run(p);
    if (p->target)
        return p->target(p->args);
    return 0;
}

int mp_process_join(mp_process *p, mp_timeout timeout)
{
    mp__deadline d;
    int rc = check_closed(p);
    if (rc < 0)
        return rc;
    if (p->is_parent) {     /* _ParentProcess.join: wait for its sentinel */
        if ((rc = mp__deadline_set(&d, timeout)) == 0)
            rc = mp__wait_readable(p->sentinel, &d);
        return rc < 0 ? rc : 0;
    }
    /* CPython's order: who may join, then the timeout (popen.wait's). */
    if (p->parent_pid != getpid() || p->is_self)
        return mp__fail(MP_EASSERT, "can only join a child process");
    if (!started(p))
        return mp__fail(MP_EASSERT, "can only join a started process");
    if ((rc = mp__deadline_set(&d, timeout)) < 0)
        return rc;
    int code;
    if (MP__TRACING)
        mp__trace_child("join.wait", p, "");
    rc = popen_wait(p, &d, &code);
    if (MP__TRACING)
        mp__trace_child("join.done", p, rc < 0 || code == MP_EXITCODE_NONE ? " ended=0" : " ended=1");
    if (rc < 0)
        return rc;
    if (code != MP_EXITCODE_NONE)
        discard_child(p);
    return 0;
}

bool mp_process_is_alive(mp_process *p)
{
    if (check_closed(p) < 0)
        return false;
    if (p->is_self)
        return true;
    if (p->is_parent)       /* alive while its end of the sentinel pipe is open */
        return p->sentinel >= 0 && mp__wait_readable(p->sentinel, &mp__now) == 0;
    if (p->parent_pid != getpid()) {
        mp__fail(MP_EASSERT, "can only test a child process");
        return false;
    }
    if (!started(p))
        return false;
    if (popen_poll(p, false) == MP_EXITCODE_NONE)
        return true;
    discard_child(p);
    return false;
}

static int send_signal(mp_process *p, int sig)
{
    int rc = check_closed(p);
    if (rc < 0)
        return rc;
    /* CPython calls self._popen.terminate(), and _popen is None. */
    if (!started(p))
        return mp__fail(MP_EATTR, "'NoneType' object has no attribute '%s'",
                        sig == SIGTERM ? "terminate" : "kill");
    return popen_send_signal(p, sig);
}

int mp_process_terminate(mp_process *p)
{
    return send_signal(p, SIGTERM);
}

int mp_process_kill(mp_process *p)
{
    return send_signal(p, SIGKILL);
}

int mp_process_close(mp_process *p)
{
    if (started(p) && !p->closed) {
        if (popen_poll(p, false) == MP_EXITCODE_NONE)
            return mp__fail(MP_EVALUE, "Cannot close a process while it is still running. "
                            "You should first call join() or terminate().");
        close_fds(p);
        discard_child(p);
    }
    p->closed = true;
    return 0;
}

/* ---- accessors ---------------------------------------------------------- */

const char *mp_process_name(const mp_process *p)
{
    return p->name;
}

int mp_process_set_name(mp_process *p, const char *name)
{
    char *n = name ? strdup(name) : NULL;
    if (!n)
        return name ? mp__fail(MP_ENOMEM, "out of memory")
                    : mp__fail(MP_EASSERT, "name must be a string");
    free(p->name);
    p->name = n;
    return 0;
}

bool mp_process_daemon(const mp_process *p)
{
    return p->daemon;
}

int mp_process_set_daemon(mp_process *p, bool daemon)
{
    if (started(p))
        return mp__fail(MP_EASSERT, "process has already started");
    p->daemon = daemon;
    return 0;
}

pid_t mp_process_pid(const mp_process *p)
{
    if (check_closed(p) < 0)
        return 0;
    return p->is_self ? getpid() : p->pid;
}

pid_t mp_process_ident(const mp_process *p)
{
    return mp_process_pid(p);
}

int mp_process_exitcode(mp_process *p)
{
    if (check_closed(p) < 0 || !started(p))
        return MP_EXITCODE_NONE;
    return popen_poll(p, false);
}

const mp_value *mp_process_authkey(const mp_process *p)
{
    return p->authkey;
}

int mp_process_set_authkey(mp_process *p, const void *key, size_t len)
{
    mp_value *k = mp_bytes(key, len);
    if (!k)
        return mp__fail(MP_ENOMEM, "out of memory");
    mp_decref(p->authkey);
    p->authkey = k;
    return 0;
}

int mp_process_sentinel(const mp_process *p)
{
    int rc = check_closed(p);
    if (rc < 0)
        return rc;
    if (p->is_parent || (started(p) && p->sentinel >= 0))
        return p->sentinel;
    return mp__fail(MP_EVALUE, "process not started");
}

const mp_value *mp_process_args(const mp_process *p)
{
    return p->args;
}

const mp_value *mp_process_kwargs(const mp_process *p)
{
    return p->kwargs;
}

/* ---- repr --------------------------------------------------------------- */

/* The names Python gives negative exit codes: signal.Signals' names, with
 * Python's choice among aliases (SIGPOLL, not SIGIO). */
static const char *const signames[65] = {
    [1] = "SIGHUP", [2] = "SIGINT", [3] = "SIGQUIT", [4] = "SIGILL", [5] = "SIGTRAP",
    [6] = "SIGABRT", [7] = "SIGBUS", [8] = "SIGFPE", [9] = "SIGKILL", [10] = "SIGUSR1",
    [11] = "SIGSEGV", [12] = "SIGUSR2", [13] = "SIGPIPE", [14] = "SIGALRM",
    [15] = "SIGTERM", [16] = "SIGSTKFLT", [17] = "SIGCHLD", [18] = "SIGCONT",
    [19] = "SIGSTOP", [20] = "SIGTSTP", [21] = "SIGTTIN", [22] = "SIGTTOU",
    [23] = "SIGURG", [24] = "SIGXCPU", [25] = "SIGXFSZ", [26] = "SIGVTALRM",
    [27] = "SIGPROF", [28] = "SIGWINCH", [29] = "SIGPOLL", [30] = "SIGPWR",
    [31] = "SIGSYS", [34] = "SIGRTMIN", [64] = "SIGRTMAX",
};

char *mp_process_repr(const mp_process *p)
{
    mp__buf b = {0};
    const char *status;
    int exitcode = MP_EXITCODE_NONE;

    if (p->is_self)
        status = "started";
    else if (p->closed)
        status = "closed";
    else if (p->parent_pid != getpid())
        status = "unknown";
    else if (!started(p))
        status = "initial";
    else {
        exitcode = popen_poll((mp_process *)p, false);
        status = exitcode != MP_EXITCODE_NONE ? "stopped" : "started";
    }
    mp__buf_printf(&b, "<%s name=", p->cls->name);
    mp__buf_repr_str(&b, p->name, strlen(p->name));
    if (started(p) && !p->closed)
        mp__buf_printf(&b, " pid=%d", (int)p->pid);
    if (p->parent_pid)
        mp__buf_printf(&b, " parent=%d", (int)p->parent_pid);
    else
        mp__buf_puts(&b, " parent=None");
    mp__buf_printf(&b, " %s", status);
    if (exitcode != MP_EXITCODE_NONE) {
        if (exitcode < 0 && -exitcode <= 64 && signames[-exitcode])
            mp__buf_printf(&b, " exitcode=-%s", signames[-exitcode]);
        else
            mp__buf_printf(&b, " exitcode=%d", exitcode);
    }
    if (p->daemon)
        mp__buf_puts(&b, " daemon");
    mp__buf_puts(&b, ">");
    return mp__buf_finish(&b);
}

int mp_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* spawn.c - describe a process for a child that re-runs the program, and be that child (spawn.py). */
#include "start.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* CPython's own words (multiprocessing/spawn.py), so that the conformance
 * suite can compare our stderr with the twin's. */
static const char bootstrapping_msg[] =
    "\n"
    "        An attempt has been made to start a new process before the\n"
    "        current process has finished its bootstrapping phase.\n"
    "\n"
    "        This probably means that you are not using fork to start your\n"
    "        child processes and you have forgotten to use the proper idiom\n"
    "        in the main module:\n"
    "\n"
    "            if __name__ == '__main__':\n"
    "                freeze_support()\n"
    "                ...\n"
    "\n"
    "        The \"freeze_support()\" line can be omitted if the program\n"
    "        is not going to be frozen to produce an executable.\n"
    "\n"
    "        To fix this issue, refer to the \"Safe importing of main module\"\n"
    "        section in https://docs.python.org/3/library/multiprocessing.html\n"
    "        ";

int mp__check_not_importing_main(void)
{
    if (mp__spawn_inheriting())
        return mp__fail(MP_ERUNTIME, "%s", bootstrapping_msg);
    return 0;
}

/* ---- the parent's side -------------------------------------------------- */

/* The description's length: 8 bytes, big-endian. */
#define HEADER 8

/* d[key] = val, taking val over; once one fails (*rc < 0), the rest are
 * only released, so the first failure is the one reported. */
static void put(mp_value *d, const char *key, mp_value *val, int *rc)
{
    if (*rc < 0)
        mp_decref(val);
    else
        *rc = mp_dict_set(d, mp_str(key), val);
}

/* A class the child can find again by its name. */
static bool findable(const mp_process_class *cls)
{
    return cls == mp__process_default_class() || mp__context_class(cls->name) == cls
           || mp__process_class_find(cls->name) == cls;
}

int mp__spawn_encode(mp_process *p, const char *method, uint8_t **out, size_t *len,
                     mp__fdlist *fds)
{
    const mp_process_class *cls = p->cls;
    const char *target = NULL;
    mp_value *state = NULL, *ident, *d;
    int rc = 0;
    bool logger;
    int level, handlers;

    if (p->target && !(target = mp_target_name(p->target)))
        return mp__fail(MP_EPICKLE, "Can't pickle the target of %s: its function is not "
                        "registered with MP_TARGET", p->name);
    if (!findable(cls))
        return mp__fail(MP_EPICKLE, "Can't pickle <class '%s'>: it is not registered "
                        "with MP_PROCESS_CLASS", cls->name);
    if (cls->getstate) {
        unsigned long mark = mp__fail_mark();
        if (!(state = cls->getstate(p)))
            return mp__fail_since(mark, MP_EPICKLE, "%s's getstate returned NULL", cls->name);
    } else if (cls->size > sizeof(mp_process)) {
        return mp__fail(MP_EPICKLE, "cannot pickle '%s' object: it has fields of its own "
                        "but no getstate and setstate", cls->name);
    }
    if (!(ident = mp_tuple_new(p->identity_len)) || !(d = mp_dict_new())) {
        mp_decref(ident);
        mp_decref(state);
        return mp__fail(MP_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < p->identity_len; i++)
        mp_tuple_set(ident, i, mp_int(p->identity[i]));
    mp__log_get(&logger, &level, &handlers);
    put(d, "name", mp_str(p->name), &rc);
    put(d, "class", mp_str(cls->name), &rc);
    put(d, "target", target ? mp_str(target) : mp_none(), &rc);
    put(d, "args", mp_incref(p->args), &rc);
    put(d, "kwargs", p->kwargs ? mp_incref(p->kwargs) : mp_none(), &rc);
    put(d, "daemon", mp_bool(p->daemon), &rc);
    put(d, "identity", ident, &rc);
    put(d, "authkey", mp_incref(p->authkey), &rc);
    put(d, "parent_pid", mp_int(p->parent_pid), &rc);
    put(d, "parent_name", mp_str(mp_process_name(mp_current_process())), &rc);
    put(d, "start_method", mp_str(method), &rc);
    put(d, "logger", mp_bool(logger), &rc);
    put(d, "log_level", mp_int(level), &rc);
    put(d, "log_handlers", mp_int(handlers), &rc);
    put(d, "state", state ? state : mp_none(), &rc);
    if (rc < 0) {
        mp_decref(d);
        return rc;
    }
    uint8_t *pk;
    size_t n;
    /* Connections and queues in args or state register the descriptors
     * they need; those travel with the description. */
    mp__reduce_begin(fds);
    rc = mp__pickle_dumps_room(d, NULL, HEADER, &pk, &n);
    mp__reduce_end();
    mp_decref(d);
    if (rc < 0) {
        mp__fdlist_release(fds);
        return rc;
    }
    /* A length first: the child reads exactly the description, and the
     * stream stays open afterwards as its view of the parent.  Eight bytes,
     * so that arguments of any size pass, as CPython's do. */
    mp__put_be64(pk, n - HEADER);
    *out = pk;
    *len = n;
    return 0;
}

/* ---- the child's side --------------------------------------------------- */

int mp__spawn_send_rest(int fd, const uint8_t *buf, size_t len, size_t off)
{
    while (off < len) {
        ssize_t w = send(fd, buf + off, len - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return errno == EPIPE || errno == ECONNRESET ? 0 : mp__fail_errno("send");
        off += (size_t)w;
    }
    return 0;
}

static const mp_value *lookup(const mp_value *d, const char *key)
{
    mp_value *k = mp_str(key);
    const mp_value *v = mp_dict_get(d, k);
    mp_decref(k);
    return v;
}

/* The value for key if it has the expected type, else NULL. */
static const mp_value *get(const mp_value *d, const char *key, mp_type type)
{
    const mp_value *v = lookup(d, key);
    return v && mp_typeof(v) == type ? v : NULL;
}

/* The child cannot go on; say why as Python would, and give exit code 1. */
static int give_up(int code)
{
    return mp_excepthook(code);
}

static int rebuild(const mp_value *d, mp_process **out, const char **parent_name)
{
    const mp_value *name = get(d, "name", MP_T_STR), *cname = get(d, "class", MP_T_STR);
    const mp_value *args = get(d, "args", MP_T_TUPLE), *ident = get(d, "identity", MP_T_TUPLE);
    const mp_value *authkey = get(d, "authkey", MP_T_BYTES), *pname = get(d, "parent_name", MP_T_STR);
    const mp_value *target = get(d, "target", MP_T_STR), *kwargs = get(d, "kwargs", MP_T_DICT);
    const mp_value *state = lookup(d, "state");

    if (!name || !cname || !args || !ident || !authkey || !pname || mp_len(ident) > 8)
        return mp__fail(MP_EUNPICKLE, "the process description from the parent is incomplete");
    const char *cn = mp_as_str(cname);
    const mp_process_class *cls = strcmp(cn, "Process") == 0 ? mp__process_default_class()
                                  : mp__context_class(cn) ? mp__context_class(cn)
                                  : mp__process_class_find(cn);
    if (!cls)
        return mp_raise("AttributeError", "Can't get attribute '%s' on <module '__mp_main__'>", cn);
    mp_target_fn fn = NULL;
    if (target && !(fn = mp__target_find(mp_as_str(target))))
        return mp_raise("AttributeError", "Can't get attribute '%s' on <module '__mp_main__'>",
                        mp_as_str(target));
    mp_process *p = mp__process_alloc(cls);
    if (!p || !(p->name = strdup(mp_as_str(name))) || !(*parent_name = strdup(mp_as_str(pname)))) {
        mp_process_free(p);
        return mp__fail(MP_ENOMEM, "out of memory");
    }
    p->target = fn;
    p->args = mp_incref(args);
    p->kwargs = mp_incref(kwargs);
    p->authkey = mp_incref(authkey);
    p->daemon = mp_as_bool(get(d, "daemon", MP_T_BOOL));
    p->parent_pid = (pid_t)mp_as_int(get(d, "parent_pid", MP_T_INT));
    p->identity_len = mp_len(ident);
    for (size_t i = 0; i < p->identity_len; i++)
        p->identity[i] = (int)mp_as_int(mp_item(ident, i));
    p->ctx = mp__context_by_class(cls);
    if (cls->setstate && state && mp_typeof(state) != MP_T_NONE) {
        int rc = cls->setstate(p, state);
        if (rc < 0) {
            mp_process_free(p);
            return rc;
        }
    }
    mp__log_set(mp_as_bool(get(d, "logger", MP_T_BOOL)), (int)mp_as_int(get(d, "log_level", MP_T_INT)),
                (int)mp_as_int(get(d, "log_handlers", MP_T_INT)));
    *out = p;
    return 0;
}

/* The description being read (see mp__spawn_child_main). */
static uint8_t *volatile reading;

int mp__spawn_child_main(int fd, const char *method)
{
    uint8_t hdr[HEADER], *buf;
    mp_value *d = NULL;
    mp_process *p = NULL;
    const char *parent_name = NULL;
    int rc;

    /* Nothing of this may reach the child's own children. */
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    mp__set_module_name("__mp_main__");
    mp__fdlist fds = {0};
    /* The descriptors of the objects in it ride on its first bytes. */
    if ((rc = mp__recv_fds(fd, hdr, HEADER, &fds)) < 0)
        return give_up(rc);
    uint64_t n64 = mp__get_be64(hdr);
    size_t n = (size_t)n64;
    if (n64 > SIZE_MAX - 1 || !(buf = malloc(n ? n : 1)))
        return give_up(mp__fail(MP_ENOMEM, "out of memory"));
    /* A child can be terminated while it reads; keep the buffer reachable
     * from a static so that valgrind's check at that signal sees no leak. */
    reading = buf;
    mp__rebuild_begin(&fds);
    /* Our own parent wrote it: no limit on a single argument's size, as
     * CPython's child has none (a message from a peer keeps the limits). */
    if ((rc = mp__read_exact(fd, buf, n, false)) == 0)
        rc = mp_pickle_loads(buf, n, &(mp_unpickle_opts){.max_size = SIZE_MAX}, &d);
    mp__rebuild_end();
    /* Descriptors no object took (a description that failed to load)
     * must not stay open in the child. */
    mp__fdlist_close(&fds);
    free(buf);
    reading = NULL;
    if (rc == 0 && mp_typeof(d) != MP_T_DICT)
        rc = mp__fail(MP_EUNPICKLE, "the process description is not a dict");
    if (rc == 0) {
        const mp_value *m = get(d, "start_method", MP_T_STR);
        /* context._force_start_method: the child uses the parent's method. */
        mp_set_start_method(m ? mp_as_str(m) : method, true);
        rc = rebuild(d, &p, &parent_name);
    }
    mp_decref(d);
    if (rc < 0)
        return give_up(rc);
    mp__set_bootstrapped();
    /* The stream from the parent reads EOF when the parent goes: it is the
     * parent's sentinel, as CPython's dup of the pipe handle is. */
    return mp__process_bootstrap(p, parent_name, p->parent_pid, fd);
}

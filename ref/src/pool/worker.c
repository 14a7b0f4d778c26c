/* worker.c - a pool worker's loop: take a task, say which it is, run it, send its result (pool.py's worker()). */
#include "pool.h"

#include <stdlib.h>
#include <string.h>

mp_value *mp__pool_error_value(int code)
{
    mp__exc e;
    mp__exc_save(&e);
    return mp_tuple_of(code, e.err, mp_errname(code), e.msg);
}

/* Run one task's function on args; its value in *out (None if it left
 * none), or its error recorded as its own. */
static int call(mp_task_fn fn, const char *name, const mp_value *args, mp_value **out)
{
    *out = NULL;
    if (!fn)
        return mp__fail(MP_EATTR, "Can't get attribute '%s' on <module '__main__'>", name);
    unsigned long mark = mp__fail_mark();
    int rc = fn(args, out);
    if (rc < 0) {
        mp_decref(*out);
        *out = NULL;
        return mp__fail_since(mark, rc, "%s", "");
    }
    if (!*out)
        *out = mp_none();
    return 0;
}

/* A chunk of map or starmap: a list of the values, or the first error. */
static int run_chunk(mp_task_fn fn, const char *name, int mode, const mp_value *items, mp_value **out)
{
    mp_value *list = mp_list_new();
    if (!list)
        return mp_errcode();
    for (size_t k = 0; k < mp_len(items); k++) {
        const mp_value *item = mp_item(items, k);
        /* (item,) made directly: mp_tuple_of's conversion of its
         * arguments costs more than the call of a small task. */
        mp_value *args = mode == MP__POOL_STAR ? mp_incref(item) : mp_tuple_new(1);
        int rc = args ? 0 : mp_errcode();
        if (args && mode != MP__POOL_STAR)
            rc = mp_tuple_set(args, 0, mp_incref(item));
        mp_value *v = NULL;
        if (rc == 0)
            rc = call(fn, name, args, &v);
        mp_decref(args);
        if (rc == 0 && (rc = mp_list_append(list, v)) == 0)
            continue;
        mp_decref(list);
        return rc;
    }
    *out = list;
    return 0;
}

/* Send the outcome; a value the result queue cannot take is a failure of
 * its own, in CPython's words (MaybeEncodingError). */
static int send(mp_simple_queue *outq, int64_t job, int64_t index, int rc, mp_value *value)
{
    if (rc == 0) {
        rc = mp_simple_queue_put(outq, mp_tuple_of(job, index, (bool)true, mp_incref(value)));
        if (rc == 0 || rc == MP_ECLOSED || rc == MP_EOS) {
            mp_decref(value);
            return rc;
        }
        char *r = mp_repr(value), *why = strdup(mp_errmsg());
        mp_raise("multiprocessing.pool.MaybeEncodingError", "Error sending result: '%s'. Reason: '%s'",
                 r ? r : "?", why ? why : "?");
        free(r);
        free(why);
        mp_decref(value);
        rc = MP_EEXCEPTION;
    }
    return mp_simple_queue_put(outq, mp_tuple_of(job, index, (bool)false, mp__pool_error_value(rc)));
}

/* MP_TRACE: a worker's line about one task (a chunk of a map). */
static void trace_task(const char *event, int64_t job, int64_t index, const char *extra)
{
    mp__buf b;
    mp__trace_begin(&b, event);
    mp__buf_printf(&b, " job=%lld index=%lld%s", (long long)job, (long long)index, extra);
    mp__trace_end(&b);
}

int mp__pool_worker(const mp_value *args)
{
    mp_simple_queue *inq = mp_as_simple_queue(mp_item(args, 0));
    mp_simple_queue *outq = mp_as_simple_queue(mp_item(args, 1));
    mp__pool_slots *slots = mp__pool_slots_of(mp_item(args, 2));
    size_t place = (size_t)mp_as_int(mp_item(args, 3));
    const mp_value *init = mp_item(args, 4);
    int64_t maxtasks = mp_as_int(mp_item(args, 6));
    if (!inq || !outq || !slots)
        return mp__fail(MP_ETYPE, "bad arguments for a pool worker");
    if (mp_typeof(init) == MP_T_STR || mp_typeof(init) == MP_T_INT) {
        /* By address in a ThreadPool's thread, by name in a process. */
        mp_target_fn fn = mp_typeof(init) == MP_T_INT ? (mp_target_fn)(intptr_t)mp_as_int(init)
                                                       : mp__target_find(mp_as_str(init));
        if (!fn)
            return mp__fail(MP_EATTR, "Can't get attribute '%s' on <module '__main__'>", mp_as_str(init));
        int rc = fn(mp_item(args, 5));
        if (rc < 0)
            return rc;      /* the worker dies of it, as CPython's does */
    }
    for (int64_t completed = 0; maxtasks <= 0 || completed < maxtasks; completed++) {
        mp_value *task = NULL;
        int rc = mp_simple_queue_get(inq, &task);
        if (rc == MP_EOWNERDEAD) {
            /* A worker killed while taking a task lost it with it. */
            mp_debug("worker lost a task: %s", mp_errmsg());
            continue;
        }
        if (rc < 0 || mp_typeof(task) == MP_T_NONE) {
            mp_decref(task);
            mp_debug(rc < 0 ? "worker got EOFError or OSError -- exiting" : "worker got sentinel -- exiting");
            break;
        }
        int64_t job = mp_as_int(mp_item(task, 0)), index = mp_as_int(mp_item(task, 1));
        const mp_value *func = mp_item(task, 2);
        const char *name = mp_as_str(func);
        int mode = (int)mp_as_int(mp_item(task, 3));
        const mp_value *payload = mp_item(task, 4);
        mp__pool_slot_begin(slots, place, (uint64_t)job, (uint64_t)index);
        if (MP__TRACING)
            trace_task("task.start", job, index, "");
        mp_task_fn fn = mp_typeof(func) == MP_T_INT ? (mp_task_fn)(intptr_t)mp_as_int(func)
                        : name ? mp__task_find(name) : NULL;
        mp_value *value = NULL;
        rc = mode == MP__POOL_APPLY ? call(fn, name ? name : "?", payload, &value)
                                    : run_chunk(fn, name ? name : "?", mode, payload, &value);
        if (MP__TRACING)
            trace_task("task.done", job, index, rc < 0 ? " ok=0" : " ok=1");
        rc = send(outq, job, index, rc, value);
        mp__pool_slot_end(slots, place);
        mp_decref(task);
        if (rc == MP_ECLOSED || rc == MP_EOS) {
            mp_debug("Possible encoding error while sending result");
            break;
        }
    }
    mp_debug("worker exiting");
    return 0;
}

/* Registered under a name no program's function can have. */
static mp_target_entry worker_entry = {"multiprocessing.pool.worker", mp__pool_worker, NULL};
__attribute__((constructor)) static void register_worker(void)
{
    mp__target_register(&worker_entry);
}

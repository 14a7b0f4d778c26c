/* wait.c - multiprocessing.connection.wait(): connections and descriptors polled together, with a timeout. */
#include "connection.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>

/* A connection that is ready without asking its socket: a message in its
 * stage, or in a Pipe's ring (or the Pipe's end of file).  0 means ask the
 * socket (always for other connections); < 0 an error. */
static int ready_now(mp_connection *c)
{
    if (c->lanes) {
        int rc = mp__lane_poll(c, &mp__now);
        if (rc != 2)
            return rc;
    }
    return mp__conn_staged(c);
}

/* The descriptor to poll for objects[i]: a connection's own (without
 * fileno(), which would take a Pipe off its rings), or an integer. */
static int fd_of(const mp_value *o)
{
    mp_connection *c = mp_as_connection(o);
    if (c)
        return c->fd < 0 ? mp__fail(MP_ECLOSED, "handle is closed") : c->fd;
    if (mp_typeof(o) == MP_T_INT)
        return mp_as_int(o) < 0 || mp_as_int(o) > INT32_MAX
               ? mp__fail(MP_EVALUE, "file descriptor cannot be a negative integer (%lld)",
                          (long long)mp_as_int(o))
               : (int)mp_as_int(o);
    /* selectors' words for an object with no fileno(): its repr. */
    char *r = mp_repr(o);
    int rc = r ? mp__fail(MP_EVALUE, "Invalid file object: %s", r) : MP_ENOMEM;
    free(r);
    return rc;
}

/* Mark in ready[] the objects that are ready without asking the kernel
 * (see ready_now); how many, or an error. */
static int scan_connections(const mp_value *objects, size_t n, bool *ready)
{
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        mp_connection *c = mp_as_connection(mp_item(objects, i));
        int rc = c ? ready_now(c) : 0;
        if (rc < 0)
            return rc;
        ready[i] = rc > 0;
        found += ready[i];
    }
    return found;
}

/* After poll(): mark the objects whose descriptor woke, unless it is a
 * Pipe's socket woken by a bell whose message another reader has taken
 * (only the ring says).  How many are ready, or an error. */
static int scan_polled(const mp_value *objects, size_t n, const struct pollfd *pf, bool *ready)
{
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        mp_connection *c = mp_as_connection(mp_item(objects, i));
        if (!ready[i] && pf[i].revents && c && c->lanes) {
            int rc = mp__lane_poll(c, &mp__now);
            if (rc < 0)
                return rc;
            if (rc == 0)
                continue;
        }
        if (ready[i] || pf[i].revents) {
            ready[i] = true;
            found++;
        }
    }
    return found;
}

int mp_wait(const mp_value *objects, mp_timeout timeout, mp_value **ready)
{
    mp_type t = mp_typeof(objects);
    if (t != MP_T_LIST && t != MP_T_TUPLE)
        return mp__fail(MP_ETYPE, "wait() wants a list of objects, not '%s'", mp_type_name(objects));
    mp__deadline d;
    int rc = mp__deadline_set(&d, timeout);
    if (rc < 0)
        return rc;
    size_t n = mp_len(objects);
    struct pollfd *pf = calloc(n ? n : 1, sizeof *pf);
    bool *now = calloc(n ? n : 1, sizeof *now);
    if (!pf || !now) {
        free(pf);
        free(now);
        return mp__fail(MP_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        int fd = fd_of(mp_item(objects, i));
        if (fd < 0)
            rc = fd;
        else
            pf[i] = (struct pollfd){.fd = fd, .events = POLLIN};
    }
    /* A connection ready on its own is ready whatever its socket says: the
     * others are then only looked at, not waited for. */
    int found = 0;
    while (rc == 0 && found == 0) {
        if ((found = scan_connections(objects, n, now)) < 0) {
            rc = found;
            break;
        }
        int ms = found ? 0 : mp__deadline_ms(&d);
        if (ms != 0 && (rc = mp__interrupted()) < 0)
            break;
        int r = poll(pf, (nfds_t)n, ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = mp__fail_errno("poll");
            break;
        }
        if ((found = scan_polled(objects, n, pf, now)) < 0)
            rc = found;
        else if (ms == 0)
            break;
    }
    mp_value *list = rc == 0 ? mp_list_new() : NULL;
    if (rc == 0 && !list)
        rc = MP_ENOMEM;
    for (size_t i = 0; i < n && rc == 0; i++)
        if (now[i])
            rc = mp_list_append(list, mp_incref(mp_item(objects, i)));
    free(pf);
    free(now);
    if (rc < 0) {
        mp_decref(list);
        return rc;
    }
    *ready = list;
    return 0;
}

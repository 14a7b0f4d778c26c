/* wait.c - multiprocessing.connection.wait(): connections and descriptors polled together, with a timeout. */
#include "connection.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>

/* A connection that is ready without asking its socket: a message in its
 * stage, or in a Pipe's ring (or the Pipe's end of file).  0 means ask the
 * socket (always for other connections); < 0 an error. */
static int ready_now(mp_connection *c)
{
    if (c->lanes) {
        int rc = mp__lane_poll(c, 0);
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
    return mp__fail(MP_ETYPE, "wait() cannot wait on a '%s' object", mp_type_name(o));
}

int mp_wait(const mp_value *objects, double timeout, mp_value **ready)
{
    mp_type t = mp_typeof(objects);
    if (t != MP_T_LIST && t != MP_T_TUPLE)
        return mp__fail(MP_ETYPE, "wait() wants a list of objects, not '%s'", mp_type_name(objects));
    size_t n = mp_len(objects);
    struct pollfd *pf = calloc(n ? n : 1, sizeof *pf);
    bool *now = calloc(n ? n : 1, sizeof *now);
    if (!pf || !now) {
        free(pf);
        free(now);
        return mp__fail(MP_ENOMEM, "out of memory");
    }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if ((rc = fd_of(mp_item(objects, i))) >= 0) {
            pf[i] = (struct pollfd){.fd = rc, .events = POLLIN};
            rc = 0;
        }
    }
    struct timespec start, clock;
    clock_gettime(CLOCK_MONOTONIC, &start);
    size_t found = 0;
    while (rc == 0 && found == 0) {
        /* A connection ready on its own is ready whatever its socket says:
         * the others are then only looked at, not waited for. */
        for (size_t i = 0; i < n && rc >= 0; i++) {
            mp_connection *c = mp_as_connection(mp_item(objects, i));
            if ((rc = c ? ready_now(c) : 0) > 0)
                found++;
            now[i] = rc > 0;
        }
        if (rc < 0)
            break;
        rc = 0;
        int ms = found ? 0 : -1;
        if (timeout >= 0 && !found) {
            clock_gettime(CLOCK_MONOTONIC, &clock);
            double left = timeout - ((double)(clock.tv_sec - start.tv_sec) +
                                     (double)(clock.tv_nsec - start.tv_nsec) / 1e9);
            ms = left <= 0 ? 0 : (int)(left * 1000.0 + 0.999);
        }
        int r = poll(pf, (nfds_t)n, ms);
        if (r < 0) {
            if (errno != EINTR)
                rc = mp__fail_errno("poll");
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            mp_connection *c = mp_as_connection(mp_item(objects, i));
            /* A Pipe's socket may wake us for a bell whose message another
             * reader took: only its ring says. */
            if (!now[i] && pf[i].revents && c && c->lanes && (rc = mp__lane_poll(c, 0)) <= 0) {
                if (rc < 0)
                    break;
                pf[i].revents = 0;
            }
            rc = 0;
            if (now[i] || pf[i].revents)
                now[i] = true, found++;
        }
        if (ms == 0)
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

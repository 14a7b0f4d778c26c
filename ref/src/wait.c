/* wait.c - multiprocessing.connection.wait(): connections and descriptors polled together, with a timeout. */
#include "connection.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>

int mp_wait(const mp_value *objects, double timeout, mp_value **ready)
{
    mp_type t = mp_typeof(objects);
    if (t != MP_T_LIST && t != MP_T_TUPLE)
        return mp__fail(MP_ETYPE, "wait() wants a list of objects, not '%s'", mp_type_name(objects));
    size_t n = mp_len(objects);
    struct pollfd *pf = calloc(n ? n : 1, sizeof *pf);
    if (!pf)
        return mp__fail(MP_ENOMEM, "out of memory");
    int rc = 0;
    bool staged = false;
    for (size_t i = 0; i < n && rc == 0; i++) {
        mp_value *o = mp_item(objects, i);
        mp_connection *c = mp_as_connection(o);
        if (c) {
            rc = mp_connection_fileno(c);
            staged = staged || (rc >= 0 && mp__conn_staged(c));
        } else if (mp_typeof(o) == MP_T_INT) {
            rc = mp_as_int(o) < 0 || mp_as_int(o) > INT32_MAX
                 ? mp__fail(MP_EVALUE, "file descriptor cannot be a negative integer (%lld)",
                            (long long)mp_as_int(o))
                 : (int)mp_as_int(o);
        } else {
            rc = mp__fail(MP_ETYPE, "wait() cannot wait on a '%s' object", mp_type_name(o));
        }
        if (rc >= 0) {
            pf[i] = (struct pollfd){.fd = rc, .events = POLLIN};
            rc = 0;
        }
    }
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (rc == 0) {
        /* A connection with a message in its stage is ready whatever its
         * socket says: the others are only looked at, not waited for. */
        int ms = staged ? 0 : -1;
        if (timeout >= 0 && !staged) {
            clock_gettime(CLOCK_MONOTONIC, &now);
            double left = timeout - ((double)(now.tv_sec - start.tv_sec) +
                                     (double)(now.tv_nsec - start.tv_nsec) / 1e9);
            ms = left <= 0 ? 0 : (int)(left * 1000.0 + 0.999);
        }
        int r = poll(pf, (nfds_t)n, ms);
        if (r >= 0)
            break;
        if (errno != EINTR)
            rc = mp__fail_errno("poll");
    }
    mp_value *list = rc == 0 ? mp_list_new() : NULL;
    if (rc == 0 && !list)
        rc = MP_ENOMEM;
    for (size_t i = 0; i < n && rc == 0; i++) {
        mp_connection *c = mp_as_connection(mp_item(objects, i));
        if (pf[i].revents || (c && mp__conn_staged(c)))
            rc = mp_list_append(list, mp_incref(mp_item(objects, i)));
    }
    free(pf);
    if (rc < 0) {
        mp_decref(list);
        return rc;
    }
    *ready = list;
    return 0;
}

/* queue_channel.c - the channel under a Queue: one way of a duplex Pipe (its ring of shared memory), written a batch at a time. */
#include "queues.h"

/* The feeder writes with writer, readers read with reader: the two ends
 * of a Pipe used one way, each end marked for its one use so that a child
 * given the queue cannot use either the wrong way. */
int mp__queue_channel(mp_connection **reader, mp_connection **writer)
{
    *reader = *writer = NULL;
    int rc = mp_pipe(writer, reader, NULL);
    if (rc < 0)
        return rc;
    (*writer)->readable = false;
    (*reader)->writable = false;
    return 0;
}

void mp__qbatch_add(mp__qbatch *b, const uint8_t *buf, size_t len)
{
    b->buf[b->n] = buf;
    b->len[b->n++] = len;
    b->bytes += len;
}

int mp__qchannel_send(mp_connection *writer, mp__mutex *wlock, mp__qbatch *b, size_t *sent)
{
    *sent = 0;
    /* The lock's holder may have died; what it left half sent is the
     * channel's to cut (see connection_lane.c), nothing to do here. */
    int rc = mp__mutex_lock_always(wlock);
    if (rc < 0)
        return rc;
    rc = 0;
    for (size_t k = 0; k < b->n && rc == 0; k++)
        if ((rc = mp__conn_send(writer, b->buf[k], b->len[k])) == 0)
            (*sent)++;
    mp__mutex_unlock(wlock);
    return rc;
}

int mp__qchannel_recv(mp_connection *reader, uint8_t **buf, size_t *n)
{
    *buf = NULL;
    return mp__conn_recv(reader, MP_ALL, buf, n);
}

int mp__qchannel_poll(mp_connection *reader, const mp__deadline *d)
{
    return mp__conn_poll(reader, d);
}

/* messages.h - test messages whose every byte says where it belongs, for the ring tests (test_simple_queue.c, test_pipe_lanes.c). */
#ifndef MP_TEST_MESSAGES_H
#define MP_TEST_MESSAGES_H

#include <mp.h>

#include "tap.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

/* Byte j of message (tag, i): a pattern that shows a piece out of place. */
static inline uint8_t pattern(int64_t tag, int64_t i, size_t j)
{
    return (uint8_t)((tag * 7 + i * 31 + (int64_t)j) % 251);
}

/* The tuple (tag, i, size bytes of the pattern). */
static inline mp_value *message(int64_t tag, int64_t i, size_t size)
{
    uint8_t *b = malloc(size ? size : 1);
    for (size_t j = 0; j < size; j++)
        b[j] = pattern(tag, i, j);
    mp_value *v = mp_tuple_of(tag, i, mp_bytes(b, size));
    free(b);
    return v;
}

/* 1 when v is message (tag, i) of some size, whole: its size in *size. */
static inline bool whole(const mp_value *v, int64_t *tag, int64_t *i, size_t *size)
{
    if (mp_typeof(v) != MP_T_TUPLE || mp_len(v) != 3)
        return false;
    *tag = mp_as_int(mp_item(v, 0));
    *i = mp_as_int(mp_item(v, 1));
    const uint8_t *b = mp_as_bytes(mp_item(v, 2), size);
    if (!b)
        return false;
    for (size_t j = 0; j < *size; j++)
        if (b[j] != pattern(*tag, *i, j))
            return false;
    return true;
}

/* What a reader of two writers' messages (tags 0 and 1) saw. */
typedef struct tally {
    int64_t got, wrong, unordered, bytes, last[2];
} tally;

static inline tally tally_new(void)
{
    return (tally){.last = {-1, -1}};
}

/* Count v, and let go of it: whole and from writer 0 or 1, or wrong;
 * unordered when not after that writer's last. */
static inline void tally_add(tally *t, mp_value *v)
{
    int64_t tag, i;
    size_t size;
    if (!whole(v, &tag, &i, &size) || tag < 0 || tag > 1) {
        t->wrong++;
    } else {
        t->got++;
        t->bytes += (int64_t)size;
        if (i <= t->last[tag])
            t->unordered++;
        t->last[tag] = i;
    }
    mp_decref(v);
}

/* (got, wrong, unordered, bytes), for a reader to send its parent. */
static inline mp_value *tally_value(const tally *t)
{
    return mp_tuple_of(t->got, t->wrong, t->unordered, t->bytes);
}

/* Add a reader's tally_value (taken) to t. */
static inline void tally_merge(tally *t, mp_value *v)
{
    t->got += mp_as_int(mp_item(v, 0));
    t->wrong += mp_as_int(mp_item(v, 1));
    t->unordered += mp_as_int(mp_item(v, 2));
    t->bytes += mp_as_int(mp_item(v, 3));
    mp_decref(v);
}

/* What the readers of two writers' n messages each (bytes_each bytes in
 * all per writer) must have seen together. */
static inline void tally_check(const tally *t, const char *method, int64_t n, size_t bytes_each)
{
    tap_is_int(t->got, 2 * n, "%s: two readers got the two writers' %lld messages", method,
               (long long)(2 * n));
    tap_is_int(t->wrong, 0, "%s: none mixed or torn", method);
    tap_is_int(t->unordered, 0, "%s: each writer's in its order", method);
    tap_is_int(t->bytes, (int64_t)(2 * bytes_each), "%s: every byte once", method);
}

#endif

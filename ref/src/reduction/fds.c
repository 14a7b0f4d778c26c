/* fds.c - descriptors that library objects hand to a child started by spawn or forkserver, and take back there (reduction.py's DupFd). */
#include "reduction.h"

#include <stdlib.h>
#include <unistd.h>

static _Thread_local mp__fdlist *reducing, *rebuilding;

void mp__reduce_begin(mp__fdlist *l)
{
    reducing = l;
}

void mp__reduce_end(void)
{
    reducing = NULL;
}

bool mp__spawning(void)
{
    return reducing != NULL;
}

int mp__assert_spawning(const char *name)
{
    if (!reducing)
        return mp__fail(MP_ERUNTIME, "%s objects should only be shared between processes "
                        "through inheritance", name);
    return 0;
}

int mp__reduce_fd(const mp__object *self, int fd)
{
    mp__fdlist *l = reducing;
    int rc = mp__assert_spawning(self->cls->name);
    if (rc < 0)
        return rc;
    /* The kernel passes at most 253 descriptors in one message. */
    if (l->n >= 250)
        return mp__fail(MP_EVALUE, "too many descriptors to pass to one child");
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        int *fds = realloc(l->fds, cap * sizeof *fds);
        if (!fds)
            return mp__fail(MP_ENOMEM, "out of memory");
        l->fds = fds;
        l->cap = cap;
    }
    l->fds[l->n] = fd;
    return (int)l->n++;
}

void mp__rebuild_begin(mp__fdlist *l)
{
    rebuilding = l;
}

int mp__rebuild_fd(int64_t index)
{
    mp__fdlist *l = rebuilding;
    if (!l)
        return mp__fail(MP_EUNPICKLE, "library objects are rebuilt only in a child the "
                        "library started");
    if (index < 0 || (uint64_t)index >= l->n || l->fds[index] < 0)
        return mp__fail(MP_EUNPICKLE, "descriptor %lld was not passed (or taken twice)",
                        (long long)index);
    int fd = l->fds[index];
    l->fds[index] = -1;
    return fd;
}

void mp__rebuild_end(void)
{
    rebuilding = NULL;
}

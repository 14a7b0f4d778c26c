/* reduction.h - the floor of reduction.py: pickling values (pickle_*.c) and the descriptors library objects take into a child (fds.c). */
#ifndef MP_REDUCTION_H
#define MP_REDUCTION_H

#include "core/core.h"

/*
 * Passing descriptors to a child (spawn and forkserver).  While the parent
 * pickles a process description, mp__reduce_begin() collects descriptors:
 * mp__reduce_fd(fd) returns fd's index in the list, or, outside a
 * description (a value put in a queue or sent on a connection),
 * MP_ERUNTIME "<Name> objects should only be shared between processes
 * through inheritance", as CPython's assert_spawning.  The child gives the
 * received descriptors to mp__rebuild_begin(); mp__rebuild_fd(i) takes
 * descriptor i (each once; -1 with an error otherwise), and
 * mp__rebuild_end() ends it (the caller closes what no object took, with
 * mp__fdlist_close).  Both lists are per thread.
 */
void mp__reduce_begin(mp__fdlist *l);
/* assert_spawning(obj): 0 while a child's description is being written,
 * else MP_ERUNTIME "<name> objects should only be shared between
 * processes through inheritance"; for an object whose type name is not
 * its class's (a shared ctypes object's c_int_Array_3). */
int mp__assert_spawning(const char *name);
void mp__reduce_end(void);
int mp__reduce_fd(const mp__object *self, int fd);
void mp__rebuild_begin(mp__fdlist *l);
int mp__rebuild_fd(int64_t index);
void mp__rebuild_end(void);

/* mp_pickle_dumps, with room bytes left at the start of *out for the
 * caller (a length header), counted in *len: a large pickle need not be
 * copied again to go behind one. */
int mp__pickle_dumps_room(const mp_value *v, const mp_pickle_opts *opts, size_t room,
                          uint8_t **out, size_t *len);

#endif

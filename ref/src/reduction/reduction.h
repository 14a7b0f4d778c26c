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
/* True while a child's description is being written (in this thread):
 * an object whose descriptor may also travel in a message (a Connection)
 * asks, and shares it through the sharer below when not. */
bool mp__spawning(void);
int mp__reduce_fd(const mp__object *self, int fd);
void mp__rebuild_begin(mp__fdlist *l);
int mp__rebuild_fd(int64_t index);
void mp__rebuild_end(void);

/*
 * Descriptors inside a message (sharer.c, resource_sharer.py's DupFd):
 * mp__share_fds copies fds[0..n) (n at most 2) and keeps the copies for
 * the first process that asks; it returns where to ask, a value to put in
 * the pickle ((address, key)), or NULL with the error recorded (OSError,
 * MP_ENOMEM).  mp__fetch_fds asks for them and puts them in fds
 * (close-on-exec): 0, or the system's error when the sharer has gone
 * (FileNotFoundError: its process ended; ConnectionRefusedError: it was
 * killed), MP_EEOF when they were taken already or never shared, and
 * MP_EUNPICKLE for an id that is not one.  Thread-safe.
 */
mp_value *mp__share_fds(const int *fds, size_t n);
int mp__fetch_fds(const mp_value *id, int *fds, size_t n);

/* mp_pickle_dumps, with room bytes left at the start of *out for the
 * caller (a length header), counted in *len: a large pickle need not be
 * copied again to go behind one. */
int mp__pickle_dumps_room(const mp_value *v, const mp_pickle_opts *opts, size_t room,
                          uint8_t **out, size_t *len);

#endif

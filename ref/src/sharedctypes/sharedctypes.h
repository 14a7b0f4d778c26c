/* sharedctypes.h - the floor of heap.py and sharedctypes.py: blocks of shared memory carved from arenas (heap.c), the C types and their values (ctype.c), shared ctypes objects and their Synchronized wrappers (shared.c). */
#ifndef MP_SHAREDCTYPES_H
#define MP_SHAREDCTYPES_H

#include "synchronize/synchronize.h"

#include <sys/types.h>

/*
 * The heap, as CPython's multiprocessing.heap: each process carves the
 * blocks of its shared objects out of arenas, memfd mappings (a page at
 * first, each new one twice the last, up to 4 MiB, or as large as one
 * block needs), so a thousand Values cost a few mappings, not a thousand.
 * A forked child shares the arenas as they are; a spawn or forkserver
 * child receives an arena's descriptor with the first object that lives
 * in it, and maps it once however many of its objects it receives.  An
 * arena is unmapped and closed when the last block of this process in it
 * is freed, and the kernel takes the memory back once every process has
 * done so (or ended): nothing is named, so nothing is left in /dev/shm or
 * the temporary directory, whatever way a process ends.
 *
 * A forked child never allocates in the arenas it inherited, whose free
 * space its parent may hand out at the same time (CPython's Heap starts
 * afresh in a child for the same reason): it makes its own.
 */
typedef struct mp__arena mp__arena;

typedef struct mp__block {
    mp__arena *arena;           /* NULL: no block */
    size_t at, len;
} mp__block;

/* A zeroed block of len bytes (8-aligned) and its address in *addr:
 * 0, MP_EOS or MP_ENOMEM.  Thread-safe. */
int mp__heap_malloc(size_t len, mp__block *b, void **addr);
/* Give a block back; idempotent on a block freed already. */
void mp__heap_free(mp__block *b);
/* A block's arena descriptor, for a child's description. */
int mp__heap_fd(const mp__block *b);
/* The child's side: the block of len bytes at offset at of the arena
 * received as fd (taken, even on failure); MP_EUNPICKLE if it lies
 * outside the arena. */
int mp__heap_attach(int fd, size_t at, size_t len, mp__block *b, void **addr);

/* ---- the C types (ctype.c) ------------------------------------------------ */

/* The simple type of a typecode character, or NULL. */
const mp_ctype *mp__ctype_of_code(char code);
/* A registered Structure by module and name, or NULL. */
const mp_ctype *mp__ctype_lookup(const char *module, const char *name);
/* The ctypes name of an element type, or of an array of n of them
 * ("c_int", "c_int_Array_10", "Point_Array_2"), into buf. */
void mp__ctype_name(const mp_ctype *t, ptrdiff_t n, char *buf, size_t cap);
/* Store v (borrowed) at p as type t, with CPython's conversions and
 * errors (TypeError "'float' object cannot be interpreted as an
 * integer"); a Structure takes a tuple of its fields' values. */
int mp__ctype_store(const mp_ctype *t, void *p, const mp_value *v);
/* The value at p as a new reference (a Structure: the tuple of its
 * fields), or NULL with the error recorded. */
mp_value *mp__ctype_load(const mp_ctype *t, const void *p);
/* repr() of a simple value at p: "c_int(3)". */
bool mp__ctype_repr(const mp_ctype *t, const void *p, mp__buf *b);
/* A Structure's field by name, or NULL. */
const mp_cfield *mp__ctype_field(const mp_ctype *t, const char *name);

#endif

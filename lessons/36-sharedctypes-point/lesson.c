/* lesson.c - Lesson 36: the documentation's sharedctypes example: a child modifies an int, a double, a string and an array of Point structures in shared memory.

   Value('i', 7) comes with a lock of its own; Value(c_double, 1/3,
   lock=False) is the raw object, with none; Array('c', b'hello world')
   and Array(Point, [...]) share one Lock passed with lock=.  The child
   squares the numbers, upper-cases the string and squares each point's
   coordinates, in place; the parent prints what it sees after join.

   Point is a C struct described to the library field by field (the
   analog of a ctypes Structure) and registered with MP_CTYPE, so that a
   spawn or forkserver child knows it by name, as Python imports the class.

   Usage:  make lesson-36         build and run this program
           make lesson-36 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (the sharedctypes example of the multiprocessing docs).
*/
#include "mp.h"

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>

typedef struct point {
    double x, y;
} point;

static const mp_cfield point_fields[] = {
    {"x", &mp_c_double, offsetof(point, x)},
    {"y", &mp_c_double, offsetof(point, y)},
};
static const mp_ctype Point = {.name = "Point", .size = sizeof(point), .fields = point_fields, .nfields = 2};
MP_CTYPE(Point);

static int modify(const mp_value *args)
{
    mp_shared *n = mp_as_shared(mp_item(args, 0));
    mp_shared *x = mp_as_shared(mp_item(args, 1));
    mp_shared *s = mp_as_shared(mp_item(args, 2));
    mp_shared *A = mp_as_shared(mp_item(args, 3));
    mp_value *v;
    int rc;

    /* n.value **= 2 and x.value **= 2: read, then write. */
    if ((rc = mp_shared_get(n, &v)) < 0 ||
        (rc = mp_shared_set(n, mp_int(mp_as_int(v) * mp_as_int(v)))) < 0)
        return rc;
    mp_decref(v);
    if ((rc = mp_shared_get(x, &v)) < 0 ||
        (rc = mp_shared_set(x, mp_float(mp_as_float(v) * mp_as_float(v)))) < 0)
        return rc;
    mp_decref(v);

    /* s.value = s.value.upper() */
    if ((rc = mp_shared_get(s, &v)) < 0)
        return rc;
    size_t len;
    const uint8_t *b = mp_as_bytes(v, &len);
    char *upper = malloc(len + 1);
    for (size_t i = 0; upper && i < len; i++)
        upper[i] = (char)toupper(b[i]);
    rc = upper ? mp_shared_set(s, mp_bytes(upper, len)) : mp_raise("MemoryError", "out of memory");
    free(upper);
    mp_decref(v);
    if (rc < 0)
        return rc;

    /* for a in A: a.x **= 2; a.y **= 2 -- each a is a struct in shared
     * memory, reached through the array's address as a point *. */
    point *a = mp_shared_ptr(A);
    for (ptrdiff_t i = 0; i < mp_shared_len(A); i++) {
        a[i].x *= a[i].x;
        a[i].y *= a[i].y;
    }
    return 0;
}
MP_TARGET(modify);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_lock *lock = mp_lock_new();
    if (lock == NULL)
        return mp_excepthook(mp_errcode());

    mp_shared *n = mp_shared_value_new(mp_typecode("i"), mp_tuple_of(7), NULL);
    mp_shared *x = mp_shared_value_new(&mp_c_double, mp_tuple_of(1.0 / 3.0), &(mp_shared_opts){.lock = MP_NO});
    mp_shared *s = mp_shared_array_new(mp_typecode("c"), mp_bytes("hello world", 11),
                                       &(mp_shared_opts){.use_lock = lock});
    mp_shared *A = mp_shared_array_new(&Point,
                                       mp_list_of(mp_tuple_of(1.875, -6.25), mp_tuple_of(-5.75, 2.0),
                                                  mp_tuple_of(2.375, 9.5)),
                                       &(mp_shared_opts){.use_lock = lock});
    if (n == NULL || x == NULL || s == NULL || A == NULL)
        return mp_excepthook(mp_errcode());

    mp_process *p = mp_process_new(&(mp_process_opts){.target = modify, .args = mp_tuple_of(n, x, s, A)});
    int rc;
    if (p == NULL)
        return mp_excepthook(mp_errcode());
    if ((rc = mp_process_start(p)) < 0 || (rc = mp_process_join(p, MP_WAIT_FOREVER)) < 0)
        return mp_excepthook(rc);

    mp_value *v;
    mp_shared *values[] = {n, x, s};
    for (int i = 0; i < 3; i++) {
        if ((rc = mp_shared_get(values[i], &v)) < 0)
            return mp_excepthook(rc);
        mp_print(v);            /* 49, 0.1111111111111111, b'HELLO WORLD' */
        mp_decref(v);
    }
    /* [(a.x, a.y) for a in A]: A's items come out as tuples of fields. */
    if ((rc = mp_shared_slice(A, MP_ALL, MP_ALL, MP_ALL, &v)) < 0)
        return mp_excepthook(rc);
    mp_print(v);
    mp_decref(v);

    mp_process_free(p);
    mp_shared_free(n);
    mp_shared_free(x);
    mp_shared_free(s);
    mp_shared_free(A);
    mp_lock_free(lock);
    return 0;
}

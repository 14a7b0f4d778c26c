/* lesson.c - Lesson 24: Connection objects: send/recv, send_bytes/recv_bytes, recv_bytes_into.

   Pipe() gives two connected Connection objects.  send() pickles a value
   and recv() unpickles it; send_bytes() sends raw bytes and recv_bytes()
   returns them as bytes; recv_bytes_into() reads the next message into a
   buffer of your own and returns how many bytes it wrote.  A buffer too
   small for the message is BufferTooShort, which carries the whole message.
   Both ends live in this one process.

   Usage:  make lesson-24         build and run this program
           make lesson-24 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (the Connection objects example of the multiprocessing
   docs, plus the BufferTooShort case they describe).
*/
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mp.h"

/* Print n ints as Python prints array.array('i', ...): array('i', [0, 1]). */
static void print_int_array(const int *arr, size_t n)
{
    printf("array('i', [");
    for (size_t i = 0; i < n; i++)
        printf("%s%d", i > 0 ? ", " : "", arr[i]);
    printf("])\n");
}

/* type(e).__name__: mp_errname gives the dotted name a traceback shows
 * ("multiprocessing.context.BufferTooShort"); __name__ is its last part. */
static const char *short_name(int code)
{
    const char *name = mp_errname(code);
    const char *dot = strrchr(name, '.');
    return dot != NULL ? dot + 1 : name;
}

/* Release what main holds and report an error as an uncaught exception. */
static int fail(int rc, mp_connection *a, mp_connection *b)
{
    mp_connection_free(a);
    mp_connection_free(b);
    return mp_excepthook(rc);
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_connection *a, *b;
    mp_value *v;
    int rc;
    if ((rc = mp_pipe(&a, &b, NULL)) < 0)
        return mp_excepthook(rc);

    if ((rc = mp_connection_send(a, mp_list_of(1, "hello", mp_none()))) < 0 ||
        (rc = mp_connection_recv(b, &v)) < 0)       /* a.send([1, 'hello', None]) */
        return fail(rc, a, b);
    mp_print(v);                                      /* print(b.recv()) */
    mp_decref(v);

    static const char thanks[] = "thank you";
    if ((rc = mp_connection_send_bytes(b, thanks, strlen(thanks), 0, MP_ALL)) < 0 ||
        (rc = mp_connection_recv_bytes(a, MP_ALL, &v)) < 0)
        return fail(rc, a, b);
    mp_print(v);                                      /* print(a.recv_bytes()) */
    mp_decref(v);

    /* array.array('i', range(5)) and array.array('i', [0] * 10) */
    int arr1[5], arr2[10] = {0};
    for (int i = 0; i < 5; i++)
        arr1[i] = i;
    size_t count;
    if ((rc = mp_connection_send_bytes(a, arr1, sizeof arr1, 0, MP_ALL)) < 0 ||
        (rc = mp_connection_recv_bytes_into(b, arr2, sizeof arr2, 0, &count, NULL)) < 0)
        return fail(rc, a, b);
    assert(count == 5 * sizeof arr1[0]);              /* len(arr1) * arr1.itemsize */
    mp_print(count);
    print_int_array(arr2, 10);

    /* A buffer too small for the message: nothing is written into it, and
     * the error carries the whole message instead (e.args[0]). */
    char small[4] = {0};
    static const char longer[] = "a message longer than four bytes";
    mp_value *whole = NULL;
    if ((rc = mp_connection_send_bytes(b, longer, strlen(longer), 0, MP_ALL)) < 0)
        return fail(rc, a, b);
    rc = mp_connection_recv_bytes_into(a, small, sizeof small, 0, &count, &whole);
    if (rc == MP_EBUFFERTOOSHORT) {
        printf("%s: ", short_name(rc));
        mp_print(whole);
        mp_decref(whole);
    } else if (rc < 0) {
        return fail(rc, a, b);
    }
    /* print(small): the repr of a bytearray is bytearray(<bytes repr>). */
    v = mp_bytes(small, sizeof small);
    char *r = v != NULL ? mp_repr(v) : NULL;
    mp_decref(v);
    if (r == NULL)
        return fail(MP_ENOMEM, a, b);
    printf("bytearray(%s)\n", r);
    free(r);

    mp_connection_close(a);
    mp_connection_close(b);
    mp_connection_free(a);
    mp_connection_free(b);
    return 0;
}

/* lesson.c - Lesson 35: Value and Array, the documentation's shared memory example, and a counter's += under get_lock().

   Value('d', 0.0) and Array('i', range(10)) live in shared memory: the
   child sets n.value and negates the array in place, and the parent sees
   it after join.  Then four processes add 10000 each to a Value('i'):
   with get_lock() held around counter.value += 1 the total is exact;
   without it, the read and the write of two processes interleave and
   updates are lost (how many is a race, so only "at most" is printed).

   Usage:  make lesson-35         build and run this program
           make lesson-35 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (the shared memory example of the multiprocessing docs).
*/
#include "mp.h"

#include <stdbool.h>

enum { WORKERS = 4, TIMES = 10000 };

static int f(const mp_value *args)
{
    mp_shared *n = mp_as_shared(mp_item(args, 0));
    mp_shared *a = mp_as_shared(mp_item(args, 1));
    int rc = mp_shared_set(n, mp_float(3.1415927));
    for (ptrdiff_t i = 0; rc == 0 && i < mp_shared_len(a); i++) {
        mp_value *x;
        if ((rc = mp_shared_item(a, i, &x)) < 0)
            break;
        rc = mp_shared_set_item(a, i, mp_int(-mp_as_int(x)));
        mp_decref(x);
    }
    return rc;
}
MP_TARGET(f);

/* counter.value += 1, times times: a get and a set, each under the
 * wrapper's lock; with locked, get_lock() is held around the pair (an
 * RLock, so the get and set take it again at once). */
static int add(const mp_value *args)
{
    mp_shared *counter = mp_as_shared(mp_item(args, 0));
    int64_t times = mp_as_int(mp_item(args, 1));
    mp_lock *lock = NULL;
    /* counter.get_lock(): AttributeError for a Value made with lock=False. */
    if (mp_as_bool(mp_item(args, 2)) && (lock = mp_shared_get_lock(counter)) == NULL)
        return mp_errcode();
    for (int64_t i = 0; i < times; i++) {
        mp_value *v;
        int rc;
        if (lock && (rc = mp_lock_acquire(lock)) < 0)
            return rc;
        if ((rc = mp_shared_get(counter, &v)) == 0)
            rc = mp_shared_set(counter, mp_int(mp_as_int(v) + 1));
        mp_decref(v);
        if (lock)
            mp_lock_release(lock);
        if (rc < 0)
            return rc;
    }
    return 0;
}
MP_TARGET(add);

/* The counter's total after WORKERS processes added TIMES each, or a
 * negative code. */
static int64_t count(bool locked)
{
    mp_shared *counter = mp_shared_value_new(mp_typecode("i"), mp_tuple_of(0), NULL);
    if (counter == NULL)
        return mp_errcode();
    mp_process *ps[WORKERS];
    int rc = 0;
    for (int i = 0; i < WORKERS; i++) {
        ps[i] = mp_process_new(&(mp_process_opts){.target = add,
                                                  .args = mp_tuple_of(counter, TIMES, (bool)locked)});
        if (ps[i] == NULL || (rc = mp_process_start(ps[i])) < 0)
            return ps[i] ? rc : mp_errcode();
    }
    for (int i = 0; i < WORKERS; i++) {
        if ((rc = mp_process_join(ps[i], MP_WAIT_FOREVER)) < 0)
            return rc;
        mp_process_free(ps[i]);
    }
    mp_value *total;
    if ((rc = mp_shared_get(counter, &total)) < 0)
        return rc;
    int64_t n = mp_as_int(total);
    mp_decref(total);
    mp_shared_free(counter);
    return n;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_value *range = mp_list_new();
    for (int i = 0; range && i < 10; i++)
        if (mp_list_append(range, mp_int(i)) < 0)
            return mp_excepthook(mp_errcode());
    mp_shared *num = mp_shared_value_new(mp_typecode("d"), mp_tuple_of(0.0), NULL);
    mp_shared *arr = mp_shared_array_new(mp_typecode("i"), range, NULL);
    if (num == NULL || arr == NULL)
        return mp_excepthook(mp_errcode());

    /* The tuple takes references of its own to num and arr. */
    mp_process *p = mp_process_new(&(mp_process_opts){.target = f, .args = mp_tuple_of(num, arr)});
    int rc;
    if (p == NULL)
        return mp_excepthook(mp_errcode());
    if ((rc = mp_process_start(p)) < 0 || (rc = mp_process_join(p, MP_WAIT_FOREVER)) < 0)
        return mp_excepthook(rc);

    mp_value *value, *items;
    if ((rc = mp_shared_get(num, &value)) < 0 ||
        (rc = mp_shared_slice(arr, MP_ALL, MP_ALL, MP_ALL, &items)) < 0)
        return mp_excepthook(rc);
    mp_print(value);            /* 3.1415927 */
    mp_print(items);            /* [0, -1, -2, -3, -4, -5, -6, -7, -8, -9] */
    mp_decref(value);
    mp_decref(items);
    mp_process_free(p);
    mp_shared_free(num);
    mp_shared_free(arr);

    int64_t expected = WORKERS * TIMES, total;
    if ((total = count(true)) < 0)
        return mp_excepthook((int)total);
    mp_print("with get_lock():", total, "of", expected);
    /* How many updates the unlocked += loses is a race: print only what
     * always holds. */
    if ((total = count(false)) < 0)
        return mp_excepthook((int)total);
    mp_print("without it, at most", expected, "and maybe fewer:", (bool)(total <= expected));
    return 0;
}

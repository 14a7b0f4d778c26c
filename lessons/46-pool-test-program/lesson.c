/* lesson.c - Lesson 46: the documentation's Pool test program: apply_async, imap, imap_unordered and map; ZeroDivisionError through apply, map and imap; get and next with timeouts.

   Twenty tasks (mul(i, 7) and plus(i, 8), each sleeping a little) go to
   a pool of four workers four ways, and each result says which worker
   computed it.  apply_async's results, read in order, and imap's and
   map's come in the order of the tasks; imap_unordered's as they are
   done.  Then f(x) = 1 / (x - 5) fails for x = 5 with ZeroDivisionError,
   which apply, map, list(imap) and the fifth next() of an imap re-raise
   in the parent (and the next next() goes on).  Last, get(0.02) and
   next(0.02) are called until they give their results, printing a dot
   for each TimeoutError.

   Usage:  make lesson-46         build and run this program
           make lesson-46 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (the "Using Pool" example at the end of the
   multiprocessing docs), which sleeps up to 0.1 s where the docs sleep
   up to 0.5 s (README.md).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mp.h"

/*
 * Functions used by test code
 */

/* random.random(): each worker draws from a seed of its own, as CPython
   reseeds random in a child. */
static double random_random(void)
{
    static unsigned seed;
    static pid_t seeded_for;
    if (seeded_for != getpid()) {
        seeded_for = getpid();
        seed = (unsigned)seeded_for ^ (unsigned)time(NULL);
    }
    return rand_r(&seed) / ((double)RAND_MAX + 1.0);
}

static void time_sleep(double t)
{
    struct timespec ts = {.tv_sec = (time_t)t, .tv_nsec = (long)((t - (double)(time_t)t) * 1e9)};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static int64_t mul(int64_t a, int64_t b)
{
    time_sleep(0.1 * random_random());
    return a * b;
}

static int64_t plus(int64_t a, int64_t b)
{
    time_sleep(0.1 * random_random());
    return a + b;
}

/* A function cannot travel in a task's arguments (it is not a value), so
   TASKS name it, and calculate finds it here by its name, the
   func.__name__ it prints. */
static const struct {
    const char *name;
    int64_t (*fn)(int64_t, int64_t);
} funcs[] = {{"mul", mul}, {"plus", plus}};

/* calculate(func, args): '%s says that %s%s = %s' % (worker, func, args, result) */
static int calculate(const mp_value *call, mp_value **result)
{
    const char *name = mp_as_str(mp_item(call, 0));
    const mp_value *args = mp_item(call, 1);
    for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++) {
        if (strcmp(funcs[i].name, name) != 0)
            continue;
        int64_t r = funcs[i].fn(mp_as_int(mp_item(args, 0)), mp_as_int(mp_item(args, 1)));
        char *a = mp_repr(args), line[256];
        snprintf(line, sizeof line, "%s says that %s%s = %lld", mp_process_name(mp_current_process()),
                 name, a != NULL ? a : "?", (long long)r);
        free(a);
        *result = mp_str(line);
        return *result != NULL ? 0 : mp_errcode();
    }
    return mp_raise("NameError", "name '%s' is not defined", name);
}
MP_TASK(calculate);

/* calculatestar(args): calculate(*args) */
static int calculatestar(const mp_value *args, mp_value **result)
{
    return calculate(mp_item(args, 0), result);
}
MP_TASK(calculatestar);

/* 1.0 / (x - 5.0): C's division gives inf, Python's raises. */
static int f(const mp_value *args, mp_value **result)
{
    double x = mp_as_float(mp_item(args, 0));
    if (x - 5.0 == 0.0)
        return mp_raise("ZeroDivisionError", "float division by zero");
    *result = mp_float(1.0 / (x - 5.0));
    return 0;
}
MP_TASK(f);

/* pow3 and noop: defined as in the docs, which do not use them either. */
static int pow3(const mp_value *args, mp_value **result)
{
    int64_t x = mp_as_int(mp_item(args, 0));
    *result = mp_int(x * x * x);
    return 0;
}
MP_TASK(pow3);

static int noop(const mp_value *args, mp_value **result)
{
    (void)args;
    (void)result;
    return 0;
}
MP_TASK(noop);

/*
 * Test code
 */

static bool is_zero_division(int rc)
{
    return rc < 0 && strcmp(mp_errname(rc), "ZeroDivisionError") == 0;
}

/* print('\t', v) for each result of an iterator, to its end. */
static int print_all(mp_imap_iterator *it)
{
    mp_value *x;
    int rc;
    while ((rc = mp_imap_iterator_next(it, MP_WAIT_FOREVER, &x)) >= 0) {
        mp_print("\t", x);
        mp_decref(x);
    }
    return rc == MP_ESTOPITERATION ? 0 : rc;
}

/* sys.stdout.write('\n\t%s' % v) */
static void write_result(const mp_value *v)
{
    static const mp_print_opts raw = {.sep = "", .end = ""};
    mp_print_ex(raw, "\n\t", v);
}

static int tests(mp_pool *pool, const mp_value *TASKS, const mp_value *range10)
{
    enum { NTASKS = 20 };
    mp_async_result *results[NTASKS] = {NULL};
    mp_value *x = NULL;
    int rc = 0;
    for (size_t i = 0; i < NTASKS && rc >= 0; i++) {
        results[i] = mp_pool_apply_async(pool, calculate,
                                         &(mp_pool_call_opts){.args = mp_incref(mp_item(TASKS, i))});
        if (results[i] == NULL)
            rc = mp_errcode();
    }
    mp_imap_iterator *imap_it = rc < 0 ? NULL : mp_pool_imap(pool, calculatestar, TASKS, NULL);
    mp_imap_iterator *imap_unordered_it = rc < 0 ? NULL : mp_pool_imap_unordered(pool, calculatestar, TASKS, NULL);
    if (rc >= 0 && (imap_it == NULL || imap_unordered_it == NULL))
        rc = mp_errcode();

    if (rc >= 0)
        mp_print("Ordered results using pool.apply_async():");
    for (size_t i = 0; i < NTASKS && rc >= 0; i++)
        if ((rc = mp_async_result_get(results[i], MP_WAIT_FOREVER, &x)) >= 0) {
            mp_print("\t", x);
            mp_decref(x);
        }
    for (size_t i = 0; i < NTASKS; i++)
        mp_async_result_free(results[i]);

    if (rc >= 0) {
        mp_print("");
        mp_print("Ordered results using pool.imap():");
        rc = print_all(imap_it);
    }
    if (rc >= 0) {
        mp_print("");
        mp_print("Unordered results using pool.imap_unordered():");
        rc = print_all(imap_unordered_it);
    }
    mp_imap_iterator_free(imap_it);
    mp_imap_iterator_free(imap_unordered_it);

    if (rc >= 0) {
        mp_print("");
        mp_print("Ordered results using pool.map() --- will block till complete:");
        rc = mp_pool_map(pool, calculatestar, TASKS, NULL, &x);
    }
    for (size_t i = 0; rc >= 0 && i < mp_len(x); i++)
        mp_print("\t", mp_item(x, i));
    mp_decref(x);
    x = NULL;
    if (rc < 0)
        return rc;
    mp_print("");

    /*
     * Test error handling
     */

    mp_print("Testing error handling:");

    rc = mp_pool_apply(pool, f, &(mp_pool_call_opts){.args = mp_tuple_of(5)}, &x);
    if (!is_zero_division(rc)) {
        if (rc >= 0)
            mp_print(x);                /* the try's print(...) ran */
        mp_decref(x);
        return rc < 0 ? rc : mp_raise("AssertionError", "expected ZeroDivisionError");
    }
    mp_print("\tGot ZeroDivisionError as expected from pool.apply()");

    rc = mp_pool_map(pool, f, range10, NULL, &x);
    if (!is_zero_division(rc)) {
        if (rc >= 0)
            mp_print(x);                /* the try's print(...) ran */
        mp_decref(x);
        return rc < 0 ? rc : mp_raise("AssertionError", "expected ZeroDivisionError");
    }
    mp_print("\tGot ZeroDivisionError as expected from pool.map()");

    /* list(pool.imap(f, list(range(10)))): the list is never made. */
    mp_imap_iterator *it = mp_pool_imap(pool, f, range10, NULL);
    if (it == NULL)
        return mp_errcode();
    while ((rc = mp_imap_iterator_next(it, MP_WAIT_FOREVER, &x)) >= 0)
        mp_decref(x);
    mp_imap_iterator_free(it);
    if (!is_zero_division(rc))
        return rc != MP_ESTOPITERATION ? rc : mp_raise("AssertionError", "expected ZeroDivisionError");
    mp_print("\tGot ZeroDivisionError as expected from list(pool.imap())");

    /* next() after a failed result goes on with the next one. */
    if ((it = mp_pool_imap(pool, f, range10, NULL)) == NULL)
        return mp_errcode();
    int i = -1;     /* Python's loop variable: the last value it took */
    for (int n = 0; n < 10; n++) {
        i = n;
        rc = mp_imap_iterator_next(it, MP_WAIT_FOREVER, &x);
        if (rc >= 0) {
            mp_decref(x);
            if (i == 5)
                break;      /* raise AssertionError('expected ZeroDivisionError'), below */
        } else if (rc == MP_ESTOPITERATION) {
            break;
        } else if (!is_zero_division(rc)) {
            break;
        }
    }
    mp_imap_iterator_free(it);
    if (rc < 0 && rc != MP_ESTOPITERATION && !is_zero_division(rc))
        return rc;
    if (i != 9)     /* assert i == 9 */
        return mp_raise("AssertionError", i == 5 ? "expected ZeroDivisionError" : "");
    mp_print("\tGot ZeroDivisionError as expected from IMapIterator.next()");
    mp_print("");

    /*
     * Testing timeouts
     */

    mp_print_ex((mp_print_opts){.end = " "}, "Testing ApplyResult.get() with timeout:");
    mp_async_result *res = mp_pool_apply_async(pool, calculate,
                                               &(mp_pool_call_opts){.args = mp_incref(mp_item(TASKS, 0))});
    if (res == NULL)
        return mp_errcode();
    for (;;) {
        fflush(stdout);
        rc = mp_async_result_get(res, MP_TIMEOUT(0.02), &x);
        if (rc >= 0) {
            write_result(x);
            mp_decref(x);
            break;
        }
        if (rc != MP_ETIMEOUT)
            break;
        fputs(".", stdout);
    }
    mp_async_result_free(res);
    if (rc < 0)
        return rc;
    mp_print("");
    mp_print("");

    mp_print_ex((mp_print_opts){.end = " "}, "Testing IMapIterator.next() with timeout:");
    if ((it = mp_pool_imap(pool, calculatestar, TASKS, NULL)) == NULL)
        return mp_errcode();
    for (;;) {
        fflush(stdout);
        rc = mp_imap_iterator_next(it, MP_TIMEOUT(0.02), &x);
        if (rc >= 0) {
            write_result(x);
            mp_decref(x);
        } else if (rc == MP_ETIMEOUT) {
            fputs(".", stdout);
        } else {
            break;
        }
    }
    mp_imap_iterator_free(it);
    if (rc != MP_ESTOPITERATION)
        return rc;
    mp_print("");
    mp_print("");
    return 0;
}

static int test(void)
{
    enum { PROCESSES = 4 };
    char line[64];
    snprintf(line, sizeof line, "Creating pool with %d processes\n", PROCESSES);
    mp_print(line);

    mp_pool *pool = mp_pool_new(&(mp_pool_opts){.processes = PROCESSES});
    if (pool == NULL)
        return mp_errcode();

    /* TASKS = [(mul, (i, 7)) for i in range(10)] + [(plus, (i, 8)) for i in range(10)] */
    mp_value *TASKS = mp_list_new(), *range10 = mp_list_new();
    int rc = TASKS != NULL && range10 != NULL ? 0 : mp_errcode();
    for (int i = 0; i < 10 && rc >= 0; i++)
        rc = mp_list_append(TASKS, mp_tuple_of("mul", mp_tuple_of(i, 7)));
    for (int i = 0; i < 10 && rc >= 0; i++)
        rc = mp_list_append(TASKS, mp_tuple_of("plus", mp_tuple_of(i, 8)));
    for (int i = 0; i < 10 && rc >= 0; i++)
        rc = mp_list_append(range10, mp_int(i));
    if (rc >= 0)
        rc = tests(pool, TASKS, range10);
    mp_decref(range10);
    mp_decref(TASKS);
    mp_pool_free(pool);     /* the end of the with block: terminate */
    return rc;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    int rc = test();
    return rc < 0 ? mp_excepthook(rc) : 0;
}

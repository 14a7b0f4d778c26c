/* lesson.c - Lesson 27: feeding tasks to worker processes through queues.

   The parent puts (function, args) tasks on one queue and starts four
   workers; each worker gets tasks until it gets the sentinel 'STOP',
   computes each one and puts a line describing the result on a second
   queue, which the parent prints.  After 20 tasks the parent submits 10
   more, and at the end one 'STOP' per worker.

   C functions cannot be pickled: a function pointer means nothing in
   another program (a spawned worker is one), and the value model has no
   functions.  So a task carries the function's NAME, ("mul", (0, 7)), and
   the worker looks it up in a small table, as Python's unpickling looks a
   function up by importing it.

   Usage:  make lesson-27         build and run this program
           make lesson-27 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (the documentation's example of queues feeding tasks
   to a collection of worker processes).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mp.h"

/*
 * Functions referenced by tasks.  The documentation sleeps up to 0.5 s in
 * each; up to 10 ms keeps the lesson fast and still lets the workers finish
 * out of order.
 */

static void short_random_sleep(void)
{
    long ns = (long)(0.01 * drand48() * 1e9);
    nanosleep(&(struct timespec){.tv_sec = 0, .tv_nsec = ns}, NULL);
}

static int64_t mul(int64_t a, int64_t b)
{
    short_random_sleep();
    return a * b;
}

static int64_t plus(int64_t a, int64_t b)
{
    short_random_sleep();
    return a + b;
}

/* The functions a task may name: what importing `__main__.mul` gives Python. */
static const struct {
    const char *name;
    int64_t (*fn)(int64_t, int64_t);
} functions[] = {
    {"mul", mul},
    {"plus", plus},
};

/*
 * Function used to calculate result: '%s says that %s%s = %s' %
 * (current_process().name, func.__name__, args, result), as a new str in
 * *out.  A name not in the table is KeyError, as a failed lookup is.
 */
static int calculate(const char *func, const mp_value *args, mp_value **out)
{
    size_t i = 0, n = sizeof functions / sizeof functions[0];
    *out = NULL;
    while (i < n && (func == NULL || strcmp(functions[i].name, func) != 0))
        i++;
    if (i == n)
        return mp_raise("KeyError", "'%s'", func != NULL ? func : "?");
    if (mp_typeof(args) != MP_T_TUPLE || mp_len(args) != 2)
        return mp_raise("TypeError", "%s() takes 2 arguments", func);
    int64_t result = functions[i].fn(mp_as_int(mp_item(args, 0)), mp_as_int(mp_item(args, 1)));

    char *shown = mp_repr(args), *line = NULL;   /* %s of a tuple is its repr */
    if (shown == NULL ||
        asprintf(&line, "%s says that %s%s = %lld", mp_process_name(mp_current_process()),
                 func, shown, (long long)result) < 0)
        line = NULL;
    *out = line != NULL ? mp_str(line) : NULL;
    free(shown);
    free(line);
    return *out != NULL ? 0 : MP_ENOMEM;
}

/*
 * Function run by worker processes: for func, args in iter(input.get, 'STOP').
 */
static int worker(const mp_value *args)
{
    mp_queue *input = mp_as_queue(mp_item(args, 0));
    mp_queue *output = mp_as_queue(mp_item(args, 1));
    mp_value *stop = mp_str("STOP"), *task = NULL, *result;
    int rc = stop != NULL ? 0 : MP_ENOMEM;

    srand48(getpid());          /* each process its own random sleeps, as in Python */
    while (rc >= 0 && (rc = mp_queue_get(input, &task)) >= 0 && !mp_equal(task, stop)) {
        if (mp_typeof(task) != MP_T_TUPLE || mp_len(task) != 2)
            rc = mp_raise("ValueError", "a task is a (function name, args) tuple");
        else if ((rc = calculate(mp_as_str(mp_item(task, 0)), mp_item(task, 1), &result)) >= 0)
            rc = mp_queue_put(output, result);
        mp_decref(task);
        task = NULL;
    }
    mp_decref(task);            /* the 'STOP' */
    mp_decref(stop);
    return rc;
}
MP_TARGET(worker);

/* Print the next n results, each as print('\t', done_queue.get()) does. */
static int print_results(mp_queue *done_queue, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        mp_value *result;
        int rc = mp_queue_get(done_queue, &result);
        if (rc < 0)
            return rc;
        mp_print("\t", result);
        mp_decref(result);
    }
    return 0;
}

/* Put every task of a list on the queue (put steals: give it a reference). */
static int submit(mp_queue *task_queue, const mp_value *tasks)
{
    int rc = 0;
    for (size_t i = 0; i < mp_len(tasks) && rc >= 0; i++)
        rc = mp_queue_put(task_queue, mp_incref(mp_item(tasks, i)));
    return rc;
}

/* test()'s task lists.  They are at file scope, not locals of test(), for
 * valgrind: a worker started by fork is a copy of this process that never
 * returns into test(), and valgrind reported the copy's TASKS1 (held in a
 * register in the optimised build) as definitely lost in every worker. */
static mp_value *TASKS1, *TASKS2;

/* The workers, kept (at file scope for the same reason) so that test() can
 * join them at the end: see "Wait for the workers" below. */
#define NUMBER_OF_PROCESSES 4
static mp_process *WORKERS[NUMBER_OF_PROCESSES];

static int test(void)
{
    /* TASKS1 = [(mul, (i, 7)) for i in range(20)], with names for functions */
    TASKS1 = mp_list_new();
    TASKS2 = mp_list_new();
    for (int i = 0; i < 20 && TASKS1 != NULL; i++)
        if (mp_list_append(TASKS1, mp_tuple_of("mul", mp_tuple_of(i, 7))) < 0) {
            mp_decref(TASKS1);
            TASKS1 = NULL;
        }
    for (int i = 0; i < 10 && TASKS2 != NULL; i++)
        if (mp_list_append(TASKS2, mp_tuple_of("plus", mp_tuple_of(i, 8))) < 0) {
            mp_decref(TASKS2);
            TASKS2 = NULL;
        }

    /* Create queues */
    mp_queue *task_queue = mp_queue_new(0);
    mp_queue *done_queue = mp_queue_new(0);
    int rc = 0;
    if (TASKS1 == NULL || TASKS2 == NULL || task_queue == NULL || done_queue == NULL)
        rc = mp_errcode() < 0 ? mp_errcode() : MP_ENOMEM;

    /* Submit tasks */
    if (rc >= 0)
        rc = submit(task_queue, TASKS1);

    /* Start worker processes */
    for (int i = 0; i < NUMBER_OF_PROCESSES && rc >= 0; i++) {
        WORKERS[i] = mp_process_new(&(mp_process_opts){
            .target = worker, .args = mp_tuple_of(task_queue, done_queue)});
        rc = WORKERS[i] != NULL ? mp_process_start(WORKERS[i]) : mp_errcode();
    }

    /* Get and print results */
    if (rc >= 0) {
        mp_print("Unordered results:");
        rc = print_results(done_queue, mp_len(TASKS1));
    }

    /* Add more tasks using `put()` */
    if (rc >= 0)
        rc = submit(task_queue, TASKS2);

    /* Get and print some more results */
    if (rc >= 0)
        rc = print_results(done_queue, mp_len(TASKS2));

    /* Tell child processes to stop */
    for (int i = 0; i < NUMBER_OF_PROCESSES && rc >= 0; i++)
        rc = mp_queue_put(task_queue, "STOP");

    /* Wait for the workers (the documentation's example leaves that to the
       exit).  A worker that got no task may still be starting now, under
       spawn or forkserver; joining here lets it start, take its 'STOP' and
       end before the parent tears the queues down. */
    for (int i = 0; i < NUMBER_OF_PROCESSES; i++) {
        if (WORKERS[i] != NULL && rc >= 0)
            rc = mp_process_join(WORKERS[i], MP_WAIT_FOREVER);
        mp_process_free(WORKERS[i]);
        WORKERS[i] = NULL;
    }

    mp_decref(TASKS1);
    mp_decref(TASKS2);
    mp_queue_free(task_queue);
    mp_queue_free(done_queue);
    return rc;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    int rc = test();
    return rc < 0 ? mp_excepthook(rc) : 0;
}

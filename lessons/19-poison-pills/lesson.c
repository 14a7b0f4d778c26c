/* lesson.c - Lesson 19: JoinableQueue consumers stopped by poison pills.

   cpu_count() * 2 Consumer processes take Task objects from a
   JoinableQueue, call them and put the answers on a result queue.  After
   ten tasks the main program puts one None per consumer, the poison pill
   that stops it, waits with join() until every item has been marked done
   with task_done(), and prints the results.

   Consumer is a process class whose own fields are the two queues; under
   spawn and forkserver they travel to the child through getstate and
   setstate.  Task is a registered value class with attributes a and b.

   Usage:  make lesson-19         build and run this program
           make lesson-19 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (PyMOTW-3's JoinableQueue example), with a 0.01 s
   sleep per task instead of 0.1 s.
*/
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mp.h"

/* ---- class Task ---------------------------------------------------------- */

static const mp_class Task = {.name = "Task"};
MP_CLASS(Task);

/* Task(a, b): a new instance, or NULL. */
static mp_value *Task_new(int64_t a, int64_t b)
{
    mp_value *self = mp_object_new(&Task, NULL);
    if (self == NULL)
        return NULL;
    if (mp_setattr(self, "a", mp_int(a)) < 0 || mp_setattr(self, "b", mp_int(b)) < 0) {
        mp_decref(self);
        return NULL;
    }
    return self;
}

/* self.a and self.b as C integers; AttributeError or TypeError if the
 * object is not a Task made of two ints. */
static int Task_fields(const mp_value *self, int64_t *a, int64_t *b)
{
    const mp_value *va = mp_getattr(self, "a"), *vb = va ? mp_getattr(self, "b") : NULL;
    if (vb == NULL)
        return mp_errcode();
    if (mp_typeof(va) != MP_T_INT || mp_typeof(vb) != MP_T_INT)
        return mp_raise("TypeError", "Task needs two ints, not '%s' and '%s'",
                        mp_type_name(va), mp_type_name(vb));
    *a = mp_as_int(va);
    *b = mp_as_int(vb);
    return 0;
}

/* str(self): '{self.a} * {self.b}', written into buf. */
static int Task_str(const mp_value *self, char *buf, size_t size)
{
    int64_t a, b;
    int rc = Task_fields(self, &a, &b);
    if (rc < 0)
        return rc;
    snprintf(buf, size, "%" PRId64 " * %" PRId64, a, b);
    return 0;
}

/* self(): the answer, '{self.a} * {self.b} = {product}', a new str value;
 * NULL with the error recorded. */
static mp_value *Task_call(const mp_value *self)
{
    /* pretend to take time to do the work */
    nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
    int64_t a, b;
    if (Task_fields(self, &a, &b) < 0)
        return NULL;
    char buf[80];
    snprintf(buf, sizeof buf, "%" PRId64 " * %" PRId64 " = %" PRId64, a, b, a * b);
    return mp_str(buf);
}

/* ---- class Consumer(Process) ---------------------------------------------- */

typedef struct Consumer {
    mp_process base;            /* first, so a Consumer * is an mp_process * */
    mp_value *queues;           /* (task_queue, result_queue): holds both */
    mp_queue *task_queue;       /* borrowed from queues */
    mp_queue *result_queue;     /* borrowed from queues */
} Consumer;

/* Keep the tuple (task_queue, result_queue), which is stolen. */
static int Consumer_set_queues(Consumer *self, mp_value *queues)
{
    if (queues == NULL)
        return mp_errcode();
    mp_queue *tq = mp_as_queue(mp_item(queues, 0)), *rq = mp_as_queue(mp_item(queues, 1));
    if (tq == NULL || rq == NULL || mp_len(queues) != 2) {
        mp_decref(queues);
        return mp_raise("TypeError", "a Consumer's state must be two queues");
    }
    self->queues = queues;
    self->task_queue = tq;
    self->result_queue = rq;
    return 0;
}

static int Consumer_run(mp_process *base)
{
    Consumer *self = (Consumer *)base;
    const char *proc_name = mp_process_name(base);
    int rc;
    for (;;) {
        mp_value *next_task;
        if ((rc = mp_queue_get(self->task_queue, &next_task)) < 0)
            return rc;
        if (mp_typeof(next_task) == MP_T_NONE) {
            /* Poison pill means shutdown */
            mp_decref(next_task);
            mp_print_ex((mp_print_opts){.sep = ": "}, proc_name, "Exiting");
            return mp_joinable_queue_task_done(self->task_queue);
        }
        char text[64];
        if ((rc = Task_str(next_task, text, sizeof text)) < 0) {
            mp_decref(next_task);
            return rc;
        }
        mp_print_ex((mp_print_opts){.sep = ": "}, proc_name, text);
        mp_value *answer = Task_call(next_task);
        mp_decref(next_task);
        if ((rc = mp_joinable_queue_task_done(self->task_queue)) < 0) {
            mp_decref(answer);
            return rc;
        }
        /* put takes answer over; a NULL answer fails with Task_call's error */
        if ((rc = mp_queue_put(self->result_queue, answer)) < 0)
            return rc;
    }
}

/* Pickling the fields for spawn and forkserver: the tuple of queues. */
static mp_value *Consumer_getstate(mp_process *base)
{
    return mp_incref(((Consumer *)base)->queues);
}

static int Consumer_setstate(mp_process *base, const mp_value *state)
{
    return Consumer_set_queues((Consumer *)base, mp_incref(state));
}

static void Consumer_finalize(mp_process *base)
{
    mp_decref(((Consumer *)base)->queues);
}

static const mp_process_class Consumer_class = {
    .name = "Consumer",
    .size = sizeof(Consumer),
    .run = Consumer_run,
    .finalize = Consumer_finalize,
    .getstate = Consumer_getstate,
    .setstate = Consumer_setstate,
};
MP_PROCESS_CLASS(Consumer_class);

/* Consumer(task_queue, result_queue), or NULL. */
static mp_process *Consumer_new(mp_queue *task_queue, mp_queue *result_queue)
{
    mp_process *p = mp_process_new(&(mp_process_opts){.cls = &Consumer_class});
    if (p == NULL)
        return NULL;
    if (Consumer_set_queues((Consumer *)p, mp_tuple_of(task_queue, result_queue)) < 0) {
        mp_process_free(p);
        return NULL;
    }
    return p;
}

/* ---- the main program ------------------------------------------------------ */

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    /* Establish communication queues */
    mp_queue *tasks = mp_joinable_queue_new(0);
    mp_queue *results = mp_queue_new(0);
    if (tasks == NULL || results == NULL)
        return mp_excepthook(mp_errcode());

    /* Start consumers */
    int num_consumers = mp_cpu_count() * 2;
    mp_print("Creating", num_consumers, "consumers");
    mp_process **consumers = calloc((size_t)num_consumers, sizeof *consumers);
    if (consumers == NULL)
        return mp_excepthook(MP_ENOMEM);
    for (int i = 0; i < num_consumers; i++) {
        if ((consumers[i] = Consumer_new(tasks, results)) == NULL)
            return mp_excepthook(mp_errcode());
    }
    int rc;
    for (int i = 0; i < num_consumers; i++) {
        if ((rc = mp_process_start(consumers[i])) < 0)
            return mp_excepthook(rc);
    }

    /* Enqueue jobs */
    int num_jobs = 10;
    for (int i = 0; i < num_jobs; i++) {
        if ((rc = mp_queue_put(tasks, Task_new(i, i))) < 0)
            return mp_excepthook(rc);
    }

    /* Add a poison pill for each consumer */
    for (int i = 0; i < num_consumers; i++) {
        if ((rc = mp_queue_put(tasks, mp_none())) < 0)
            return mp_excepthook(rc);
    }

    /* Wait for all of the tasks to finish */
    if ((rc = mp_joinable_queue_join(tasks)) < 0)
        return mp_excepthook(rc);

    /* Start printing results */
    while (num_jobs) {
        mp_value *result;
        if ((rc = mp_queue_get(results, &result)) < 0)
            return mp_excepthook(rc);
        mp_print("Result:", result);
        mp_decref(result);
        num_jobs -= 1;
    }

    /* As in Python, the consumers are not joined here: at exit the main
     * program waits for its non-daemonic children. */
    for (int i = 0; i < num_consumers; i++)
        mp_process_free(consumers[i]);
    free(consumers);
    mp_queue_free(tasks);
    mp_queue_free(results);
    return 0;
}

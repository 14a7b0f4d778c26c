/* task.c - task functions registered by name, so that a worker of any start method finds the one a task names (pickle's import by name). */
#include "pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Registered before main() by MP_TASK's constructors, and by the program
 * later (a function registered after a fork is not in the fork's child,
 * as a function defined after a Pool started is not in CPython's). */
static mp_task_entry *tasks;
static pthread_mutex_t tasks_lock = PTHREAD_MUTEX_INITIALIZER;

void mp__task_register(mp_task_entry *e)
{
    pthread_mutex_lock(&tasks_lock);
    for (mp_task_entry *t = tasks; t; t = t->next) {
        if (t == e || (strcmp(t->name, e->name) == 0 && t->fn == e->fn)) {
            /* Registered already: once is enough (and e's link is in use). */
            pthread_mutex_unlock(&tasks_lock);
            return;
        }
        if (strcmp(t->name, e->name) == 0) {
            /* There is no caller to tell, and a worker could otherwise
             * run the wrong function. */
            fprintf(stderr, "mp: two different tasks are registered as '%s'\n", e->name);
            abort();
        }
    }
    e->next = tasks;
    tasks = e;
    pthread_mutex_unlock(&tasks_lock);
}

mp_task_fn mp__task_find(const char *name)
{
    mp_task_fn fn = NULL;
    pthread_mutex_lock(&tasks_lock);
    for (mp_task_entry *t = tasks; t && !fn; t = t->next)
        if (strcmp(t->name, name) == 0)
            fn = t->fn;
    pthread_mutex_unlock(&tasks_lock);
    return fn;
}

const char *mp_task_name(mp_task_fn fn)
{
    const char *name = NULL;
    pthread_mutex_lock(&tasks_lock);
    for (mp_task_entry *t = tasks; t && !name; t = t->next)
        if (t->fn == fn)
            name = t->name;
    pthread_mutex_unlock(&tasks_lock);
    return name;
}

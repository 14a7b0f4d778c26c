/* registry.c - targets and process classes registered by name, so that a child that re-ran the program finds them (pickle's import by name). */
#include "process.h"
#include "synchronize/synchronize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- targets ------------------------------------------------------------ */

static mp_target_entry *targets;

void mp__target_register(mp_target_entry *e)
{
    for (mp_target_entry *t = targets; t; t = t->next) {
        if (strcmp(t->name, e->name) == 0 && t->fn != e->fn) {
            /* Runs before main(): there is no caller to return an error to,
             * and a child could otherwise run the wrong function. */
            fprintf(stderr, "mp: two different targets are registered as '%s'\n", e->name);
            abort();
        }
    }
    e->next = targets;
    targets = e;
    /* A Barrier's action is a target, which the synchronize floor below
     * names to a child through these. */
    mp__barrier_set_targets(mp_target_name, mp__target_find);
}

mp_target_fn mp__target_find(const char *name)
{
    for (mp_target_entry *t = targets; t; t = t->next)
        if (strcmp(t->name, name) == 0)
            return t->fn;
    return NULL;
}

const char *mp_target_name(mp_target_fn fn)
{
    for (mp_target_entry *t = targets; t; t = t->next)
        if (t->fn == fn)
            return t->name;
    return NULL;
}

/* ---- process classes ---------------------------------------------------- */

static mp_process_class_entry *classes;

void mp__process_class_register(mp_process_class_entry *e)
{
    for (mp_process_class_entry *c = classes; c; c = c->next) {
        if (strcmp(c->cls->name, e->cls->name) == 0 && c->cls != e->cls) {
            fprintf(stderr, "mp: two different process classes are registered as '%s'\n",
                    e->cls->name);
            abort();
        }
    }
    e->next = classes;
    classes = e;
}

const mp_process_class *mp__process_class_find(const char *name)
{
    for (mp_process_class_entry *c = classes; c; c = c->next)
        if (strcmp(c->cls->name, name) == 0)
            return c->cls;
    return NULL;
}

/* lesson.c - Lesson 18: an instance of a registered class through a Queue.

   Any picklable object can go through a Queue, including an instance of a
   class of your own: pickle sends the class's name and the instance's
   attributes, and the receiver rebuilds the instance from its own copy of
   the class.  In C the class is a registered mp_class, an instance is a
   value holding its attributes, and methods are plain functions.

   Usage:  make lesson-18         build and run this program
           make lesson-18 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (PyMOTW-3's "Passing Messages to Processes").
*/
#include "mp.h"

/* class MyFancyClass: registered by name, so that the worker, even when it
 * is a new run of this program (spawn, forkserver), can rebuild an instance
 * from the pickle, as Python imports the class. */
static const mp_class MyFancyClass = {.name = "MyFancyClass"};
MP_CLASS(MyFancyClass);

/* MyFancyClass(name): a new instance with self.name set, or NULL. */
static mp_value *MyFancyClass_new(const char *name)
{
    mp_value *self = mp_object_new(&MyFancyClass, NULL);
    if (self == NULL)
        return NULL;
    if (mp_setattr(self, "name", mp_str(name)) < 0) {
        mp_decref(self);
        return NULL;
    }
    return self;
}

/* The method do_something(self). */
static int do_something(const mp_value *self)
{
    const char *proc_name = mp_process_name(mp_current_process());
    const mp_value *name = mp_getattr(self, "name");
    if (name == NULL)
        return mp_errcode();
    mp_print_ex((mp_print_opts){.sep = ""},
                "Doing something fancy in ", proc_name, " for ", name, "!");
    return 0;
}

static int worker(const mp_value *args)
{
    mp_queue *q = mp_as_queue(mp_item(args, 0));
    mp_value *obj;
    int rc = mp_queue_get(q, &obj);
    if (rc < 0)
        return rc;
    /* obj.do_something(): Python looks the method up on obj's class. */
    if (!mp_isinstance(obj, &MyFancyClass))
        rc = mp_raise("AttributeError", "'%s' object has no attribute 'do_something'",
                      mp_type_name(obj));
    else
        rc = do_something(obj);
    mp_decref(obj);
    return rc;
}
MP_TARGET(worker);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_queue *queue = mp_queue_new(0);
    if (queue == NULL)
        return mp_excepthook(mp_errcode());

    mp_value *args = mp_tuple_of(queue);
    if (args == NULL)
        return mp_excepthook(mp_errcode());
    mp_process *p = mp_process_new(&(mp_process_opts){.target = worker, .args = args});
    if (p == NULL)
        return mp_excepthook(mp_errcode());
    int rc;
    if ((rc = mp_process_start(p)) < 0)
        return mp_excepthook(rc);

    mp_value *obj = MyFancyClass_new("Fancy Dan");
    if (obj == NULL)
        return mp_excepthook(mp_errcode());
    if ((rc = mp_queue_put(queue, obj)) < 0)     /* takes obj over */
        return mp_excepthook(rc);

    /* Wait for the worker to finish */
    if ((rc = mp_queue_close(queue)) < 0 ||
        (rc = mp_queue_join_thread(queue)) < 0 ||
        (rc = mp_process_join(p, MP_WAIT_FOREVER)) < 0)
        return mp_excepthook(rc);
    mp_process_free(p);
    mp_queue_free(queue);
    return 0;
}

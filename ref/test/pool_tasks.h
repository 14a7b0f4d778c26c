/* pool_tasks.h - the task functions the Pool's unit tests share: sq, and inverse (the docs' 1/(x-5)) (header only). */
#ifndef POOL_TASKS_H
#define POOL_TASKS_H

#include <mp.h>

static int sq(const mp_value *args, mp_value **result)
{
    int64_t x = mp_as_int(mp_item(args, 0));
    *result = mp_int(x * x);
    return 0;
}
MP_TASK(sq);

/* 1/(x-5), as the docs' test program: ZeroDivisionError for 5. */
static int inverse(const mp_value *args, mp_value **result)
{
    int64_t x = mp_as_int(mp_item(args, 0));
    if (x == 5)
        return mp_raise("ZeroDivisionError", "division by zero");
    *result = mp_float(1.0 / (double)(x - 5));
    return 0;
}
MP_TASK(inverse);

#endif

/* lesson03_worker.c - Lesson 03's worker "module": a target defined outside the main program.

   The analog of lesson03_worker.py.  The function is not static, so
   that lesson.c can name it, and MP_TARGET registers it here, in the
   file that defines it, just as Python finds a target by importing
   the module that defines it.
*/
#include "lesson03_worker.h"

int worker(const mp_value *args)
{
    (void)args;
    mp_print("Worker");
    return 0;
}
MP_TARGET(worker);

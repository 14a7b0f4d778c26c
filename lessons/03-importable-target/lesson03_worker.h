/* lesson03_worker.h - Lesson 03's worker "module": what lesson.c imports from it. */
#ifndef LESSON03_WORKER_H
#define LESSON03_WORKER_H

#include "mp.h"

/* Print "Worker".  Registered as the target "worker" in lesson03_worker.c. */
int worker(const mp_value *args);

#endif

#!/usr/bin/env bats
# Lesson 47 (ThreadPool, multiprocessing.dummy): starmap and map_async
# with a callback on a ThreadPool(4), starmap_async on dummy's Pool(2),
# then three dummy Processes sharing a Queue and a Lock.
load ../lib/helpers

@test "47-thread-pool $MP_TAG" {
    # Exact.  Everything is in one process, so the lines come in the
    # order they are printed: the callback prints before get() returns
    # (CPython's _set calls it before the result is ready); the threads'
    # names count every thread made before them (four workers and three
    # pool threads, then two and three: Thread-13, 14, 15); the queue's
    # items, put in whatever order the threads ran, are printed sorted.
    # No start method is used (threads only), so all three give the same.
    check_lesson 47-thread-pool
}

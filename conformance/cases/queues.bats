#!/usr/bin/env bats
# Cases of multiprocessing.queues (Queue, JoinableQueue, SimpleQueue):
# documented behaviour no lesson shows.  Each case's header
# (conformance/cases/queues/SLUG/case.py) says what it pins.
load ../lib/helpers

@test "queues/put-full $MP_TAG" {
    # Exact: one process; full() and qsize() count with the semaphore that
    # put takes before it returns, and the timed put prints a lower bound.
    check_case queues/put-full
}

@test "queues/get-empty $MP_TAG" {
    # Exact: one process; the item put is got with a timeout, which waits
    # for the feeder, and the timed get prints a lower bound.
    check_case queues/get-empty
}

@test "queues/qsize $MP_TAG" {
    # Exact: empty() is polled (bounded) until the feeder has written.
    check_case queues/qsize
}

@test "queues/closed $MP_TAG" {
    # Exact: the queue's address in its repr is masked by normalisation.
    check_case queues/closed
}

@test "queues/unpicklable-put $MP_TAG" {
    # Exact: the feeder reports the error before it writes the next value,
    # which the main program waits for.  C prints the traceback's header
    # and exception line, as CPython does; normalisation drops CPython's
    # stack lines.
    check_case queues/unpicklable-put
}

@test "queues/joinable $MP_TAG" {
    # Exact: each line follows a blocking join, get or task_done; the
    # child's puts are counted before its task_done calls.
    check_case queues/joinable
}

@test "queues/simple-queue $MP_TAG" {
    # Exact: one process, and SimpleQueue's put writes before it returns.
    check_case queues/simple-queue
}

@test "queues/each-start-method $MP_TAG" {
    # Exact: the case chooses each start method by context itself, and
    # prints after blocking gets and joins only.
    check_case queues/each-start-method
}

@test "queues/values-repr $MP_TAG" {
    # Exact: one child puts, the parent's blocking gets print in order.
    check_case queues/values-repr
}

@test "queues/empty-uncaught $MP_TAG" {
    # Exact: one process; the program writes its traceback into its stdout
    # file itself (dup2), so stdout holds both, in the order written.  The
    # view queue-empty compares the class line by the documented name,
    # queue.Empty: the module that defines the class (CPython's _queue,
    # PyPy3's queue) is an implementation detail.
    check_case queues/empty-uncaught --view stdout=queue-empty
}

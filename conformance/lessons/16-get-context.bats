#!/usr/bin/env bats
# Lesson 16 (get_context): set_start_method once (a second call is
# RuntimeError), a fork context beside the spawn default, a process of each.
load ../lib/helpers

@test "16-get-context $MP_TAG" {
    # Exact, pids normalised; one golden for every MP_START_METHOD.  The
    # first set_start_method('spawn') fixes the default before anything reads
    # it, so nothing printed afterwards depends on MP_START_METHOD; and
    # CPython 3.11's get_all_start_methods() on Linux is always
    # ['fork', 'spawn', 'forkserver'], whatever the default is.  Each child
    # is joined before the next starts.
    check_lesson 16-get-context
}

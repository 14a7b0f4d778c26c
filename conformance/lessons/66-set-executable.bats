#!/usr/bin/env bats
# Lesson 66 (set_executable): spawn runs lessons/66-set-executable/helper,
# which prints a line, marks the environment and runs the real program;
# a fork child runs no program and sees no mark.
load ../lib/helpers

@test "66-set-executable $MP_TAG" {
    # Exact, one golden for every MP_START_METHOD: the program uses the
    # spawn and fork contexts itself.  Not racy: each child is joined
    # before the parent prints, and the helper prints before it runs the
    # child.  The helper prints only for a child's command line (both
    # CPython's and Forklore's hold --multiprocessing-fork): CPython's
    # spawn also runs its resource tracker through the executable, and C
    # has no such process (the helper's header says so).
    check_lesson 66-set-executable
}


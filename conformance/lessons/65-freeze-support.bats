#!/usr/bin/env bats
# Lesson 65 (freeze_support): the docs' idiom under the main guard,
# freeze_support(); set_start_method('spawn'); Process(target=f).start(),
# with no join (the child is joined at exit).
load ../lib/helpers

@test "65-freeze-support $MP_TAG" {
    # Exact, one golden for every MP_START_METHOD: the program fixes the
    # method to spawn itself before anything reads it.  Not racy: the
    # parent prints its line before start(), and the child's line is
    # printed before the program ends, since the child is joined at exit.
    check_lesson 65-freeze-support
}

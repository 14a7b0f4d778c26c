#!/usr/bin/env bats
# Lesson 62 (the docs' logging session with a manager): log_to_stderr at
# INFO, a warning, then Manager() and its release, whose server process
# and main process both log what they do.
load ../lib/helpers

@test "62-manager-logging $MP_TAG" {
    # stderr through the by-process view: the main process and the
    # manager's server (SyncManager-1) write their lines at the same time
    # ("manager serving at ..." and "sending shutdown message to manager"
    # come in either order, in CPython as here), so the interleaving is
    # chance; each process's own lines are compared in their order, and
    # all of them exactly (the temporary names normalised).  Per-method
    # goldens: under forkserver the main process also creates a temporary
    # directory (for the fork server's socket) and says so.
    # stdout (empty) and the status are exact.
    check_lesson 62-manager-logging --view stderr=by-process
}

/* lesson.c - Lesson 15: what a child of each start method sees of its parent.

   The program starts one child with each start method in turn, through
   get_context(), and each child reports two things about its parent's
   state: a file-scope variable that main() changed after the program
   started (the analog of a module global changed under the main guard),
   and a file the parent opened.  A fork child is a copy of the parent: it
   sees the new value and has the file.  A spawn child, and a forkserver
   child (forked from a server that itself re-ran the program), start from
   the program's beginning: they see the initial value, and the file's
   descriptor was closed on exec because it was opened close-on-exec, as
   Python opens every file.

   Usage:  make lesson-15         build and run this program
           make lesson-15 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (the start methods section of the multiprocessing
   docs, side by side).
*/
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mp.h"

/* Initialised when the program is built, as a module global is when the
 * module is imported; main() changes it in the main program only. */
static const char *greeting = "set at import";

static int report(const mp_value *args)
{
    int fd = (int)mp_as_int(mp_item(args, 0));
    int64_t dev = mp_as_int(mp_item(args, 1)), ino = mp_as_int(mp_item(args, 2));
    struct stat st;

    /* Only compare: under spawn and forkserver this number may be some
     * other descriptor of the child, which must not be touched. */
    bool same = fstat(fd, &st) == 0 && (int64_t)st.st_dev == dev && (int64_t)st.st_ino == ino;
    mp_print(mp_process_name(mp_current_process()));
    mp_print("    __name__:", mp_module_name());
    mp_print("    greeting:", greeting);
    mp_print("    has the parent's file open:", same);
    return 0;
}
MP_TARGET(report);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    greeting = "changed by main";

    /* tempfile.mkstemp(): a new file in the temporary directory, opened
     * close-on-exec because Python's descriptors are non-inheritable. */
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/tmpXXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkostemp(path, O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        return mp_excepthook(mp_raise("OSError", "[Errno %d] %s: '%s'", errno,
                                      strerror(errno), path));
    mp_value *args = mp_tuple_of(fd, (int64_t)st.st_dev, (int64_t)st.st_ino);
    if (args == NULL)
        return mp_excepthook(mp_errcode());
    report(args);

    const char *methods[] = {"fork", "spawn", "forkserver"};
    for (int i = 0; i < 3; i++) {
        mp_context *ctx = mp_get_context(methods[i]);
        if (ctx == NULL)
            return mp_excepthook(mp_errcode());
        mp_process *p = mp_context_process(ctx, &(mp_process_opts){
            .target = report, .args = mp_incref(args)});
        if (p == NULL)
            return mp_excepthook(mp_errcode());
        printf("start method %s:\n", methods[i]);
        int rc;
        if ((rc = mp_process_start(p)) < 0 ||
            (rc = mp_process_join(p, MP_WAIT_FOREVER)) < 0)
            return mp_excepthook(rc);
        mp_process_free(p);
    }
    mp_decref(args);
    close(fd);
    unlink(path);
    return 0;
}

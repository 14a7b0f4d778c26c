/* lesson.c - Lesson 30: a Lock taken the two ways Python allows, as a with block and by acquire() and release().

   Two children share a Lock and append one line each to the same file
   while they hold it; the parent then prints the file.  In Python one
   worker writes `with lock:` and the other calls acquire() and release()
   in try/finally.  C has neither with nor finally, and the library offers
   no scoped form of a lock, so both workers take the lock with
   mp_lock_acquire and let it go with mp_lock_release; what differs is how
   each makes sure the release happens on every path.

   Usage:  make lesson-30         build and run this program
           make lesson-30 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (PyMOTW-3's worker_with / worker_no_with).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mp.h"

/* Append one line to the file named f: 0, or an OSError (mp_raise) when
   the file cannot be opened or written. */
static int append_line(const char *f, const char *line)
{
    FILE *fs = fopen(f, "a+");
    if (fs == NULL)
        return mp_raise("OSError", "cannot open %s", f);
    fputs(line, fs);
    return fclose(fs) == 0 ? 0 : mp_raise("OSError", "cannot write %s", f);
}

/* with lock: ... -- the block is one call, so the release follows it
   whatever it returned, as leaving a with block releases on any path. */
static int worker_with(const mp_value *args)
{
    mp_lock *lock = mp_as_lock(mp_item(args, 0));
    int rc = mp_lock_acquire(lock);
    if (rc < 0)
        return rc;
    rc = append_line(mp_as_str(mp_item(args, 1)), "Lock acquired via with\n");
    int released = mp_lock_release(lock);
    return rc < 0 ? rc : released;
}
MP_TARGET(worker_with);

/* lock.acquire(); try: ... finally: lock.release() -- the critical
   section spelled out, every way out of it going through one label. */
static int worker_no_with(const mp_value *args)
{
    mp_lock *lock = mp_as_lock(mp_item(args, 0));
    int rc = mp_lock_acquire(lock);
    if (rc < 0)
        return rc;

    const char *f = mp_as_str(mp_item(args, 1));
    FILE *fs = fopen(f, "a+");
    if (fs == NULL) {
        rc = mp_raise("OSError", "cannot open %s", f);
        goto finally;
    }
    fputs("Lock acquired directly\n", fs);
    if (fclose(fs) != 0)
        rc = mp_raise("OSError", "cannot write %s", f);

finally:;
    int released = mp_lock_release(lock);
    return rc < 0 ? rc : released;
}
MP_TARGET(worker_no_with);

/* Print the file as print(fs.read(), end='') does. */
static int print_file(const char *f)
{
    FILE *fs = fopen(f, "r");
    if (fs == NULL)
        return mp_raise("FileNotFoundError", "cannot open %s", f);
    char line[256];
    while (fgets(line, sizeof line, fs) != NULL)
        fputs(line, stdout);
    fclose(fs);
    return 0;
}

/* The two workers, at file scope for valgrind: a child forked after w was
   made never returns into main, and its copy of a local pointer to nw
   would be counted as leaked. */
static mp_process *w, *nw;

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    /* PyMOTW appends to "file.txt" in the current folder; a fresh temporary
       folder keeps two runs side by side from writing into one file. */
    char tmp[] = "/tmp/lesson30-XXXXXX", f[64];
    if (mkdtemp(tmp) == NULL)
        return mp_excepthook(mp_raise("OSError", "cannot create a temporary folder"));
    snprintf(f, sizeof f, "%s/file.txt", tmp);

    mp_lock *lock = mp_lock_new();
    int rc = lock != NULL ? 0 : mp_errcode();
    if (rc >= 0) {
        w = mp_process_new(&(mp_process_opts){.target = worker_with, .args = mp_tuple_of(lock, f)});
        nw = mp_process_new(&(mp_process_opts){.target = worker_no_with, .args = mp_tuple_of(lock, f)});
        rc = w != NULL && nw != NULL ? 0 : mp_errcode();
    }

    if (rc >= 0)
        rc = mp_process_start(w);
    if (rc >= 0)
        rc = mp_process_start(nw);

    if (rc >= 0)
        rc = mp_process_join(w, MP_WAIT_FOREVER);
    if (rc >= 0)
        rc = mp_process_join(nw, MP_WAIT_FOREVER);

    /* What the two workers appended, one line each. */
    if (rc >= 0)
        rc = print_file(f);

    unlink(f);                  /* what leaving TemporaryDirectory() removes */
    rmdir(tmp);
    mp_process_free(w);
    mp_process_free(nw);
    mp_lock_free(lock);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

/* lesson.c - Lesson 67: a buffered writer whose cache a fork child inherits, and the guidelines' fix, a cache keyed by getpid().

   A writer that keeps lines in a cache and prints them on flush() is
   safe in one process.  A fork child is a copy of the parent, cache
   included: when it flushes, it prints the parent's unflushed lines as
   well, and the parent prints them again later.  The guidelines' fix:
   remember which process filled the cache, and let a new process start
   with an empty one.  Under spawn and forkserver the child runs the
   program again and has writers of its own, so both behave.

   Usage:  make lesson-67         build and run this program
           make lesson-67 PY=1    run its Python twin, lesson.py

   Mirrors lesson.py (the programming guidelines: "Beware of replacing
   sys.stdin with a file like object").
*/
#include <stdbool.h>
#include <unistd.h>

#include "mp.h"

/* A file-like object: write() keeps lines in a cache (a list, made on
   first use), flush() prints them and empties it.  pid is the process the
   cache belongs to; only the fork-safe writer looks at it. */
typedef struct buffered {
    const char *name;
    bool fork_safe;
    pid_t pid;
    mp_value *cache;
} buffered;

/* Static, like sys.stdout at the top of a module: a process that runs the
   program again (a spawn or forkserver child) has its own, empty; a fork
   child has the parent's, with whatever its cache held at the fork. */
static buffered naive = {.name = "naive"};
static buffered safe = {.name = "safe", .fork_safe = true};

/* The cache property; NULL with the error recorded (no memory).  The
   fork-safe writer drops a cache that another process filled: the
   guidelines' `if pid != self._pid: self._pid = pid; self._cache = []`. */
static mp_value *cache(buffered *out)
{
    if (out->fork_safe && out->pid != getpid()) {
        out->pid = getpid();
        mp_decref(out->cache);      /* this process's copy of the old one */
        out->cache = NULL;
    }
    if (out->cache == NULL)
        out->cache = mp_list_new();
    return out->cache;
}

static int buffered_write(buffered *out, const char *line)
{
    mp_value *c = cache(out);
    return c == NULL ? mp_errcode() : mp_list_append(c, mp_str(line));
}

static int buffered_flush(buffered *out)
{
    mp_value *c = cache(out);
    if (c == NULL)
        return mp_errcode();
    mp_print(mp_process_name(mp_current_process()), out->name, "flushes", c);
    mp_decref(c);                   /* self.cache.clear() */
    out->cache = mp_list_new();
    return out->cache == NULL ? mp_errcode() : 0;
}

static int child(const mp_value *args)
{
    (void)args;
    buffered *outs[] = {&naive, &safe};
    int rc;
    for (int i = 0; i < 2; i++)
        if ((rc = buffered_write(outs[i], "from the child")) < 0 || (rc = buffered_flush(outs[i])) < 0)
            return rc;
    return 0;
}
MP_TARGET(child);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    buffered *outs[] = {&naive, &safe};
    int rc;
    for (int i = 0; i < 2; i++)
        if ((rc = buffered_write(outs[i], "from the parent")) < 0)
            return mp_excepthook(rc);
    mp_process *p = mp_process_new(&(mp_process_opts){.target = child});
    if (p == NULL)
        return mp_excepthook(mp_errcode());
    if ((rc = mp_process_start(p)) < 0 || (rc = mp_process_join(p, MP_WAIT_FOREVER)) < 0)
        return mp_excepthook(rc);
    mp_process_free(p);
    for (int i = 0; i < 2; i++)
        if ((rc = buffered_flush(outs[i])) < 0)
            return mp_excepthook(rc);
    for (int i = 0; i < 2; i++)
        mp_decref(outs[i]->cache);
    return 0;
}

/* test_long_argv.c - a program whose argv[0] is kilobytes long still knows, under spawn and forkserver, whether it is the main program or a child. */
#include "mp.h"
#include "tap.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * A child that re-runs the program (spawn, and the fork server) learns
 * what it is from its own command line, before main() runs.  A command
 * line read into a fixed buffer once cut that short: with an argv[0] of a
 * few hundred bytes the fork server ran main() as if it were the program,
 * starting a server of its own, without end, and an unguarded program
 * under spawn recursed instead of failing with RuntimeError.
 *
 * This program is the test and the program under test.  Run plainly, it
 * runs itself again with an argv[0] of 4 KiB and of 64 KiB, in each mode
 * and under each method, each run in a process group of its own that is
 * counted every 10 ms and killed if it ever holds more than MAX_PROCS
 * processes: a regression fails here instead of running away.
 * LONG_ARGV_MODE says which program to be:
 *   guarded    calls mp_main first, starts a child that prints, joins it;
 *   unguarded  starts the child without mp_main, as lesson 17 does.
 * A program that never reached mp_main gives its children the path of its
 * executable as argv[0], not its own argv[0], so the runs also use a copy
 * of this program at a path of nearly PATH_MAX bytes (the longest a path
 * to execute can be).
 */
#define MAX_PROCS 12
#define LIMIT_S 30

static int hello(const mp_value *args)
{
    (void)args;
    mp_print("child ran");
    return 0;
}
MP_TARGET(hello);

/* Start one child under the method in MP_START_METHOD and print how it ended. */
static int start_one(void)
{
    mp_process *p = mp_process_new(&(mp_process_opts){.target = hello});
    int rc = p ? mp_process_start(p) : mp_errcode();
    if (rc == 0)
        rc = mp_process_join(p, MP_WAIT_FOREVER);
    if (rc == 0)
        mp_print("exitcode", mp_process_exitcode(p));
    mp_process_free(p);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

/* ---- the driver ------------------------------------------------------------- */

/* A copy of this program in a folder about 3900 bytes deep under /tmp,
 * made one step at a time (each name under NAME_MAX).  Its path, or NULL. */
static char deep[4096];

static const char *deep_copy(void)
{
    char name[241];
    memset(name, 'd', 240);
    name[240] = '\0';
    snprintf(deep, sizeof deep, "/tmp/mp-long-argv-%d", (int)getpid());
    if (mkdir(deep, 0700) < 0)
        return NULL;
    while (strlen(deep) + 242 + 16 < sizeof deep - 200) {
        strcat(deep, "/");
        strcat(deep, name);
        if (mkdir(deep, 0700) < 0)
            return NULL;
    }
    strcat(deep, "/test_long_argv");
    FILE *in = fopen("/proc/self/exe", "rb"), *out = fopen(deep, "wb");
    char buf[65536];
    size_t n;
    while (in && out && (n = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, n, out);
    bool ok = in && out && !ferror(in);
    if (in)
        fclose(in);
    if (out && fclose(out) != 0)
        ok = false;
    return ok && chmod(deep, 0700) == 0 ? deep : NULL;
}

static void remove_deep_copy(void)
{
    char path[sizeof deep];
    snprintf(path, sizeof path, "%s", deep);
    unlink(path);
    for (char *slash; (slash = strrchr(path, '/')) && slash > path + 5;) {
        *slash = '\0';
        if (rmdir(path) < 0)
            break;
    }
}

static int members(pid_t pgrp)
{
    int n = 0;
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char path[300], line[512];
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        if (fgets(line, sizeof line, f)) {
            char *rest = strrchr(line, ')');
            char state;
            int ppid, g;
            if (rest && sscanf(rest + 1, " %c %d %d", &state, &ppid, &g) == 3 && g == pgrp &&
                state != 'Z')
                n++;
        }
        fclose(f);
    }
    if (d)
        closedir(d);
    return n;
}

/* Run this program as `mode` under `method` with an argv[0] of len bytes;
 * its output into out (NUL-terminated), its status into *status; the most
 * processes its group held at once into *most.  -1 if it ran away or hung. */
static int run(const char *program, const char *mode, const char *method, size_t len,
               char *out, size_t cap, int *status, int *most)
{
    int pipefd[2];
    char *name = malloc(len + 1);
    if (!name || pipe(pipefd) < 0)
        return -1;
    memset(name, 'x', len);
    name[len] = '\0';
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        dup2(pipefd[1], 1);
        dup2(pipefd[1], 2);
        close(pipefd[0]);
        close(pipefd[1]);
        setenv("LONG_ARGV_MODE", mode, 1);
        setenv("MP_START_METHOD", method, 1);
        char *argv[] = {name, NULL};
        execv(program, argv);
        _exit(127);
    }
    free(name);
    close(pipefd[1]);
    setpgid(pid, pid);
    *most = 0;
    size_t used = 0;
    int runaway = 0;
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        int n = members(pid);
        if (n > *most)
            *most = n;
        if (n > MAX_PROCS)
            runaway = 1;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - t0.tv_sec > LIMIT_S)
            runaway = 1;
        if (runaway) {
            kill(-pid, SIGKILL);
            break;
        }
        if (waitpid(pid, status, WNOHANG) == pid) {
            /* The group may hold a fork server a moment longer. */
            for (int i = 0; i < 100 && members(pid) > 0; i++)
                nanosleep(&(struct timespec){0, 10000000}, NULL);
            kill(-pid, SIGKILL);
            pid = 0;
            break;
        }
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    if (pid)
        waitpid(pid, status, 0);
    ssize_t r;
    while (used + 1 < cap && (r = read(pipefd[0], out + used, cap - 1 - used)) > 0)
        used += (size_t)r;
    out[used] = '\0';
    close(pipefd[0]);
    return runaway ? -1 : 0;
}

int main(int argc, char **argv)
{
    const char *mode = getenv("LONG_ARGV_MODE");
    if (mode && strcmp(mode, "unguarded") == 0)
        return start_one();             /* no mp_main: lesson 17's mistake */
    mp_main(argc, argv);
    if (mode && strcmp(mode, "guarded") == 0)
        return start_one();

    static const char *const methods[] = {"spawn", "forkserver"};
    static const size_t lens[] = {4096, 65536};
    static char out[1 << 16];
    const char *program = deep_copy();
    if (!TAP_OK(program != NULL, "a copy of this program at a path of %zu bytes", strlen(deep)))
        program = "/proc/self/exe";
    for (int m = 0; m < 2; m++) {
        for (int l = 0; l < 2; l++) {
            int status, most;
            const char *method = methods[m];
            size_t len = lens[l];
            int bad = run(program, "guarded", method, len, out, sizeof out, &status, &most);
            TAP_OK(bad == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
                   strcmp(out, "child ran\nexitcode 0\n") == 0,
                   "%s, argv[0] of %zu bytes, guarded: the child runs its target, the program "
                   "ends (at most %d processes at once)", method, len, most);
            if (strcmp(out, "child ran\nexitcode 0\n") != 0)
                tap_diag("it printed: %.300s", out);
            bad = run(program, "unguarded", method, len, out, sizeof out, &status, &most);
            bool ok = TAP_OK(bad == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
                   strstr(out, "RuntimeError: \n        An attempt has been made to start a new "
                          "process before the\n") != NULL &&
                   strstr(out, "exitcode 1\n") != NULL && strstr(out, "child ran") == NULL,
                   "%s, argv[0] of %zu bytes, unguarded: the child fails with RuntimeError "
                   "instead of starting children (at most %d processes at once)", method, len, most);
            if (bad)
                tap_diag("ran away or hung: killed with %d processes in its group", most);
            else if (!ok)
                tap_diag("wait status %d; it printed: %.600s", status, out);
        }
    }
    remove_deep_copy();
    return tap_done();
}

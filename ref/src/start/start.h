/* start.h - the top floor: contexts and start methods (context.py, spawn.py, popen_*.py, forkserver.py) and the main guard. */
#ifndef MP_START_H
#define MP_START_H

#include "process/process.h"
#include "reduction/reduction.h"

/* ---- the back ends (popen*.c) ------------------------------------------------ */

extern const mp__popen_ops mp__popen_fork_ops, mp__popen_spawn_ops, mp__popen_forkserver_ops;
/* multiprocessing.dummy's Process: a thread (popen_thread.c). */
extern const mp__popen_ops mp__popen_thread_ops;

/* waitpid-based poll, shared by fork and spawn (the child is ours). */
int mp__popen_waitpid_poll(mp_process *p, bool block);

/* ---- contexts (context.c) ------------------------------------------------------ */

/* True for mp_dummy()'s context, whose processes are threads. */
bool mp__context_threads(const mp_context *ctx);
/* The back end a process starts with (fixing the default method). */
const mp__popen_ops *mp__context_ops(const mp_process *p);
/* The context classes by name ("SpawnProcess"), and a class's context. */
const mp_process_class *mp__context_class(const char *name);
struct mp_context *mp__context_by_class(const mp_process_class *cls);
/* The program spawn and forkserver run: set_executable's, or our own. */
const char *mp__executable(void);

/* ---- spawn (spawn.c) ------------------------------------------------------------ */

/* What a child that re-runs the program needs, and its side.  encode
 * gives the bytes to send (an 8-byte big-endian length, then a pickle) and
 * the descriptors to pass with them; child_main reads them from fd,
 * becomes the process, runs it and returns the exit code. */
int mp__spawn_encode(mp_process *p, const char *method, uint8_t **out, size_t *len,
                     mp__fdlist *fds);
int mp__spawn_child_main(int fd, const char *method);
/* Send buf[off..len) of an encoded description to a child's stream.  0
 * when all of it went, or when the child is gone (EPIPE, ECONNRESET: its
 * death is what the caller's wait for it reports); MP_EOS for any other
 * failure.  The part of a description that fits in the socket's buffer is
 * sent before the child exists, so only the rest goes here. */
int mp__spawn_send_rest(int fd, const uint8_t *buf, size_t len, size_t off);
/* CPython's RuntimeError about the bootstrapping phase, if inheriting. */
int mp__check_not_importing_main(void);

/* posix_spawn this program with extra arguments, passing the descriptors
 * in keep as 3, 4, ... and closing all others but 0-2 (popen_spawn.c; the
 * forkserver starts its server this way). */
int mp__spawn_program(const char *const *extra, size_t nextra, const int *keep, size_t nkeep,
                      pid_t *pid);

/* ---- the main guard (main.c) ------------------------------------------------------ */

/* True while a child that re-ran the program has not reached mp_main. */
bool mp__spawn_inheriting(void);
void mp__set_module_name(const char *name);
/* Marks mp_main as reached (the end of the bootstrapping phase). */
void mp__set_bootstrapped(void);
/* argv[0] as mp_main saw it, for children's command lines. */
const char *mp__argv0(void);

/* ---- the fork server (forkserver.c) ------------------------------------------------ */

/* The server's own loop, entered before main() runs.  It returns only in
 * a child it forked: the descriptor from which that child reads its
 * description. */
int mp__forkserver_main(int listener, int alive_r);
/* Ask the server (started on first use) to fork a child that reads its
 * description from child_data and whose pid and exit code go to status_w. */
int mp__forkserver_connect(int child_data, int status_w);

#endif

/* lesson.c - Lesson 59: the docs' remote manager: a server program serves a queue over TCP, one client program puts 'hello' on it, another gets it.

   A manager need not be started by the program that uses it: a server
   program serves objects at an address (here a queue, through a
   registered callable that returns it), and any program that knows the
   address and the authkey connect()s and asks for them.  The
   documentation shows three programs run by hand, the server on port
   50000; here one program runs all three as programs of their own (it
   runs itself again: its first argument says which), the server on a
   free port that it tells the others.

   Usage:  make lesson-59         build and run this program
           make lesson-59 PY=1    run its Python twin, lesson.py
*/
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mp.h"

extern char **environ;

/* class QueueManager(BaseManager): pass */
static mp_manager_class QueueManager = {.name = "QueueManager"};

static mp_queue *queue;

/* callable=lambda: queue */
static int get_queue(const mp_value *args, mp_value **result)
{
    (void)args;
    *result = mp_value_from_arg(MP_ARG(queue));
    return *result != NULL ? 0 : mp_errcode();
}
MP_TASK(get_queue);

static mp_value *authkey(void)
{
    return mp_bytes("abracadabra", 11);
}

static int server(void)
{
    queue = mp_queue_new(0);
    int rc = queue != NULL ? 0 : mp_errcode();
    if (rc >= 0)
        rc = mp_manager_register(&QueueManager, "get_queue",
                                 &(mp_register_opts){.callable = get_queue});
    mp_manager *m = rc < 0 ? NULL : mp_manager_new(&QueueManager, &(mp_manager_opts){
                                                       .address = mp_tuple_of("127.0.0.1", 0),
                                                       .authkey = authkey()});
    mp_server *s = m != NULL ? mp_manager_get_server(m) : NULL;
    if (s == NULL)
        return mp_errcode();
    mp_print_ex((mp_print_opts){.flush = true}, mp_item(mp_server_address(s), 1)); /* the port */
    rc = mp_server_serve_forever(s);
    mp_manager_free(m);
    mp_queue_free(queue);
    return rc;
}

static int client(int port, const char *what)
{
    int rc = mp_manager_register(&QueueManager, "get_queue", NULL);
    mp_manager *m = rc < 0 ? NULL : mp_manager_new(&QueueManager, &(mp_manager_opts){
                                                       .address = mp_tuple_of("127.0.0.1", port),
                                                       .authkey = authkey()});
    if (m == NULL)
        return mp_errcode();
    mp_value *q = NULL, *got = NULL;
    if ((rc = mp_manager_connect(m)) >= 0 &&
        (q = mp_manager_create(m, "get_queue", NULL, NULL)) == NULL)
        rc = mp_errcode();
    if (rc >= 0 && strcmp(what, "put") == 0) {
        if ((rc = mp_proxy_call(q, NULL, "put", "hello")) >= 0)
            mp_print("client 1: put 'hello'");
    } else if (rc >= 0 && (rc = mp_proxy_callmethod(q, "get", NULL, NULL, &got)) >= 0) {
        char *r = mp_repr(got);
        mp_print("client 2: got", r);
        free(r);
    }
    mp_decref(got);
    mp_decref(q);
    mp_manager_free(m);
    return rc;
}

static char *self;      /* argv[0]: how this program was run */

/* Run this program again with the arguments (Python's [sys.executable,
   __file__, role, port]); its pid, or -1. */
static pid_t run_self(char *role, char *port, posix_spawn_file_actions_t *fa)
{
    char *argv[] = {self, role, port, NULL};
    pid_t pid;
    return posix_spawn(&pid, self, fa, NULL, argv, environ) == 0 ? pid : -1;
}

/* The exit code as Python's Popen.wait() gives it: -N after signal N. */
static int wait_code(pid_t pid)
{
    int st;
    if (waitpid(pid, &st, 0) < 0)
        return -1000;
    return WIFSIGNALED(st) ? -WTERMSIG(st) : WEXITSTATUS(st);
}

static int orchestrate(void)
{
    int out[2];
    posix_spawn_file_actions_t fa;
    if (pipe(out) < 0)
        return mp_raise("OSError", "pipe failed");
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    fflush(stdout);
    pid_t srv = run_self("server", NULL, &fa);
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    char port[32] = "";
    FILE *f = fdopen(out[0], "r");
    if (srv < 0 || f == NULL || fgets(port, sizeof port, f) == NULL)
        return mp_raise("RuntimeError", "the server did not start");
    port[strcspn(port, "\n")] = 0;
    if (wait_code(run_self("put", port, NULL)) != 0 || wait_code(run_self("get", port, NULL)) != 0)
        return mp_raise("subprocess.CalledProcessError", "a client failed");
    /* Ask the server to stop, as a manager's shutdown() does: a 'shutdown'
       request on a connection of its own (CPython's dispatch()).
       serve_forever() then returns, and the server program ends normally. */
    mp_manager *m = mp_manager_new(&QueueManager, &(mp_manager_opts){
                                       .address = mp_tuple_of("127.0.0.1", atoi(port)),
                                       .authkey = authkey()});
    int rc = m != NULL ? mp_manager_dispatch(m, "shutdown", NULL, NULL) : mp_errcode();
    mp_manager_free(m);
    if (rc < 0)
        return rc;
    mp_print("the server stopped: exit code", wait_code(srv));
    fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    self = argv[0];
    int rc;
    if (argc == 1)
        rc = orchestrate();
    else if (strcmp(argv[1], "server") == 0)
        rc = server();
    else
        rc = client(atoi(argv[2]), argv[1]);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

/* forkserver.c - the fork server: a single-threaded process that forks children on request (forkserver.py). */
#include "start.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * The protocol, between a client (a process starting a child) and the
 * server, over one Unix stream connection per child:
 *   client -> server: two descriptors by SCM_RIGHTS, no data but one byte:
 *       the child's end of the description stream, and the write end of a
 *       status channel (a socket pair, see popen_forkserver.c) whose read
 *       end the client keeps as the sentinel;
 *   server -> status channel: the child's pid (8 bytes), and when the
 *       child has ended its exit code (8 bytes, -N for signal N).
 * The description itself then goes from client to child directly.
 */

/* ---- the client's side -------------------------------------------------- */

static struct {
    pid_t pid;                      /* 0: not running */
    pid_t owner;                    /* the process that started it */
    int alive_w;                    /* closing it tells the server to stop */
    struct sockaddr_un addr;
    socklen_t addrlen;
} server = {0, 0, -1, {0}, 0};

static void stop_server(void);

static int start_server(void)
{
    int listener = -1, alive[2] = {-1, -1}, rc;
    char laddr[32], aaddr[32];
    static unsigned serial;

    /* As CPython 3.11: a socket file in the program's temporary directory
     * (whose creation it logs), removed with that directory at exit. */
    const char *dir = mp__get_temp_dir();
    if (!dir)
        return MP_EOS;
    memset(&server.addr, 0, sizeof server.addr);
    server.addr.sun_family = AF_UNIX;
    int len = snprintf(server.addr.sun_path, sizeof server.addr.sun_path, "%s/listener-%08x",
                       dir, (unsigned)getpid() * 2654435761u + serial++);
    if (len < 0 || (size_t)len >= sizeof server.addr.sun_path)
        return mp__fail(MP_EOS, "temporary directory path too long for a socket: %s", dir);
    server.addrlen = (socklen_t)sizeof server.addr;
    if ((listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        return mp__fail_errno("socket");
    if (bind(listener, (struct sockaddr *)&server.addr, server.addrlen) < 0 || listen(listener, 64) < 0) {
        rc = mp__fail_errno("forkserver listener");
        close(listener);
        return rc;
    }
    if (pipe2(alive, O_CLOEXEC) < 0) {
        rc = mp__fail_errno("pipe");
        close(listener);
        return rc;
    }
    /* The server's numbers for them (see mp__spawn_program). */
    snprintf(laddr, sizeof laddr, "listener=%d", 3);
    snprintf(aaddr, sizeof aaddr, "alive=%d", 4);
    const char *extra[] = {"--multiprocessing-forkserver", laddr, aaddr};
    const int keep[] = {listener, alive[0]};
    rc = mp__spawn_program(extra, 3, keep, 2, &server.pid);
    close(listener);
    close(alive[0]);
    if (rc < 0) {
        close(alive[1]);
        server.pid = 0;
        return rc;
    }
    server.alive_w = alive[1];
    server.owner = getpid();
    mp__exit_add_last_step(stop_server);
    return 0;
}

/* ensure_running(): start the server on first use, or again if it died. */
static int ensure_running(void)
{
    if (server.pid > 0) {
        pid_t r = waitpid(server.pid, NULL, WNOHANG);
        if (r == 0)
            return 0;
        close(server.alive_w);
        server.pid = 0;
    }
    return start_server();
}

/* The exit function's last step in the process that started the server
 * (a forked child inherits the record, not the server). */
static void stop_server(void)
{
    if (server.pid <= 0 || server.owner != getpid())
        return;
    /* EOF on its alive pipe ends the server; waiting for it means no
     * stray process outlives the program that started it. */
    close(server.alive_w);
    while (waitpid(server.pid, NULL, 0) < 0 && errno == EINTR)
        ;
    server.pid = 0;
    unlink(server.addr.sun_path);
}

int mp__forkserver_connect(int child_data, int status_w)
{
    int rc = ensure_running(), sock;
    if (rc < 0)
        return rc;
    if ((sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        return mp__fail_errno("socket");
    if (connect(sock, (struct sockaddr *)&server.addr, server.addrlen) < 0) {
        rc = mp__fail_errno("connect to the forkserver");
        close(sock);
        return rc;
    }
    size_t sent;
    rc = mp__send_fds(sock, "F", 1, (int[]){child_data, status_w}, 2, false, &sent);
    close(sock);
    return rc;
}

/* ---- the server's side -------------------------------------------------- */

static int sig_w = -1;

static void on_sigchld(int sig)
{
    int saved = errno;
    (void)sig;
    if (write(sig_w, "", 1) < 0) {
        /* A full pipe already holds a wake-up; nothing is lost. */
    }
    errno = saved;
}

/* A client's request: one byte carrying the two descriptors. */
static int recv_request(int sock, int fds[2])
{
    uint8_t byte;
    mp__fdlist l = {0};
    if (mp__recv_fds(sock, &byte, 1, &l) == 0 && l.n == 2) {
        fds[0] = l.fds[0];
        fds[1] = l.fds[1];
        mp__fdlist_release(&l);
        return 0;
    }
    mp__fdlist_close(&l);       /* not what the protocol sends */
    return -1;
}

static void write_signed(int fd, int64_t v)
{
    uint8_t b[8];
    mp__put_be64(b, (uint64_t)v);
    /* A client that has gone no longer needs to know. */
    (void)mp__write_all(fd, b, 8);
}

/* Which status channel reports on which child. */
typedef struct { pid_t pid; int status_w; } watch;

int mp__forkserver_main(int listener, int alive_r)
{
    int sig[2];
    watch *kids = NULL;
    size_t nkids = 0, cap = 0;

    fcntl(listener, F_SETFD, FD_CLOEXEC);
    fcntl(alive_r, F_SETFD, FD_CLOEXEC);
    if (pipe2(sig, O_CLOEXEC | O_NONBLOCK) < 0)
        _exit(1);
    sig_w = sig[1];
    struct sigaction sa = {.sa_handler = on_sigchld, .sa_flags = SA_RESTART | SA_NOCLDSTOP};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGCHLD, &sa, NULL);
    /* Ctrl-C in a terminal goes to the whole group; the server should end
     * with its program, not with the keystroke. */
    signal(SIGINT, SIG_IGN);

    for (;;) {
        struct pollfd pf[3] = {{listener, POLLIN, 0}, {alive_r, POLLIN, 0}, {sig[0], POLLIN, 0}};
        if (poll(pf, 3, -1) < 0)
            continue;
        if (pf[1].revents)
            _exit(0);           /* the program that started us has gone */
        if (pf[2].revents) {
            char drain[64];
            while (read(sig[0], drain, sizeof drain) > 0)
                ;
            int status;
            pid_t pid;
            while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
                int code = WIFSIGNALED(status) ? -WTERMSIG(status) : WEXITSTATUS(status);
                for (size_t i = 0; i < nkids; i++) {
                    if (kids[i].pid == pid) {
                        write_signed(kids[i].status_w, code);
                        close(kids[i].status_w);
                        kids[i] = kids[--nkids];
                        break;
                    }
                }
            }
        }
        if (!pf[0].revents)
            continue;
        int conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC), fds[2];
        if (conn < 0)
            continue;
        int bad = recv_request(conn, fds);
        close(conn);
        if (bad)
            continue;
        if (nkids == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            watch *n = realloc(kids, ncap * sizeof *n);
            if (!n) {
                close(fds[0]);
                close(fds[1]);
                continue;
            }
            kids = n;
            cap = ncap;
        }
        pid_t pid = fork();
        if (pid == 0) {
            /* The child: none of the server's descriptors or handlers. */
            close(listener);
            close(alive_r);
            close(sig[0]);
            close(sig[1]);
            close(fds[1]);
            for (size_t i = 0; i < nkids; i++)
                close(kids[i].status_w);
            free(kids);
            signal(SIGCHLD, SIG_DFL);
            signal(SIGINT, SIG_DFL);
            /* Back into the program's start-up: main() runs from the top
             * until mp_main(), which reads the description from fds[0],
             * as CPython 3.11's forkserver child re-runs the main module. */
            return fds[0];
        }
        close(fds[0]);
        if (pid < 0) {
            write_signed(fds[1], -1);
            close(fds[1]);
            continue;
        }
        write_signed(fds[1], pid);
        kids[nkids++] = (watch){pid, fds[1]};
    }
}

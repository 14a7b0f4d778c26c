/* sharer.c - descriptors that travel inside a message: a thread hands each to the process that asks for it (resource_sharer.py's DupFd). */
#include "reduction.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/*
 * A descriptor cannot be written into a pickle; what a message carries is
 * where to fetch it: the address of this process's sharer (a Unix socket
 * in its temporary directory, as CPython's Listener) and a key.  The
 * sharer keeps its own copy (a dup) of each shared descriptor until one
 * process asks for it by key; it then sends the copy (SCM_RIGHTS) and
 * closes it, so each is taken once.  CPython authenticates the asker with
 * the process's authkey; here the key is 16 random bytes, which only a
 * process that read the message knows.  Unlike CPython's, this thread
 * never stops: what nobody fetched is closed when the process ends.
 */

#define KEYLEN 16

typedef struct share {
    uint8_t key[KEYLEN];
    int fds[2];
    size_t n;
    struct share *next;
} share;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static share *shares;
static int listener = -1;
static char address[sizeof(((struct sockaddr_un *)0)->sun_path)];
static bool hooked;
static pid_t owner;                 /* the process whose listener it is */

static void drop(share *s)
{
    for (size_t i = 0; i < s->n; i++)
        close(s->fds[i]);
    free(s);
}

/* The share with this key, taken off the list; NULL if none. */
static share *take(const uint8_t *key)
{
    pthread_mutex_lock(&mu);
    share **p = &shares;
    while (*p && memcmp((*p)->key, key, KEYLEN) != 0)
        p = &(*p)->next;
    share *s = *p;
    if (s)
        *p = s->next;
    pthread_mutex_unlock(&mu);
    return s;
}

/* One asker: read its key, send it what was shared under that key (one
 * byte, the descriptors riding on it), or nothing: the asker then reads
 * end of file, EOFError, as CPython's does for an unknown key. */
static void serve_one(int conn)
{
    uint8_t key[KEYLEN];
    /* An asker that connects and says nothing must not hold the sharer
     * for ever. */
    struct timeval tv = {.tv_sec = 10};
    setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (mp__read_exact(conn, key, KEYLEN, true) < 0)
        return;
    mp__fork_gate_enter();
    share *s = take(key);
    if (s) {
        size_t sent;
        mp__send_fds(conn, "y", 1, s->fds, s->n, false, &sent);
        drop(s);
    }
    mp__fork_gate_leave();
}

static void *serve(void *arg)
{
    int fd = (int)(intptr_t)arg;
    /* Inside the fork gate only while it handles an asker (util.h). */
    mp__fork_gate_leave();
    for (;;) {
        int conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
        if (conn < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            return NULL;
        }
        serve_one(conn);
        close(conn);
    }
}

/* In a child forked by the library: the parent's shares are the parent's
 * to give, and the thread is not here (resource_sharer's _afterfork). */
static void after_fork(void *arg)
{
    (void)arg;
    pthread_mutex_init(&mu, NULL);
    while (shares) {
        share *s = shares;
        shares = s->next;
        drop(s);
    }
    if (listener >= 0)
        close(listener);
    listener = -1;
    address[0] = '\0';
}

/* At exit, the socket's file goes (CPython's Listener unlinks it so), and
 * a receiver that asks later meets FileNotFoundError; only the process
 * that made it removes it. */
static void unlink_socket(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    if (owner == getpid() && address[0])
        unlink(address);
    pthread_mutex_unlock(&mu);
}

/* With mu held: the listener and its thread, on first use. */
static int start_locked(void)
{
    const char *dir = mp__get_temp_dir();
    if (!dir)
        return mp_errcode();
    uint8_t r[6];
    if (!mp__random_bytes(r, sizeof r))
        return mp__fail_errno("getrandom");
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    int n = snprintf(a.sun_path, sizeof a.sun_path, "%s/sharer-%02x%02x%02x%02x%02x%02x", dir,
                     r[0], r[1], r[2], r[3], r[4], r[5]);
    if (n < 0 || (size_t)n >= sizeof a.sun_path)
        return mp__fail(MP_EOS, "AF_UNIX path too long");
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return mp__fail_errno("socket");
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 16) < 0) {
        int rc = mp__fail_errno(a.sun_path);
        close(fd);
        return rc;
    }
    if (!hooked && mp__register_after_fork(after_fork, NULL) < 0) {
        close(fd);
        unlink(a.sun_path);
        return mp__fail(MP_ENOMEM, "out of memory");
    }
    hooked = true;
    sigset_t old;
    mp__block_async_signals(&old);
    mp__fork_gate_enter();          /* for the new thread: it leaves first thing */
    pthread_t t;
    int err = pthread_create(&t, NULL, serve, (void *)(intptr_t)fd);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (err) {
        mp__fork_gate_leave();
        close(fd);
        unlink(a.sun_path);
        return mp__fail(MP_ERUNTIME, "can't start new thread");
    }
    pthread_detach(t);
    listener = fd;
    owner = getpid();
    memcpy(address, a.sun_path, sizeof address);
    /* Without it (no memory) only the unlink at exit is lost. */
    mp__finalize_register(unlink_socket, NULL, 0);
    return 0;
}

mp_value *mp__share_fds(const int *fds, size_t n)
{
    share *s = calloc(1, sizeof *s);
    if (!s || n > 2) {
        free(s);
        mp__fail(MP_ENOMEM, "out of memory");
        return NULL;
    }
    if (!mp__random_bytes(s->key, KEYLEN)) {
        free(s);
        mp__fail_errno("getrandom");
        return NULL;
    }
    for (; s->n < n; s->n++) {
        if ((s->fds[s->n] = fcntl(fds[s->n], F_DUPFD_CLOEXEC, 3)) < 0) {
            mp__fail_errno("dup");
            drop(s);
            return NULL;
        }
    }
    pthread_mutex_lock(&mu);
    int rc = listener < 0 ? start_locked() : 0;
    mp_value *id = rc < 0 ? NULL : mp_tuple_of(address, mp_bytes(s->key, KEYLEN));
    if (id) {
        s->next = shares;
        shares = s;
    }
    pthread_mutex_unlock(&mu);
    if (!id)
        drop(s);
    return id;
}

int mp__fetch_fds(const mp_value *id, int *fds, size_t n)
{
    size_t keylen = 0;
    const char *path = mp_typeof(id) == MP_T_TUPLE && mp_len(id) == 2 ? mp_as_str(mp_item(id, 0)) : NULL;
    const uint8_t *key = path ? mp_as_bytes(mp_item(id, 1), &keylen) : NULL;
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (!key || keylen != KEYLEN || strlen(path) >= sizeof a.sun_path)
        return mp__fail(MP_EUNPICKLE, "bad address of a shared descriptor");
    strcpy(a.sun_path, path);
    int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        return mp__fail_errno("socket");
    int rc;
    /* The sender gone: FileNotFoundError (its directory was removed at its
     * exit) or ConnectionRefusedError (it was killed), as CPython's Client. */
    if (connect(sock, (struct sockaddr *)&a, sizeof a) < 0) {
        rc = mp__fail_errno("connect");
        close(sock);
        return rc;
    }
    mp__fdlist got = {0};
    uint8_t yes;
    if ((rc = mp__write_all(sock, key, KEYLEN)) == 0 &&
        (rc = mp__recv_fds(sock, &yes, 1, &got)) == 0 && got.n != n)
        rc = mp__fail(MP_EUNPICKLE, "%zu descriptors came where %zu were shared", got.n, n);
    close(sock);
    for (size_t i = 0; i < n && rc == 0; i++) {
        fds[i] = got.fds[i];
        got.fds[i] = -1;
    }
    mp__fdlist_close(&got);
    return rc;
}

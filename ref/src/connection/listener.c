/* listener.c - Listener and Client of multiprocessing.connection over AF_UNIX and AF_INET sockets. */
#include "connection.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

struct mp_listener {
    int fd;                     /* -1 once closed */
    mp_value *address;          /* getsockname(), as Python shows it */
    mp_value *last_accepted;    /* NULL until the first accept */
    mp_value *authkey;          /* bytes, or NULL */
    mp_auth_form form;
    char *unlink_path;          /* the AF_UNIX socket file to remove, or NULL */
    mp__finalizer *fin;         /* removes it at exit if close() never runs */
    pid_t owner;                /* only the creating process removes it */
};

/* A socket address built from a value. */
typedef struct sockaddr_any {
    union {
        struct sockaddr sa;
        struct sockaddr_un un;
        struct sockaddr_in in;
    } u;
    socklen_t len;
} sockaddr_any;

/* An OSError from errno as Python's socket module words it (no filename). */
static int fail_sock(int e)
{
    return mp__fail_os(e, "[Errno %d] %s", e, strerror(e));
}

static int fail_repr(int code, const char *fmt, const mp_value *v)
{
    char *r = v ? mp_repr(v) : strdup("None");
    if (!r)
        return mp__fail(MP_ENOMEM, "out of memory");
    int rc = mp__fail(code, fmt, r);
    free(r);
    return rc;
}

/* connection.address_type(): "AF_INET" for a tuple, "AF_UNIX" for a str
 * or an abstract name given as bytes (b"\0..."), else CPython's errors: a
 * falsy or bytes address is ValueError, anything else the TypeError that
 * util.is_abstract_socket_namespace raises. */
static int address_type(const mp_value *a, const char **family)
{
    mp_type t = mp_typeof(a);
    size_t n;
    const uint8_t *b = mp_as_bytes(a, &n);
    if (t == MP_T_TUPLE)
        *family = "AF_INET";
    else if (t == MP_T_STR && mp_len(a) >= 2 && memcmp(mp_as_str(a), "\\\\", 2) == 0)
        *family = "AF_PIPE";
    else if (t == MP_T_STR || (t == MP_T_BYTES && n > 0 && b[0] == 0))
        *family = "AF_UNIX";
    else if (!a || !mp_as_bool(a) || t == MP_T_BYTES)
        return fail_repr(MP_EVALUE, "address type of %s unrecognized", a);
    else
        return fail_repr(MP_ETYPE, "address type of %s unrecognized", a);
    return 0;
}

/* _validate_family(): the Windows-only family is refused on Linux. */
static int validate_family(const char *family)
{
    if (strcmp(family, "AF_PIPE") == 0)
        return mp__fail(MP_EVALUE, "Family %s is not recognized.", family);
    return 0;
}

/* An AF_UNIX address as socket.bind() reads one: a str (UTF-8) or bytes.
 * A name that starts with NUL is abstract and takes exactly its bytes; a
 * path needs room for its terminating NUL. */
static int unix_addr(const mp_value *a, sockaddr_any *out)
{
    size_t n;
    const char *p = mp__str_utf8(a, &n);
    if (!p)
        p = (const char *)mp_as_bytes(a, &n);
    if (!p)
        return mp__fail(MP_ETYPE, "a bytes-like object is required, not '%s'", mp_type_name(a));
    memset(out, 0, sizeof *out);
    out->u.un.sun_family = AF_UNIX;
    bool abstract = n == 0 || p[0] == 0;
    if (abstract ? n > sizeof out->u.un.sun_path : n >= sizeof out->u.un.sun_path)
        return mp__fail(MP_EOS, "AF_UNIX path too long");
    memcpy(out->u.un.sun_path, p, n);
    out->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (abstract ? 0 : 1));
    return 0;
}

/* setipaddr() for AF_INET: "" is any address, "<broadcast>" broadcast, a
 * dotted quad is taken as it is, a name is resolved (socket.gaierror). */
static int resolve_host(const char *host, struct in_addr *out)
{
    if (host[0] == 0) {
        out->s_addr = htonl(INADDR_ANY);
        return 0;
    }
    if (strcmp(host, "<broadcast>") == 0) {
        out->s_addr = htonl(INADDR_BROADCAST);
        return 0;
    }
    if (inet_pton(AF_INET, host, out) == 1)
        return 0;
    struct addrinfo hints = {.ai_family = AF_INET}, *res = NULL;
    int e = getaddrinfo(host, NULL, &hints, &res);
    if (e != 0) {
        if (e == EAI_SYSTEM)
            return fail_sock(errno);
        return mp__fail_os(e, "[Errno %d] %s", e, gai_strerror(e));
    }
    *out = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
    freeaddrinfo(res);
    return 0;
}

/* An AF_INET address (host, port) with socket.bind()'s and connect()'s
 * checks, in their order: the pair, the host's type, the port's type, the
 * name, then the port's range.  caller is "bind" or "connect". */
static int inet_address(const mp_value *a, const char *caller, sockaddr_any *out)
{
    if (mp_typeof(a) != MP_T_TUPLE)
        return mp__fail(MP_ETYPE, "%s(): AF_INET address must be tuple, not %s", caller,
                        mp_type_name(a));
    if (mp_len(a) != 2)
        return mp__fail(MP_ETYPE, "AF_INET address must be a pair (host, port)");
    const mp_value *h = mp_item(a, 0), *p = mp_item(a, 1);
    size_t hlen;
    const char *host = mp__str_utf8(h, &hlen);
    if (!host)
        host = (const char *)mp_as_bytes(h, &hlen);
    if (!host)
        return mp__fail(MP_ETYPE, "str, bytes or bytearray expected, not %s", mp_type_name(h));
    if (strlen(host) != hlen)
        return mp__fail(MP_ETYPE, "host name must not contain null character");
    if (mp_typeof(p) != MP_T_INT && mp_typeof(p) != MP_T_BOOL)
        return mp__fail(MP_ETYPE, "'%s' object cannot be interpreted as an integer", mp_type_name(p));
    int64_t port = mp_as_int(p);
    if (port < INT32_MIN || port > INT32_MAX)
        return mp__fail(MP_EOVERFLOW, "%s(): port must be 0-65535.", caller);
    memset(out, 0, sizeof *out);
    out->u.in.sin_family = AF_INET;
    int rc = resolve_host(host, &out->u.in.sin_addr);
    if (rc < 0)
        return rc;
    if (port < 0 || port > 65535)
        return mp__fail(MP_EOVERFLOW, "%s(): port must be 0-65535.", caller);
    out->u.in.sin_port = htons((uint16_t)port);
    out->len = sizeof out->u.in;
    return 0;
}

static int family_addr(const char *family, const mp_value *a, const char *caller, sockaddr_any *out)
{
    if (strcmp(family, "AF_UNIX") == 0)
        return unix_addr(a, out);
    if (strcmp(family, "AF_INET") == 0)
        return inet_address(a, caller, out);
    /* CPython would look the name up in the socket module; Forklore knows
     * these two families only. */
    return mp__fail(MP_EVALUE, "unrecognized family");
}

/* What Python's socket module makes of an address: (host, port) for
 * AF_INET; for AF_UNIX a str path ('' for an unbound peer), or bytes for
 * an abstract name (b'\x00name'). */
static mp_value *addr_value(const struct sockaddr_storage *ss, socklen_t len)
{
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
        char host[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        return mp_tuple_of(host, (int)ntohs(in->sin_port));
    }
    const struct sockaddr_un *un = (const struct sockaddr_un *)ss;
    size_t n = len > offsetof(struct sockaddr_un, sun_path)
               ? (size_t)len - offsetof(struct sockaddr_un, sun_path) : 0;
    if (n > sizeof un->sun_path)
        n = sizeof un->sun_path;
    if (n > 0 && un->sun_path[0] == 0)
        return mp_bytes(un->sun_path, n);
    n = strnlen(un->sun_path, n);
    /* A path that is not UTF-8 stays bytes (Python would decode it with
     * surrogate escapes, which a C string cannot carry). */
    mp_value *s = mp_str_n(un->sun_path, n);
    return s ? s : mp_bytes(un->sun_path, n);
}

/* arbitrary_address('AF_UNIX'): tempfile.mktemp(prefix='listener-',
 * dir=util.get_temp_dir()), a name not yet taken in our private folder. */
static mp_value *arbitrary_unix_address(void)
{
    static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789_";
    const char *dir = mp__get_temp_dir();
    if (!dir)
        return NULL;
    for (int attempt = 0; attempt < 10000; attempt++) {
        unsigned char r[8];
        char path[4096];
        if (RAND_bytes(r, sizeof r) != 1)
            break;
        int k = snprintf(path, sizeof path, "%s/listener-", dir);
        if (k < 0 || (size_t)k + sizeof r >= sizeof path)
            break;
        for (size_t i = 0; i < sizeof r; i++)
            path[k + (int)i] = chars[r[i] % (sizeof chars - 1)];
        path[k + (int)sizeof r] = 0;
        struct stat st;
        if (lstat(path, &st) < 0 && errno == ENOENT)
            return mp_str(path);
    }
    mp__fail_os(EEXIST, "[Errno %d] No usable temporary file name found", EEXIST);
    return NULL;
}

/* connect(), finishing one that a signal interrupted as PEP 475 does:
 * wait until the socket is writable and read the outcome. */
static int connect_retry(int fd, const sockaddr_any *a)
{
    if (connect(fd, &a->u.sa, a->len) == 0)
        return 0;
    if (errno != EINTR)
        return -1;
    for (;;) {
        struct pollfd p = {fd, POLLOUT, 0};
        if (poll(&p, 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        int err = 0;
        socklen_t el = sizeof err;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
            return -1;
        errno = err;
        return err ? -1 : 0;
    }
}

/* ---- Listener ------------------------------------------------------------ */

/* os.unlink(path) as the Finalize would run it: "[Errno 2] No such file or
 * directory: '/path'" if the file has gone. */
static int unlink_socket(mp_listener *l)
{
    char *path = l->unlink_path;
    l->unlink_path = NULL;
    if (l->fin)
        mp__finalize_cancel(l->fin);
    l->fin = NULL;
    int rc = 0;
    if (path && getpid() == l->owner && unlink(path) < 0) {
        int e = errno;
        mp__buf b = {0};
        mp__buf_repr_str(&b, path, strlen(path));
        char *r = mp__buf_finish(&b);
        rc = mp__fail_os(e, "[Errno %d] %s: %s", e, strerror(e), r ? r : path);
        free(r);
    }
    free(path);
    return rc;
}

/* At exit, for a listener never closed.  Python's _run_finalizers prints a
 * failing finalizer's traceback and goes on; so does this. */
static void unlink_at_exit(void *arg)
{
    mp_listener *l = arg;
    l->fin = NULL;              /* the runner frees it */
    mp__exc saved;
    mp__exc_save(&saved);
    int rc = unlink_socket(l);
    if (rc < 0)
        mp_excepthook(rc);
    mp__exc_restore(&saved);
}

/* Listener(address, family, backlog, authkey).  The order of CPython's
 * checks is kept: family and address first, then bind and listen, and the
 * authkey's type last (a bad key closes the socket it made). */
mp_listener *mp_listener_new(const mp_listener_opts *opts)
{
    mp_listener_opts o = opts ? *opts : (mp_listener_opts){0};
    mp_value *address = o.address, *authkey = o.authkey;
    mp_listener *l = NULL;
    const char *family = o.family;
    sockaddr_any sa;
    int rc = 0, fd = -1;

    bool given = address && mp_as_bool(address);
    if (!family && given)
        rc = address_type(address, &family);
    if (rc == 0 && !family)
        family = "AF_UNIX";
    if (rc == 0 && !given) {
        unsigned long mark = mp__fail_mark();
        mp_decref(address);
        address = NULL;
        if (strcmp(family, "AF_INET") == 0)
            address = mp_tuple_of("localhost", 0);
        else if (strcmp(family, "AF_UNIX") == 0)
            address = arbitrary_unix_address();
        else if (strcmp(family, "AF_PIPE") != 0)    /* refused just below */
            rc = mp__fail(MP_EVALUE, "unrecognized family");
        if (rc == 0 && !address && strcmp(family, "AF_PIPE") != 0)
            rc = mp__fail_since(mark, MP_ENOMEM, "out of memory");
    }
    if (rc == 0)
        rc = validate_family(family);
    if (rc == 0)
        rc = family_addr(family, address, "bind", &sa);
    if (rc < 0)
        goto fail;

    if ((fd = socket(sa.u.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
        rc = fail_sock(errno);
        goto fail;
    }
    int one = 1;
    int backlog = o.backlog > 0 ? o.backlog : o.backlog == 0 ? 1 : 0;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    memset(&ss, 0, sizeof ss);
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(fd, &sa.u.sa, sa.len) < 0 || listen(fd, backlog) < 0 ||
        getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
        rc = fail_sock(errno);
        close(fd);
        goto fail;
    }
    if (!(l = calloc(1, sizeof *l))) {
        close(fd);
        rc = mp__fail(MP_ENOMEM, "out of memory");
        goto fail;
    }
    l->fd = fd;
    l->owner = getpid();
    l->form = o.auth_form;
    if (sa.u.sa.sa_family == AF_UNIX && sa.u.un.sun_path[0] != 0) {
        l->unlink_path = strdup(sa.u.un.sun_path);
        l->fin = l->unlink_path ? mp__finalize_register(unlink_at_exit, l, 0) : NULL;
        if (!l->fin) {
            rc = mp__fail(MP_ENOMEM, "out of memory");
            goto fail_close;
        }
    }
    if (!(l->address = addr_value(&ss, sl))) {
        rc = mp__fail(MP_ENOMEM, "out of memory");
        goto fail_close;
    }
    if (authkey && mp_typeof(authkey) != MP_T_BYTES) {
        rc = mp__fail(MP_ETYPE, "authkey should be a byte string");
        goto fail_close;
    }
    l->authkey = authkey;
    mp_decref(address);
    return l;

fail_close:
    mp_listener_free(l);        /* closes and unlinks; keeps the error */
fail:
    mp_decref(address);
    mp_decref(authkey);
    return NULL;
}

/* accept(): the next connection, with deliver_challenge then
 * answer_challenge when there is a key.  As in CPython an empty key
 * (b'') means no authentication on this side. */
int mp_listener_accept(mp_listener *l, mp_connection **out)
{
    *out = NULL;
    if (l->fd < 0)
        return mp__fail(MP_EOS, "listener is closed");
    struct sockaddr_storage ss;
    socklen_t sl;
    int fd;
    do {
        int rc = mp__interrupted();     /* SIGINT: KeyboardInterrupt, as in CPython */
        if (rc < 0)
            return rc;
        sl = sizeof ss;
        memset(&ss, 0, sizeof ss);
        fd = accept4(l->fd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return fail_sock(errno);
    mp_value *peer = addr_value(&ss, sl);
    mp_connection *c = peer ? mp_connection_new(fd, true, true) : NULL;
    if (!c) {
        close(fd);
        mp_decref(peer);
        return mp__fail(MP_ENOMEM, "out of memory");
    }
    mp_decref(l->last_accepted);
    l->last_accepted = peer;
    size_t klen = 0;
    const uint8_t *key = mp_as_bytes(l->authkey, &klen);
    if (klen > 0) {
        int rc = mp_deliver_challenge(c, key, klen, l->form);
        if (rc == 0)
            rc = mp_answer_challenge(c, key, klen);
        if (rc < 0) {
            mp_connection_free(c);
            return rc;
        }
    }
    *out = c;
    return 0;
}

/* close(): the socket, then the socket file (an abstract name has none).
 * A second call does nothing; a file someone else removed is the OSError
 * that os.unlink raises, the socket being closed all the same. */
int mp_listener_close(mp_listener *l)
{
    if (l->fd < 0)
        return 0;
    close(l->fd);
    l->fd = -1;
    return unlink_socket(l);
}

/* Python's properties read through the closed listener's None: the
 * AttributeError they raise there is what is recorded. */
const mp_value *mp_listener_address(const mp_listener *l)
{
    if (l->fd < 0) {
        mp__fail(MP_EATTR, "'NoneType' object has no attribute '_address'");
        return NULL;
    }
    return l->address;
}

const mp_value *mp_listener_last_accepted(const mp_listener *l)
{
    if (l->fd < 0) {
        mp__fail(MP_EATTR, "'NoneType' object has no attribute '_last_accepted'");
        return NULL;
    }
    return l->last_accepted;
}

/* Closes it if needed (as collecting a Python Listener does). */
void mp_listener_free(mp_listener *l)
{
    if (!l)
        return;
    mp__exc saved;
    mp__exc_save(&saved);
    mp_listener_close(l);
    mp__exc_restore(&saved);
    mp_decref(l->address);
    mp_decref(l->last_accepted);
    mp_decref(l->authkey);
    free(l);
}

/* ---- Client -------------------------------------------------------------- */

/* Client(address, family, authkey): connect, check the key's type (after
 * connecting, as CPython does), then answer_challenge and
 * deliver_challenge.  Like CPython's SocketClient, the socket's family
 * comes from the address; `family` is only checked for AF_PIPE. */
mp_connection *mp_client_new(const mp_client_opts *opts)
{
    mp_client_opts o = opts ? *opts : (mp_client_opts){0};
    const char *family = NULL;
    sockaddr_any sa;
    int rc = 0, fd = -1;
    mp_connection *c = NULL;

    if (o.family)
        rc = validate_family(o.family);
    if (rc == 0)
        rc = address_type(o.address, &family);
    if (rc == 0)
        rc = validate_family(family);
    if (rc == 0)
        rc = family_addr(family, o.address, "connect", &sa);
    if (rc < 0)
        goto done;
    if ((fd = socket(sa.u.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
        rc = fail_sock(errno);
        goto done;
    }
    if (connect_retry(fd, &sa) < 0) {
        rc = fail_sock(errno);
        close(fd);
        goto done;
    }
    if (!(c = mp_connection_new(fd, true, true))) {
        close(fd);
        rc = mp__fail(MP_ENOMEM, "out of memory");
        goto done;
    }
    if (o.authkey && mp_typeof(o.authkey) != MP_T_BYTES) {
        rc = mp__fail(MP_ETYPE, "authkey should be a byte string");
        goto done;
    }
    if (o.authkey) {
        size_t klen;
        const uint8_t *key = mp_as_bytes(o.authkey, &klen);
        rc = mp_answer_challenge(c, key, klen);
        if (rc == 0)
            rc = mp_deliver_challenge(c, key, klen, o.auth_form);
    }
done:
    if (rc < 0) {
        mp_connection_free(c);
        c = NULL;
    }
    mp_decref(o.address);
    mp_decref(o.authkey);
    return c;
}

/* test_listener.c - unit tests for Listener, Client and the authkey handshake (auth.c, listener.c).
 *
 * Usage: test_listener     prints TAP.  The HMAC vectors below were computed
 * with CPython's hmac module (hmac.new(b'forklore', message, digest)), so the
 * answers are checked byte for byte against what CPython sends.
 */
#include "util/util.h"
#include "tap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define KEY "forklore"

/* ---- raw frames on a socketpair: the hostile or scripted peer ----------- */

static void put_raw(int fd, const void *p, size_t n)
{
    if (mp__write_all(fd, p, n) < 0)
        tap_diag("write failed: %s", mp_errmsg());
}

static void put_frame(int fd, const void *p, size_t n)
{
    uint8_t h[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
    put_raw(fd, h, 4);
    put_raw(fd, p, n);
}

#define PUT_STR(fd, s) put_frame(fd, s, sizeof s - 1)

/* One frame into buf (cap bytes); its length, or -1. */
static long get_frame(int fd, void *buf, size_t cap)
{
    uint8_t h[4];
    if (mp__read_exact(fd, h, 4, true) < 0)
        return -1;
    size_t n = mp__get_be32(h);
    if (n > cap || mp__read_exact(fd, buf, n, false) < 0)
        return -1;
    return (long)n;
}

static void hex(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
    out[2 * n] = 0;
}

/* A connection for us and the raw descriptor of its peer. */
static mp_connection *pair(int *raw)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return NULL;
    *raw = sv[1];
    return mp_connection_new(sv[0], true, true);
}

/* ---- answer_challenge against scripted challenges ------------------------- */

/* Answer `challenge` (prefix, then 20 or 40 counting bytes) and compare
 * what was sent with CPython's answer, given in hex. */
static void answer_vector(const char *prefix, size_t nrand, const char *want_prefix,
                          const char *want_hex)
{
    int raw;
    mp_connection *c = pair(&raw);
    uint8_t msg[128];
    size_t pl = strlen(prefix);
    memcpy(msg, "#CHALLENGE#", 11);
    memcpy(msg + 11, prefix, pl);
    for (size_t i = 0; i < nrand; i++)
        msg[11 + pl + i] = (uint8_t)i;
    put_frame(raw, msg, 11 + pl + nrand);
    PUT_STR(raw, "#WELCOME#");
    int rc = mp_answer_challenge(c, KEY, strlen(KEY));
    tap_is_int(rc, 0, "answer %s%zu-byte challenge: accepted", prefix, nrand);
    uint8_t got[128];
    long n = get_frame(raw, got, sizeof got);
    size_t wp = strlen(want_prefix);
    char h[260] = "";
    if (n >= (long)wp)
        hex(got + wp, (size_t)n - wp, h);
    TAP_OK(n >= (long)wp && memcmp(got, want_prefix, wp) == 0, "answer to %s starts with '%s'",
           prefix, want_prefix);
    tap_is_str(h, want_hex, "answer to %s%zu bytes is CPython's HMAC", prefix, nrand);
    mp_connection_free(c);
    close(raw);
}

/* Feed raw bytes, answer, and expect code and message. */
static void answer_hostile(const void *bytes, size_t n, int want, const char *want_msg,
                           const char *what)
{
    int raw;
    mp_connection *c = pair(&raw);
    put_raw(raw, bytes, n);
    shutdown(raw, SHUT_WR);        /* then EOF: nothing may wait for more */
    int rc = mp_answer_challenge(c, KEY, strlen(KEY));
    tap_is_int(rc, want, "answer_challenge, %s: %s", what, mp_errname(want));
    tap_is_str(mp_errmsg(), want_msg, "answer_challenge, %s: message", what);
    mp_connection_free(c);
    close(raw);
}

static void test_answer(void)
{
    answer_vector("", 20, "", "95acfc8a4b4f56820ff28a163f20b7fd");
    answer_vector("{sha256}", 40, "{sha256}",
                  "7bc8dd4d673caae28a165e338b06aa5c199f77ffd9c3ca4da1cf69438aa39408");
    answer_vector("{sha384}", 40, "{sha384}",
                  "d1989bb6e3482e0322b8344540801b1b506f6033a4adff9b8e825dde6d21809b"
                  "8414fc7ac9504344a7ffada39be99d2a");
    answer_vector("{sha3_256}", 40, "{sha3_256}",
                  "f92f405d50b3ca6bd5c51f35bffc6c204f7aba062069d8cee054c9585c48e01f");
    answer_vector("{sha3_384}", 40, "{sha3_384}",
                  "eff8f20a2e858481d977d96edb36c4d15ce3e88d691b9a3367ed29ab618bedc8"
                  "eb5a83dc63c065807811199d63cbbb99");
    answer_vector("{md5}", 40, "{md5}", "d0bff4f895eeaa4ca29970be79498298");

    static const uint8_t refused[] = "\0\0\0\x1f#CHALLENGE#abcdefghijklmnopqrst\0\0\0\x09#FAILURE#";
    answer_hostile(refused, sizeof refused - 1, MP_EAUTH, "digest sent was rejected", "FAILURE");
    static const uint8_t hello[] = "\0\0\0\x05hello";
    answer_hostile(hello, sizeof hello - 1, MP_EAUTH,
                   "Protocol error, expected challenge: message=b'hello'", "no #CHALLENGE#");
    static const uint8_t shortc[] = "\0\0\0\x10#CHALLENGE#12345";
    answer_hostile(shortc, sizeof shortc - 1, MP_EAUTH, "challenge too short: 5 bytes", "5 bytes");
    static const uint8_t odd[] = "\0\0\0\x24#CHALLENGE#0123456789012345678901234";
    answer_hostile(odd, sizeof odd - 1, MP_EAUTH,
                   "unsupported message length, missing digest prefix, or unsupported digest: "
                   "message=b'0123456789012345678901234'", "25 bytes without {digest}");
    static const uint8_t sha1[] = "\0\0\0\x2a#CHALLENGE#{sha1}0123456789012345678901234";
    answer_hostile(sha1, sizeof sha1 - 1, MP_EAUTH,
                   "unsupported message length, missing digest prefix, or unsupported digest: "
                   "message=b'{sha1}0123456789012345678901234'", "{sha1}");
    static const uint8_t huge[] = "\x7f\xff\xff\xff#CHALLENGE#";
    answer_hostile(huge, sizeof huge - 1, MP_EOS, "bad message length", "2 GiB length");
    static const uint8_t big[] = "\xff\xff\xff\xff\x7f\0\0\0\0\0\0\0";
    answer_hostile(big, sizeof big - 1, MP_EOS, "bad message length", "8-byte huge length");
    static const uint8_t just[] = "\0\0\1\1";
    answer_hostile(just, sizeof just - 1, MP_EOS, "bad message length", "257 bytes");
    answer_hostile("", 0, MP_EEOF, "", "EOF at once");
    static const uint8_t cut[] = "\0\0\0\x1f#CHALL";
    answer_hostile(cut, sizeof cut - 1, MP_EOS, "got end of file during message", "EOF inside");
    static const uint8_t bigverdict[] = "\0\0\0\x1f#CHALLENGE#abcdefghijklmnopqrst\0\0\x10\0";
    answer_hostile(bigverdict, sizeof bigverdict - 1, MP_EOS, "bad message length",
                   "4 KiB verdict");
}

/* ---- deliver_challenge against a scripted answerer (a thread) ------------ */

enum reply { R_MD5, R_SHA256, R_WRONG_MD5, R_GARBAGE, R_SHORT_SHA256, R_HUGE, R_CLOSE };

typedef struct peer {
    int raw;
    enum reply how;
    long challenge_len;
    uint8_t challenge[300];
    char verdict[300];
} peer;

static void *answerer(void *arg)
{
    peer *p = arg;
    p->challenge_len = get_frame(p->raw, p->challenge, sizeof p->challenge);
    const uint8_t *m = p->challenge + 11;
    size_t mlen = p->challenge_len > 11 ? (size_t)p->challenge_len - 11 : 0;
    uint8_t out[128];
    unsigned int len = 0;
    switch (p->how) {
    case R_MD5:
    case R_WRONG_MD5:
        HMAC(EVP_md5(), KEY, (int)strlen(KEY) - (p->how == R_WRONG_MD5), m, mlen, out, &len);
        put_frame(p->raw, out, len);
        break;
    case R_SHA256:
    case R_SHORT_SHA256:
        memcpy(out, "{sha256}", 8);
        HMAC(EVP_sha256(), KEY, (int)strlen(KEY), m, mlen, out + 8, &len);
        put_frame(p->raw, out, p->how == R_SHA256 ? 8 + len : 11);
        break;
    case R_GARBAGE: PUT_STR(p->raw, "abcde"); break;
    case R_HUGE: put_raw(p->raw, "\x40\0\0\0", 4); break;
    case R_CLOSE: break;
    }
    shutdown(p->raw, SHUT_WR);
    long n = get_frame(p->raw, p->verdict, sizeof p->verdict - 1);
    p->verdict[n > 0 ? n : 0] = 0;
    return NULL;
}

static void deliver_case(mp_auth_form form, enum reply how, int want, const char *want_msg,
                         const char *want_verdict, const char *what)
{
    const char *fname = form == MP_AUTH_311 ? "3.11 form" : "sha256 form";
    peer p = {.how = how};
    mp_connection *c = pair(&p.raw);
    pthread_t t;
    pthread_create(&t, NULL, answerer, &p);
    int rc = mp_deliver_challenge(c, KEY, strlen(KEY), form);
    mp__exc e;
    mp__exc_save(&e);
    mp_connection_free(c);      /* the peer sees EOF if it still waits */
    pthread_join(t, NULL);
    close(p.raw);
    tap_is_int(rc, want, "deliver (%s), peer %s: %s", fname, what, mp_errname(want));
    tap_is_str(rc < 0 ? e.msg : "", want_msg, "deliver (%s), peer %s: message", fname, what);
    tap_is_str(p.verdict, want_verdict, "deliver (%s), peer %s: verdict sent", fname, what);
    bool shape = form == MP_AUTH_311
                 ? p.challenge_len == 31 && memcmp(p.challenge, "#CHALLENGE#", 11) == 0
                 : p.challenge_len == 59 && memcmp(p.challenge, "#CHALLENGE#{sha256}", 19) == 0;
    TAP_OK(shape, "deliver (%s): the challenge has CPython's shape", fname);
}

static void test_deliver(void)
{
    static const char *const all_wrong = "digest received was wrong";
    for (int f = 0; f < 2; f++) {
        mp_auth_form form = f ? MP_AUTH_SHA256 : MP_AUTH_311;
        deliver_case(form, R_MD5, 0, "", "#WELCOME#", "answers bare MD5");
        deliver_case(form, R_SHA256, 0, "", "#WELCOME#", "answers {sha256}");
        deliver_case(form, R_WRONG_MD5, MP_EAUTH, all_wrong, "#FAILURE#", "has the wrong key");
        deliver_case(form, R_GARBAGE, MP_EAUTH, f ? "unsupported message length, missing digest "
                     "prefix, or unsupported digest: message=b'abcde'" : all_wrong,
                     "#FAILURE#", "answers garbage");
        deliver_case(form, R_SHORT_SHA256, MP_EAUTH,
                     f ? "expected 'sha256' of length 32 got 3" : all_wrong, "#FAILURE#",
                     "answers a cut {sha256}");
        deliver_case(form, R_HUGE, MP_EOS, "bad message length", "", "sends a 1 GiB length");
        deliver_case(form, R_CLOSE, MP_EEOF, "", "", "hangs up");
    }
    int raw;
    mp_connection *c = pair(&raw);
    tap_is_int(mp_deliver_challenge(c, NULL, 3, MP_AUTH_311), MP_EVALUE, "deliver: NULL key");
    tap_is_int(mp_deliver_challenge(c, KEY, 3, (mp_auth_form)7), MP_EVALUE, "deliver: bad form");
    mp_connection_free(c);
    close(raw);
}

/* ---- Listener and Client, C to C ------------------------------------------ */

typedef struct client_run {
    const mp_value *address;        /* borrowed from the listener */
    const char *key;                /* NULL: no authkey */
    mp_auth_form form;
    int rc;
    char msg[512];
    char got[256];                  /* repr of the value the listener sent */
} client_run;

static void *client_thread(void *arg)
{
    client_run *r = arg;
    mp_connection *c = mp_client_new(&(mp_client_opts){
        .address = mp_incref(r->address),
        .authkey = r->key ? mp_bytes(r->key, strlen(r->key)) : NULL,
        .auth_form = r->form});
    r->rc = c ? 0 : mp_errcode();
    snprintf(r->msg, sizeof r->msg, "%s", c ? "" : mp_errmsg());
    if (c) {
        mp_value *back = NULL;
        r->rc = mp_connection_send(c, mp_list_of(42, mp_none(), "hello"));
        if (r->rc == 0)
            r->rc = mp_connection_recv(c, &back);
        char *s = back ? mp_repr(back) : NULL;
        snprintf(r->got, sizeof r->got, "%s", s ? s : "");
        free(s);
        mp_decref(back);
        mp_connection_free(c);
    }
    return NULL;
}

/* One listener and one client thread; the listener echoes what it gets in
 * a tuple.  Returns accept's code; *cr holds the client's outcome. */
static int converse(mp_listener *l, const char *ckey, mp_auth_form cform, client_run *cr,
                    char *lmsg, size_t lcap, char *echoed, size_t ecap)
{
    *cr = (client_run){.address = mp_listener_address(l), .key = ckey, .form = cform};
    pthread_t t;
    pthread_create(&t, NULL, client_thread, cr);
    mp_connection *c = NULL;
    int rc = mp_listener_accept(l, &c);
    snprintf(lmsg, lcap, "%s", rc < 0 ? mp_errmsg() : "");
    echoed[0] = 0;
    if (rc == 0) {
        mp_value *v = NULL;
        if (mp_connection_recv(c, &v) == 0) {
            char *s = mp_repr(v);
            snprintf(echoed, ecap, "%s", s);
            free(s);
            mp_connection_send(c, mp_tuple_of("echo", v));
        }
        mp_connection_free(c);
    }
    pthread_join(t, NULL);
    return rc;
}

static void test_families(void)
{
    char abstract[64];
    snprintf(abstract, sizeof abstract, "%cforklore-test-%d", 0, (int)getpid());
    struct { const char *label; mp_value *addr; const char *family; } cases[] = {
        {"AF_UNIX path", NULL, "AF_UNIX"},
        {"abstract name", mp_str_n(abstract, strlen(abstract + 1) + 1), NULL},
        {"AF_INET", mp_tuple_of("127.0.0.1", 0), NULL},
    };
    for (size_t i = 0; i < 3; i++) {
        for (int lf = 0; lf < 2; lf++) {
            for (int cf = 0; cf < 2; cf++) {
                mp_listener *l = mp_listener_new(&(mp_listener_opts){
                    .address = mp_incref(cases[i].addr), .family = cases[i].family,
                    .authkey = mp_bytes(KEY, 8), .auth_form = lf ? MP_AUTH_SHA256 : MP_AUTH_311});
                /* The error's words only when it failed: otherwise they are
                 * an earlier call's. */
                if (!TAP_OK(l != NULL, "%s listener%s%s", cases[i].label, l ? " made" : ": ",
                            l ? "" : mp_errmsg()))
                    continue;
                client_run cr;
                char lmsg[512], echoed[256];
                int rc = converse(l, KEY, cf ? MP_AUTH_SHA256 : MP_AUTH_311, &cr, lmsg,
                                  sizeof lmsg, echoed, sizeof echoed);
                const char *forms = lf ? (cf ? "sha256/sha256" : "sha256/3.11")
                                       : (cf ? "3.11/sha256" : "3.11/3.11");
                tap_is_int(rc, 0, "%s, forms %s: accepted (%s)", cases[i].label, forms, lmsg);
                tap_is_int(cr.rc, 0, "%s, forms %s: client connected (%s)", cases[i].label, forms, cr.msg);
                tap_is_str(echoed, "[42, None, 'hello']", "%s, forms %s: listener got the value",
                           cases[i].label, forms);
                tap_is_str(cr.got, "('echo', [42, None, 'hello'])", "%s, forms %s: client got the reply",
                           cases[i].label, forms);
                mp_listener_free(l);
            }
        }
        mp_decref(cases[i].addr);
    }
}

static void test_wrong_keys(void)
{
    for (int f = 0; f < 2; f++) {
        mp_listener *l = mp_listener_new(&(mp_listener_opts){
            .family = "AF_UNIX", .authkey = mp_bytes(KEY, 8), .auth_form = f ? MP_AUTH_SHA256 : MP_AUTH_311});
        client_run cr;
        char lmsg[512], echoed[256];
        int rc = converse(l, "not the key", MP_AUTH_311, &cr, lmsg, sizeof lmsg, echoed, sizeof echoed);
        tap_is_int(rc, MP_EAUTH, "wrong key (form %d): accept is AuthenticationError", f);
        tap_is_str(lmsg, "digest received was wrong", "wrong key (form %d): listener's message", f);
        tap_is_int(cr.rc, MP_EAUTH, "wrong key (form %d): Client is AuthenticationError", f);
        tap_is_str(cr.msg, "digest sent was rejected", "wrong key (form %d): client's message", f);
        tap_is_str(echoed, "", "wrong key (form %d): nothing delivered", f);
        mp_listener_free(l);
    }
    client_run cr;
    char lmsg[512], echoed[256];
    mp_listener *l;

    /* Listener(authkey=b'') authenticates nobody (CPython tests `if
     * self._authkey`), and a client without a key is then served. */
    l = mp_listener_new(&(mp_listener_opts){.authkey = mp_bytes("", 0)});
    int rc = converse(l, NULL, MP_AUTH_311, &cr, lmsg, sizeof lmsg, echoed, sizeof echoed);
    tap_is_int(rc, 0, "authkey b'': no handshake (%s)", lmsg);
    tap_is_str(cr.got, "('echo', [42, None, 'hello'])", "authkey b'': the exchange works");
    mp_listener_free(l);
}

/* A peer that skips the handshake and sends a pickle at once: it is
 * refused and its message is never seen. */
static void test_unauthenticated_peer(void)
{
    mp_listener *l = mp_listener_new(&(mp_listener_opts){.authkey = mp_bytes(KEY, 8)});
    const mp_value *a = mp_listener_address(l);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    snprintf(un.sun_path, sizeof un.sun_path, "%s", mp_as_str(a));
    int crc = connect(fd, (struct sockaddr *)&un, sizeof un);
    uint8_t *pk;
    size_t n;
    mp_value *v = mp_list_of(42, mp_none(), "hello");
    mp_pickle_dumps(v, NULL, &pk, &n);
    put_frame(fd, pk, n);
    free(pk);
    mp_decref(v);
    mp_connection *c = NULL;
    int rc = mp_listener_accept(l, &c);
    tap_is_int(crc, 0, "raw peer connected");
    tap_is_int(rc, MP_EAUTH, "a pickle instead of an answer: AuthenticationError");
    tap_is_str(mp_errmsg(), "digest received was wrong", "... with 3.11's message");
    TAP_OK(c == NULL, "no connection is handed out");
    char verdict[64];
    uint8_t ch[64];
    long cl = get_frame(fd, ch, sizeof ch);
    long vl = get_frame(fd, verdict, sizeof verdict - 1);
    verdict[vl > 0 ? vl : 0] = 0;
    TAP_OK(cl == 31, "the peer got a challenge first");
    tap_is_str(verdict, "#FAILURE#", "then #FAILURE#");
    close(fd);
    mp_listener_free(l);
}

/* ---- the Listener object ------------------------------------------------- */

static char *repr_of(const mp_value *v)
{
    static char buf[512];
    char *s = v ? mp_repr(v) : NULL;
    snprintf(buf, sizeof buf, "%s", s ? s : "NULL");
    free(s);
    return buf;
}

static void test_listener_object(void)
{
    mp_listener *l = mp_listener_new(NULL);
    const mp_value *a = mp_listener_address(l);
    const char *dir = mp__get_temp_dir();
    size_t dl = strlen(dir);
    const char *path = mp_as_str(a);
    TAP_OK(path && strncmp(path, dir, dl) == 0 && strncmp(path + dl, "/listener-", 10) == 0 &&
           strlen(path + dl + 10) == 8, "Listener(): a listener-XXXXXXXX path in the temp dir: %s",
           path ? path : "NULL");
    char saved[256];
    snprintf(saved, sizeof saved, "%s", path ? path : "");
    struct stat st;
    TAP_OK(stat(saved, &st) == 0 && S_ISSOCK(st.st_mode), "the socket file exists");
    TAP_OK(mp_listener_last_accepted(l) == NULL, "last_accepted before accept: NULL");
    client_run cr;
    char lmsg[512], echoed[256];
    converse(l, NULL, MP_AUTH_311, &cr, lmsg, sizeof lmsg, echoed, sizeof echoed);
    tap_is_str(repr_of(mp_listener_last_accepted(l)), "''", "AF_UNIX last_accepted is '' as in 3.11");
    tap_is_int(mp_listener_close(l), 0, "close");
    TAP_OK(stat(saved, &st) < 0 && errno == ENOENT, "close removed the socket file");
    tap_is_int(mp_listener_close(l), 0, "close again: nothing");
    TAP_OK(mp_listener_address(l) == NULL && mp_errcode() == MP_EATTR, "address after close: AttributeError");
    tap_is_str(mp_errmsg(), "'NoneType' object has no attribute '_address'", "... CPython's message");
    TAP_OK(mp_listener_last_accepted(l) == NULL && mp_errcode() == MP_EATTR, "last_accepted after close");
    mp_connection *c;
    tap_is_int(mp_listener_accept(l, &c), MP_EOS, "accept after close");
    tap_is_str(mp_errmsg(), "listener is closed", "... 'listener is closed'");
    mp_listener_free(l);

    l = mp_listener_new(&(mp_listener_opts){.family = "AF_INET", .backlog = 5});
    a = mp_listener_address(l);
    TAP_OK(mp_typeof(a) == MP_T_TUPLE && strcmp(mp_as_str(mp_item(a, 0)), "127.0.0.1") == 0 &&
           mp_as_int(mp_item(a, 1)) > 0, "Listener(family='AF_INET'): ('127.0.0.1', port): %s", repr_of(a));
    converse(l, NULL, MP_AUTH_311, &cr, lmsg, sizeof lmsg, echoed, sizeof echoed);
    const mp_value *la = mp_listener_last_accepted(l);
    TAP_OK(mp_typeof(la) == MP_T_TUPLE && strcmp(mp_as_str(mp_item(la, 0)), "127.0.0.1") == 0 &&
           mp_as_int(mp_item(la, 1)) > 0, "AF_INET last_accepted: %s", repr_of(la));
    mp_listener_free(l);

    char name[64];
    int nl = snprintf(name, sizeof name, "%cforklore-obj-%d", 0, (int)getpid());
    l = mp_listener_new(&(mp_listener_opts){.address = mp_str_n(name, (size_t)nl)});
    char want[80];
    snprintf(want, sizeof want, "b'\\x00forklore-obj-%d'", (int)getpid());
    tap_is_str(repr_of(mp_listener_address(l)), want, "abstract address reads back as bytes");
    mp_listener *l2 = mp_listener_new(&(mp_listener_opts){.address = mp_bytes(name, (size_t)nl)});
    TAP_OK(l2 == NULL && mp_errcode() == MP_EOS, "the same abstract name again: OSError");
    tap_is_str(mp_errmsg(), "[Errno 98] Address already in use", "... Address already in use");
    tap_is_int(mp_errno(), EADDRINUSE, "... and errno EADDRINUSE");
    tap_is_int(mp_listener_close(l), 0, "abstract close");
    mp_listener_free(l);

    l = mp_listener_new(&(mp_listener_opts){.family = "AF_UNIX"});
    snprintf(saved, sizeof saved, "%s", mp_as_str(mp_listener_address(l)));
    unlink(saved);
    tap_is_int(mp_listener_close(l), MP_EOS, "close after the file was removed: OSError");
    char msg[400];
    snprintf(msg, sizeof msg, "[Errno 2] No such file or directory: '%s'", saved);
    tap_is_str(mp_errmsg(), msg, "... os.unlink's message");
    tap_is_int(mp_listener_close(l), 0, "and closing again is quiet");
    mp_listener_free(l);
}

/* util.Finalize(os.unlink, exitpriority=0): a listener never closed loses
 * its socket file at exit, only in the process that made it; a file that
 * is already gone gets the traceback Python's _run_finalizers prints. */
static void test_exit_cleanup(void)
{
    char path[256], gone[256];
    snprintf(path, sizeof path, "%s/exit-%d", mp__get_temp_dir(), (int)getpid());
    snprintf(gone, sizeof gone, "%s/gone-%d", mp__get_temp_dir(), (int)getpid());
    int errp[2];
    if (pipe(errp) < 0)
        return;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(errp[1], 2);
        mp_listener *a = mp_listener_new(&(mp_listener_opts){.address = mp_str(path)});
        mp_listener *b = mp_listener_new(&(mp_listener_opts){.address = mp_str(gone)});
        unlink(gone);
        exit(a && b ? 0 : 3);   /* neither closed: the finalizers do it */
    }
    close(errp[1]);
    char err[1024] = "";
    size_t got = 0;
    ssize_t r;
    while (got < sizeof err - 1 && (r = read(errp[0], err + got, sizeof err - 1 - got)) > 0)
        got += (size_t)r;
    err[got] = 0;
    close(errp[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    struct stat sb;
    tap_is_int(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0, "a process that never closes its listeners exits 0");
    TAP_OK(stat(path, &sb) < 0 && errno == ENOENT, "its socket file is removed at exit");
    char want[600];
    snprintf(want, sizeof want, "Traceback (most recent call last):\n"
             "  (a C program keeps no Python traceback)\n"
             "FileNotFoundError: [Errno 2] No such file or directory: '%s'\n", gone);
    tap_is_str(err, want, "a socket file already gone: the finalizer's traceback on stderr");

    /* A forked child that frees the parent's listener leaves the file alone. */
    mp_listener *l = mp_listener_new(&(mp_listener_opts){.address = mp_str(path)});
    fflush(stdout);
    if ((pid = fork()) == 0) {
        mp_listener_free(l);
        _exit(0);
    }
    waitpid(pid, &st, 0);
    TAP_OK(stat(path, &sb) == 0, "a child freeing the listener keeps the parent's socket file");
    mp_listener_free(l);
    TAP_OK(stat(path, &sb) < 0, "the parent's close removes it");
}

/* ---- errors -------------------------------------------------------------- */

static void listener_error(mp_value *addr, const char *family, mp_value *key, int want,
                           const char *want_msg)
{
    char *r = addr ? mp_repr(addr) : NULL;
    mp_listener *l = mp_listener_new(&(mp_listener_opts){.address = addr, .family = family,
                                                         .authkey = key});
    TAP_OK(l == NULL && mp_errcode() == want, "Listener(%s, %s): %s", r ? r : "None",
           family ? family : "None", mp_errname(want));
    tap_is_str(mp_errmsg(), want_msg, "Listener(%s, %s): message", r ? r : "None",
               family ? family : "None");
    free(r);
    mp_listener_free(l);
}

static void client_error(mp_value *addr, const char *family, int want, const char *want_msg)
{
    char *r = addr ? mp_repr(addr) : NULL;
    mp_connection *c = mp_client_new(&(mp_client_opts){.address = addr, .family = family});
    TAP_OK(c == NULL, "Client(%s): no connection", r ? r : "None");
    tap_is_int(mp_errcode(), want, "Client(%s): %s", r ? r : "None", mp_errname(want));
    tap_is_str(mp_errmsg(), want_msg, "Client(%s): message", r ? r : "None");
    /* An OSError from the system carries its errno, as OSError.errno. */
    int want_errno = 0;
    if (want == MP_EOS && sscanf(want_msg, "[Errno %d]", &want_errno) == 1 && want_errno > 0)
        tap_is_int(mp_errno(), want_errno, "Client(%s): errno", r ? r : "None");
    free(r);
    if (c)
        mp_connection_free(c);
}

static void test_errors(void)
{
    client_error(mp_str("/nonexistent/forklore.sock"), NULL, MP_EOS, "[Errno 2] No such file or directory");
    char name[64];
    int nl = snprintf(name, sizeof name, "%cforklore-nobody-%d", 0, (int)getpid());
    client_error(mp_str_n(name, (size_t)nl), NULL, MP_EOS, "[Errno 111] Connection refused");
    /* A bound TCP socket that does not listen refuses, with no race. */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in in = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t il = sizeof in;
    bind(s, (struct sockaddr *)&in, sizeof in);
    getsockname(s, (struct sockaddr *)&in, &il);
    client_error(mp_tuple_of("127.0.0.1", (int)ntohs(in.sin_port)), NULL, MP_EOS,
                 "[Errno 111] Connection refused");
    close(s);
    client_error(mp_int(5), NULL, MP_ETYPE, "address type of 5 unrecognized");
    client_error(NULL, NULL, MP_EVALUE, "address type of None unrecognized");
    client_error(mp_bytes("abc", 3), NULL, MP_EVALUE, "address type of b'abc' unrecognized");
    client_error(mp_tuple_of("127.0.0.1"), NULL, MP_ETYPE, "AF_INET address must be a pair (host, port)");
    client_error(mp_tuple_of("127.0.0.1", 70000), NULL, MP_EOVERFLOW, "connect(): port must be 0-65535.");
    client_error(mp_tuple_of("127.0.0.1", -1), NULL, MP_EOVERFLOW, "connect(): port must be 0-65535.");
    client_error(mp_tuple_of("127.0.0.1", 1.5), NULL, MP_ETYPE, "'float' object cannot be interpreted as an integer");
    client_error(mp_tuple_of(5, 1), NULL, MP_ETYPE, "str, bytes or bytearray expected, not int");
    client_error(mp_tuple_of("no-such-host.invalid", 1), NULL, MP_EOS, "[Errno -2] Name or service not known");
    client_error(mp_str("/tmp/x"), "AF_PIPE", MP_EVALUE, "Family AF_PIPE is not recognized.");
    client_error(mp_str(""), NULL, MP_EOS, "[Errno 22] Invalid argument");

    char longp[200];
    memset(longp, 'x', sizeof longp - 1);
    longp[sizeof longp - 1] = 0;
    listener_error(mp_str(longp), NULL, NULL, MP_EOS, "AF_UNIX path too long");
    listener_error(mp_str("/tmp/x"), "AF_INET", NULL, MP_ETYPE, "bind(): AF_INET address must be tuple, not str");
    listener_error(mp_tuple_of("localhost", 0), "AF_UNIX", NULL, MP_ETYPE,
                   "a bytes-like object is required, not 'tuple'");
    listener_error(NULL, "AF_FOO", NULL, MP_EVALUE, "unrecognized family");
    listener_error(mp_str("/tmp/x"), "AF_PIPE", NULL, MP_EVALUE, "Family AF_PIPE is not recognized.");
    listener_error(NULL, "AF_PIPE", NULL, MP_EVALUE, "Family AF_PIPE is not recognized.");
    listener_error(mp_str("\\\\.\\pipe\\x"), NULL, NULL, MP_EVALUE, "Family AF_PIPE is not recognized.");
    listener_error(mp_list_of(1, 2), NULL, NULL, MP_ETYPE, "address type of [1, 2] unrecognized");
    listener_error(mp_str("/nonexistent/dir/sock"), NULL, NULL, MP_EOS, "[Errno 2] No such file or directory");
    listener_error(NULL, NULL, mp_str("key"), MP_ETYPE, "authkey should be a byte string");

    /* The key's type is checked after connecting, as CPython does. */
    mp_listener *l = mp_listener_new(NULL);
    mp_connection *c = mp_client_new(&(mp_client_opts){.address = mp_incref(mp_listener_address(l)),
                                                       .authkey = mp_str("key")});
    TAP_OK(c == NULL && mp_errcode() == MP_ETYPE, "Client(authkey='key'): TypeError");
    tap_is_str(mp_errmsg(), "authkey should be a byte string", "... CPython's message");
    mp_connection *s2 = NULL;
    int rc = mp_listener_accept(l, &s2);
    mp_value *v = NULL;
    tap_is_int(rc == 0 ? mp_connection_recv(s2, &v) : rc, MP_EEOF,
               "the listener saw that connection, then EOF");
    if (s2)
        mp_connection_free(s2);
    mp_listener_free(l);
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    test_answer();
    test_deliver();
    test_families();
    test_wrong_keys();
    test_unauthenticated_peer();
    test_listener_object();
    test_exit_cleanup();
    test_errors();
    return tap_done();
}

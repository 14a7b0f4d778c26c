/* auth.c - the authkey challenge-response of multiprocessing.connection, in CPython 3.11's and 3.12's forms. */
#include "connection.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

/*
 * The exchange, as deliver_challenge and answer_challenge run it:
 *
 *   deliverer                              answerer
 *   "#CHALLENGE#" + message          ->
 *                                    <-    HMAC(authkey, message)
 *   "#WELCOME#" or "#FAILURE#"       ->
 *
 * Every step is one framed message.  CPython 3.11 sends a message of 20
 * random bytes and wants the bare 16-byte HMAC-MD5 back.  CPython 3.12 sends
 * "{sha256}" and 40 random bytes; the answer is "{sha256}" and the HMAC
 * (over the whole message, prefix included, so the digest cannot be
 * downgraded).  The two interoperate because a 3.11 answerer answers any
 * challenge with bare MD5, which a 3.12 deliverer still accepts, and a 3.12
 * answerer recognises the 20-byte challenge by its length.
 */

#define CHALLENGE "#CHALLENGE#"
#define WELCOME "#WELCOME#"
#define FAILURE "#FAILURE#"
#define CHALLENGE_LEN (sizeof CHALLENGE - 1)
#define LEGACY_MESSAGE_LEN 20   /* 3.11's MESSAGE_LENGTH */
#define MODERN_MESSAGE_LEN 40   /* 3.12's MESSAGE_LENGTH */
#define MD5_LEN 16
#define HANDSHAKE_MAX 256       /* CPython's recv_bytes(256): refuse big messages */

/* 3.12's _ALLOWED_DIGESTS; the answerer uses whichever the challenge names. */
static const struct digest {
    const char *name;
    const EVP_MD *(*md)(void);
} digests[] = {
    {"md5", EVP_md5},
    {"sha256", EVP_sha256},
    {"sha384", EVP_sha384},
    {"sha3_256", EVP_sha3_256},
    {"sha3_384", EVP_sha3_384},
};
#define NDIGESTS (sizeof digests / sizeof digests[0])
#define MAX_DIGEST_NAME 8       /* strlen("sha3_256") */

/* HMAC of msg under key into out (EVP_MAX_MD_SIZE bytes).  Returns the
 * length, or 0 if the digest is unavailable (MD5 under a FIPS provider). */
static size_t hmac(const struct digest *d, const void *key, size_t klen, const void *msg,
                   size_t n, unsigned char *out)
{
    /* HMAC() reads a NULL key as "reuse the previous one"; an empty key
     * must be a real pointer. */
    static const unsigned char empty_key[1];
    unsigned int len = 0;
    if (klen > INT32_MAX)
        return 0;
    if (!HMAC(d->md(), klen ? key : empty_key, (int)klen, msg, n, out, &len))
        return 0;
    return len;
}

/* The repr of some bytes, for messages that quote what was received. */
static char *bytes_repr(const void *p, size_t n)
{
    mp_value *b = mp_bytes(p, n);
    char *r = b ? mp_repr(b) : NULL;
    mp_decref(b);
    return r;
}

/* 3.12's _get_digest_name_and_payload.  A message of a legacy length (20
 * for a challenge, 16 for an MD5 answer) is legacy: *d = NULL and the payload
 * is all of it.  Otherwise it must start with "{name}" naming an allowed
 * digest.  Returns 0, or -1 (no error recorded: callers word it). */
static int parse_digest(const uint8_t *m, size_t n, const struct digest **d, size_t *payload)
{
    *d = NULL;
    *payload = 0;
    if (n == LEGACY_MESSAGE_LEN || n == MD5_LEN)
        return 0;
    if (n < 2 || m[0] != '{')
        return -1;
    /* find(b'}', 1, MAX+2): the closing brace within the longest name. */
    size_t end = n < MAX_DIGEST_NAME + 2 ? n : MAX_DIGEST_NAME + 2;
    const uint8_t *close = memchr(m + 1, '}', end - 1);
    if (!close)
        return -1;
    size_t nlen = (size_t)(close - m) - 1;
    for (size_t i = 0; i < NDIGESTS; i++) {
        if (strlen(digests[i].name) == nlen && memcmp(digests[i].name, m + 1, nlen) == 0) {
            *d = &digests[i];
            *payload = nlen + 2;
            return 0;
        }
    }
    return -1;
}

static int fail_quoting(const char *what, const uint8_t *m, size_t n)
{
    char *r = bytes_repr(m, n);
    if (!r)
        return mp__fail(MP_ENOMEM, "out of memory");
    int rc = mp__fail(MP_EAUTH, "%s%s", what, r);
    free(r);
    return rc;
}

/* 3.12's _verify_challenge: 0 if response is HMAC(key, message) in a form
 * 3.12 accepts, else MP_EAUTH with 3.12's words (the caller may reword). */
static int verify(const void *key, size_t klen, const uint8_t *message, size_t mlen,
                  const uint8_t *response, size_t rlen)
{
    const struct digest *d;
    size_t off;
    if (parse_digest(response, rlen, &d, &off) < 0)
        return fail_quoting("unsupported message length, missing digest prefix, "
                            "or unsupported digest: message=", response, rlen);
    if (!d)
        d = &digests[0];
    unsigned char want[EVP_MAX_MD_SIZE];
    size_t wlen = hmac(d, key, klen, message, mlen, want);
    if (wlen == 0)
        return mp__fail(MP_EAUTH, "response_digest='%s' unsupported", d->name);
    if (wlen != rlen - off)
        return mp__fail(MP_EAUTH, "expected '%s' of length %zu got %zu", d->name, wlen, rlen - off);
    if (CRYPTO_memcmp(want, response + off, wlen) != 0)
        return mp__fail(MP_EAUTH, "digest received was wrong");
    return 0;
}

static int check_key(const void *authkey, size_t len)
{
    if (!authkey && len)
        return mp__fail(MP_EVALUE, "Authkey must be bytes, not <class 'NoneType'>");
    return 0;
}

/* deliver_challenge(connection, authkey): send a challenge, check the
 * answer, say WELCOME or FAILURE.  MP_AUTH_311 mirrors 3.11 (20 random
 * bytes; every refusal is "digest received was wrong", the only words 3.11
 * has) while accepting the answers 3.12 accepts, so a 3.12 peer that
 * answers with a prefixed digest is not turned away; MP_AUTH_SHA256 is
 * 3.12's deliver_challenge with its messages.  The answer is read with
 * CPython's limit of 256 bytes (MP_EOS "bad message length" beyond). */
int mp_deliver_challenge(mp_connection *c, const void *authkey, size_t len, mp_auth_form form)
{
    int rc = check_key(authkey, len);
    if (rc < 0)
        return rc;
    if (form != MP_AUTH_311 && form != MP_AUTH_SHA256)
        return mp__fail(MP_EVALUE, "unknown auth form %d", (int)form);
    static const char prefix[] = "{sha256}";
    uint8_t out[CHALLENGE_LEN + sizeof prefix - 1 + MODERN_MESSAGE_LEN];
    size_t plen = form == MP_AUTH_SHA256 ? sizeof prefix - 1 : 0;
    size_t rand_len = form == MP_AUTH_SHA256 ? MODERN_MESSAGE_LEN : LEGACY_MESSAGE_LEN;
    memcpy(out, CHALLENGE, CHALLENGE_LEN);
    memcpy(out + CHALLENGE_LEN, prefix, plen);
    if (RAND_bytes(out + CHALLENGE_LEN + plen, (int)rand_len) != 1)
        return mp__fail(MP_EOS, "no random bytes for the challenge");
    const uint8_t *message = out + CHALLENGE_LEN;
    size_t mlen = plen + rand_len;
    if ((rc = mp__conn_send(c, out, CHALLENGE_LEN + mlen)) < 0)
        return rc;

    uint8_t *resp;
    size_t rlen;
    if ((rc = mp__conn_recv(c, HANDSHAKE_MAX, &resp, &rlen)) < 0)
        return rc;
    int vrc = verify(authkey, len, message, mlen, resp, rlen);
    free(resp);
    if (vrc < 0) {
        /* Keep the refusal's words: sending FAILURE may record its own. */
        mp__exc why;
        mp__exc_save(&why);
        if ((rc = mp__conn_send(c, FAILURE, sizeof FAILURE - 1)) < 0)
            return rc;          /* as in CPython, a failed send is what is raised */
        if (vrc != MP_EAUTH || form == MP_AUTH_SHA256)
            mp__exc_restore(&why);
        else
            mp__fail(MP_EAUTH, "digest received was wrong");
        return vrc;
    }
    return mp__conn_send(c, WELCOME, sizeof WELCOME - 1);
}

/* answer_challenge(connection, authkey), as CPython 3.12 answers: a
 * 20-byte challenge (3.11's) gets the bare HMAC-MD5, a "{digest}" challenge
 * gets "{digest}" and that HMAC.  A malformed challenge is MP_EAUTH with
 * 3.12's words (3.11 would fail an assert, or answer a challenge too short
 * to be safe); a refused answer is MP_EAUTH "digest sent was rejected". */
int mp_answer_challenge(mp_connection *c, const void *authkey, size_t len)
{
    int rc = check_key(authkey, len);
    if (rc < 0)
        return rc;
    uint8_t *msg;
    size_t n;
    if ((rc = mp__conn_recv(c, HANDSHAKE_MAX, &msg, &n)) < 0)
        return rc;
    if (n < CHALLENGE_LEN || memcmp(msg, CHALLENGE, CHALLENGE_LEN) != 0) {
        rc = fail_quoting("Protocol error, expected challenge: message=", msg, n);
        free(msg);
        return rc;
    }
    const uint8_t *message = msg + CHALLENGE_LEN;
    size_t mlen = n - CHALLENGE_LEN;
    const struct digest *d = NULL;
    size_t off;
    if (mlen < LEGACY_MESSAGE_LEN)
        rc = mp__fail(MP_EAUTH, "challenge too short: %zu bytes", mlen);
    else if (parse_digest(message, mlen, &d, &off) < 0)
        rc = fail_quoting("unsupported message length, missing digest prefix, "
                          "or unsupported digest: message=", message, mlen);
    if (rc < 0) {
        free(msg);
        return rc;
    }

    /* _create_response: bare MD5 for a legacy challenge (or SHA-256 with
     * its prefix where MD5 is unavailable), else the named digest. */
    uint8_t reply[1 + MAX_DIGEST_NAME + 1 + EVP_MAX_MD_SIZE];
    size_t rlen = 0, hlen = 0;
    if (!d) {
        hlen = hmac(&digests[0], authkey, len, message, mlen, reply);
        if (hlen)
            rlen = hlen;
        else
            d = &digests[1];
    }
    if (d) {
        size_t nl = strlen(d->name);
        reply[0] = '{';
        memcpy(reply + 1, d->name, nl);
        reply[1 + nl] = '}';
        hlen = hmac(d, authkey, len, message, mlen, reply + nl + 2);
        rlen = nl + 2 + hlen;
    }
    free(msg);
    if (hlen == 0)
        return mp__fail(MP_EVALUE, "unsupported hash type %s", d ? d->name : "md5");
    if ((rc = mp__conn_send(c, reply, rlen)) < 0)
        return rc;

    if ((rc = mp__conn_recv(c, HANDSHAKE_MAX, &msg, &n)) < 0)
        return rc;
    bool welcome = n == sizeof WELCOME - 1 && memcmp(msg, WELCOME, n) == 0;
    free(msg);
    return welcome ? 0 : mp__fail(MP_EAUTH, "digest sent was rejected");
}

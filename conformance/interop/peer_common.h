/* peer_common.h - what the C interop peers share with each other and with peer_common.py: options, the conversation, its lines. */
#ifndef PEER_COMMON_H
#define PEER_COMMON_H

/*
 * Header-only (static inline functions, so a program need not use them all), so each program is one .c file as
 * build.mk builds them.  Every line printed here is printed, word for word,
 * by the same function of peer_common.py; interop.bats compares them.
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mp.h"

typedef struct peer_opts {
    mp_value *address;          /* NULL: none given */
    const char *family;
    mp_value *key;              /* bytes, or NULL */
    mp_auth_form form;
    const char *addr_out;
    bool child;
} peer_opts;

static inline void peer_usage(const char *what)
{
    fprintf(stderr, "bad arguments: %s\n", what);
    exit(2);
}

/* The options of peer_common.py's parse(). */
static inline peer_opts peer_parse(int argc, char **argv)
{
    peer_opts o = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int left = argc - i - 1;
        if (strcmp(a, "--unix") == 0 && left >= 1) {
            o.address = mp_str(argv[++i]);
        } else if (strcmp(a, "--abstract") == 0 && left >= 1) {
            /* "\0" + NAME: a Linux abstract socket name. */
            size_t n = strlen(argv[i + 1]);
            char *s = malloc(n + 1);
            if (!s)
                peer_usage("out of memory");
            s[0] = 0;
            memcpy(s + 1, argv[++i], n);
            o.address = mp_str_n(s, n + 1);
            free(s);
        } else if (strcmp(a, "--inet") == 0 && left >= 2) {
            o.address = mp_tuple_of(argv[i + 1], atoi(argv[i + 2]));
            i += 2;
        } else if (strcmp(a, "--family") == 0 && left >= 1) {
            o.family = argv[++i];
        } else if (strcmp(a, "--key") == 0 && left >= 1) {
            o.key = mp_bytes(argv[i + 1], strlen(argv[i + 1]));
            i++;
        } else if (strcmp(a, "--form") == 0 && left >= 1) {
            i++;
            if (strcmp(argv[i], "311") == 0)
                o.form = MP_AUTH_311;
            else if (strcmp(argv[i], "sha256") == 0)
                o.form = MP_AUTH_SHA256;
            else
                peer_usage("--form 311 or --form sha256");
        } else if (strcmp(a, "--addr-out") == 0 && left >= 1) {
            o.addr_out = argv[++i];
        } else if (strcmp(a, "--child") == 0) {
            o.child = true;
        } else {
            peer_usage(a);
        }
    }
    return o;
}

/* Write the options naming addr to the FIFO path (opening it waits for the
 * reader), as address_options() in peer_common.py. */
static inline int peer_write_address(const char *path, const mp_value *addr)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return mp_raise("OSError", "cannot open %s", path);
    size_t n;
    const uint8_t *b = mp_as_bytes(addr, &n);
    if (mp_typeof(addr) == MP_T_TUPLE)
        fprintf(f, "--inet %s %" PRId64 "\n", mp_as_str(mp_item(addr, 0)), mp_as_int(mp_item(addr, 1)));
    else if (b && n > 0)
        fprintf(f, "--abstract %.*s\n", (int)n - 1, (const char *)b + 1);
    else
        fprintf(f, "--unix %s\n", mp_as_str(addr));
    return fclose(f) == 0 ? 0 : mp_raise("OSError", "cannot write %s", path);
}

/* print(label, repr(v)) */
static inline void peer_print_repr(const char *label, const mp_value *v)
{
    char *r = mp_repr(v);
    printf("%s %s\n", label, r ? r : "?");
    free(r);
}

/* last_accepted with the peer's ephemeral port hidden, as masked(). */
static inline void peer_print_masked(const char *label, const mp_value *addr)
{
    if (mp_typeof(addr) == MP_T_TUPLE) {
        char *h = mp_repr(mp_item(addr, 0));
        printf("%s (%s, <port>)\n", label, h ? h : "?");
        free(h);
    } else {
        peer_print_repr(label, addr);
    }
}

static inline uint8_t *peer_pattern(size_t n, unsigned mul, unsigned mod)
{
    uint8_t *b = malloc(n);
    for (size_t i = 0; b && i < n; i++)
        b[i] = (uint8_t)(i * mul % mod);
    return b;
}

static inline uint64_t peer_checksum(const uint8_t *b, size_t n)
{
    uint64_t s = 0;
    for (size_t i = 0; i < n; i++)
        s = (s + (uint64_t)(i + 1) * b[i]) % 4294967296u;
    return s;
}

static inline int peer_send_pattern(mp_connection *c, size_t n, unsigned mul, unsigned mod)
{
    uint8_t *b = peer_pattern(n, mul, mod);
    int rc = b ? mp_connection_send_bytes(c, b, n, 0, MP_ALL) : MP_ENOMEM;
    free(b);
    return rc;
}

/* Receive with recv() (pickled) or recv_bytes() and print the line. */
static inline int peer_show(mp_connection *c, bool raw, const char *label)
{
    mp_value *v;
    int rc = raw ? mp_connection_recv_bytes(c, MP_ALL, &v) : mp_connection_recv(c, &v);
    if (rc < 0)
        return rc;
    peer_print_repr(label, v);
    mp_decref(v);
    return 0;
}

static inline int peer_show_big(mp_connection *c, const char *who)
{
    mp_value *v;
    int rc = mp_connection_recv_bytes(c, MP_ALL, &v);
    if (rc < 0)
        return rc;
    size_t n;
    const uint8_t *b = mp_as_bytes(v, &n);
    printf("%s got %zu bytes, checksum %" PRIu64 "\n", who, n, peer_checksum(b, n));
    mp_decref(v);
    return 0;
}

/* client_side(conn) of peer_common.py; frees the connection. */
static inline int peer_client_side(mp_connection *c)
{
    int rc = 0;
    mp_value *d = mp_dict_new();
    mp_dict_set(d, mp_str("key"), mp_str("value"));
    mp_dict_set(d, mp_str("nested"), mp_tuple_of(1, mp_tuple_of(2.5, mp_tuple_of(3, "deep"))));
    mp_dict_set(d, mp_str("flag"), mp_bool(true));
    if (rc == 0) rc = mp_connection_send(c, mp_list_of(42, mp_none(), "hello"));
    if (rc == 0) rc = mp_connection_send(c, d);
    if (rc == 0) rc = mp_connection_send_bytes(c, "raw\0bytes\xff", 10, 0, MP_ALL);
    if (rc == 0) rc = peer_send_pattern(c, 100000, 7, 256);
    if (rc == 0) rc = peer_show(c, false, "client got:");
    if (rc == 0) rc = peer_show(c, false, "client got:");
    if (rc == 0) rc = peer_show(c, true, "client got bytes:");
    if (rc == 0) rc = peer_show_big(c, "client");
    mp_connection_close(c);
    mp_connection_free(c);
    if (rc == 0)
        printf("client closed\n");
    return rc;
}

/* listener_side(conn) of peer_common.py; closes (not frees) the connection. */
static inline int peer_listener_side(mp_connection *c)
{
    int rc = 0;
    if (rc == 0) rc = peer_show(c, false, "listener got:");
    if (rc == 0) rc = peer_show(c, false, "listener got:");
    if (rc == 0) rc = peer_show(c, true, "listener got bytes:");
    if (rc == 0) rc = peer_show_big(c, "listener");
    if (rc == 0) {
        mp_value *d = mp_dict_new();
        mp_dict_set(d, mp_str("k"), mp_int(-7));
        rc = mp_connection_send(c, mp_tuple_of("nested", mp_tuple_of(1, 2.5),
                                            mp_list_of(mp_bytes("\x01\x02", 2), mp_none()), d));
    }
    if (rc == 0) rc = mp_connection_send(c, mp_bytes("pickled bytes", 13));
    if (rc == 0) rc = mp_connection_send_bytes(c, "\0\1end", 5, 0, MP_ALL);
    if (rc == 0) rc = peer_send_pattern(c, 70000, 13, 251);
    mp_connection_close(c);
    return rc;
}

#endif

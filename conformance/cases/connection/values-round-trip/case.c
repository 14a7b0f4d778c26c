/* case.c - case connection/values-round-trip: values of every kind sent to a child, sent back, and printed with repr().

   Mirrors case.py, which says what is pinned.  Strings are written as
   their UTF-8 bytes where C has no escape for the character.

   Run:  bats conformance/cases/connection.bats --filter values-round-trip
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mp.h"

#define NLONG 2500

static int echo(const mp_value *args)
{
    /* A count, not EOF: a forked child holds a copy of the parent's end too. */
    mp_connection *conn = mp_as_connection(mp_item(args, 0));
    int64_t count = mp_as_int(mp_item(args, 1));
    int rc = 0;
    for (int64_t i = 0; i < count && rc >= 0; i++) {
        mp_value *obj = NULL;
        if ((rc = mp_connection_recv(conn, &obj)) >= 0)
            rc = mp_connection_send(conn, obj);     /* takes obj over */
        else
            mp_decref(obj);
    }
    mp_connection_close(conn);
    return rc;
}
MP_TARGET(echo);

/* VALUES of case.py, in its order; NULL if one could not be built. */
static mp_value *values(void)
{
    static const char nul_str[] = "new\nline\ttab\rreturn\x00nul\x7f" "del";
    static const char escaped[] = "\xc2\x80\xc2\x9f\xc2\xa0\xc2\xad\xe2\x80\x8b\xe2\x80\xa8\xef\xbb\xbf"
                                  "\xf3\xa0\x80\x81 \xc3\xbf";
    static const uint8_t high[] = {0x00, 0x01, 0x7f, 0x80, 0xff};
    uint8_t every[18];
    for (int i = 0; i < 18; i++)
        every[i] = (uint8_t)(i * 15);               /* bytes(range(0, 256, 15)) */
    mp_value *d = mp_dict_new(), *d2 = mp_dict_new();
    if (d != NULL && d2 != NULL &&
        (mp_dict_set(d, mp_str("a"), mp_int(1)) < 0 || mp_dict_set(d, mp_int(2), mp_str("b")) < 0 ||
         mp_dict_set(d, mp_tuple_of(1, 2), mp_list_of(3)) < 0 || mp_dict_set(d, mp_none(), mp_none()) < 0 ||
         mp_dict_set(d, mp_float(2.5), mp_float(-0.0)) < 0 || mp_dict_set(d, mp_bytes("k", 1), mp_bool(true)) < 0 ||
         mp_dict_set(d2, mp_str("z"), mp_int(1)) < 0 || mp_dict_set(d2, mp_str("a"), mp_int(2)) < 0 ||
         mp_dict_set(d2, mp_str("m"), mp_int(3)) < 0)) {
        mp_decref(d);
        mp_decref(d2);
        return NULL;
    }
    mp_value *items[] = {
        mp_int(0), mp_int(1), mp_int(-1), mp_int(255), mp_int(256), mp_int(65535), mp_int(65536),
        mp_int(2147483647), mp_int(2147483648), mp_int(-2147483648LL), mp_int(-2147483649LL),
        mp_int(INT64_MAX), mp_int(INT64_MIN),
        mp_float(0.1), mp_float(1.5), mp_float(-0.0), mp_float(1e300), mp_float(-1e300), mp_float(INFINITY),
        mp_float(-INFINITY), mp_float(NAN), mp_float(5e-324), mp_float(1e16), mp_float(1e-05), mp_float(0.0001),
        mp_float(123456789.0), mp_float(1e22),
        mp_str(""), mp_str("plain"), mp_str("it's"), mp_str("say \"hi\""), mp_str("both ' and \""),
        mp_str("back\\slash"), mp_str_n(nul_str, sizeof nul_str - 1),
        mp_str("\xc3\xa9 \xc3\xb1 \xe2\x82\xac \xf0\x9f\x98\x80 \xe4\xb8\xad\xe6\x96\x87"),
        mp_str(escaped),
        mp_bytes("", 0), mp_bytes(high, sizeof high), mp_bytes("'", 1), mp_bytes("\"", 1), mp_bytes("'\"", 2),
        mp_bytes("\\\n\t\r", 4), mp_bytes(every, sizeof every),
        mp_tuple_new(0), mp_tuple_of(1), mp_tuple_of(1, mp_tuple_of(2, mp_tuple_of(3, mp_tuple_new(0)))),
        mp_list_new(), mp_list_of(mp_list_new(), mp_list_of(1, mp_list_of(2))), mp_dict_new(),
        d, d2,
        mp_list_of(mp_none(), (bool)true, (bool)false), mp_tuple_of((bool)true, 1, 1.0, "x", mp_bytes("x", 1)),
    };
    mp_value *list = mp_list_new();
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
        if (list != NULL && mp_list_append(list, items[i]) < 0) {
            mp_decref(list);
            list = NULL;
        } else if (list == NULL) {
            mp_decref(items[i]);
        }
    return list;
}

/* same(a, b) of case.py, and repr(a) == repr(b). */
static bool same(const mp_value *a, const mp_value *b, const char *ra, const char *rb)
{
    if (mp_typeof(a) == MP_T_FLOAT && isnan(mp_as_float(a)))
        return mp_typeof(b) == MP_T_FLOAT && isnan(mp_as_float(b)) && strcmp(ra, rb) == 0;
    return mp_equal(a, b) && strcmp(mp_type_name(a), mp_type_name(b)) == 0 && strcmp(ra, rb) == 0;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    /* The child echoes a count of messages; the values are built once it
     * has started, so that a forked child does not inherit them. */
    size_t nvals = 0;
    mp_value *probe = values();
    if (probe != NULL)
        nvals = mp_len(probe);
    mp_decref(probe);
    if (nvals == 0)
        return mp_excepthook(mp_errcode());
    mp_connection *ours, *theirs;
    int rc = mp_pipe(&ours, &theirs, NULL);
    if (rc < 0)
        return mp_excepthook(rc);
    mp_process *p = mp_process_new(&(mp_process_opts){.target = echo, .args = mp_tuple_of(theirs, nvals + 1)});
    rc = p != NULL ? mp_process_start(p) : mp_errcode();
    mp_connection_close(theirs);
    mp_value *vals = values(), *longl = mp_list_new();
    for (int i = 0; i < NLONG && longl != NULL; i++)
        if (mp_list_append(longl, mp_int(i)) < 0) {
            mp_decref(longl);
            longl = NULL;
        }
    if (rc >= 0 && (vals == NULL || longl == NULL))
        rc = mp_errcode();
    for (size_t i = 0; rc >= 0 && i < mp_len(vals); i++) {
        const mp_value *v = mp_item(vals, i);
        mp_value *back = NULL;
        if ((rc = mp_connection_send(ours, v)) >= 0 && (rc = mp_connection_recv(ours, &back)) >= 0) {
            char *rv = mp_repr(v), *rb = mp_repr(back);
            if (rv == NULL || rb == NULL)
                rc = MP_ENOMEM;
            else
                mp_print(mp_type_name(back), rb, "same:", same(v, back, rv, rb));
            free(rv);
            free(rb);
        }
        mp_decref(back);
    }
    mp_value *back = NULL;
    if (rc >= 0 && (rc = mp_connection_send(ours, (const mp_value *)longl)) >= 0 &&
        (rc = mp_connection_recv(ours, &back)) >= 0)
        mp_print("list of", mp_len(back), "items, same:",
                 (bool)(mp_equal(longl, back) && strcmp(mp_type_name(back), "list") == 0));
    mp_decref(back);
    if (rc >= 0)
        mp_connection_close(ours);
    if (rc >= 0)
        rc = mp_process_join(p, MP_WAIT_FOREVER);
    mp_process_free(p);
    mp_connection_free(ours);
    mp_connection_free(theirs);
    mp_decref(vals);
    mp_decref(longl);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

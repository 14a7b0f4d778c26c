/* case.c - case queues/values-repr: assorted values put on a Queue by a child, got by the parent and printed with repr().

   Mirrors case.py, which says what is pinned.  The child builds each of
   case.py's VALUES from C values; strs are UTF-8 (mp_str_n where a NUL
   is part of it), and repr() is mp_repr.

   Run:  bats conformance/cases/queues.bats --filter values-repr
*/
#include <math.h>
#include <stdlib.h>

#include "mp.h"

#define BYTES(s) mp_bytes(s, sizeof s - 1)

/* case.py's VALUES, in its order; NULL with the error recorded. */
static mp_value *values(void)
{
    mp_value *dict1 = mp_dict_new(), *dict2 = mp_dict_new(), *inner = mp_dict_new();
    int rc = dict1 != NULL && dict2 != NULL && inner != NULL ? 0 : MP_ENOMEM;
    if (rc == 0)
        rc = mp_dict_set(dict1, mp_str("a"), mp_int(1));
    if (rc == 0)
        rc = mp_dict_set(dict1, mp_int(2), mp_str("b"));
    if (rc == 0)
        rc = mp_dict_set(dict1, mp_none(), mp_list_of(1.5));
    if (rc == 0)
        rc = mp_dict_set(inner, mp_str("x"), mp_tuple_of(mp_none()));
    if (rc == 0)
        rc = mp_dict_set(dict2, mp_tuple_of(1, 2), mp_str("tuple key"));
    if (rc == 0) {
        rc = mp_dict_set(dict2, mp_str("nested"), inner);
        inner = NULL;
    }
    mp_decref(inner);
    if (rc < 0) {
        mp_decref(dict1);
        mp_decref(dict2);
        return NULL;
    }
    mp_value *items[] = {
        mp_int(0), mp_int(-1), mp_int(255), mp_int(256), mp_int(65535), mp_int(65536),
        mp_int(INT64_C(2147483647)), mp_int(INT64_C(2147483648)), mp_int(-INT64_C(2147483649)),
        mp_int(INT64_MAX), mp_int(INT64_MIN),
        mp_float(0.1), mp_float(1e300), mp_float(5e-324), mp_float(1e16), mp_float(1.5e-7),
        mp_float(123456789.0), mp_float(2.5), mp_float(-0.0),
        mp_float(NAN), mp_float(INFINITY), mp_float(-INFINITY),
        mp_str(""), mp_str("it's"), mp_str("say \"hi\""), mp_str("both ' and \""),
        mp_str("back\\slash"), mp_str("tab\tnew\nline\r"), mp_str_n("\0\x1f\x7f", 3),
        mp_str("\u00e9"), mp_str("\u65e5\u672c\u8a9e"), mp_str("\U0001F40D"), mp_str("\U0001D11E"),
        mp_str("\xc2\x80\u00a0"), mp_str("zero\u200bwidth"), mp_str("\U000E0001"),
        BYTES(""), BYTES("\0\xff"), BYTES("'"), BYTES("\""), BYTES("'\""), BYTES("\\"),
        BYTES("\t\n\r"), BYTES("abc~\x7f"),
        mp_tuple_new(0), mp_tuple_of(1), mp_tuple_of(1, "two", 3.0),
        mp_list_new(), mp_list_of(mp_list_new(), mp_list_of(1)),
        mp_dict_new(), dict1, dict2,
        mp_none(), mp_bool(true), mp_bool(false),
    };
    mp_value *list = mp_list_new();
    rc = list != NULL ? 0 : MP_ENOMEM;
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
        if (rc == 0)
            rc = items[i] != NULL ? mp_list_append(list, items[i]) : MP_ENOMEM;
        else
            mp_decref(items[i]);
    }
    if (rc < 0) {
        mp_decref(list);
        return NULL;
    }
    return list;
}

static int child(const mp_value *args)
{
    mp_queue *q = mp_as_queue(mp_item(args, 0));
    mp_value *vs = values();
    if (vs == NULL)
        return mp_errcode();
    int rc = mp_queue_put(q, mp_len(vs));
    for (size_t i = 0; i < mp_len(vs) && rc == 0; i++)
        rc = mp_queue_put(q, mp_item(vs, i));
    mp_decref(vs);
    return rc;
}
MP_TARGET(child);

static int run(mp_queue *q)
{
    mp_process *p = mp_process_new(&(mp_process_opts){.target = child, .args = mp_tuple_of(q)});
    if (p == NULL)
        return mp_errcode();
    mp_value *n = NULL;
    int rc = mp_process_start(p);
    if (rc == 0)
        rc = mp_queue_get(q, &n);
    for (int64_t i = 0; rc == 0 && i < mp_as_int(n); i++) {
        mp_value *v;
        if ((rc = mp_queue_get(q, &v)) < 0)
            break;
        char *r = mp_repr(v);
        if (r != NULL)
            mp_print(mp_type_name(v), r);
        else
            rc = MP_ENOMEM;
        free(r);
        mp_decref(v);
    }
    mp_decref(n);
    if (rc == 0 && (rc = mp_process_join(p, MP_WAIT_FOREVER)) == 0)
        mp_print("child exitcode:", mp_process_exitcode(p));
    mp_process_free(p);
    return rc;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_queue *q = mp_queue_new(0);
    if (q == NULL)
        return mp_excepthook(mp_errcode());
    int rc = run(q);
    mp_queue_free(q);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

/* case.c - case values/index-dict-truth: values received through a Pipe, indexed, updated and tested for truth.

   Mirrors case.py, which says what is pinned.  mp_item is seq[i],
   mp_len is len(), mp_as_bool is bool(); an error is printed as
   case.py's except clause prints it.

   Run:  bats conformance/cases/values.bats --filter index-dict-truth
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "mp.h"

static mp_connection *here, *there;

/* there.recv() of what here.send(value) sent (value taken over), or NULL. */
static mp_value *through(mp_value *value)
{
    mp_value *back = NULL;
    if (mp_connection_send(here, value) < 0 || mp_connection_recv(there, &back) < 0)
        return NULL;
    return back;
}

static void show_index(const mp_value *seq, size_t i)
{
    char head[64];
    snprintf(head, sizeof head, "%s of %zu at %zu ->", mp_type_name(seq), mp_len(seq), i);
    const mp_value *item = mp_item(seq, i);
    if (item) {
        char *r = mp_repr(item);
        mp_print(head, r ? r : "?");
        free(r);
    } else {
        char name[64];
        snprintf(name, sizeof name, "%s:", mp_errname(mp_errcode()));
        mp_print(head, name, mp_errmsg());
    }
}

/* print(label, repr(x), 'received:', len(y) or bool(y)), y being x sent
 * through the Pipe (x taken over). */
static int show_received(const char *label, mp_value *x, bool truth)
{
    mp_value *back = x ? through(mp_incref(x)) : NULL;
    char *r = x ? mp_repr(x) : NULL;
    int rc = back && r ? 0 : mp_errcode();
    if (rc == 0 && truth)
        mp_print(label, r, "received:", mp_as_bool(back));
    else if (rc == 0)
        mp_print(label, r, "received:", mp_len(back));
    free(r);
    mp_decref(x);
    mp_decref(back);
    return rc;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    int rc = mp_pipe(&here, &there, NULL);
    if (rc < 0)
        return mp_excepthook(rc);
    mp_value *seqs[2] = {through(mp_tuple_of(1, "two", 3.0)), through(mp_list_of(10, 20))};
    for (int k = 0; k < 2 && rc == 0; k++) {
        if (seqs[k] == NULL) {
            rc = mp_errcode();
            break;
        }
        for (size_t i = 0; i <= mp_len(seqs[k]); i++)
            show_index(seqs[k], i);
    }
    mp_decref(seqs[0]);
    mp_decref(seqs[1]);
    mp_value *d = mp_dict_new();
    if (rc == 0 && d == NULL)
        rc = mp_errcode();
    if (rc == 0 && (rc = mp_dict_set(d, mp_str("k"), mp_str("first"))) == 0 &&
        (rc = mp_dict_set(d, mp_str("j"), mp_str("other"))) == 0 &&
        (rc = mp_dict_set(d, mp_str("k"), mp_str("second"))) == 0) {
        mp_value *back = through(d);
        d = NULL;
        if (back == NULL)
            rc = mp_errcode();
        else
            mp_print("dict set twice:", back);
        mp_decref(back);
    }
    mp_decref(d);
    static const char *strs[] = {"h\xc3\xa9llo", "\xf0\x9f\x98\x80", "abc", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"};
    for (size_t i = 0; i < 4 && rc == 0; i++)
        rc = show_received("len of", mp_str(strs[i]), false);
    static const double floats[] = {NAN, INFINITY, -0.0, 0.0, 5e-324, -1.5};
    for (size_t i = 0; i < 6 && rc == 0; i++)
        rc = show_received("bool of", mp_float(floats[i]), true);
    mp_connection_free(here);
    mp_connection_free(there);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

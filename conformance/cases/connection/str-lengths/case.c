/* case.c - case connection/str-lengths: strs at the lengths where pickle changes how it writes them.

   Mirrors case.py, which says what is pinned.  Each str is built as
   case.py's expression says: n copies of a one- or two-byte character,
   then an optional 'a'.

   Run:  bats conformance/cases/connection.bats --filter str-lengths
*/
#include <stdlib.h>
#include <string.h>

#include "mp.h"

static int echo(const mp_value *args)
{
    mp_connection *conn = mp_as_connection(mp_item(args, 0));
    for (;;) {
        mp_value *value = NULL;
        int rc = mp_connection_recv(conn, &value);
        if (rc == 0 && mp_typeof(value) != MP_T_NONE)
            rc = mp_connection_send(conn, (const mp_value *)value);
        else if (rc == 0) {
            mp_decref(value);
            return 0;
        }
        mp_decref(value);
        if (rc < 0)
            return rc;
    }
}
MP_TARGET(echo);

/* unit * n + tail, as a new str. */
static mp_value *repeated(const char *unit, size_t n, const char *tail)
{
    size_t ul = strlen(unit), tl = strlen(tail);
    char *s = malloc(ul * n + tl + 1);
    if (s == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * ul, unit, ul);
    memcpy(s + ul * n, tail, tl + 1);
    mp_value *v = mp_str(s);
    free(s);
    return v;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    static const struct { const char *unit; size_t n; const char *tail; } values[] = {
        {"a", 255, ""}, {"a", 256, ""}, {"a", 257, ""},
        {"\xc3\xa9", 127, "a"}, {"\xc3\xa9", 128, ""}, {"\xc3\xa9", 128, "a"},
        {"b", 65535, ""}, {"b", 65536, ""}, {"b", 65537, ""},
    };
    mp_connection *here, *there;
    int rc = mp_pipe(&here, &there, NULL);
    if (rc < 0)
        return mp_excepthook(rc);
    mp_process *p = mp_process_new(&(mp_process_opts){.target = echo, .args = mp_tuple_of(there)});
    if (p == NULL)
        rc = mp_errcode();
    if (rc == 0)
        rc = mp_process_start(p);
    for (size_t i = 0; i < sizeof values / sizeof values[0] && rc == 0; i++) {
        mp_value *value = repeated(values[i].unit, values[i].n, values[i].tail), *back = NULL;
        if (value == NULL)
            rc = mp_errcode();
        if (rc == 0 && (rc = mp_connection_send(here, (const mp_value *)value)) == 0 &&
            (rc = mp_connection_recv(here, &back)) == 0)
            mp_print("sent", mp_len(value), "code points in", strlen(mp_as_str(value)), "bytes; back",
                     mp_len(back), "code points, equal:", mp_equal(back, value));
        mp_decref(value);
        mp_decref(back);
    }
    if (rc == 0 && (rc = mp_connection_send(here, mp_none())) == 0 &&
        (rc = mp_process_join(p, MP_WAIT_FOREVER)) == 0)
        mp_print("child exitcode:", mp_process_exitcode(p));
    mp_process_free(p);
    mp_connection_free(here);
    mp_connection_free(there);
    return rc < 0 ? mp_excepthook(rc) : 0;
}

/* case.c - case connection/send-connection: a Connection sent through another Connection, and put on a Queue, is used by the process that receives it.

   Mirrors case.py, which says what is pinned.  The descriptor travels as
   CPython's does: the sender's sharer thread keeps a copy and hands it to
   the receiver, which asks for it while it unpickles the message
   (ref/src/reduction/sharer.c).

   Run:  bats conformance/cases/connection.bats --filter send-connection
*/
#include "mp.h"

/* type(conn).__name__, readable, writable, as the twin sends them. */
static mp_value *describe(const char *what, const mp_value *v)
{
    mp_connection *c = mp_as_connection(v);
    return mp_tuple_of(what, mp_type_name(v), (bool)(c && mp_connection_readable(c)),
                       (bool)(c && mp_connection_writable(c)));
}

static int use_sent_end(const mp_value *args)
{
    mp_value *v, *got = NULL;
    int rc = mp_connection_recv(mp_as_connection(mp_item(args, 0)), &v);
    if (rc < 0)
        return rc;
    mp_connection *conn = mp_as_connection(v);
    if (conn == NULL)
        rc = mp_raise("TypeError", "expected a Connection, got %s", mp_type_name(v));
    if (rc >= 0)
        rc = mp_connection_send(conn, describe("the child got a", v));
    if (rc >= 0)
        rc = mp_connection_recv(conn, &got);
    if (rc >= 0)
        rc = mp_connection_send(conn, mp_tuple_of("the child read", got));
    else
        mp_decref(got);
    mp_decref(v);                   /* conn.close() */
    return rc;
}
MP_TARGET(use_sent_end);

static int use_queued_end(const mp_value *args)
{
    mp_value *w;
    int rc = mp_queue_get(mp_as_queue(mp_item(args, 0)), &w);
    if (rc < 0)
        return rc;
    if (mp_as_connection(w) == NULL)
        rc = mp_raise("TypeError", "expected a Connection, got %s", mp_type_name(w));
    else
        rc = mp_connection_send(mp_as_connection(w), describe("through the queue, the child got a", w));
    mp_decref(w);
    return rc;
}
MP_TARGET(use_queued_end);

static int send_and_end(const mp_value *args)
{
    mp_connection *a, *b;
    int rc = mp_pipe(&a, &b, NULL);
    if (rc < 0)
        return rc;
    rc = mp_connection_send(mp_as_connection(mp_item(args, 0)), (const mp_value *)b);
    mp_connection_free(a);
    mp_connection_free(b);
    return rc;
}
MP_TARGET(send_and_end);

/* p.start(), then p.join() once after() has run; prints the exit code. */
static int run(mp_target_fn target, mp_value *args, int (*after)(void *), void *arg)
{
    mp_process *p = mp_process_new(&(mp_process_opts){.target = target, .args = args});
    if (p == NULL)
        return mp_errcode();
    int rc = mp_process_start(p);
    if (rc >= 0)
        rc = after(arg);
    int joined = mp_process_join(p, MP_WAIT_FOREVER);
    if (rc >= 0 && (rc = joined) >= 0)
        mp_print("exitcode", mp_process_exitcode(p));
    mp_process_free(p);
    return rc;
}

/* recv() and print it. */
static int print_recv(mp_connection *c)
{
    mp_value *v;
    int rc = mp_connection_recv(c, &v);
    if (rc >= 0) {
        mp_print(v);
        mp_decref(v);
    }
    return rc;
}

/* The first child: a new Pipe, one end sent to it and closed here. */
static int send_end(void *arg)
{
    mp_connection *carrier = arg, *a, *b;
    int rc = mp_pipe(&a, &b, NULL);
    if (rc < 0)
        return rc;
    rc = mp_connection_send(carrier, (const mp_value *)b);
    mp_connection_free(b);
    if (rc >= 0 && (rc = print_recv(a)) >= 0 && (rc = mp_connection_send(a, "ping")) >= 0)
        rc = print_recv(a);
    mp_connection_free(a);
    return rc;
}

/* The second child: a one-way Pipe's writer put on the queue. */
static int put_end(void *arg)
{
    mp_connection *r, *w;
    int rc = mp_pipe(&r, &w, &(mp_pipe_opts){.duplex = MP_NO});
    if (rc < 0)
        return rc;
    if ((rc = mp_queue_put(arg, (const mp_value *)w)) >= 0)
        rc = print_recv(r);
    mp_connection_free(w);
    mp_connection_free(r);
    return rc;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_connection *carrier_r, *carrier_w;
    int rc = mp_pipe(&carrier_r, &carrier_w, &(mp_pipe_opts){.duplex = MP_NO});
    if (rc < 0 || (rc = run(use_sent_end, mp_tuple_of(carrier_r), send_end, carrier_w)) < 0)
        return mp_excepthook(rc);

    mp_queue *q = mp_queue_new(0);
    if (q == NULL)
        return mp_excepthook(mp_errcode());
    if ((rc = run(use_queued_end, mp_tuple_of(q), put_end, q)) < 0)
        return mp_excepthook(rc);

    mp_connection *a, *b;
    if ((rc = mp_pipe(&a, &b, NULL)) < 0 || (rc = mp_connection_close(a)) < 0)
        return mp_excepthook(rc);
    rc = mp_connection_send(carrier_w, (const mp_value *)a);
    if (rc >= 0)
        mp_print("sending a closed connection did not fail");
    else
        mp_print_ex((mp_print_opts){.sep = ""}, "sending a closed connection -> ", mp_errname(rc), ": ",
                    mp_errmsg());
    mp_connection_free(a);
    mp_connection_free(b);

    mp_process *p = mp_process_new(&(mp_process_opts){.target = send_and_end, .args = mp_tuple_of(carrier_w)});
    if (p == NULL)
        return mp_excepthook(mp_errcode());
    if ((rc = mp_process_start(p)) < 0 || (rc = mp_process_join(p, MP_WAIT_FOREVER)) < 0)
        return mp_excepthook(rc);
    mp_process_free(p);
    mp_value *v = NULL;
    rc = mp_connection_recv(carrier_r, &v);
    mp_decref(v);
    if (rc >= 0)
        mp_print("a connection whose sender has ended came");
    else
        mp_print("a connection whose sender has ended ->", mp_errname(rc));
    mp_queue_free(q);
    mp_connection_free(carrier_r);
    mp_connection_free(carrier_w);
    return 0;
}

/* connection_lane.c - a duplex Pipe's messages through rings of bytes in shared memory; the socket stays for waking, end of file and fileno(). */
#include "connection.h"
#include "synchronize/ring.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/*
 * Why.  Every send on a socket is a system call, and on this kind of
 * machine that alone caps a Pipe at about four times CPython's small
 * messages per second.  So a duplex Pipe carries its messages, framed as
 * CPython frames them, in two rings of bytes in a memfd block that every
 * process holding an end maps: lane[i] carries what end i sends.  A send
 * copies its bytes in and moves the lane's head; a recv copies them out
 * and moves its tail.  Neither makes a system call while the other keeps
 * up.
 *
 * The socketpair stays, for three things a ring cannot do:
 *  - waking a reader that sleeps, and telling it its peer has gone: a
 *    sleeping reader waits in poll() on its end, where a writer's "bell"
 *    (one byte) or the peer's end of file wakes it;
 *  - fileno(): the first time any process asks either end for its
 *    descriptor, the Pipe goes back to sending on the socket (the lanes'
 *    mode), so that what a user polls, selects or writes is CPython's
 *    byte stream again;
 *  - knowing that the reader has gone when handles[] cannot tell (below).
 *
 * The bell.  The lane's head word holds the head (32 bits) and BELL.  A
 * writer that publishes bytes sets BELL and, only when it was clear,
 * sends one byte on the socket; a reader clears BELL, with a
 * compare-and-swap on the same word that succeeds only if the ring is
 * empty, and then reads that one byte.  So BELL says exactly "one byte is
 * on its way or in the socket", and whenever the ring holds bytes BELL is
 * set: a reader that cleared BELL and sleeps is woken by the next publish,
 * and once in socket mode a non-empty ring keeps the descriptor readable.
 * While the Pipe is in ring mode a reader clears BELL lazily, only before
 * it sleeps, so a reader that keeps up costs no system call at all; once
 * fileno() has been given out it clears it as soon as it empties the ring,
 * so that poll() on the descriptor says exactly what recv would find.
 *
 * handles[e] counts, over all processes, the open Connection objects for
 * end e: the one made by Pipe(), one per copy a fork made (counted in the
 * parent before the fork, so that the parent closing its copy at once
 * cannot reach 0 first), one per child that rebuilt it; minus closes, and
 * minus every end still open when a process runs its exit function.  A
 * send to an end whose count is 0 is BrokenPipeError at once, as on a
 * socket.  A process that dies without running its exit function (killed,
 * crashed) is not subtracted; a send to it fails when it must ring the
 * bell (the socket says EPIPE) or when the ring is full (the writer
 * looks at its socket while it waits).
 *
 * Locks.  Writers of a lane take its wlock, readers its rlock: locks
 * that know their holder (synchronize/mutex.c), so that a process killed
 * while holding one (a worker terminated while it waits in recv) does not
 * leave the others waiting for ever.  CPython's Pipe has no locks; two
 * processes reading one end there can tear each other's messages, here
 * they take turns.
 *
 * Deaths.  A process may die half way through a message, and the ring's
 * counters say exactly how far it got, so nothing torn is ever delivered:
 *  - a writer records where its message starts (wmsg) before its first
 *    byte and clears it after its last.  Whoever next takes the wlock from
 *    a dead holder (a writer, or a reader that grew tired of waiting for
 *    the rest of its message) turns a wmsg still set into a cut: "the
 *    message that starts at start ends at at, unfinished".  A reader never
 *    reads a message past its cut: there it drops what it took and reports
 *    MP_EOWNERDEAD, and the next message starts at the cut, where the next
 *    writer began;
 *  - a reader records where its message starts and ends (rstart, rend)
 *    after peeking at the header and before taking a byte of it.  Whoever
 *    next takes the rlock from a dead holder drops the rest of that message
 *    (up to rend, or to its cut) and reports MP_EOWNERDEAD.
 * In socket mode (after fileno()) the socket's records are not counted
 * this way: a process dying there inside a message can still tear it.
 */
#define RING (256 * 1024)
#define START ((uint32_t)-(RING / 2))   /* every lane crosses the counters' wrap early */
#define BELL (1ull << 32)
#define LOOK_MS 100                     /* how often a waiting writer or reader looks at its peer */
#define ACTIVE (1ull << 32)             /* wmsg, rend: set */
#define NCUTS 8                         /* messages dead writers left, not yet read past */

enum { RING_MODE, SOCKET_MODE };

typedef struct lane {
    mp__mutex wlock, rlock;
    _Atomic uint32_t mode;
    _Atomic uint32_t writers;           /* writers between seeing RING_MODE and finishing */
    _Alignas(64) _Atomic uint64_t hb;   /* head | BELL */
    _Alignas(64) _Atomic uint32_t tail;
    _Atomic uint32_t wwait;             /* writers asleep on tail */
    /* Deaths (above): the writer's message, the reader's, the cuts. */
    _Alignas(64) _Atomic uint64_t wmsg;  /* ACTIVE | its start */
    _Atomic uint32_t rstart;
    _Atomic uint64_t rend;               /* ACTIVE | its end */
    _Atomic uint32_t ncuts;
    struct { _Atomic uint32_t used; uint32_t start, at; } cut[NCUTS];
    _Alignas(64) uint8_t data[RING];
} lane;

struct mp__lanes {
    _Atomic int32_t handles[2];
    lane lane[2];
};

static lane *out_lane(const mp_connection *c) { return &c->lanes->lane[c->side]; }
static lane *in_lane(const mp_connection *c) { return &c->lanes->lane[1 - c->side]; }

/* ---- deaths ---------------------------------------------------------------------- */

/* With wlock just taken from a dead holder: its half-written message, if
 * any, becomes a cut.  Only a wlock holder adds cuts, so one at a time. */
static void cut_dead_writer(lane *l)
{
    uint64_t w = atomic_load(&l->wmsg);
    atomic_store(&l->writers, 0);       /* the dead writer's count */
    /* Only wlock's holder sleeps on tail, so a count left there is the
     * dead writer's: left up, it would make every later read a wake-up
     * system call. */
    atomic_store(&l->wwait, 0);
    if (!(w & ACTIVE))
        return;
    uint32_t start = (uint32_t)w, at = (uint32_t)atomic_load(&l->hb);
    if (at != start) {
        for (int i = 0; i < NCUTS; i++) {
            if (!atomic_load(&l->cut[i].used)) {
                l->cut[i].start = start;
                l->cut[i].at = at;
                atomic_store(&l->cut[i].used, 1);
                atomic_fetch_add(&l->ncuts, 1);
                break;
            }
        }
        /* Eight messages torn and not yet read past is more than any test
         * of death makes; a ninth would be read as it stands. */
    }
    atomic_store(&l->wmsg, 0);
}

/* Where the message that starts at start was cut, if it was: 1 and *at. */
static int cut_of(lane *l, uint32_t start, uint32_t *at)
{
    if (!atomic_load(&l->ncuts))
        return 0;
    for (int i = 0; i < NCUTS; i++) {
        if (atomic_load(&l->cut[i].used) && l->cut[i].start == start) {
            *at = l->cut[i].at;
            return 1;
        }
    }
    return 0;
}

/* The reader is past the cut of the message at start: forget it. */
static void uncut(lane *l, uint32_t start)
{
    for (int i = 0; i < NCUTS; i++) {
        if (atomic_load(&l->cut[i].used) && l->cut[i].start == start) {
            atomic_store(&l->cut[i].used, 0);
            atomic_fetch_sub(&l->ncuts, 1);
        }
    }
}

/* A reader waiting for more of a message looks whether its writer died:
 * a wlock it can take from a dead holder says so (and makes the cut). */
static void look_for_dead_writer(lane *l)
{
    int rc = mp__mutex_lock(&l->wlock, &mp__now);
    if (rc == MP__HOLDER_DIED)
        cut_dead_writer(l);
    if (rc > 0)
        mp__mutex_unlock(&l->wlock);
}

static int broken_pipe(void)
{
    errno = EPIPE;
    return mp__fail_errno("write");
}

/* The peer's end is closed in every process (as far as handles[] knows),
 * or its socket says it has gone. */
static bool peer_gone(const mp_connection *c, bool ask_socket)
{
    if (atomic_load(&c->lanes->handles[1 - c->side]) <= 0)
        return true;
    struct pollfd p = {c->fd, POLLRDHUP, 0};
    return ask_socket && poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLRDHUP | POLLERR));
}

/* ---- this process's ends, for handles[] ------------------------------------ */

static pthread_mutex_t list_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t list_once = PTHREAD_ONCE_INIT;
static mp_connection *ends;

/* Before fork(): the child will hold a copy of every end this process
 * holds.  The list stays locked across the fork so that the child's copy
 * is whole. */
static void before_fork(void)
{
    pthread_mutex_lock(&list_lock);
    for (mp_connection *c = ends; c; c = c->next)
        atomic_fetch_add(&c->lanes->handles[c->side], 1);
}

static void after_fork_parent(void)
{
    pthread_mutex_unlock(&list_lock);
}

/* The forking thread, the child's only one, holds the child's copy. */
static void after_fork_child(void)
{
    pthread_mutex_unlock(&list_lock);
}

static void forget_all(void);

/* Every end this process still holds is no longer counted as open by its
 * peers: the last step of the exit function, as the kernel is about to
 * close them. */
static void install(void)
{
    pthread_atfork(before_fork, after_fork_parent, after_fork_child);
    mp__exit_add_last_step(forget_all);
}

/* Count c as open in this process (already in handles[] when counted). */
static void enlist(mp_connection *c, bool add)
{
    pthread_once(&list_once, install);
    pthread_mutex_lock(&list_lock);
    if (add)
        atomic_fetch_add(&c->lanes->handles[c->side], 1);
    c->counted = true;
    c->prev = NULL;
    c->next = ends;
    if (ends)
        ends->prev = c;
    ends = c;
    pthread_mutex_unlock(&list_lock);
}

static void unlist_locked(mp_connection *c)
{
    if (!c->counted)
        return;
    c->counted = false;
    if (c->prev)
        c->prev->next = c->next;
    else
        ends = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->next = c->prev = NULL;
    atomic_fetch_sub(&c->lanes->handles[c->side], 1);
}

void mp__lane_forget(mp_connection *c)
{
    if (!c->lanes || !c->counted)
        return;
    pthread_mutex_lock(&list_lock);
    unlist_locked(c);
    pthread_mutex_unlock(&list_lock);
}

static void forget_all(void)
{
    pthread_mutex_lock(&list_lock);
    while (ends)
        unlist_locked(ends);
    pthread_mutex_unlock(&list_lock);
}

/* ---- the block ---------------------------------------------------------------- */

int mp__lanes_create(mp_connection *a, mp_connection *b)
{
    int rc = mp__shm_create(&a->shm, "forklore-pipe", sizeof(mp__lanes));
    if (rc < 0)
        return rc;
    mp__lanes *l = a->lanes = a->shm.addr;
    for (int i = 0; i < 2 && rc == 0; i++) {
        if ((rc = mp__mutex_init(&l->lane[i].wlock)) == 0)
            rc = mp__mutex_init(&l->lane[i].rlock);
        atomic_init(&l->lane[i].hb, START);
        atomic_init(&l->lane[i].tail, START);
    }
    int fd = rc < 0 ? -1 : dup(a->shm.fd);
    if (rc == 0 && fd < 0)
        rc = mp__fail_errno("dup");
    if (rc == 0 && (rc = mp__shm_attach(&b->shm, fd, sizeof(mp__lanes))) == 0) {
        b->lanes = b->shm.addr;
        a->side = 0;
        b->side = 1;
        enlist(a, true);
        enlist(b, true);
        return 0;
    }
    mp__shm_close(&a->shm);
    a->lanes = NULL;
    return rc;
}

/* Counted for the child by the parent when it reduced the end (below):
 * the parent closing its own copy as soon as the child is started must
 * not bring the count to 0 before the child has rebuilt it. */
void mp__lane_reduced(mp_connection *c)
{
    atomic_fetch_add(&c->lanes->handles[c->side], 1);
}

int mp__lanes_attach(mp_connection *c, int memfd, int end)
{
    int rc = mp__shm_attach(&c->shm, memfd, sizeof(mp__lanes));
    if (rc < 0)
        return rc;
    c->lanes = c->shm.addr;
    c->side = (uint8_t)(end & 1);
    enlist(c, false);
    return 0;
}

/* ---- the bell --------------------------------------------------------------------- */

/* With wlock held: head moved to `head`; ring the bell if it was clear. */
static int publish(mp_connection *c, lane *l, uint32_t head)
{
    uint64_t old = atomic_load(&l->hb);
    while (!atomic_compare_exchange_weak(&l->hb, &old, BELL | head))
        ;
    if (old & BELL)
        return 0;
    for (;;) {
        if (send(c->fd, "", 1, MSG_NOSIGNAL) == 1)
            return 0;
        if (errno != EINTR)
            return mp__fail_errno("write");
    }
}

/* If the lane is empty and its bell set, clear it and take its byte.
 * Anyone holding the reading end may; the compare-and-swap on the head
 * word decides between a clearer and a writer publishing at once. */
static int clear_bell(mp_connection *c, lane *l)
{
    uint32_t tail = atomic_load(&l->tail);
    uint64_t hb = atomic_load(&l->hb);
    if (!(hb & BELL) || (uint32_t)hb != tail ||
        !atomic_compare_exchange_strong(&l->hb, &hb, (uint64_t)tail))
        return 0;
    uint8_t byte;
    for (;;) {
        /* The writer that set BELL sends its byte just after: wait for it
         * (0 if it died first: there is then none to take). */
        if (recv(c->fd, &byte, 1, 0) >= 0)
            return 0;
        if (errno != EINTR)
            return mp__fail_errno("read");
    }
}

/* Data in the lane beyond `tail`: 1; 0 when the deadline passes; 2 when the socket holds something that is not a bell (the
 * Pipe went to socket mode: at a message's start only, as inside one the
 * rest comes through the ring); MP_EEOF when the peer has gone.  Spins a
 * little before sleeping in poll(). */
static int await_data(mp_connection *c, lane *l, uint32_t tail, const mp__deadline *d, bool inside)
{
    for (int i = 1; d->kind != MP__NOW && i <= MP__SPINS; i++) {
        if ((uint32_t)atomic_load_explicit(&l->hb, memory_order_acquire) != tail)
            return 1;
        mp__spin(i);
    }
    for (;;) {
        int rc = clear_bell(c, l);
        if (rc < 0)
            return rc;
        if ((uint32_t)atomic_load(&l->hb) != tail)
            return 1;
        int r = mp__wait_readable(c->fd, d);
        if (r < 0)
            return r;
        if ((uint32_t)atomic_load(&l->hb) != tail)
            return 1;
        if (r == 0)
            return 0;
        uint8_t byte;
        ssize_t k = recv(c->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        if (k == 0)
            return MP_EEOF;
        if (k > 0 && !inside && atomic_load(&l->mode) == SOCKET_MODE &&
            !(atomic_load(&l->hb) & BELL))
            return 2;
        /* A bell whose clearer has yet to take it, or one to clear. */
        sched_yield();
    }
}

/* ---- sending ------------------------------------------------------------------- */

/* With wlock held, in ring mode: the bytes of segs into the ring, each
 * piece published as soon as it is in, waiting for room as it is made. */
static int ring_write(mp_connection *c, lane *l, const uint8_t *const segs[2], const size_t lens[2])
{
    uint32_t head = (uint32_t)atomic_load_explicit(&l->hb, memory_order_relaxed);
    size_t s = 0, at = 0;
    int rc = 0;
    while (s < 2 && rc == 0) {
        uint32_t tail = atomic_load_explicit(&l->tail, memory_order_acquire), used = head - tail;
        if (used > RING)
            return mp__fail(MP_EOS, "the shared memory of a Pipe is corrupt");
        if (used == RING) {
            if (mp__ring_spin(&l->tail, tail))
                continue;
            atomic_fetch_add(&l->wwait, 1);
            struct timespec ts = {0, LOOK_MS * 1000000L};
            while (atomic_load(&l->tail) == tail && !peer_gone(c, true))
                mp__ring_sleep(&l->tail, tail, &ts);
            atomic_fetch_sub(&l->wwait, 1);
            if (atomic_load(&l->tail) == tail)
                return broken_pipe();
            continue;
        }
        head = mp__ring_fill(l->data, RING, head, RING - used, segs, lens, &s, &at);
        rc = publish(c, l, head);
    }
    return rc;
}

int mp__lane_send(mp_connection *c, const uint8_t *hdr, size_t hlen, const uint8_t *buf, size_t n)
{
    if (peer_gone(c, false))
        return broken_pipe();
    lane *l = out_lane(c);
    int rc = mp__mutex_lock(&l->wlock, &mp__forever);
    if (rc < 0)
        return rc;
    if (rc == MP__HOLDER_DIED)
        cut_dead_writer(l);
    /* A writer that saw ring mode is counted until it is done, so that a
     * reader in socket mode knows its bytes are still to come. */
    atomic_fetch_add(&l->writers, 1);
    if (atomic_load(&l->mode) == RING_MODE) {
        atomic_store(&l->wmsg, ACTIVE | (uint32_t)atomic_load(&l->hb));
        rc = ring_write(c, l, (const uint8_t *const[2]){hdr, buf}, (const size_t[2]){hlen, n});
        atomic_store(&l->wmsg, 0);
        atomic_fetch_sub(&l->writers, 1);
    } else {
        atomic_fetch_sub(&l->writers, 1);
        rc = mp__rec_send(c, hdr, hlen, buf, n);
    }
    mp__mutex_unlock(&l->wlock);
    return rc;
}

/* ---- receiving ------------------------------------------------------------------ */

static void end_message(mp_connection *c, lane *l)
{
    c->ring_msg = false;
    atomic_store(&l->rend, 0);
    /* Once fileno() is out, the descriptor must not stay readable after
     * the ring is emptied (see the top). */
    if (atomic_load(&l->mode) == SOCKET_MODE)
        clear_bell(c, l);
    mp__mutex_unlock(&l->rlock);
}

/* In socket mode, a writer of the ring is still counted: wait for it,
 * unless it died inside its send (its wlock says so, or is free
 * with the count left up), which would leave every reader waiting. */
static void writer_check(lane *l)
{
    if (mp__mutex_lock(&l->wlock, &mp__now) <= 0) {
        sched_yield();
        return;
    }
    atomic_store(&l->writers, 0);
    mp__mutex_unlock(&l->wlock);
}

static int drop_dead_readers_message(mp_connection *c, lane *l);

int mp__lane_begin(mp_connection *c)
{
    lane *l = in_lane(c);
    int rc = mp__mutex_lock(&l->rlock, &mp__forever);
    if (rc < 0)
        return rc;
    if (rc == MP__HOLDER_DIED && (atomic_load(&l->rend) & ACTIVE))
        return drop_dead_readers_message(c, l);
    for (;;) {
        uint32_t tail = atomic_load_explicit(&l->tail, memory_order_relaxed);
        uint64_t hb = atomic_load(&l->hb);
        if ((uint32_t)hb != tail) {
            c->ring_msg = true;
            c->ring_start = tail;
            c->ring_left = UINT64_MAX;      /* until the header says */
            return 1;
        }
        if (atomic_load(&l->mode) == SOCKET_MODE) {
            if (atomic_load(&l->writers) == 0) {
                if (!(hb & BELL)) {
                    /* The message is on the socket: keep the lock until
                     * its last byte (mp__lane_socket_*). */
                    c->sock_msg = true;
                    c->sock_left = UINT64_MAX;
                    return 0;
                }
                if ((rc = clear_bell(c, l)) < 0)
                    break;
            } else {
                writer_check(l);
            }
            continue;
        }
        if ((rc = await_data(c, l, tail, &mp__forever, false)) < 0) {
            if (rc == MP_EEOF)
                rc = mp__fail(MP_EEOF, "%s", "");
            break;
        }
    }
    mp__mutex_unlock(&l->rlock);
    return rc;
}

void mp__lane_socket_body(mp_connection *c, uint64_t n)
{
    if (!c->sock_msg)
        return;
    c->sock_left = n;
    if (n == 0)
        mp__lane_socket_end(c, false);
}

void mp__lane_socket_took(mp_connection *c, uint64_t n)
{
    if (!c->sock_msg)
        return;
    c->sock_left = n < c->sock_left ? c->sock_left - n : 0;
    if (c->sock_left == 0)
        mp__lane_socket_end(c, false);
}

void mp__lane_socket_end(mp_connection *c, bool drop)
{
    if (!c->sock_msg)
        return;
    /* The rest of a refused message goes, so that the next reader, in any
     * process, starts at a message. */
    uint8_t scratch[4096];
    while (drop && c->sock_left != UINT64_MAX && c->sock_left > 0) {
        size_t k = c->sock_left < sizeof scratch ? (size_t)c->sock_left : sizeof scratch;
        if (mp__rec_read(c, scratch, k) < 0)
            break;
        c->sock_left -= k;
    }
    c->sock_msg = false;
    mp__mutex_unlock(&in_lane(c)->rlock);
}

/* With rlock held, inside the ring message that starts at c->ring_start:
 * wait until the ring holds bytes of it beyond pos.  1 with how many in
 * *avail (never past the message's cut); MP_EOWNERDEAD when it was cut at
 * pos (its writer died there); MP_EEOF when the peer has gone; an error.
 * While it waits it looks now and then whether the writer died. */
static int await_more(mp_connection *c, lane *l, uint32_t pos, uint32_t *avail)
{
    for (;;) {
        uint32_t at, a = (uint32_t)atomic_load_explicit(&l->hb, memory_order_acquire) - pos;
        if (a > RING)
            return mp__fail(MP_EOS, "the shared memory of a Pipe is corrupt");
        if (cut_of(l, c->ring_start, &at)) {
            if (at == pos)
                return MP_EOWNERDEAD;
            if (a > at - pos)
                a = at - pos;
        }
        if (a > 0) {
            *avail = a;
            return 1;
        }
        mp__deadline d;
        mp__deadline_set(&d, MP_TIMEOUT(LOOK_MS / 1000.0));
        int rc = await_data(c, l, pos, &d, true);
        if (rc == 0)
            look_for_dead_writer(l);
        else if (rc < 0)
            return rc;
    }
}

/* The message being read ends in an error: say which, forget its cut and
 * its record, and let go of the lock. */
static int message_failed(mp_connection *c, lane *l, int rc)
{
    if (rc == MP_EEOF)
        rc = mp__fail(MP_EOS, "got end of file during message");
    else if (rc == MP_EOWNERDEAD)
        rc = mp__ring_lost(true);
    uncut(l, c->ring_start);
    end_message(c, l);
    return rc;
}

int mp__lane_header(mp_connection *c, uint64_t *n)
{
    lane *l = in_lane(c);
    uint32_t tail = atomic_load_explicit(&l->tail, memory_order_relaxed), avail;
    uint8_t h[12];
    size_t have = 0, need = 4;
    /* Peeked, not taken: the message's end is recorded (rend) before any
     * byte of it leaves the ring, so that if this process dies the next
     * reader knows how much to drop. */
    while (have < need) {
        int rc = await_more(c, l, tail + (uint32_t)have, &avail);
        if (rc < 0)
            return message_failed(c, l, rc);
        size_t k = need - have < avail ? need - have : avail;
        mp__ring_copy_out(h + have, l->data, RING, tail + (uint32_t)have, k);
        have += k;
        if (have == 4 && mp__frame_is_big(h))
            need = 12;
    }
    *n = mp__frame_length(h);
    if (*n != UINT64_MAX) {
        atomic_store(&l->rstart, c->ring_start);
        atomic_store(&l->rend, ACTIVE | (uint32_t)(c->ring_start + need + *n));
    }
    atomic_store(&l->tail, tail + (uint32_t)need);
    mp__ring_wake(&l->tail, &l->wwait);
    c->ring_left = *n;
    if (*n == 0)
        end_message(c, l);
    return 0;
}

int mp__lane_read(mp_connection *c, uint8_t *dst, size_t n)
{
    lane *l = in_lane(c);
    uint32_t tail = atomic_load_explicit(&l->tail, memory_order_relaxed), avail;
    while (n > 0) {
        int rc = await_more(c, l, tail, &avail);
        if (rc < 0)
            return message_failed(c, l, rc);
        size_t k = n < avail ? n : avail;
        if (dst) {
            mp__ring_copy_out(dst, l->data, RING, tail, k);
            dst += k;
        }
        tail += (uint32_t)k;
        n -= k;
        atomic_store(&l->tail, tail);
        mp__ring_wake(&l->tail, &l->wwait);
        if (c->ring_left != UINT64_MAX && (c->ring_left -= k) == 0)
            end_message(c, l);
    }
    return 0;
}

/* With rlock just taken from a reader that died inside a message: drop
 * what is left of it (up to its end, or to its cut) and report it lost;
 * the lock is let go either way. */
static int drop_dead_readers_message(mp_connection *c, lane *l)
{
    uint32_t tail = atomic_load(&l->tail), end = (uint32_t)atomic_load(&l->rend);
    c->ring_msg = true;
    c->ring_start = atomic_load(&l->rstart);
    c->ring_left = (uint32_t)(end - tail);
    int rc = c->ring_left ? mp__lane_read(c, NULL, (size_t)c->ring_left) : 0;
    if (rc < 0 && rc != MP_EOWNERDEAD)
        return rc;
    if (c->ring_msg) {
        uncut(l, c->ring_start);
        end_message(c, l);
    }
    return mp__ring_lost(false);
}

void mp__lane_abandon(mp_connection *c)
{
    while (c->ring_msg && c->ring_left != UINT64_MAX && c->ring_left > 0) {
        size_t k = c->ring_left < SIZE_MAX ? (size_t)c->ring_left : SIZE_MAX;
        if (mp__lane_read(c, NULL, k) < 0)
            return;
    }
    if (c->ring_msg)
        end_message(c, in_lane(c));
}

/* ---- poll, wait, fileno --------------------------------------------------------------- */

int mp__lane_poll(mp_connection *c, const mp__deadline *d)
{
    lane *l = in_lane(c);
    for (;;) {
        uint32_t tail = atomic_load(&l->tail);
        if ((uint32_t)atomic_load(&l->hb) != tail)
            return 1;
        if (atomic_load(&l->mode) == SOCKET_MODE && atomic_load(&l->writers) == 0 &&
            !(atomic_load(&l->hb) & BELL))
            return 2;
        int rc = await_data(c, l, tail, d, false);
        if (rc == MP_EEOF)
            return 1;               /* recv would not block: it raises EOFError */
        if (rc != 1)
            return rc;
    }
}

void mp__lane_to_socket(const mp_connection *c)
{
    for (int i = 0; i < 2; i++)
        atomic_store(&c->lanes->lane[i].mode, SOCKET_MODE);
    /* A bell left set on an empty ring would make the descriptor readable
     * with nothing to read. */
    clear_bell((mp_connection *)c, in_lane(c));
}

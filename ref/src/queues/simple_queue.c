/* simple_queue.c - SimpleQueue: a byte ring in shared memory with a process-shared lock at each end, written and read in the caller (queues.py). */
#include "queues.h"
#include "synchronize/ring.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * CPython's SimpleQueue is a pipe with a lock at each end: put takes the
 * write lock and writes one message, get takes the read lock and reads
 * one.  Here the pipe is a ring of bytes in the memfd block every process
 * maps, and the messages in it are framed by an 8-byte length.  A put
 * that fits copies its bytes in and moves the head, with no system call
 * unless a reader sleeps; so put still "writes before it returns" (a get
 * or empty() in any process sees the message at once), but costs a copy
 * instead of a write(2).  SimpleQueue shows no descriptor, so nothing a
 * user can reach tells the two apart.
 *
 * The ring holds RING bytes, what a Linux pipe holds: a larger message
 * goes through in pieces, its put returning once a reader has taken all
 * but the last RING bytes of it, as CPython's does (lesson 28's rule).
 *
 * head and tail count bytes ever written and taken, modulo 2^32 (RING
 * divides 2^32, so head - tail is the bytes waiting even across the
 * wrap).  Only the holder of wlock moves head, only the holder of rlock
 * moves tail, and each side sleeps on the other's counter with a futex.
 * A sleeper first says so in rwait or wwait, so that the other side makes
 * a wake-up call only when someone sleeps; both sides use sequentially
 * consistent operations for the counter and the flag, so that either the
 * mover sees the flag or the sleeper sees the counter move (never
 * neither).  A sleeper holds its side's lock, so nobody else moves the
 * counter it watches, and the value it sleeps on cannot come back.
 * The counters start START bytes short of 2^32, so that every queue
 * crosses their wrap within its first 32 KiB, and any test exercises it.
 */
#define RING (64 * 1024)
#define HEADER 8
#define START ((uint32_t)-(RING / 2))
/* Each side spins a little before it sleeps: see ring.h. */

typedef struct shared {
    mp__sem rlock, wlock;
    _Alignas(64) _Atomic uint32_t head;
    _Atomic uint32_t rwait;     /* readers asleep on head */
    _Alignas(64) _Atomic uint32_t tail;
    _Atomic uint32_t wwait;     /* writers asleep on tail */
    _Alignas(64) uint8_t data[RING];
} shared;

/* Nothing is torn down before the object goes: close() only marks it, so
 * a get or put running in another thread finishes on a block that stays
 * mapped (CPython closes the pipe's descriptors, which a running call in
 * another thread survives on Linux). */
struct mp_simple_queue {
    mp__object ob;
    _Atomic bool closed;
    mp__shm shm;
    shared *sh;
    mp__spare spare;            /* get's buffer for large pickles, kept for the next */
};

static const mp_class simple_queue_class;

/* ---- the ring ----------------------------------------------------------------- */

/* Wait until *word is no longer seen, spinning a little and then asleep
 * (said in *waiting).  0, or, when interruptible (before a message's
 * first byte), MP_EINTERRUPT for a SIGINT before or during the sleep. */
static int await_move(_Atomic uint32_t *word, uint32_t seen, _Atomic uint32_t *waiting,
                      bool interruptible)
{
    if (mp__ring_spin(word, seen))
        return 0;
    int rc = 0;
    atomic_fetch_add(waiting, 1);
    while (atomic_load(word) == seen && (!interruptible || (rc = mp__interrupted()) == 0))
        mp__ring_sleep(word, seen, NULL);
    atomic_fetch_sub(waiting, 1);
    return rc;
}

/* A count of waiting bytes over RING: another process wrote the block. */
static int corrupt(void)
{
    return mp__fail(MP_EOS, "the shared memory of a SimpleQueue is corrupt");
}

/* With wlock held: the bytes of segs, in order, each piece made visible
 * as soon as it is in. */
static int ring_write(shared *sh, const uint8_t *const segs[2], const size_t lens[2])
{
    uint32_t head = atomic_load_explicit(&sh->head, memory_order_relaxed);
    size_t s = 0, at = 0;
    while (s < 2) {
        uint32_t tail = atomic_load_explicit(&sh->tail, memory_order_acquire);
        uint32_t used = head - tail;
        if (used > RING)
            return corrupt();
        if (used == RING) {
            await_move(&sh->tail, tail, &sh->wwait, false);
            continue;
        }
        head = mp__ring_fill(sh->data, RING, head, RING - used, segs, lens, &s, &at);
        atomic_store(&sh->head, head);
        mp__ring_wake(&sh->head, &sh->rwait);
    }
    return 0;
}

/* With rlock held: the next n bytes into dst, or dropped when dst is
 * NULL, waiting for them as they come; at_start, a SIGINT before the first
 * byte is KeyboardInterrupt. */
static int ring_read(shared *sh, uint8_t *dst, size_t n, bool at_start)
{
    uint32_t tail = atomic_load_explicit(&sh->tail, memory_order_relaxed);
    size_t want = n;
    while (n > 0) {
        uint32_t head = atomic_load_explicit(&sh->head, memory_order_acquire);
        uint32_t avail = head - tail;
        if (avail > RING)
            return corrupt();
        if (avail == 0) {
            int rc = await_move(&sh->head, head, &sh->rwait, at_start && n == want);
            if (rc < 0)
                return rc;
            continue;
        }
        size_t k = n < avail ? n : avail;
        if (dst) {
            mp__ring_copy_out(dst, sh->data, RING, tail, k);
            dst += k;
        }
        tail += (uint32_t)k, n -= k;
        atomic_store(&sh->tail, tail);
        mp__ring_wake(&sh->tail, &sh->wwait);
    }
    return 0;
}

/* With rlock held: one message, into small when it fits, else into the
 * spare when it is big enough (spare.c), else into new memory: the caller
 * gives it back with mp__spare_give.  A length that cannot be allocated
 * is MP_ENOMEM after its bytes are dropped, so the next get starts at the
 * next message. */
static int ring_recv(shared *sh, mp__spare *spare, uint8_t *small, size_t cap, uint8_t **buf,
                     size_t *n)
{
    uint8_t hdr[HEADER];
    int rc = ring_read(sh, hdr, HEADER, true);
    if (rc < 0)
        return rc;
    uint64_t len = mp__get_le64(hdr);
    uint8_t *p = small;
    if (len > cap) {
        if (len > SIZE_MAX)
            return corrupt();
        if (!(p = mp__spare_take(spare, (size_t)len)) && !(p = malloc((size_t)len))) {
            rc = ring_read(sh, NULL, (size_t)len, false);
            return rc < 0 ? rc : mp__fail(MP_ENOMEM, "out of memory");
        }
    }
    if ((rc = ring_read(sh, p, (size_t)len, false)) < 0) {
        if (p != small)
            mp__spare_give(spare, p);
        return rc;
    }
    *buf = p;
    *n = (size_t)len;
    return 0;
}

/* ---- the class ---------------------------------------------------------------- */

static void finalize(mp__object *o)
{
    mp__shm_close(&((mp_simple_queue *)o)->shm);
    mp__spare_free(&((mp_simple_queue *)o)->spare);
}

/* The memfd is the whole queue.  Outside a child's description reducing
 * fails at once with "SimpleQueue objects should only be shared between
 * processes through inheritance", as CPython's assert_spawning; then a
 * closed queue fails as pickling its closed pipe does. */
static mp_value *reduce(mp__object *o)
{
    mp_simple_queue *q = (mp_simple_queue *)o;
    int m = mp__reduce_fd(o, q->shm.fd);
    if (m < 0)
        return NULL;
    if (atomic_load(&q->closed)) {
        mp__fail(MP_ECLOSED, "handle is closed");
        return NULL;
    }
    return mp_tuple_of(m);
}

static mp_simple_queue *alloc(void)
{
    mp_simple_queue *q = (mp_simple_queue *)mp__object_alloc(&simple_queue_class);
    if (q)
        q->shm.fd = -1;
    return q;
}

static mp__object *rebuild(const mp_value *state)
{
    if (mp_typeof(state) != MP_T_TUPLE || mp_len(state) != 1 ||
        mp_typeof(mp_item(state, 0)) != MP_T_INT) {
        mp__fail(MP_EUNPICKLE, "bad state for a SimpleQueue");
        return NULL;
    }
    int fd = mp__rebuild_fd(mp_as_int(mp_item(state, 0)));
    mp_simple_queue *q = NULL;
    if (fd < 0 || !(q = alloc())) {
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if (mp__shm_attach(&q->shm, fd, sizeof(shared)) < 0) {
        mp_decref(&q->ob.h);
        return NULL;
    }
    q->sh = q->shm.addr;
    mp__sem_attached(&q->sh->rlock);
    mp__sem_attached(&q->sh->wlock);
    return &q->ob;
}

static const mp__native native = {sizeof(mp_simple_queue), finalize, reduce, rebuild};
static const mp_class simple_queue_class = {
    .name = "SimpleQueue", .module = "multiprocessing.queues", .native = &native};
MP_CLASS(simple_queue_class);

/* SimpleQueue.__init__: the channel (CPython's pipe), then rlock and wlock. */
mp_simple_queue *mp_simple_queue_new(void)
{
    mp_simple_queue *q = alloc();
    if (!q)
        return NULL;
    if (mp__shm_create(&q->shm, "forklore-simplequeue", sizeof(shared)) < 0)
        goto fail;
    q->sh = q->shm.addr;
    if (mp__sem_init(&q->sh->rlock, 1, 1) < 0 || mp__sem_init(&q->sh->wlock, 1, 1) < 0)
        goto fail;
    atomic_init(&q->sh->head, START);
    atomic_init(&q->sh->tail, START);
    return q;
fail:
    mp_decref(&q->ob.h);
    return NULL;
}

mp_simple_queue *mp_context_simple_queue(mp_context *ctx)
{
    (void)ctx;
    return mp_simple_queue_new();
}

mp_simple_queue *mp_as_simple_queue(const mp_value *v)
{
    return mp_class_of(v) == &simple_queue_class ? (mp_simple_queue *)v : NULL;
}

void mp_simple_queue_free(mp_simple_queue *q)
{
    if (q)
        mp_decref(&q->ob.h);
}

static int check(mp_simple_queue *q)
{
    if (!q)
        return mp__fail(MP_ETYPE, "expected a SimpleQueue, got NULL");
    return atomic_load(&q->closed) ? mp__fail(MP_ECLOSED, "handle is closed") : 0;
}

/* ---- the methods ------------------------------------------------------------ */

/* Pickled before anything else, as CPython does, so a value that cannot
 * be pickled fails here (in the caller) even on a closed queue. */
int mp__simple_queue_put(mp_simple_queue *q, mp_arg obj)
{
    mp_value *v;
    int rc = mp__value_from_arg(obj, &v);
    if (rc < 0)
        return rc;
    uint8_t *buf = NULL;
    size_t n;
    rc = q ? mp_pickle_dumps(v, NULL, &buf, &n) : check(q);
    mp_decref(v);
    if (rc < 0 || (rc = check(q)) < 0) {
        free(buf);
        return rc;
    }
    uint8_t hdr[HEADER];
    mp__put_le64(hdr, n);
    if ((rc = mp__sem_acquire(&q->sh->wlock, &mp__forever)) >= 0) {
        rc = ring_write(q->sh, (const uint8_t *const[2]){hdr, buf}, (const size_t[2]){HEADER, n});
        mp__sem_release(&q->sh->wlock);
    }
    free(buf);
    return rc < 0 ? rc : 0;
}

/* Read under rlock; unpickle after letting go of it. */
int mp_simple_queue_get(mp_simple_queue *q, mp_value **out)
{
    if (!out)
        return mp__fail(MP_EVALUE, "get needs somewhere to store the value");
    *out = NULL;
    int rc = check(q);
    if (rc < 0)
        return rc;
    uint8_t small[256], *buf = NULL;
    size_t n = 0;
    if ((rc = mp__sem_acquire(&q->sh->rlock, &mp__forever)) >= 0) {
        rc = ring_recv(q->sh, &q->spare, small, sizeof small, &buf, &n);
        mp__sem_release(&q->sh->rlock);
    }
    if (rc < 0)
        return rc;
    rc = mp_pickle_loads(buf, n, NULL, out);
    if (buf != small)
        mp__spare_give(&q->spare, buf);
    return rc;
}

/* not reader.poll(): true when no byte waits.  On a closed queue CPython
 * raises OSError "handle is closed": the error is recorded and true
 * returned. */
bool mp_simple_queue_empty(mp_simple_queue *q)
{
    if (check(q) < 0)
        return true;
    /* tail first: head cannot fall behind a tail read before it, so a get
     * that runs between the two loads cannot make an empty ring look non-empty. */
    uint32_t tail = atomic_load(&q->sh->tail);
    return atomic_load(&q->sh->head) == tail;
}

/* reader.close(); writer.close(): idempotent.  Only marks the queue (see
 * the struct); the block goes with the last reference. */
int mp_simple_queue_close(mp_simple_queue *q)
{
    if (!q)
        return check(q);
    atomic_store(&q->closed, true);
    return 0;
}

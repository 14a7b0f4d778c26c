/* simple_queue.c - SimpleQueue: a byte ring in shared memory with a lock at each end that knows its holder, written and read in the caller (queues.py); a process that dies holding a lock costs at most the message it was moving. */
#include "queues.h"
#include "synchronize/ring.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
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
 * A reader takes a message that is all there with one move of tail.
 *
 * Deaths.  In CPython a process killed while it holds either lock leaves
 * every other process waiting for it for ever.  Here the locks know their
 * holder (mutex.c), so the next taker gets the lock, and the counters,
 * which are the truth of what was written and taken, say what was lost:
 *
 *  - Each side keeps a record of the message it is moving, in wcur and
 *    rcur: BUSY and where the message starts, with its length (header
 *    included) in wlen or rlen and how far the counter had moved through
 *    it in wdone or rdone.  A writer sets it before it publishes a byte
 *    and clears it after the last; a reader sets it only before a move of
 *    tail that does not take a whole message at once.  Whoever takes a
 *    lock and finds its record BUSY knows the holder before it died
 *    inside a message (a live holder clears it before letting go), with
 *    or without MP__HOLDER_DIED: the work is redone until it is done.
 *    wdone and rdone are stored after each move, so they lag the counter
 *    by at most RING bytes, which makes passed() exact for a message of
 *    any length although the counters wrap at 4 GiB.
 *  - A writer that finds wcur BUSY, with part of that message published,
 *    records a cut: (where it starts, head), in a small ring of cuts
 *    (ncuts counts those recorded; the reader's record counts those
 *    taken).  The next message, its own, starts at head.  A cut already
 *    recorded by a writer that then died is not recorded twice.
 *  - A reader taking bytes of the message that starts at S looks at the
 *    first cut not yet taken: one for S says where S's bytes end.  It
 *    takes them (dropped), takes the cut, and reports the message as lost
 *    (MP_EOWNERDEAD, once); the next get starts at the next message.  A cut is
 *    recorded before any byte after it is published, so a reader that
 *    sees those bytes sees the cut.  One store of rcur both ends the
 *    record and takes the cut, so a reader that dies in between leaves
 *    neither half done.
 *  - A reader waiting inside a message (for the rest of a header or a
 *    body) looks at the writer every LOOK_MS: if it can take wlock, the
 *    writer it waits for is gone; it records the cut itself, as a writer
 *    would, lets go of wlock, and finds the cut.  If it cannot, a writer
 *    is writing and it waits on.  A reader waiting for a message to start
 *    does not look: nothing is torn there.
 *  - A reader that finds rcur BUSY drops the rest of that message
 *    (waiting for it while its writer writes) and reports it as lost,
 *    unless the dead reader had taken none of it (the message is whole in
 *    the ring, and read as usual) or all.
 *  - Only the holder of a side's lock sleeps on the other's counter, so
 *    whoever takes a lock whose holder died sets that side's count of
 *    sleepers (rwait, wwait) back to 0: a holder killed asleep would
 *    otherwise make every later move a wake-up call.
 * A killed writer or reader thus costs at most its own message, reported
 * to one reader; every message before and after arrives whole, once and
 * in order.  None of this costs the hot path a system call: the records
 * are plain stores in lines of their own, and a reader looks at ncuts, a
 * line nobody writes until a process dies.
 */
#define RING (64 * 1024)
#define HEADER 8
#define START ((uint32_t)-(RING / 2))
/* Each side spins a little before it sleeps: see ring.h. */
#define LOOK_MS 100                     /* how often a reader inside a message looks at its writer */
#define NCUTS 16                        /* cuts recorded and not yet reached by a reader */
#define BUSY (1ull << 32)               /* in wcur and rcur: a message is being moved */
#define TAKEN_SHIFT 33                  /* rcur's cuts taken, modulo 2^31 */
#define TAKEN_MASK 0x7fffffffu
#define UNKNOWN UINT64_MAX              /* a length a cut will end first */

/* Where a message was cut: the next message starts at `at`. */
typedef struct cut {
    uint32_t start, at;
} cut;

/* Each side's lock, counter and record in lines of their own: taking a
 * lock writes its holder into it. */
typedef struct shared {
    _Alignas(64) mp__mutex rlock;
    _Alignas(64) mp__mutex wlock;
    _Alignas(64) _Atomic uint32_t head;
    _Atomic uint32_t rwait;     /* readers asleep on head */
    _Alignas(64) _Atomic uint32_t tail;
    _Atomic uint32_t wwait;     /* writers asleep on tail */
    _Alignas(64) _Atomic uint64_t wcur;     /* wlock's holder's message: BUSY | start, or 0 */
    _Atomic uint64_t wlen, wdone;
    _Alignas(64) _Atomic uint64_t rcur;     /* rlock's holder's: cuts taken << 33 | BUSY | start */
    _Atomic uint64_t rlen, rdone;
    _Alignas(64) _Atomic uint32_t ncuts;    /* cuts ever recorded */
    cut cuts[NCUTS];            /* the last NCUTS of them: cut n in cuts[n % NCUTS] */
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
 * (said in *waiting).  0, or MP_EINTERRUPT for a SIGINT before or during
 * the sleep when interruptible (before a message's first byte). */
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

/* Bytes of the message starting at start that a counter now at now has
 * passed, from done, a count of them at most RING short (see the top). */
static uint64_t passed(uint32_t start, uint32_t now, uint64_t done)
{
    return done + (uint32_t)(now - start - (uint32_t)done);
}

static uint32_t cuts_taken(shared *sh)
{
    return (uint32_t)(atomic_load(&sh->rcur) >> TAKEN_SHIFT);
}

/* With wlock held: if its holder before died inside a message, record
 * where that message was cut (unless nothing or all of it was published,
 * or the cut is already recorded), and clear the record.  A cut waits for
 * a slot (readers free them as they pass), when wait; otherwise the
 * record stays for later.  1 when the holder had died, 0 when not (or the
 * record stays), MP_EINTERRUPT. */
static int writer_died(shared *sh, bool wait)
{
    uint64_t w = atomic_load_explicit(&sh->wcur, memory_order_acquire);
    if (!(w & BUSY))
        return 0;
    uint32_t start = (uint32_t)w, head = atomic_load(&sh->head);
    uint64_t done = passed(start, head, atomic_load_explicit(&sh->wdone, memory_order_relaxed));
    uint32_t n = atomic_load_explicit(&sh->ncuts, memory_order_relaxed);
    const cut *last = &sh->cuts[(n - 1) % NCUTS];
    if (done > 0 && done < atomic_load_explicit(&sh->wlen, memory_order_relaxed) &&
        (n == 0 || last->start != start || last->at != head)) {
        while (((n - cuts_taken(sh)) & TAKEN_MASK) >= NCUTS) {
            int rc = wait ? mp__interrupted() : 0;
            if (!wait || rc < 0)
                return rc;
            nanosleep(&(struct timespec){0, 10 * 1000000L}, NULL);
        }
        sh->cuts[n % NCUTS] = (cut){start, head};
        atomic_store_explicit(&sh->ncuts, n + 1, memory_order_release);
    }
    atomic_store_explicit(&sh->wcur, 0, memory_order_release);
    return 1;
}

/* With wlock held: the bytes of segs, in order, each piece made visible
 * as soon as it is in, under a record of the message (see the top). */
static int ring_write(shared *sh, const uint8_t *const segs[2], const size_t lens[2])
{
    uint32_t head = atomic_load_explicit(&sh->head, memory_order_relaxed), start = head;
    uint64_t done = 0;
    atomic_store_explicit(&sh->wlen, (uint64_t)lens[0] + lens[1], memory_order_relaxed);
    atomic_store_explicit(&sh->wdone, 0, memory_order_relaxed);
    atomic_store_explicit(&sh->wcur, BUSY | start, memory_order_relaxed);
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
        uint32_t was = head;
        head = mp__ring_fill(sh->data, RING, head, RING - used, segs, lens, &s, &at);
        atomic_store(&sh->head, head);      /* publishes the record's stores too */
        mp__ring_wake(&sh->head, &sh->rwait);
        atomic_store_explicit(&sh->wdone, done += (uint32_t)(head - was), memory_order_relaxed);
    }
    atomic_store_explicit(&sh->wcur, 0, memory_order_release);
    return 0;
}

/* Inside a message, head still at seen: wait for it to move, and every
 * LOOK_MS look at the writer.  Returns when head moved, or when wlock was
 * free (its holder, if it died, has its cut recorded now): the caller
 * looks at head and the cuts again. */
static void await_inside(shared *sh, uint32_t seen)
{
    if (mp__ring_spin(&sh->head, seen))
        return;
    atomic_fetch_add(&sh->rwait, 1);
    while (atomic_load(&sh->head) == seen) {
        mp__ring_sleep(&sh->head, seen, &(struct timespec){0, LOOK_MS * 1000000L});
        int rc;
        if (atomic_load(&sh->head) != seen || (rc = mp__mutex_lock(&sh->wlock, &mp__now)) <= 0)
            continue;
        if (rc == MP__HOLDER_DIED)
            atomic_store(&sh->wwait, 0);
        /* Never waits: the cut, if any, is for our message, the last one,
         * and every cut before it has been taken. */
        writer_died(sh, false);
        mp__mutex_unlock(&sh->wlock);
        break;
    }
    atomic_fetch_sub(&sh->rwait, 1);
}

/* A message being taken, as rcur records it. */
typedef struct taking {
    uint32_t start;             /* where it starts */
    uint32_t taken;             /* cuts taken before it */
    uint64_t len;               /* its length, header included, or UNKNOWN */
    uint64_t done;              /* its bytes taken */
    uint8_t *dst;               /* where the bytes after its header go; NULL drops them */
} taking;

/* Before a move of tail that leaves a message part taken: the record. */
static void record(shared *sh, const taking *m)
{
    atomic_store_explicit(&sh->rlen, m->len, memory_order_relaxed);
    atomic_store_explicit(&sh->rdone, m->done, memory_order_relaxed);
    atomic_store_explicit(&sh->rcur, (uint64_t)m->taken << TAKEN_SHIFT | BUSY | m->start,
                          memory_order_relaxed);
}

/* Take k bytes of m at *tail: copied out past the header, or dropped. */
static void take(shared *sh, taking *m, uint32_t *tail, uint32_t k)
{
    if (k == 0)
        return;
    if (m->dst) {
        uint32_t skip = m->done < HEADER ? (uint32_t)(HEADER - m->done) : 0;
        if (k > skip)
            mp__ring_copy_out(m->dst + (m->done + skip - HEADER), sh->data, RING, *tail + skip,
                              k - skip);
    }
    *tail += k;
    m->done += k;
    atomic_store(&sh->tail, *tail);
    mp__ring_wake(&sh->tail, &sh->wwait);
    atomic_store_explicit(&sh->rdone, m->done, memory_order_relaxed);
}

/* Whether the first cut not yet taken ends m, whose bytes from tail on
 * (avail of them there) are still to take; if so, *left is how many of
 * them come before the cut. */
static bool cut_in(shared *sh, const taking *m, uint32_t tail, uint32_t avail, uint32_t *left)
{
    uint32_t n = atomic_load_explicit(&sh->ncuts, memory_order_acquire);
    if (((n - m->taken) & TAKEN_MASK) == 0)
        return false;
    cut c = sh->cuts[m->taken % NCUTS];
    *left = c.at - tail;
    return c.start == m->start && *left <= avail && *left < m->len - m->done;
}

/* With rlock held and m recorded: take the rest of m, waiting for its
 * bytes as they come.  0 when all are taken; 1 when a cut ended it first
 * (its bytes up to the cut taken, and the cut); the record is then
 * cleared.  MP_EOS when corrupt. */
static int take_rest(shared *sh, taking *m)
{
    uint32_t tail = atomic_load_explicit(&sh->tail, memory_order_relaxed);
    int cut = 0;
    while (m->done < m->len) {
        uint32_t head = atomic_load_explicit(&sh->head, memory_order_acquire), avail = head - tail;
        uint32_t left;
        if (avail > RING)
            return corrupt();
        if (cut_in(sh, m, tail, avail, &left)) {
            take(sh, m, &tail, left);
            cut = 1;
            break;
        }
        if (avail == 0) {
            await_inside(sh, head);
            continue;
        }
        take(sh, m, &tail, m->len - m->done < avail ? (uint32_t)(m->len - m->done) : avail);
    }
    /* One store: the record ends, and the cut (if any) is taken. */
    atomic_store(&sh->rcur, (uint64_t)((m->taken + (uint32_t)cut) & TAKEN_MASK) << TAKEN_SHIFT);
    return cut;
}

/* With rlock held: if its holder before died inside a message, drop the
 * rest of that message: MP_EOWNERDEAD (lost) when some of it had been taken and
 * some not, else 0 (the record cleared).  MP_EOS when corrupt. */
static int reader_died(shared *sh)
{
    uint64_t r = atomic_load_explicit(&sh->rcur, memory_order_relaxed);
    if (!(r & BUSY))
        return 0;
    taking m = {.start = (uint32_t)r, .taken = (uint32_t)(r >> TAKEN_SHIFT),
                .len = atomic_load_explicit(&sh->rlen, memory_order_relaxed)};
    m.done = passed(m.start, atomic_load_explicit(&sh->tail, memory_order_relaxed),
                    atomic_load_explicit(&sh->rdone, memory_order_relaxed));
    if (m.done > 0 && m.done < m.len) {
        int rc = take_rest(sh, &m);
        return rc < 0 ? rc : mp__ring_lost(false);
    }
    atomic_store(&sh->rcur, (uint64_t)m.taken << TAKEN_SHIFT);
    return 0;
}

/* With rlock held: one message, into small when it fits, else into the
 * spare when it is big enough (spare.c), else into new memory: the caller
 * gives it back with mp__spare_give.  A length that cannot be allocated
 * is MP_ENOMEM after its bytes are dropped, so the next get starts at the
 * next message; so is a message a process died moving, MP_EOWNERDEAD (lost). */
static int ring_recv(shared *sh, mp__spare *spare, uint8_t *small, size_t cap, uint8_t **buf,
                     size_t *n)
{
    int rc = reader_died(sh);
    if (rc < 0)
        return rc;
    taking m = {.taken = cuts_taken(sh)};
    uint32_t tail = atomic_load_explicit(&sh->tail, memory_order_relaxed), avail, left;
    for (;;) {
        uint32_t head = atomic_load_explicit(&sh->head, memory_order_acquire);
        if ((avail = head - tail) > RING)
            return corrupt();
        m.start = tail;
        m.len = UNKNOWN;
        if (cut_in(sh, &m, tail, avail, &left)) {
            /* Cut before we knew its length: drop what there is of it. */
            record(sh, &m);
            rc = take_rest(sh, &m);
            return rc < 0 ? rc : mp__ring_lost(true);
        }
        if (avail >= HEADER)
            break;
        if (avail == 0) {
            if ((rc = await_move(&sh->head, head, &sh->rwait, true)) < 0)
                return rc;
        } else {
            await_inside(sh, head);
        }
    }
    uint8_t hdr[HEADER];
    mp__ring_copy_out(hdr, sh->data, RING, tail, HEADER);
    uint64_t len = mp__get_le64(hdr);
    if (len > SIZE_MAX - HEADER)
        return corrupt();
    uint8_t *p = small;
    if (len > cap && !(p = mp__spare_take(spare, (size_t)len)))
        p = malloc((size_t)len);
    m.len = HEADER + len;
    if (p && avail >= m.len) {
        /* All there: one move of tail takes it. */
        mp__ring_copy_out(p, sh->data, RING, tail + HEADER, (size_t)len);
        atomic_store(&sh->tail, tail + (uint32_t)m.len);
        mp__ring_wake(&sh->tail, &sh->wwait);
    } else {
        m.dst = p;
        record(sh, &m);
        rc = take_rest(sh, &m);
        if (rc != 0 || !p) {
            if (p && p != small)
                mp__spare_give(spare, p);
            return rc < 0 ? rc : rc ? mp__ring_lost(true) : mp__fail(MP_ENOMEM, "out of memory");
        }
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

/* CPython's SimpleQueue makes two Locks, and logs their making and, in a
 * child, their remaking; ours are mutexes, logged with the same words. */
static void created(shared *sh)
{
    mp_debug("created semlock with handle %lu", (unsigned long)(uintptr_t)&sh->rlock);
    mp_debug("created semlock with handle %lu", (unsigned long)(uintptr_t)&sh->wlock);
}

static void attached(shared *sh)
{
    mp_debug("recreated blocker with handle %lu", (unsigned long)(uintptr_t)&sh->rlock);
    mp_debug("recreated blocker with handle %lu", (unsigned long)(uintptr_t)&sh->wlock);
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
    attached(q->sh);
    return &q->ob;
}

static const mp__native native = {.size = sizeof(mp_simple_queue), .finalize = finalize,
    .reduce = reduce, .rebuild = rebuild};
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
    if (mp__mutex_init(&q->sh->rlock) < 0 || mp__mutex_init(&q->sh->wlock) < 0)
        goto fail;
    created(q->sh);
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

/* Take one of the queue's locks, as a blocking acquire: a SIGINT before
 * or while it waits is KeyboardInterrupt.  A free lock is taken without
 * the clock that a wait in slices needs. */
static int take_lock(mp__mutex *m)
{
    int rc = mp__interrupted();
    if (rc == 0 && (rc = mp__mutex_lock(m, &mp__now)) == 0)
        rc = mp__mutex_lock(m, &mp__forever);
    return rc;
}

/* Pickled before anything else, as CPython does, so a value that cannot
 * be pickled fails here (in the caller) even on a closed queue.  When
 * !wait, a message the ring has no room for now is not written: 1. */
static int put(mp_simple_queue *q, mp_arg obj, bool wait)
{
    mp_value *v;
    int rc = mp__value_from_arg(obj, &v);
    if (rc < 0)
        return rc;
    uint8_t *buf = NULL;
    size_t n;
    rc = q ? mp_pickle_dumps(v, NULL, &buf, &n) : check(q);
    mp__buf tb = {0};
    bool traced = MP__TRACING && rc == 0 && q->ob.trace_n;
    if (traced) {
        mp__trace_begin(&tb, "put");
        mp__trace_obj(&tb, "SimpleQueue", &q->ob);
        mp__buf_printf(&tb, " size=%zu", n);
        mp__trace_repr(&tb, v);
    }
    mp_decref(v);
    if (rc < 0 || (rc = check(q)) < 0) {
        free(tb.data);
        free(buf);
        return rc;
    }
    uint8_t hdr[HEADER];
    mp__put_le64(hdr, n);
    if ((rc = take_lock(&q->sh->wlock)) > 0) {
        if (rc == MP__HOLDER_DIED)
            atomic_store(&q->sh->wwait, 0);
        if ((rc = writer_died(q->sh, true)) >= 0) {
            uint32_t used = atomic_load(&q->sh->head) - atomic_load(&q->sh->tail);
            if (!wait && (used > RING || RING - used < HEADER + n))
                rc = 1;
            else
                rc = ring_write(q->sh, (const uint8_t *const[2]){hdr, buf}, (const size_t[2]){HEADER, n});
        }
        mp__mutex_unlock(&q->sh->wlock);
    }
    free(buf);
    if (traced && rc == 0)
        mp__trace_end(&tb);     /* written only once the message is in */
    else
        free(tb.data);
    return rc < 0 ? rc : !wait && rc == 1;
}

int mp__simple_queue_put(mp_simple_queue *q, mp_arg obj)
{
    return put(q, obj, true);
}

int mp__simple_queue_try_put(mp_simple_queue *q, mp_value *v)
{
    return put(q, mp__arg_value(v), false);
}

/* After a read (rc, its outcome): the message unpickled into *out, and
 * its buffer given back unless it was the caller's small one. */
static int loads(mp_simple_queue *q, int rc, const uint8_t *small, uint8_t *buf, size_t n, mp_value **out)
{
    if (rc < 0)
        return rc;
    rc = mp_pickle_loads(buf, n, NULL, out);
    if (buf != small)
        mp__spare_give(&q->spare, buf);
    if (MP__TRACING && rc == 0)
        mp__trace_message("get", "SimpleQueue", &q->ob, (long)n, *out);
    return rc;
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
    if ((rc = take_lock(&q->sh->rlock)) > 0) {
        if (rc == MP__HOLDER_DIED)
            atomic_store(&q->sh->rwait, 0);
        rc = ring_recv(q->sh, &q->spare, small, sizeof small, &buf, &n);
        mp__mutex_unlock(&q->sh->rlock);
    }
    return loads(q, rc, small, buf, n, out);
}

int mp__simple_queue_get_nowait(mp_simple_queue *q, mp_value **out)
{
    *out = NULL;
    int rc = check(q);
    if (rc < 0)
        return rc;
    for (;;) {
        if (mp_simple_queue_empty(q))
            return MP_EEMPTY;
        /* Only tried: a reader that holds rlock may be waiting for a
         * message that only this caller's side would ever put. */
        if ((rc = mp__mutex_lock(&q->sh->rlock, &mp__now)) > 0)
            break;
        if (rc < 0)
            return rc;
        usleep(1000);   /* a reader is taking a message: look again */
    }
    if (rc == MP__HOLDER_DIED)
        atomic_store(&q->sh->rwait, 0);
    uint8_t small[256], *buf = NULL;
    size_t n = 0;
    rc = mp_simple_queue_empty(q) ? MP_EEMPTY : ring_recv(q->sh, &q->spare, small, sizeof small, &buf, &n);
    mp__mutex_unlock(&q->sh->rlock);
    return loads(q, rc, small, buf, n, out);
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

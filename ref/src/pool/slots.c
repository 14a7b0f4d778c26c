/* slots.c - what each pool worker is running, in shared memory the worker handler reads when a worker dies (Forklore's own: CPython's pool cannot tell). */
#include "pool.h"

#include <stdlib.h>

/* One slot per place in the pool, in a line of its own: only its worker
 * writes it, and only while alive, so plain atomic stores suffice. */
typedef struct slot {
    _Alignas(64) _Atomic uint64_t job;
    _Atomic uint64_t index;
    _Atomic uint32_t busy;
} slot;

typedef struct shared {
    uint64_t n;
    slot s[];
} shared;

struct mp__pool_slots {
    mp__object ob;
    mp__shm shm;
    shared *sh;
};

static const mp_class slots_class;

static void finalize(mp__object *o)
{
    mp__shm_close(&((mp__pool_slots *)o)->shm);
}

static mp_value *reduce(mp__object *o)
{
    return mp__shm_object_reduce(o, &((mp__pool_slots *)o)->shm);
}

static mp__object *rebuild(const mp_value *state)
{
    mp__object *o = mp__shm_object_rebuild(&slots_class, state, offsetof(mp__pool_slots, shm),
                                           sizeof(shared));
    if (!o)
        return NULL;
    mp__pool_slots *s = (mp__pool_slots *)o;
    s->sh = s->shm.addr;
    if (s->shm.size < sizeof(shared) + s->sh->n * sizeof(slot)) {
        mp_decref((mp_value *)o);
        mp__fail(MP_EUNPICKLE, "bad state for a pool's slots");
        return NULL;
    }
    return o;
}

static const mp__native native = {.size = sizeof(mp__pool_slots), .finalize = finalize,
    .reduce = reduce, .rebuild = rebuild};
static const mp_class slots_class = {.name = "PoolSlots", .module = "multiprocessing.pool", .native = &native};
MP_CLASS(slots_class);

mp__pool_slots *mp__pool_slots_new(size_t n)
{
    mp__pool_slots *s = (mp__pool_slots *)mp__object_alloc(&slots_class);
    if (!s)
        return NULL;
    s->shm.fd = -1;
    if (mp__shm_create(&s->shm, "mp-pool-slots", sizeof(shared) + n * sizeof(slot)) < 0) {
        mp_decref((mp_value *)s);
        return NULL;
    }
    s->sh = s->shm.addr;
    s->sh->n = n;
    return s;
}

mp__pool_slots *mp__pool_slots_of(const mp_value *v)
{
    return mp_isinstance(v, &slots_class) ? (mp__pool_slots *)(void *)v : NULL;
}

void mp__pool_slot_begin(mp__pool_slots *s, size_t i, uint64_t job, uint64_t index)
{
    if (i >= s->sh->n)
        return;
    atomic_store_explicit(&s->sh->s[i].job, job, memory_order_relaxed);
    atomic_store_explicit(&s->sh->s[i].index, index, memory_order_relaxed);
    atomic_store_explicit(&s->sh->s[i].busy, 1, memory_order_release);
}

void mp__pool_slot_end(mp__pool_slots *s, size_t i)
{
    if (i < s->sh->n)
        atomic_store_explicit(&s->sh->s[i].busy, 0, memory_order_release);
}

bool mp__pool_slot_take(mp__pool_slots *s, size_t i, uint64_t *job, uint64_t *index)
{
    if (i >= s->sh->n || !atomic_load_explicit(&s->sh->s[i].busy, memory_order_acquire))
        return false;
    *job = atomic_load_explicit(&s->sh->s[i].job, memory_order_relaxed);
    *index = atomic_load_explicit(&s->sh->s[i].index, memory_order_relaxed);
    atomic_store_explicit(&s->sh->s[i].busy, 0, memory_order_relaxed);
    return true;
}

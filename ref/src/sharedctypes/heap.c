/* heap.c - heap.py: blocks of shared memory carved out of memfd arenas, many objects to a mapping, reaching spawn and forkserver children by descriptor. */
#include "sharedctypes.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A range of an arena nobody uses. */
typedef struct span {
    size_t at, len;
} span;

struct mp__arena {
    mp__shm shm;
    dev_t dev;                  /* with ino: the arena's identity, to map it once */
    ino_t ino;
    size_t users;               /* this process's live blocks in it */
    bool mine;                  /* this process allocates in it */
    span *free;                 /* its free ranges, by offset (only when mine) */
    size_t nfree, capfree;
    mp__arena *next;
};

/* CPython's Heap: 8-byte alignment; arenas start at a page and double
 * until 4 MiB. */
#define ALIGN 8
#define DOUBLE_UNTIL ((size_t)4 << 20)

static pthread_mutex_t heap_lock = PTHREAD_MUTEX_INITIALIZER;
static mp__arena *arenas;
static pid_t heap_pid;
static size_t next_size;

/* In a forked child the arenas are the parent's too: stop allocating in
 * them (the parent may hand out their free space now), and keep them
 * mapped for as long as the child's objects use them. */
static void check_pid(void)
{
    pid_t pid = mp__self_pid();
    if (heap_pid == pid)
        return;
    heap_pid = pid;
    next_size = 0;
    for (mp__arena *a = arenas; a; a = a->next) {
        a->mine = false;
        free(a->free);
        a->free = NULL;
        a->nfree = a->capfree = 0;
    }
}

static void drop_arena(mp__arena *a)
{
    for (mp__arena **p = &arenas; *p; p = &(*p)->next)
        if (*p == a) {
            *p = a->next;
            break;
        }
    mp__shm_close(&a->shm);
    free(a->free);
    free(a);
}

static int add_span(mp__arena *a, size_t i, span s)
{
    if (a->nfree == a->capfree) {
        size_t cap = a->capfree ? a->capfree * 2 : 8;
        span *f = realloc(a->free, cap * sizeof *f);
        if (!f)
            return mp__fail(MP_ENOMEM, "out of memory");
        a->free = f;
        a->capfree = cap;
    }
    memmove(&a->free[i + 1], &a->free[i], (a->nfree - i) * sizeof *a->free);
    a->free[i] = s;
    a->nfree++;
    return 0;
}

static mp__arena *identify(mp__arena *a)
{
    struct stat st;
    if (fstat(a->shm.fd, &st) == 0) {
        a->dev = st.st_dev;
        a->ino = st.st_ino;
    }
    a->next = arenas;
    arenas = a;
    return a;
}

static int new_arena(size_t need, mp__arena **out)
{
    long page = sysconf(_SC_PAGESIZE);
    size_t size = next_size ? next_size : page > 0 ? (size_t)page : 4096;
    if (size < DOUBLE_UNTIL)
        next_size = size * 2;
    /* A block larger than the arena due gets one of its own size, as
     * CPython's Heap rounds max(size, its arena size) up to a page. */
    if (size < need)
        size = need;
    mp__arena *a = calloc(1, sizeof *a);
    if (!a)
        return mp__fail(MP_ENOMEM, "out of memory");
    int rc = mp__shm_create(&a->shm, "forklore-heap", size);
    if (rc < 0 || (rc = add_span(a, 0, (span){0, a->shm.size})) < 0) {
        mp__shm_close(&a->shm);
        free(a->free);
        free(a);
        return rc;
    }
    a->mine = true;
    mp_debug("created arena of %zu bytes", a->shm.size);
    *out = identify(a);
    return 0;
}

int mp__heap_malloc(size_t len, mp__block *b, void **addr)
{
    size_t need = (len ? len : 1) + ALIGN - 1;
    need -= need % ALIGN;
    pthread_mutex_lock(&heap_lock);
    check_pid();
    mp__arena *a = NULL;
    size_t i = 0;
    /* First fit, over the arenas newest first. */
    for (a = arenas; a; a = a->next) {
        if (!a->mine)
            continue;
        for (i = 0; i < a->nfree && a->free[i].len < need; i++)
            ;
        if (i < a->nfree)
            break;
    }
    int rc = 0;
    if (!a) {
        rc = new_arena(need, &a);
        i = 0;
    }
    if (rc == 0) {
        span *s = &a->free[i];
        *b = (mp__block){a, s->at, need};
        s->at += need;
        s->len -= need;
        if (s->len == 0) {
            memmove(s, s + 1, (a->nfree - i - 1) * sizeof *s);
            a->nfree--;
        }
        a->users++;
        *addr = (char *)a->shm.addr + b->at;
        memset(*addr, 0, need);
    }
    pthread_mutex_unlock(&heap_lock);
    return rc;
}

/* Put a block's range back among the free ones, joined to its neighbours.
 * Out of memory for the list only loses the range until the arena goes. */
static void give_back(mp__arena *a, size_t at, size_t len)
{
    size_t i = 0;
    while (i < a->nfree && a->free[i].at < at)
        i++;
    bool left = i > 0 && a->free[i - 1].at + a->free[i - 1].len == at;
    bool right = i < a->nfree && at + len == a->free[i].at;
    if (left && right) {
        a->free[i - 1].len += len + a->free[i].len;
        memmove(&a->free[i], &a->free[i + 1], (a->nfree - i - 1) * sizeof *a->free);
        a->nfree--;
    } else if (left) {
        a->free[i - 1].len += len;
    } else if (right) {
        a->free[i].at = at;
        a->free[i].len += len;
    } else {
        add_span(a, i, (span){at, len});
    }
}

void mp__heap_free(mp__block *b)
{
    mp__arena *a = b->arena;
    if (!a)
        return;
    pthread_mutex_lock(&heap_lock);
    check_pid();
    if (a->mine)
        give_back(a, b->at, b->len);
    /* The last block of this process in it: the mapping goes, and the
     * kernel frees the memory once no other process maps it. */
    if (--a->users == 0)
        drop_arena(a);
    pthread_mutex_unlock(&heap_lock);
    *b = (mp__block){NULL, 0, 0};
}

int mp__heap_fd(const mp__block *b)
{
    return b->arena ? b->arena->shm.fd : -1;
}

int mp__heap_attach(int fd, size_t at, size_t len, mp__block *b, void **addr)
{
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int rc = mp__fail_errno("fstat");
        close(fd);
        return rc;
    }
    pthread_mutex_lock(&heap_lock);
    check_pid();
    mp__arena *a;
    for (a = arenas; a; a = a->next)
        if (a->dev == st.st_dev && a->ino == st.st_ino)
            break;
    int rc = 0;
    if (a) {
        close(fd);
    } else if (!(a = calloc(1, sizeof *a))) {
        close(fd);
        rc = mp__fail(MP_ENOMEM, "out of memory");
    } else if ((rc = mp__shm_attach(&a->shm, fd, 0)) < 0) {
        free(a);
        a = NULL;
    } else {
        identify(a);
    }
    if (a && (at > a->shm.size || len > a->shm.size - at)) {
        rc = mp__fail(MP_EUNPICKLE, "a shared object's block lies outside its arena");
        if (a->users == 0)
            drop_arena(a);
        a = NULL;
    }
    if (a) {
        a->users++;
        *b = (mp__block){a, at, len};
        *addr = (char *)a->shm.addr + at;
    }
    pthread_mutex_unlock(&heap_lock);
    return rc;
}

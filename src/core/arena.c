/*
** arena.c — the per-request bump allocator and the growable string buffer
** built on it. Everything allocated from an arena is freed at once by
** arena_free, after the cleanups registered with arena_defer have run.
*/
#include "core/core.h"

#include <assert.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16                /* alignment of every allocation */
#define ARENA_CHUNK (16 * 1024)       /* usable bytes of an ordinary chunk */
#define ARENA_LARGE (ARENA_CHUNK / 4) /* requests above this get their own chunk */

/* One block of memory obtained from malloc. */
typedef struct Chunk {
    struct Chunk *next;  /* the chunk allocated before this one (same list) */
    size_t size;         /* usable bytes at base */
    size_t used;         /* bytes of base handed out, a multiple of ARENA_ALIGN */
    unsigned char *base; /* first 16-byte aligned byte inside mem */
    unsigned char mem[]; /* size + ARENA_ALIGN - 1 bytes, zeroed when allocated */
} Chunk;

/* A cleanup registered by arena_defer. */
typedef struct Defer {
    struct Defer *next; /* the cleanup registered before this one */
    void (*fn)(void *); /* called with p when the arena is freed */
    void *p;            /* argument for fn */
} Defer;

/* The arena: its memory, its cleanups and what it has handed out. */
struct Arena {
    Chunk *chunks; /* ordinary chunks, newest (the one bumped) first */
    Chunk *large;  /* dedicated chunks of large allocations, newest first */
    Defer *defers; /* cleanups, latest first */
    size_t used;   /* bytes handed out (requested sizes), for arena_used */
    void *last;    /* most recent allocation in chunks->base, for in-place growth */
};

/* A request no machine can satisfy: abort like xmalloc does. */
static void too_big(void) {
    fprintf(stderr, "salesloop: arena request too large\n");
    abort();
}

/* n rounded up to the alignment; callers keep n far below SIZE_MAX. */
static size_t round_up(size_t n) { return (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1); }

/* A zeroed chunk with at least size usable, aligned bytes. */
static Chunk *chunk_new(size_t size) {
    size_t total;
    if (__builtin_add_overflow(sizeof(Chunk) + ARENA_ALIGN - 1, size, &total)) too_big();
    Chunk *c = xcalloc(1, total);
    c->size = size;
    c->base = (unsigned char *)(((uintptr_t)c->mem + ARENA_ALIGN - 1) & ~(uintptr_t)(ARENA_ALIGN - 1));
    return c;
}

/*
** One ordinary chunk kept per thread between arenas. Every request's arena asked malloc for a 16 KB
** chunk and gave it back: a request that large made glibc merge its fast bins each time
** (malloc_consolidate) and clear the whole chunk — 3 % of a signed-in get (bench/FINDINGS.md 87).
** The kept chunk is cleared only where it was used. A thread that ends frees its own (the key's
** destructor); the thread-local pointer keeps it reachable for LeakSanitizer meanwhile.
*/
static _Thread_local Chunk *spare;
static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;

static void spare_free(void *unused) {
    free(spare);
    spare = NULL;
}
static void spare_key_make(void) { (void)pthread_key_create(&spare_key, spare_free); }

/* An ordinary chunk, zeroed: the thread's kept one, else a new one. */
static Chunk *chunk_ordinary(void) {
    Chunk *c = spare;
    if (!c) return chunk_new(ARENA_CHUNK);
    spare = NULL;
    return c;
}

/* Free c, or keep it as the thread's spare, cleared. */
static void chunk_release(Chunk *c) {
    if (spare || c->size != ARENA_CHUNK) {
        free(c);
        return;
    }
    pthread_once(&spare_once, spare_key_make);
    (void)pthread_setspecific(spare_key, (void *)1); /* non-NULL: the destructor runs at the thread's end */
    memset(c->base, 0, c->used);
    c->used = 0;
    c->next = NULL;
    spare = c;
}

/* A new, empty arena. Freed by arena_free. */
Arena *arena_new(void) { return xcalloc(1, sizeof(Arena)); }

/* Run the deferred cleanups (latest first), then free every chunk. */
void arena_free(Arena *a) {
    if (!a) return;
    while (a->defers) { /* a cleanup may itself defer more: keep popping */
        Defer *d = a->defers;
        a->defers = d->next;
        d->fn(d->p);
    }
    for (Chunk *c = a->large, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    for (Chunk *c = a->chunks, *next; c; c = next) {
        next = c->next;
        chunk_release(c);
    }
    free(a);
}

/* n zeroed bytes, 16-byte aligned, valid until arena_free. Never NULL. */
void *arena_alloc(Arena *a, size_t n) {
    assert(a);
    if (n > SIZE_MAX / 2) too_big();
    size_t need = round_up(n ? n : 1);
    a->used += n;
    if (need > ARENA_LARGE) {
        Chunk *c = chunk_new(need);
        c->used = need;
        c->next = a->large;
        a->large = c;
        return c->base;
    }
    Chunk *c = a->chunks;
    if (!c || c->size - c->used < need) {
        c = chunk_ordinary();
        c->next = a->chunks;
        a->chunks = c;
    }
    void *p = c->base + c->used;
    c->used += need;
    a->last = p;
    return p;
}

/*
** Grow the allocation p of old bytes to n bytes (n > old), keeping its
** contents. Grows in place when p is the latest allocation of the current
** chunk or the latest large chunk; otherwise copies. The grown part is not
** zeroed. Used by Buf only.
*/
static void *arena_grow(Arena *a, void *p, size_t old, size_t n) {
    Chunk *c = a->chunks;
    size_t oldr = round_up(old ? old : 1), need = round_up(n);
    if (p && p == a->last && c && c->size - (c->used - oldr) >= need) {
        c->used += need - oldr;
        a->used += n - old;
        return p;
    }
    Chunk *big = a->large;
    if (p && big && big->base == p && need > ARENA_LARGE) {
        size_t off = (size_t)(big->base - (unsigned char *)big);
        Chunk *nb = xrealloc(big, sizeof(Chunk) + ARENA_ALIGN - 1 + need);
        unsigned char *nbase =
            (unsigned char *)(((uintptr_t)nb->mem + ARENA_ALIGN - 1) & ~(uintptr_t)(ARENA_ALIGN - 1));
        if ((size_t)(nbase - (unsigned char *)nb) != off) /* alignment moved: shift data */
            memmove(nbase, (unsigned char *)nb + off, old);
        nb->base = nbase;
        nb->size = nb->used = need;
        a->large = nb;
        a->used += n - old;
        return nbase;
    }
    void *q = arena_alloc(a, n);
    if (old) memcpy(q, p, old);
    return q;
}

/* Copy of s in the arena; NULL -> NULL. */
char *arena_strdup(Arena *a, const char *s) { return s ? arena_strndup(a, s, strlen(s)) : NULL; }

/* Copy of the first n bytes of s (stopping early at a NUL), NUL-terminated. */
char *arena_strndup(Arena *a, const char *s, size_t n) {
    if (!s) return NULL;
    size_t len = strnlen(s, n);
    char *p = arena_alloc(a, len + 1);
    memcpy(p, s, len);
    return p; /* zeroed, so already terminated */
}

/* printf into a fresh arena string. */
char *arena_printf(Arena *a, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *p = arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

/* vprintf into a fresh arena string (ap is consumed as by vsnprintf). */
char *arena_vprintf(Arena *a, const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) n = 0; /* encoding error: answer an empty string */
    char *p = arena_alloc(a, (size_t)n + 1);
    if (n > 0) vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

/* Bytes handed out so far (requested sizes, not counting alignment). */
size_t arena_used(const Arena *a) { return a ? a->used : 0; }

/* Register fn(p) to run when the arena is freed; the latest registered runs first. */
void arena_defer(Arena *a, void (*fn)(void *), void *p) {
    assert(a && fn);
    Defer *d = arena_alloc(a, sizeof *d);
    d->fn = fn;
    d->p = p;
    d->next = a->defers;
    a->defers = d;
}

/* ---------------------------------------------------------------- Buf */

/* An empty buffer whose memory comes from a. */
void buf_init(Buf *b, Arena *a) {
    b->a = a;
    b->n = 0;
    b->cap = 64;
    b->p = arena_alloc(a, b->cap);
}

/* Make room for extra more bytes plus the terminating NUL. */
static void buf_reserve(Buf *b, size_t extra) {
    size_t need;
    if (__builtin_add_overflow(b->n, extra, &need) || __builtin_add_overflow(need, 1, &need)) too_big();
    if (need <= b->cap) return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    b->p = arena_grow(b->a, b->p, b->cap, cap);
    b->cap = cap;
}

/* Append n bytes of s. */
void buf_add(Buf *b, const char *s, size_t n) {
    if (!n) return;
    buf_reserve(b, n);
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

/* Append the string s. */
void buf_puts(Buf *b, const char *s) { buf_add(b, s, strlen(s)); }

/* Append one byte. */
void buf_putc(Buf *b, char c) {
    buf_reserve(b, 1);
    b->p[b->n++] = c;
    b->p[b->n] = '\0';
}

/* Append printf output. */
void buf_printf(Buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->p[b->n] = '\0'; /* encoding error: append nothing */
        return;
    }
    if ((size_t)n >= b->cap - b->n) { /* did not fit: grow and format again */
        buf_reserve(b, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
        va_end(ap);
    }
    b->n += (size_t)n;
}

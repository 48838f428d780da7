/*
** alloc.c — malloc wrappers that abort on out-of-memory, so no caller ever
** checks for NULL (Fossil fossil_malloc, Redis zmalloc).
*/
#include "core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Report the failed request and abort: there is no sane way to go on. */
static void oom(size_t n) {
    fprintf(stderr, "salesloop: out of memory allocating %zu bytes\n", n);
    abort();
}

/* malloc(n) that never returns NULL; n == 0 still returns a unique pointer. */
void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) oom(n);
    return p;
}

/* calloc that never returns NULL (and checks count * size for overflow). */
void *xcalloc(size_t count, size_t size) {
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) oom(SIZE_MAX);
    void *p = calloc(total ? count : 1, total ? size : 1);
    if (!p) oom(total);
    return p;
}

/* realloc that never returns NULL; xrealloc(NULL, n) is xmalloc(n). */
void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q) oom(n);
    return q;
}

/* strdup that never returns NULL; xstrdup(NULL) is NULL. Caller frees. */
char *xstrdup(const char *s) {
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *p = xmalloc(n);
    memcpy(p, s, n);
    return p;
}

/*
** t2s.c — traditional -> simplified Chinese with OpenCC (t2s.json), one converter per thread
** (handlers run on loop, writer and worker threads; a converter is not shared), all closed at
** exit. The search index normalises text with it (model/search.c).
*/
#include <opencc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define CC_MAX 256
static opencc_t cc_open[CC_MAX]; /* every thread's converter, closed at exit */
static int cc_count;
static pthread_mutex_t cc_lock = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local opencc_t cc_this; /* this thread's t2s converter */
static _Thread_local bool cc_broken;   /* opening failed: text stays as it is */

static void cc_close_every(void) {
    pthread_mutex_lock(&cc_lock);
    while (cc_count > 0)
        opencc_close(cc_open[--cc_count]);
    pthread_mutex_unlock(&cc_lock);
}

const char *text_t2s(Arena *a, const char *s) {
    const unsigned char *u = (const unsigned char *)s;
    while (*u && *u < 0x80)
        u++;
    if (!*u) return s;
    if (!cc_this && !cc_broken) {
        opencc_t cc = opencc_open("t2s.json");
        if (cc == (opencc_t)-1) {
            cc_broken = true;
            log_warn("OpenCC t2s.json cannot be opened; traditional characters stay as they are");
            return s;
        }
        pthread_mutex_lock(&cc_lock);
        if (cc_count == 0) atexit(cc_close_every);
        if (cc_count < CC_MAX) cc_open[cc_count++] = cc;
        pthread_mutex_unlock(&cc_lock);
        cc_this = cc;
    }
    if (!cc_this) return s;
    char *out = opencc_convert_utf8(cc_this, s, strlen(s));
    if (!out) return s;
    char *copy = arena_strdup(a, out);
    opencc_convert_utf8_free(out);
    return copy;
}

/*
** t2s.c — traditional -> simplified Chinese with OpenCC (t2s.json), one converter per thread
** (handlers run on loop, writer and worker threads; a converter is not shared), all closed at
** exit. The search index normalises text with it (model/search.c).
**
** Each thread also remembers its last conversions of short texts (a direct-mapped memo): a create
** converted the customer's name three times (the duplicate check, its match keys, the search
** index) and a region's or an industry's name on every row, and OpenCC's segmentation was a sixth
** of a create's time (bench/FINDINGS.md 57).
*/
#include <opencc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define CC_MAX 256
#define MEMO_SLOTS 64 /* per thread */
#define MEMO_TEXT 128 /* longest text remembered, bytes with its terminator */

/* One remembered conversion: in -> out, both within MEMO_TEXT. */
typedef struct MemoSlot {
    char in[MEMO_TEXT], out[MEMO_TEXT];
} MemoSlot;

static opencc_t cc_open[CC_MAX];  /* every thread's converter, closed at exit */
static MemoSlot *cc_memo[CC_MAX]; /* and its memo */
static int cc_count;
static pthread_mutex_t cc_lock = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local opencc_t cc_this; /* this thread's t2s converter */
static _Thread_local MemoSlot *memo;   /* this thread's memo, MEMO_SLOTS slots */
static _Thread_local bool cc_broken;   /* opening failed: text stays as it is */

static void cc_close_every(void) {
    pthread_mutex_lock(&cc_lock);
    while (cc_count > 0) {
        opencc_close(cc_open[--cc_count]);
        free(cc_memo[cc_count]);
    }
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
        MemoSlot *m = calloc(MEMO_SLOTS, sizeof *m);
        pthread_mutex_lock(&cc_lock);
        if (cc_count == 0) atexit(cc_close_every);
        if (cc_count < CC_MAX) {
            cc_memo[cc_count] = m;
            cc_open[cc_count++] = cc;
            memo = m;
        } else
            free(m); /* not freed at exit otherwise: no memo on this thread */
        pthread_mutex_unlock(&cc_lock);
        cc_this = cc;
    }
    if (!cc_this) return s;
    size_t n = strlen(s);
    MemoSlot *slot = NULL;
    if (memo && n < MEMO_TEXT) {
        uint32_t h = 2166136261u;
        for (size_t i = 0; i < n; i++)
            h = (h ^ (unsigned char)s[i]) * 16777619u;
        slot = &memo[(h ^ (h >> 16)) % MEMO_SLOTS];
        if (!strcmp(slot->in, s) && slot->in[0]) return arena_strdup(a, slot->out);
    }
    char *out = opencc_convert_utf8(cc_this, s, n);
    if (!out) return s;
    char *copy = arena_strdup(a, out);
    opencc_convert_utf8_free(out);
    if (slot && strlen(copy) < MEMO_TEXT) {
        memcpy(slot->in, s, n + 1);
        strcpy(slot->out, copy);
    }
    return copy;
}

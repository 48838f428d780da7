/*
** collate.c — the sort key of a text in Chinese order (pinyin, R-CUS lists):
** ICU's "zh" collator turns a UTF-8 text into bytes whose plain byte order is
** the language's order (汉字 by pinyin, then by stroke; Latin letters by the
** alphabet, case after letters). The key is stored hex-encoded beside the
** text on every write, so both engines sort it with a plain comparison of
** ASCII (SQLite has no ICU collation built in on Debian 12, and a PostgreSQL
** collation would make the order depend on the server's build). A new ICU
** version may order a few characters differently: the keys are then rebuilt
** (`entity_sortkeys_fill` recomputes every key at start when asked).
*/
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ucol.h>
#include <unicode/ustring.h>

#include "core.h"

/* The one collator, opened on first use; ICU collators are safe to share
   between threads for sort keys (a const operation). */
static UCollator *coll;
static pthread_once_t coll_once = PTHREAD_ONCE_INIT;

/* Close the collator (atexit). */
static void collate_close(void) {
    ucol_close(coll);
    coll = NULL;
}

/* Open the "zh" (pinyin) collator; on failure keys fall back to the text's bytes. */
static void collate_open(void) {
    UErrorCode st = U_ZERO_ERROR;
    coll = ucol_open("zh", &st);
    if (U_FAILURE(st)) {
        log_warn("collate: ICU zh collator unavailable (%s): names sort by code point", u_errorName(st));
        coll = NULL;
        return;
    }
    atexit(collate_close);
}

/* See core.h. */
char *collate_key(Arena *a, const char *s) {
    static const char hex[] = "0123456789abcdef";
    enum { MAX_CHARS = 256, MAX_KEY = 384 };
    UChar u[MAX_CHARS];
    uint8_t key[MAX_KEY];
    int32_t nu = 0, nk;
    UErrorCode st = U_ZERO_ERROR;
    pthread_once(&coll_once, collate_open);
    if (!s) return NULL;
    u_strFromUTF8Lenient(u, MAX_CHARS, &nu, s, -1, &st);
    if (st == U_BUFFER_OVERFLOW_ERROR || st == U_STRING_NOT_TERMINATED_WARNING)
        nu = MAX_CHARS; /* sort by the start */
    else if (U_FAILURE(st))
        nu = 0;
    if (coll && nu > 0) {
        nk = ucol_getSortKey(coll, u, nu, key, MAX_KEY);
        if (nk > MAX_KEY) nk = MAX_KEY; /* a truncated key still orders by its prefix */
        if (nk > 0 && key[nk - 1] == 0) nk--;
    } else { /* no collator: the text's own bytes (code point order) */
        nk = (int32_t)strlen(s);
        if (nk > MAX_KEY) nk = MAX_KEY;
        memcpy(key, s, (size_t)nk);
    }
    char *out = arena_alloc(a, (size_t)nk * 2 + 1);
    for (int32_t i = 0; i < nk; i++) {
        out[2 * i] = hex[key[i] >> 4];
        out[2 * i + 1] = hex[key[i] & 15];
    }
    out[nk * 2] = '\0';
    return out;
}

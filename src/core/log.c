/*
** log.c — structured logging: one JSON object per line on stderr,
** {"t":"2026-11-22T08:00:00.123Z","level":"info","msg":"..."}, written with a
** single fwrite under a mutex so lines from different threads never mix.
** The threshold comes from SALESLOOP_LOG=debug|info|warn|error (default info).
*/
#include "core/core.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t log_mutex = PTHREAD_MUTEX_INITIALIZER; /* serialises writes */
static pthread_once_t log_once = PTHREAD_ONCE_INIT;           /* reads the env once */
static atomic_int log_level = LOG_INFO;                       /* lowest level written */
static const char *const level_names[] = {"debug", "info", "warn", "error"};

/* Take the threshold from SALESLOOP_LOG, once. */
static void log_init(void) {
    const char *env = getenv("SALESLOOP_LOG");
    for (int i = 0; env && i < 4; i++)
        if (strcmp(env, level_names[i]) == 0) atomic_store(&log_level, i);
}

/* Set the lowest level that is written (overrides SALESLOOP_LOG). */
void log_set_level(LogLevel lvl) {
    pthread_once(&log_once, log_init);
    atomic_store(&log_level, (int)lvl);
}

/*
** Append s as the inside of a JSON string to b: quotes, backslashes and
** control characters escaped, bytes that are not valid UTF-8 replaced by
** U+FFFD so every line stays parseable.
*/
static void json_escape(Buf *b, const char *s) {
    static const char hex[] = "0123456789abcdef";
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            buf_putc(b, '\\');
            buf_putc(b, (char)c);
            i++;
        } else if (c < 0x20 || c == 0x7F) {
            const char *esc = c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
            if (esc) {
                buf_puts(b, esc);
            } else {
                char u[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
                buf_puts(b, u);
            }
            i++;
        } else if (c < 0x80) {
            buf_putc(b, (char)c);
            i++;
        } else {
            size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
            if (len <= n - i && utf8_valid(s + i, len)) {
                buf_add(b, s + i, len);
                i += len;
            } else {
                buf_puts(b, "\\ufffd");
                i++;
            }
        }
    }
}

/* Write one log line at lvl when lvl is at or above the threshold. */
void log_msg(LogLevel lvl, const char *fmt, ...) {
    pthread_once(&log_once, log_init);
    if ((int)lvl < atomic_load(&log_level)) return;
    if ((int)lvl < LOG_DEBUG || (int)lvl > LOG_ERROR) lvl = LOG_ERROR;
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);

    Arena *a = arena_new();
    va_list ap;
    va_start(ap, fmt);
    char *msg = arena_vprintf(a, fmt, ap);
    va_end(ap);

    Buf b;
    buf_init(&b, a);
    buf_printf(&b, "{\"t\":\"%04d-%02d-%02dT%02d:%02d:%02d.%03dZ\",\"level\":\"%s\",\"msg\":\"", tm.tm_year + 1900,
               tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ts.tv_nsec / 1000000),
               level_names[lvl]);
    json_escape(&b, msg);
    buf_puts(&b, "\"}\n");

    pthread_mutex_lock(&log_mutex);
    fwrite(b.p, 1, b.n, stderr);
    fflush(stderr);
    pthread_mutex_unlock(&log_mutex);
    arena_free(a);
}

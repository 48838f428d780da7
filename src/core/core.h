/*
** core.h — the base every other layer uses: allocation, the per-request arena,
** string building, UTF-8, errors, money (fen, 大写), dates and logging.
** Nothing here knows about HTTP or SQL.
*/
#ifndef SALESLOOP_CORE_H
#define SALESLOOP_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- memory */

/* Allocation that aborts on out-of-memory, so callers never check for NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/*
** Arena: bump allocator that frees everything at once. Each request gets one;
** all memory built while serving it comes from it. Not thread-safe: one
** thread uses an arena at a time (a request may move between threads, but
** never runs on two at once).
*/
typedef struct Arena Arena;
Arena *arena_new(void);                      /* freed by arena_free */
void arena_free(Arena *a);                   /* arena_free(NULL) is harmless */
void *arena_alloc(Arena *a, size_t n);       /* 16-byte aligned, zeroed */
char *arena_strdup(Arena *a, const char *s); /* NULL -> NULL */
char *arena_strndup(Arena *a, const char *s, size_t n);
char *arena_printf(Arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(Arena *a, const char *fmt, va_list ap);
size_t arena_used(const Arena *a); /* bytes handed out, for metrics/tests */
/* Run fn(p) when the arena is freed (latest first): releases non-arena objects
   such as a jansson tree owned by the request. */
void arena_defer(Arena *a, void (*fn)(void *), void *p);

/* Growable byte buffer whose memory lives in an arena. Always NUL-terminated. */
typedef struct Buf {
    Arena *a;   /* owner of p */
    char *p;    /* contents, NUL-terminated */
    size_t n;   /* bytes used, excluding the NUL */
    size_t cap; /* bytes allocated */
} Buf;
void buf_init(Buf *b, Arena *a);
void buf_add(Buf *b, const char *s, size_t n);
void buf_puts(Buf *b, const char *s);
void buf_putc(Buf *b, char c);
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---------------------------------------------------------------- strings */

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
bool utf8_valid(const char *s, size_t n);
/* Number of code points in a valid UTF-8 string of n bytes. */
size_t utf8_len(const char *s, size_t n);
/* The sort key of a text in Chinese (pinyin) order, hex-encoded so that plain byte
   order of the key is the language's order (collate.c, ICU "zh"); arena string,
   NULL for NULL. Only the first 256 UTF-16 units count. */
char *collate_key(Arena *a, const char *s);
/* The code point at *p, advancing *p past it (a byte that starts no valid sequence stands for itself). */
uint32_t utf8_decode_next(const char **p);
/* Append code point c to b as UTF-8. */
void buf_put_utf8(Buf *b, uint32_t c);
/* s in simplified Chinese (OpenCC t2s, a converter per thread, core/t2s.c): an arena copy, or s itself
   when it is ASCII or OpenCC's data cannot be opened (logged once per thread). */
const char *text_t2s(Arena *a, const char *s);
/* Space-separated word list membership: str_word_in("a b c", "b") is true. */
bool str_word_in(const char *list, const char *word);
/* Lower-case the ASCII letters of s in place (user names are case-insensitive); returns s. */
char *str_ascii_lower(char *s);
/* Decimal int64 parse of the whole string; 0 on success, -1 on junk/overflow. */
int str_to_int64(const char *s, int64_t *out);
/* A tuning constant (a batch size, a threshold): dflt, or in the test build (SALESLOOP_FAULTS) the
   environment's env when it is a whole number above 0, so that a test reaches the boundary it checks
   with little data (tunable.c). */
int64_t test_tunable(const char *env, int64_t dflt);

/* ---------------------------------------------------------------- errors */

/*
** Err: what went wrong, in the shape the API answers with.
** code is a stable machine code from errcodes.h ("record.not_found"),
** field names the offending input field or is NULL, detail carries an
** argument for the message (a limit, an allowed value list), may be empty.
*/
typedef struct Err {
    int status;        /* HTTP status to answer with */
    const char *code;  /* stable machine code, static string */
    const char *field; /* offending field name or NULL; static or arena string */
    char detail[192];  /* message argument, may be empty */
    const char *label; /* the field's label in the user's language, for the message; may be NULL */
} Err;

/* Fill e and return -1, so handlers can `return err_set(...)`. fmt may be NULL. */
int err_set(Err *e, int status, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/*
** The error message for code in locale ("zh-CN", "zh-TW", "en"), with {field}
** replaced by field_label and {detail} by detail. Returns an arena string.
*/
const char *i18n_error(Arena *a, const char *locale, const char *code, const char *field_label, const char *detail);
/* Normalise an Accept-Language value or user setting to one of the three locales. */
const char *i18n_locale(const char *accept_language);

/* ---------------------------------------------------------------- money */

/*
** Money is int64 fen (分). money_parse reads "1234", "1234.5", "-1,234.56",
** "¥1234.56" (at most two decimals) into fen; 0 ok, -1 malformed/overflow.
*/
int money_parse(const char *s, int64_t *fen);
/* "1,234.56" / "-0.05": an arena string. */
char *money_format(Arena *a, int64_t fen);
/* Chinese capital numerals: 12345.67 -> "壹万贰仟叁佰肆拾伍元陆角柒分", 0 -> "零元整",
   100 -> "壹元整", negative values are prefixed with "负". An arena string. */
char *money_upper(Arena *a, int64_t fen);
/* amount = quantity * unit price (fen) * (10000 - discount_bp) / 10000, rounded half away
   from zero; quantity in thousandths (1.5 units = 1500). 0 ok, -1 overflow. */
int money_line_amount(int64_t qty_milli, int64_t unit_fen, int64_t discount_bp, int64_t *out);
/* a × b × mul / div rounded once, half away from zero (四舍五入): the one rounding rule of
   amounts (money_line_amount, computed fields). div > 0. 0 ok, -1 overflow (out untouched). */
int money_muldiv(int64_t a, int64_t b, int64_t mul, int64_t div, int64_t *out);

/* ---------------------------------------------------------------- dates */

/* Current UTC epoch seconds (SALESLOOP_NOW in the environment overrides it, for tests). */
int64_t now_epoch(void);
/* Calendar date "YYYY-MM-DD" validation and parsing; 0 ok, -1 invalid (e.g. 2026-02-30). */
int date_parse(const char *s, int *y, int *m, int *d);
/* Days since 1970-01-01 for a proleptic Gregorian date, and back. */
int64_t days_from_civil(int y, int m, int d);
void civil_from_days(int64_t days, int *y, int *m, int *d);
/* UTC offset in minutes of a time-zone name; -1 when unknown. Zones without DST only
   (Asia/Shanghai, Asia/Taipei, Asia/Hong_Kong, Asia/Singapore, Asia/Tokyo, UTC ...). */
int tz_offset_minutes(const char *tz, int *out);
/* The i-th zone of that table (0-based) and its offset into *minutes (may be NULL); NULL past
   the end. The company time-zone setting offers exactly these. */
const char *tz_name_at(int i, int *minutes);
/* The local calendar date of epoch t in a zone at offset tzmin, written as YYYY-MM-DD. */
void date_of_epoch(int64_t t, int tzmin, char out[11]);
/* Epoch of local midnight starting date y-m-d in the zone. */
int64_t epoch_of_date(int y, int m, int d, int tzmin);
/* Period containing t in the zone: kind "day","week"(Mon-Sun),"month","quarter","year".
   [*start, *end) in epoch seconds; 0 ok, -1 unknown kind. */
int period_bounds(const char *kind, int64_t t, int tzmin, int64_t *start, int64_t *end);

/* ---------------------------------------------------------------- working calendar */

/* A dated exception to the weekly pattern (workcal.c). */
typedef struct CalException {
    int64_t day;  /* local date as days since 1970-01-01 */
    bool working; /* true: a make-up workday (调休上班, e.g. a Saturday); false: a holiday */
} CalException;

/*
** A company's working calendar, pure data (the company settings and the
** calendar_days table fill it: model/calendar.c): which local days are working
** days and which hours of them are working time. The arithmetic below needs
** nothing else, so it is unit-tested with a holiday list in memory.
*/
typedef struct Calendar {
    int tzmin;              /* the company zone, minutes east of UTC */
    unsigned weekdays;      /* working weekdays: bit 0 Monday ... bit 6 Sunday */
    int work_start;         /* working hours of a working day: [start, end) in minutes */
    int work_end;           /*   after local midnight, 0 <= start < end <= 1440 */
    const CalException *ex; /* exceptions sorted by day, one per day; may be NULL */
    int nex;                /* number of exceptions */
} Calendar;

/* The local day (days since 1970-01-01) of epoch t, and the epoch where local day starts. */
int64_t cal_day_of(const Calendar *c, int64_t t);
int64_t cal_day_start(const Calendar *c, int64_t day);
/* Is the local day a working day: a make-up workday, or a working weekday that is no holiday? */
bool cal_is_working_day(const Calendar *c, int64_t day);
/*
** Working-day arithmetic on local days: n > 0 gives the n-th working day after
** day, n < 0 the |n|-th before it, n == 0 day itself when it works, else the
** next working day. A calendar without any working day in 100 years answers
** day ± 36,500.
*/
int64_t cal_add_working_days(const Calendar *c, int64_t day, int64_t n);
/* Working seconds in [t1, t2): the parts of working days inside working hours; negative when
   t2 < t1 (minus the working seconds of [t2, t1)). */
int64_t cal_working_seconds_between(const Calendar *c, int64_t t1, int64_t t2);
/* The earliest epoch at which secs (>= 0) working seconds have passed since t; t itself when
   secs is 0. "Three working days" is 3 x (work_end - work_start) x 60 seconds of it. */
int64_t cal_add_working_seconds(const Calendar *c, int64_t t, int64_t secs);

/* ---------------------------------------------------------------- logging */

typedef enum { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR } LogLevel;
/* One JSON object per line on stderr: {"t":...,"level":"info","msg":"..."}; thread-safe. */
void log_msg(LogLevel lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_set_level(LogLevel lvl);
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif

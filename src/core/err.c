/*
** err.c — the Err struct helpers, the error code constants and their
** messages in the three supported locales (all declared in errcodes.h), and
** mapping of Accept-Language values to one of those locales.
*/
#include "core/core.h"
#include "core/errcodes.h"

#include <stdio.h>
#include <string.h>

/* The code constants: const char EC_REQUIRED[] = "field.required"; ... */
#define ERRCODE_DEF(id, code, zh, tw, en) const char id[] = code;
ERRCODES(ERRCODE_DEF)
#undef ERRCODE_DEF

/* One code's message templates. */
typedef struct ErrMsg {
    const char *code;   /* machine code, e.g. "field.required" */
    const char *msg[3]; /* templates for zh-CN, zh-TW, en (LOCALE_* order) */
} ErrMsg;

/* Every code and its messages, in errcodes.h order. */
#define ERRCODE_ROW(id, code, zh, tw, en) {code, {zh, tw, en}},
static const ErrMsg err_msgs[] = {ERRCODES(ERRCODE_ROW)};
#undef ERRCODE_ROW

/* One detail shown in the user's language (errcodes.h ERRDETAILS). */
typedef struct ErrDetail {
    const char *code;   /* machine code the detail belongs to, e.g. "field.type" */
    const char *detail; /* the detail as raised, e.g. "integer" */
    const char *msg[3]; /* its text in zh-CN, zh-TW, en (LOCALE_* order) */
} ErrDetail;

#define ERRDETAIL_ROW(code, detail, zh, tw, en) {code, detail, {zh, tw, en}},
static const ErrDetail err_details[] = {ERRDETAILS(ERRDETAIL_ROW)};
#undef ERRDETAIL_ROW

/* The supported locales, indexes into ErrMsg.msg. */
enum { LOCALE_ZH_CN, LOCALE_ZH_TW, LOCALE_EN };
static const char *const locale_names[] = {"zh-CN", "zh-TW", "en"};

/* Fill e (detail from fmt, empty when fmt is NULL) and return -1. */
int err_set(Err *e, int status, const char *code, const char *field, const char *fmt, ...) {
    e->status = status;
    e->code = code;
    e->field = field;
    e->detail[0] = '\0';
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->detail, sizeof e->detail, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Append tpl to b with {field} and {detail} replaced. */
static void expand(Buf *b, const char *tpl, const char *field, const char *detail) {
    const char *p = tpl;
    while (*p) {
        if (strncmp(p, "{field}", 7) == 0) {
            buf_puts(b, field);
            p += 7;
        } else if (strncmp(p, "{detail}", 8) == 0) {
            buf_puts(b, detail);
            p += 8;
        } else {
            const char *brace = strchr(p + 1, '{');
            size_t n = brace ? (size_t)(brace - p) : strlen(p);
            buf_add(b, p, n);
            p += n;
        }
    }
}

/*
** The message for code in locale (any value i18n_locale understands), with
** {field} and {detail} filled in (NULL counts as empty; a detail listed in
** ERRDETAILS is shown in the locale's words). Falls back to the
** zh-CN text, and to the code itself when the code is unknown. Arena string.
*/
const char *i18n_error(Arena *a, const char *locale, const char *code, const char *field_label, const char *detail) {
    if (!code) return arena_strdup(a, "");
    const char *loc = i18n_locale(locale);
    int li = LOCALE_ZH_CN;
    for (int i = 0; i < 3; i++)
        if (strcmp(loc, locale_names[i]) == 0) li = i;
    const char *tpl = NULL;
    for (size_t i = 0; i < sizeof err_msgs / sizeof err_msgs[0]; i++) {
        if (strcmp(err_msgs[i].code, code) == 0) {
            tpl = err_msgs[i].msg[li];
            if (!tpl || !*tpl) tpl = err_msgs[i].msg[LOCALE_ZH_CN];
            break;
        }
    }
    if (!tpl) return arena_strdup(a, code);
    for (size_t i = 0; detail && i < sizeof err_details / sizeof err_details[0]; i++) {
        if (strcmp(err_details[i].code, code) == 0 && strcmp(err_details[i].detail, detail) == 0) {
            detail = err_details[i].msg[li];
            break;
        }
    }
    Buf b;
    buf_init(&b, a);
    expand(&b, tpl, field_label ? field_label : "", detail ? detail : "");
    return b.p;
}

/* Case-insensitive: does s[0..n) start with the language tag prefix pre? */
static bool tag_starts(const char *s, size_t n, const char *pre) {
    size_t pn = strlen(pre);
    if (n < pn) return false;
    for (size_t i = 0; i < pn; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c == '_') c = '-';
        if (c != pre[i]) return false;
    }
    return n == pn || s[pn] == '-' || s[pn] == '_';
}

/* The supported locale a single language tag maps to, or -1. */
static int tag_locale(const char *s, size_t n) {
    if (tag_starts(s, n, "en")) return LOCALE_EN;
    if (tag_starts(s, n, "zh-tw") || tag_starts(s, n, "zh-hk") || tag_starts(s, n, "zh-mo") ||
        tag_starts(s, n, "zh-hant"))
        return LOCALE_ZH_TW;
    if (tag_starts(s, n, "zh")) return LOCALE_ZH_CN;
    return -1;
}

/* The q value of one Accept-Language entry's parameters, in thousandths (1000 when absent). */
static int tag_quality(const char *params, size_t n) {
    const char *p = params, *end = params + n;
    while (p < end) {
        while (p < end && (*p == ';' || *p == ' ' || *p == '\t'))
            p++;
        if (end - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
            p += 2;
            int q = 0, scale = 1000;
            if (p < end && *p == '1') return 1000;
            if (p < end && *p == '0') p++;
            if (p < end && *p == '.')
                for (p++; p < end && *p >= '0' && *p <= '9' && scale > 1; p++) {
                    scale /= 10;
                    q += (*p - '0') * scale;
                }
            return q;
        }
        while (p < end && *p != ';')
            p++;
    }
    return 1000;
}

/*
** One of "zh-CN", "zh-TW", "en" for an Accept-Language header ("en-US,en;q=0.9")
** or a stored user setting. The supported entry with the highest q wins (the
** first on a tie); zh-TW, zh-HK, zh-MO and zh-Hant* are traditional Chinese;
** anything else, NULL and "" give zh-CN. Returns a static string.
*/
const char *i18n_locale(const char *accept_language) {
    int best = LOCALE_ZH_CN, best_q = 0;
    const char *p = accept_language;
    while (p && *p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        const char *start = p;
        while (*p && *p != ',')
            p++;
        const char *semi = memchr(start, ';', (size_t)(p - start));
        const char *tag_end = semi ? semi : p;
        while (tag_end > start && (tag_end[-1] == ' ' || tag_end[-1] == '\t'))
            tag_end--;
        int loc = tag_locale(start, (size_t)(tag_end - start));
        int q = semi ? tag_quality(semi, (size_t)(p - semi)) : 1000;
        if (loc >= 0 && q > best_q) {
            best = loc;
            best_q = q;
        }
    }
    return locale_names[best];
}

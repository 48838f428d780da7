/*
** validate.c — one input value checked against its field declaration:
** type, required, length in characters, range, enum, date, reference.
** The error names the field and carries its label for the message.
*/
#include <string.h>

#include "../core/errcodes.h"
#include "model.h"

const char *field_label(const Req *r, const Field *f) { return label_for(r->locale, f->zh, f->tw, f->en); }

const char *enum_label(const Req *r, const Field *f, const char *value) {
    for (const EnumVal *ev = f->enums; ev && ev->value; ev++)
        if (value && strcmp(ev->value, value) == 0) return label_for(r->locale, ev->zh, ev->tw, ev->en);
    return value ? value : "";
}

/* Fill e for field f and return -1. */
static int fail(Req *r, Err *e, const Field *f, int status, const char *code, const char *detail) {
    err_set(e, status, code, f->name, "%s", detail ? detail : "");
    e->label = field_label(r, f);
    return -1;
}

static bool plausible_email(const char *s) {
    const char *at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@')) return false;
    const char *dot = strrchr(at, '.');
    if (!dot || dot == at + 1 || !dot[1]) return false;
    for (const char *p = s; *p; p++)
        if (*p == ' ' || *p == '\t' || *p == ',' || *p == ';' || *p == '<' || *p == '>') return false;
    return true;
}

static bool plausible_phone(const char *s) {
    int digits = 0;
    for (const char *p = s; *p; p++) {
        if (*p >= '0' && *p <= '9')
            digits++;
        else if (!strchr(" +-()", *p))
            return false;
    }
    return digits >= 3;
}

/* Text limits: declared max, else 200 for one line and 20,000 for long text. */
static int check_text(Req *r, const Field *f, const char *s, Err *e) {
    size_t n = utf8_len(s, strlen(s));
    int64_t max = f->max ? f->max : (f->type == FT_LONGTEXT ? 20000 : 200);
    char buf[32];
    if ((int64_t)n > max) {
        snprintf(buf, sizeof buf, "%lld", (long long)max);
        return fail(r, e, f, 400, EC_TOO_LONG, buf);
    }
    if (f->min > 0 && (int64_t)n < f->min) {
        snprintf(buf, sizeof buf, "%lld", (long long)f->min);
        return fail(r, e, f, 400, EC_TOO_SHORT, buf);
    }
    if (f->type != FT_LONGTEXT && strpbrk(s, "\r\n")) return fail(r, e, f, 400, EC_FORMAT, "one line");
    return 0;
}

/* The allowed values of an enum field, comma-separated (arena string). */
static const char *enum_values(Req *r, const Field *f) {
    Buf b;
    buf_init(&b, r->a);
    buf_puts(&b, "");
    for (const EnumVal *ev = f->enums; ev && ev->value; ev++)
        buf_printf(&b, "%s%s", ev == f->enums ? "" : ", ", ev->value);
    return b.p;
}

/* A JSON string holding a NUL character (\u0000, kept by the body parser so that the
   field is named): C code would see only the part before it. */
static bool has_nul(json_t *v) { return json_is_string(v) && strlen(json_string_value(v)) != json_string_length(v); }

/*
** A JSON number that is not an integer for an integer field: field.range when it is
** a whole number beyond what the field (or int64) holds — 2^63 and 1e309 reach us
** as reals, see req_json — and field.type for anything else (12.5, "12", true).
*/
static int not_integer(Req *r, const Field *f, json_t *v, const char *range, Err *e) {
    if (json_is_real(v)) {
        double d = json_real_value(v);
        /* |d| >= 2^63: whole (no double this large has a fraction) and past int64 — or, at
           exactly -2^63, an integer literal below it that rounded there */
        if (d >= 9223372036854775808.0 || d <= -9223372036854775808.0) {
            const char *rule = range[0]                   ? range
                               : f->type == FT_PERCENT_BP ? "0..10000"
                               : f->type == FT_DATETIME   ? ">= 0"
                                                          : "-9223372036854775808..9223372036854775807";
            return fail(r, e, f, 400, EC_RANGE, rule);
        }
    }
    return fail(r, e, f, 400, EC_TYPE, f->type == FT_MONEY ? "integer (fen)" : "integer");
}

bool field_condition_holds(const Field *f, json_t *rec) {
    if (!f->when) return true;
    const char *eq = strchr(f->when, '=');
    size_t n = eq ? (size_t)(eq - f->when) : strlen(f->when);
    char key[64];
    if (n >= sizeof key) return false;
    memcpy(key, f->when, n);
    key[n] = 0;
    json_t *v = json_object_get(rec, key);
    if (!eq) /* set: non-empty text, true, a non-zero number, a non-empty array */
        return v && !json_is_null(v) && !json_is_false(v) && !(json_is_string(v) && !json_string_length(v)) &&
               !(json_is_integer(v) && !json_integer_value(v)) && !(json_is_array(v) && !json_array_size(v));
    if (!json_is_string(v)) return false;
    const char *val = json_string_value(v);
    size_t vl = strlen(val);
    for (const char *p = eq + 1; *p;) { /* one of a|b|c */
        const char *bar = strchr(p, '|');
        size_t l = bar ? (size_t)(bar - p) : strlen(p);
        if (l == vl && !strncmp(p, val, l)) return true;
        p += l + (bar ? 1 : 0);
    }
    return false;
}

int record_check_conditions(Req *r, const Field *fields, json_t *rec, Err *e) {
    for (const Field *f = fields; f->name; f++) {
        if (!f->when || !(f->flags & F_REQUIRED) || !field_condition_holds(f, rec)) continue;
        json_t *v = json_object_get(rec, f->name);
        if (!v || json_is_null(v) || (json_is_string(v) && !json_string_length(v)))
            return fail(r, e, f, 400, EC_REQUIRED, NULL);
    }
    return 0;
}

int field_validate(Req *r, const Field *f, json_t *v, json_t **out, Err *e) {
    *out = NULL;
    bool empty = !v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0 && f->type != FT_BOOL);
    if (empty) {
        /* a conditional field is required only while its condition holds: checked on the whole
           record (record_check_conditions), not here */
        if ((f->flags & F_REQUIRED) && !f->when) return fail(r, e, f, 400, EC_REQUIRED, NULL);
        /* a field with a default may be left out (the default applies) but not emptied:
           its column holds a value, so "" or null is the field's own error */
        if (v && f->def) {
            if (f->type == FT_ENUM) return fail(r, e, f, 400, EC_ENUM, enum_values(r, f));
            return fail(r, e, f, 400, EC_REQUIRED, NULL);
        }
        *out = f->type == FT_BOOL ? json_false() : json_null();
        return 0;
    }
    if (has_nul(v)) return fail(r, e, f, 400, EC_FORMAT, "NUL");
    char range[64] = "";
    if (f->min < f->max) snprintf(range, sizeof range, "%lld..%lld", (long long)f->min, (long long)f->max);
    switch (f->type) {
    case FT_TEXT:
    case FT_LONGTEXT:
    case FT_EMAIL:
    case FT_PHONE: {
        if (!json_is_string(v)) return fail(r, e, f, 400, EC_TYPE, "text");
        const char *s = json_string_value(v);
        if (check_text(r, f, s, e) < 0) return -1;
        if (f->type == FT_EMAIL && !plausible_email(s)) return fail(r, e, f, 400, EC_FORMAT, "name@example.com");
        if (f->type == FT_PHONE && !plausible_phone(s)) return fail(r, e, f, 400, EC_FORMAT, "+86 21 5555 0000");
        *out = json_incref(v);
        return 0;
    }
    case FT_LINE: /* an id here; whose line it is: record_check_lines (lineref.c), on the whole record */
        if (!json_is_integer(v) || json_integer_value(v) <= 0) return fail(r, e, f, 400, EC_TYPE, "id");
        *out = json_incref(v);
        return 0;
    case FT_INT:
    case FT_MONEY:
    case FT_DATETIME:
    case FT_QTY:
    case FT_PERCENT_BP: {
        if (!json_is_integer(v)) return not_integer(r, f, v, range, e);
        int64_t n = json_integer_value(v);
        if (f->type == FT_PERCENT_BP && (n < 0 || n > 10000)) return fail(r, e, f, 400, EC_RANGE, "0..10000");
        if (f->type == FT_DATETIME && n < 0) return fail(r, e, f, 400, EC_RANGE, ">= 0");
        if (f->min < f->max && (n < f->min || n > f->max)) return fail(r, e, f, 400, EC_RANGE, range);
        *out = json_incref(v);
        return 0;
    }
    case FT_DATE: {
        int y, m, d;
        if (!json_is_string(v)) return fail(r, e, f, 400, EC_TYPE, "YYYY-MM-DD");
        if (date_parse(json_string_value(v), &y, &m, &d) != 0) return fail(r, e, f, 400, EC_FORMAT, "YYYY-MM-DD");
        *out = json_incref(v);
        return 0;
    }
    case FT_BOOL:
        if (!json_is_boolean(v)) return fail(r, e, f, 400, EC_TYPE, "true/false");
        *out = json_incref(v);
        return 0;
    case FT_ENUM: {
        if (!json_is_string(v)) return fail(r, e, f, 400, EC_TYPE, "text");
        for (const EnumVal *ev = f->enums; ev && ev->value; ev++)
            if (strcmp(ev->value, json_string_value(v)) == 0) {
                *out = json_incref(v);
                return 0;
            }
        return fail(r, e, f, 400, EC_ENUM, enum_values(r, f));
    }
    case FT_REF: {
        if (!json_is_integer(v) || json_integer_value(v) <= 0) return fail(r, e, f, 400, EC_TYPE, "id");
        /* F_REF_ANY: the entity's hooks resolve it (entity.h) */
        if (!(f->flags & F_REF_ANY)) {
            int ok = entity_ref_ok(r, f->ref, json_integer_value(v));
            if (ok < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
            if (!ok) return fail(r, e, f, 400, EC_REF, NULL);
        }
        *out = json_incref(v);
        return 0;
    }
    case FT_CODE: {
        if (!json_is_string(v)) return fail(r, e, f, 400, EC_TYPE, "code");
        if (!refdata_find(f->ref, json_string_value(v))) {
            const char *s = json_string_value(v);
            size_t n = strlen(s) > 60 ? 60 : strlen(s);
            while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
                n--; /* the value quoted, cut on a character */
            return fail(r, e, f, 400, EC_CODE, arena_strndup(r->a, s, n));
        }
        *out = json_incref(v);
        return 0;
    }
    case FT_ROLES: {
        if (!json_is_array(v)) return fail(r, e, f, 400, EC_TYPE, "[role, ...]");
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) {
            if (!json_is_string(x) || has_nul(x) || role_by_name(json_string_value(x)) < 0) {
                Buf b;
                buf_init(&b, r->a);
                for (int k = 0; k < ROLE_COUNT; k++)
                    buf_printf(&b, "%s%s", k ? ", " : "", role_info[k].id);
                return fail(r, e, f, 400, EC_ENUM, b.p);
            }
        }
        *out = json_incref(v);
        return 0;
    }
    }
    return fail(r, e, f, 400, EC_TYPE, "?");
}

void bind_value(Stmt *st, int idx, FieldType t, json_t *v) {
    if (!v || json_is_null(v)) {
        db_bind_null(st, idx);
    } else if (json_is_boolean(v)) {
        db_bind_int64(st, idx, json_is_true(v));
    } else if (json_is_integer(v)) {
        db_bind_int64(st, idx, json_integer_value(v));
    } else if (json_is_string(v)) {
        db_bind_text(st, idx, json_string_value(v), (int)json_string_length(v));
    } else {
        db_bind_null(st, idx);
    }
    (void)t;
}

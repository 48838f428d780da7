/*
** request.c — the request pipeline every route goes through, whatever thread
** runs it: route match, sign-in, CSRF, role check, transaction, handler,
** error reply (Redis processCommand: all checks before the handler runs).
** Also the small Req accessors and reply helpers modules use.
*/
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../core/errcodes.h"
#include "internal.h"

/* ---------------------------------------------------------------- roles */

/* Holds any role of mask; admin passes every route-level role check. */
bool user_has_role(const User *u, uint32_t mask) {
    if (!u) return false;
    return mask == 0 || (u->roles & mask) != 0 || (u->roles & RB(ADMIN)) != 0;
}

/* ---------------------------------------------------------------- request accessors */

const char *req_query(const Req *r, const char *name) {
    for (int i = 0; i < r->nqp; i++)
        if (strcmp(r->qp[i].name, name) == 0) return r->qp[i].value;
    return NULL;
}

/* jansson tree release, run when the request's arena is freed. */
static void json_release(void *p) { json_decref((json_t *)p); }

/* Is s (NUL-terminated) a number literal by the JSON grammar: -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)? */
static bool json_number_ok(const char *s) {
    if (*s == '-') s++;
    if (*s == '0')
        s++;
    else if (*s >= '1' && *s <= '9')
        while (*s >= '0' && *s <= '9')
            s++;
    else
        return false;
    if (*s == '.') {
        if (!(*++s >= '0' && *s <= '9')) return false;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-') s++;
        if (!(*s >= '0' && *s <= '9')) return false;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    return *s == '\0';
}

/*
** The body with every number literal jansson cannot hold — an integer beyond
** int64 (9223372036854775808) or a real beyond double (1e309) — written as a
** real it can: the nearest double, or ±DBL_MAX past it. jansson refuses such a
** literal as a syntax error; rewritten, the value reaches field validation,
** which names the field (field.range for an integer field, field.type for the
** rest). Strings are copied unchanged; malformed literals too (the parser
** reports them). Returns an arena copy, its length in *out_n.
*/
static char *widen_numbers(Arena *a, const char *s, size_t n, size_t *out_n) {
    Buf b;
    buf_init(&b, a);
    size_t i = 0;
    while (i < n) {
        char c = s[i];
        if (c == '"') { /* a string: copied up to its closing quote */
            size_t j = i + 1;
            while (j < n && s[j] != '"')
                j += s[j] == '\\' ? 2 : 1;
            if (j > n)
                j = n;
            else if (j < n)
                j++;
            buf_add(&b, s + i, j - i);
            i = j;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            size_t j = i + 1;
            bool real = false;
            while (j < n && strchr("0123456789+-.eE", s[j]) && s[j]) {
                if (s[j] == '.' || s[j] == 'e' || s[j] == 'E') real = true;
                j++;
            }
            char *lit = arena_strndup(a, s + i, j - i), *end;
            bool over = false;
            double d = 0;
            if (json_number_ok(lit)) {
                if (!real) {
                    errno = 0;
                    (void)strtoll(lit, &end, 10);
                    over = errno == ERANGE;
                }
                errno = 0;
                d = strtod(lit, &end);
                if (errno == ERANGE && isinf(d)) over = true;
            }
            if (over) {
                if (isinf(d)) d = d < 0 ? -DBL_MAX : DBL_MAX;
                buf_printf(&b, "%.17g", d); /* beyond int64: always in exponent form, a real */
            } else {
                buf_add(&b, s + i, j - i);
            }
            i = j;
        } else {
            buf_putc(&b, c);
            i++;
        }
    }
    buf_puts(&b, "");
    *out_n = b.n;
    return b.p;
}

json_t *req_json(Req *r, Err *e) {
    if (r->json_body) return r->json_body;
    if (!r->body || r->body_len == 0) {
        err_set(e, 400, EC_BAD_JSON, NULL, "empty body");
        return NULL;
    }
    if (!utf8_valid(r->body, r->body_len)) {
        err_set(e, 400, EC_BAD_UTF8, NULL, NULL);
        return NULL;
    }
    /* \u0000 is kept in strings so that field validation refuses it naming the field */
    const size_t flags = JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL;
    json_error_t je;
    json_t *j = json_loadb(r->body, r->body_len, flags, &je);
    if (!j && json_error_code(&je) == json_error_numeric_overflow) {
        size_t n;
        const char *wide = widen_numbers(r->a, r->body, r->body_len, &n);
        j = json_loadb(wide, n, flags, &je);
    }
    if (!j) {
        err_set(e, 400, EC_BAD_JSON, NULL, "line %d column %d: %s", je.line, je.column, je.text);
        return NULL;
    }
    arena_defer(r->a, json_release, j);
    if (!json_is_object(j)) {
        err_set(e, 400, EC_NOT_OBJECT, NULL, NULL);
        return NULL;
    }
    r->json_body = j;
    return j;
}

int req_param_id(Req *r, int i, int64_t *out, Err *e) {
    if (i >= r->nparams || str_to_int64(r->params[i], out) != 0 || *out <= 0)
        return err_set(e, 404, EC_REC_NOT_FOUND, NULL, NULL);
    return 0;
}

const char *req_cookie(const Req *r, const char *name) {
    if (!r->cookie) return NULL;
    size_t nl = strlen(name);
    const char *p = r->cookie;
    while (*p) {
        while (*p == ' ' || *p == ';')
            p++;
        const char *eq = strchr(p, '=');
        if (!eq) break;
        const char *end = strchr(eq, ';');
        if (!end) end = eq + strlen(eq);
        if ((size_t)(eq - p) == nl && memcmp(p, name, nl) == 0)
            return arena_strndup(r->a, eq + 1, (size_t)(end - eq - 1));
        p = end;
    }
    return NULL;
}

/* ---------------------------------------------------------------- replies */

int reply_raw(Req *r, int status, const char *content_type, const char *data, size_t len) {
    r->status = status;
    r->content_type_out = content_type;
    r->out = data;
    r->out_len = len;
    return 0;
}

int reply_json(Req *r, int status, json_t *body) {
    size_t n;
    char *s = json_out(r->a, body, &n);
    json_decref(body);
    if (!s) return reply_raw(r, 500, "application/json", "{}", 2);
    return reply_raw(r, status, "application/json; charset=utf-8", s, n);
}

int reply_empty(Req *r, int status) { return reply_raw(r, status, NULL, "", 0); }

void reply_header(Req *r, const char *name, const char *value) {
    if (r->nhdrs == (int)(sizeof r->hdrs / sizeof r->hdrs[0])) return;
    r->hdrs[r->nhdrs].name = arena_strdup(r->a, name);
    r->hdrs[r->nhdrs].value = arena_strdup(r->a, value);
    r->nhdrs++;
}

/* The error object {"code","field","message","request_id"} for e. */
json_t *error_object(Req *r, const Err *e) {
    const char *detail = e->detail;
    if (e->status >= 500 && !detail[0]) detail = r->request_id;
    const char *label = e->label ? e->label : e->field;
    const char *msg = i18n_error(r->a, r->locale, e->code, label ? label : "", detail);
    return json_pack("{s:s, s:s?, s:s, s:s}", "code", e->code, "field", e->field, "message", msg, "request_id",
                     r->request_id ? r->request_id : "");
}

int reply_error(Req *r, const Err *e) {
    return reply_json(r, e->status ? e->status : 500, json_pack("{s:o}", "error", error_object(r, e)));
}

/* ---------------------------------------------------------------- pipeline */

static bool is_safe_method(const char *m) { return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0; }

/*
** Everything before the handler: returns 0 to go on, or -1 with e filled.
*/
static int request_check(Req *r, Err *e) {
    const Route *rt = r->route;
    if (auth_load_user(r) < 0) return err_set(e, 503, EC_UNAVAILABLE, NULL, NULL);
    if (r->user && r->user->locale) r->locale = r->user->locale;
    const char *ql = req_query(r, "locale");
    if (ql) r->locale = i18n_locale(ql);
    if (rt->flags & R_PUBLIC) return 0;
    if (!r->user) return err_set(e, 401, EC_AUTH_REQUIRED, NULL, NULL);
    if (!is_safe_method(r->method) && r->user->session_id && !(rt->flags & R_NO_CSRF)) {
        const char *want = r->user->csrf, *got = r->csrf_header;
        if (!got || !want || strlen(got) != strlen(want) || sodium_memcmp(got, want, strlen(want)) != 0)
            return err_set(e, 403, EC_CSRF, NULL, NULL);
    }
    if (!user_has_role(r->user, rt->roles)) return err_set(e, 403, EC_FORBIDDEN, NULL, NULL);
    if (!r->user->session_id && ((rt->flags & R_WRITE) || db_kind(r->db) == DB_PG)) token_touch(r);
    return 0;
}

/* See http.h. */
const Route *request_route(Req *r, int *status) {
    const char *params[4];
    int np = 0;
    r->route = routes_match(r->method, r->path, params, &np, status);
    for (int i = 0; r->route && i < np; i++)
        r->params[i] = arena_strdup(r->a, params[i]);
    r->nparams = r->route ? np : 0;
    return r->route;
}

void request_run(Req *r) {
    Err e = {0};
    int status = 404, rc = -1;
    bool snapshot = false;
    if (!r->locale) r->locale = i18n_locale(r->accept_language);
    if (req_parse_query(r) < 0) {
        err_set(&e, 400, EC_BAD_QUERY, "query", "malformed encoding");
        goto fail;
    }
    if (!r->route && !request_route(r, &status)) { /* the loop may have matched it already */
        err_set(&e, status, status == 405 ? EC_BAD_METHOD : EC_NOT_FOUND, NULL, NULL);
        goto fail;
    }
    /* a quick read's statements, sign-in included, share one snapshot (SQLite: one read lock); they
       run on a loop's connection, which cannot write (query_only), so none upgrades it to a write.
       On a loop the snapshot may already be open: the quick reads of one turn of the event loop share
       it (turn_snapshot; server.c ends it), and anything else runs outside it. */
    if (!(r->route->flags & (R_WRITE | R_OWN_TX | R_SLOW)))
        snapshot = db_read_open(r->db) || db_read_begin(r->db) == DB_OK;
    else
        db_read_end(r->db);
    if (request_check(r, &e) < 0) goto fail;

    bool tx = (r->route->flags & R_WRITE) && !(r->route->flags & R_OWN_TX);
    if (tx && db_begin(r->db) != DB_OK) {
        err_set(&e, 503, EC_UNAVAILABLE, NULL, NULL);
        goto fail;
    }
    db_fault_take(r->db); /* a mark left by earlier work on this connection is not ours */
    rc = r->route->fn(r, &e);
    if (db_fault_take(r->db) && rc == 0) { /* the handler went on from a failed read: refuse it all */
        err_set(&e, 500, EC_INTERNAL, NULL, "a read failed (db_fault_mark)");
        r->out = NULL; /* nothing of the handler's answer goes out: no body, no cookie */
        r->status = 0;
        r->nhdrs = 0;
        rc = -1;
    }
    if (tx) {
        if (rc == 0 && r->status < 400) {
            if (db_commit(r->db) != DB_OK) {
                db_rollback(r->db); /* a failed commit leaves the level open */
                log_error("commit failed for %s %s: %s", r->method, r->path, db_errmsg(r->db));
                err_set(&e, 500, EC_INTERNAL, NULL, NULL);
                rc = -1;
            }
        } else {
            db_rollback(r->db);
        }
    }
    if (rc == 0 || (r->out && r->status >= 400)) goto out; /* or the handler answered a richer error itself */
fail:
    if (e.status >= 500) log_error("request %s %s failed: %s %s", r->method, r->path, e.code, e.detail);
    reply_error(r, &e);
out:
    if (snapshot && !r->turn_snapshot) db_read_end(r->db);
}

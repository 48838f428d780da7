/*
** static.c — the web UI's files. Hashed build assets (/assets/...) are
** cached for a year; index.html is revalidated every time, and any path that
** is not a file and has no extension gets index.html, so the single-page
** app's own routes (/e/customers/12) survive a reload (SPA fallback).
*/
#include <string.h>
#include <sys/stat.h>

#include "../core/core.h"
#include "static.h"

static const char csp[] =
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/* Send a small text error (the API answers JSON; this is for file paths). */
static int send_text(h2o_req_t *req, int status, const char *reason, const char *body) {
    req->res.status = status;
    req->res.reason = reason;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                   H2O_STRLIT("text/plain; charset=utf-8"));
    req->res.content_length = strlen(body);
    h2o_send_inline(req, body, strlen(body));
    return 0;
}

/* Path safe to join to the web folder: starts with '/', no "..", no NUL, no backslash. */
static int path_ok(const char *p, size_t n) {
    if (n == 0 || p[0] != '/') return 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\0' || p[i] == '\\') return 0;
        if (p[i] == '.' && i > 0 && p[i - 1] == '/' && i + 1 < n && p[i + 1] == '.') return 0;
    }
    return 1;
}

static int send_file(h2o_req_t *req, h2o_globalconf_t *conf, const char *file, int immutable) {
    const char *dot = strrchr(file, '.');
    const char *slash = strrchr(file, '/');
    h2o_iovec_t mime = h2o_iovec_init(H2O_STRLIT("application/octet-stream"));
    if (dot && dot > slash) {
        h2o_mimemap_type_t *mt =
            h2o_mimemap_get_type_by_extension(conf->mimemap, h2o_iovec_init(dot + 1, strlen(dot + 1)));
        if (mt && mt->type == H2O_MIMEMAP_TYPE_MIMETYPE) mime = mt->data.mimetype;
    }
    if (immutable)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL,
                       H2O_STRLIT("public, max-age=31536000, immutable"));
    else
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-cache"));
    if (mime.len >= 9 && memcmp(mime.base, "text/html", 9) == 0)
        h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("content-security-policy"), 0, NULL, csp,
                              sizeof csp - 1);
    if (h2o_file_send(req, 200, "OK", file, mime, 0) != 0) return send_text(req, 404, "Not Found", "not found\n");
    return 0;
}

int static_serve(h2o_req_t *req, const char *web_dir, h2o_globalconf_t *conf) {
    if (!h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET")) &&
        !h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD")))
        return send_text(req, 405, "Method Not Allowed", "method not allowed\n");
    if (!web_dir) return send_text(req, 404, "Not Found", "web UI not built: run make web\n");
    size_t n = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    const char *p = req->path.base;
    if (!path_ok(p, n) || n > 1024) return send_text(req, 400, "Bad Request", "bad path\n");
    char file[2048];
    int len = snprintf(file, sizeof file, "%s%.*s", web_dir, (int)n, p);
    if (len < 0 || (size_t)len >= sizeof file) return send_text(req, 400, "Bad Request", "bad path\n");
    struct stat sb;
    if (stat(file, &sb) == 0 && S_ISREG(sb.st_mode))
        return send_file(req, conf, file, n > 8 && memcmp(p, "/assets/", 8) == 0);
    /* a directory or an app route: the app's index.html; a missing asset: 404 */
    const char *last = memrchr(p, '/', n);
    if (last && memchr(last, '.', n - (size_t)(last - p)) && !(stat(file, &sb) == 0 && S_ISDIR(sb.st_mode)))
        return send_text(req, 404, "Not Found", "not found\n");
    snprintf(file, sizeof file, "%s/index.html", web_dir);
    return send_file(req, conf, file, 0);
}

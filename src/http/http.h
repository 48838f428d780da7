/*
** http.h — a request as handlers see it, the route table, and reply helpers.
**
** A Req is built on the event loop from the h2o request (everything copied
** into the request's own Arena), so a handler may run on the loop, on a
** worker thread or on the writer thread without touching h2o. The handler
** fills the reply part; the loop sends it.
*/
#ifndef SALESLOOP_HTTP_H
#define SALESLOOP_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "../core/core.h"
#include "../core/roles.h"
#include "../db/db.h"

/* ---------------------------------------------------------------- request */

/* The signed-in user, loaded once per request from the session or token. */
typedef struct User {
    int64_t id;
    const char *username;
    const char *display_name;
    const char *locale; /* "zh-CN" | "zh-TW" | "en" */
    uint32_t roles;     /* bit set of Role */
    int64_t org_unit_id;
    const char *org_path; /* materialised path of the unit, "/1/4/" */
    int64_t session_id;   /* 0 when authenticated by API token */
    int64_t token_id;     /* the API token's id, 0 for a session */
    const char *csrf;     /* session's CSRF token, NULL for tokens */
} User;

typedef struct QueryParam {
    const char *name;  /* percent-decoded */
    const char *value; /* percent-decoded */
} QueryParam;

typedef struct Header {
    const char *name;
    const char *value;
} Header;

struct Route;

typedef struct Req {
    Arena *a;               /* the request's arena; everything below lives in it */
    Db *db;                 /* connection of the thread running the handler */
    int64_t now;            /* request start, epoch seconds */
    const char *request_id; /* also sent as X-Request-Id */
    const char *method;     /* "GET", ... */
    const char *path;       /* percent-decoded path without query */
    const char *query;      /* raw query string, may be "" */
    QueryParam *qp;         /* decoded query parameters */
    int nqp;
    const char *params[4]; /* path parameters in pattern order (":entity", ":id") */
    int nparams;
    const char *body; /* request body (NUL-terminated copy), may be NULL */
    size_t body_len;
    json_t *json_body;            /* body parsed by req_json, owned by the request */
    struct SettingMemo *settings; /* settings read during this request (settings.c), in the arena */
    const char *cookie;           /* Cookie header or NULL */
    const char *authorization;    /* Authorization header or NULL */
    const char *csrf_header;      /* X-CSRF-Token header or NULL */
    const char *accept_language;  /* Accept-Language header or NULL */
    const char *content_type;     /* Content-Type header or NULL */
    const char *client_addr;      /* peer address, "127.0.0.1" (a trusted proxy's X-Forwarded-For) */
    bool secure;                  /* reached over https, as a trusted proxy says (X-Forwarded-Proto) */
    bool turn_snapshot;           /* a quick read leaves its snapshot open for the loop's next reads (server.c) */
    const struct Route *route;    /* matched route */
    User *user;                   /* NULL when not signed in */
    const char *locale;           /* user's locale, else from Accept-Language */

    /* the reply, filled by the handler through the reply_* helpers */
    int status;
    const char *content_type_out;
    const char *out; /* body bytes (arena) */
    size_t out_len;
    Header hdrs[8]; /* extra response headers (Set-Cookie, ...) */
    int nhdrs;
    const char *file_path; /* when set, the loop sends this file as the body */
} Req;

/* Query parameter value or NULL. */
const char *req_query(const Req *r, const char *name);
/*
** The body as a JSON object, parsed once. On malformed JSON, bad UTF-8 or a
** non-object body it fills e (400, request.bad_json / request.bad_utf8 /
** request.not_object) and returns NULL. The object is owned by the request.
*/
json_t *req_json(Req *r, Err *e);
/* Path parameter i (0-based) as a positive int64; fills e (404) when not one. */
int req_param_id(Req *r, int i, int64_t *out, Err *e);
/* Decode r->query into r->qp (request.c; a job replaying a list query calls it too);
   -1 on malformed percent-encoding or bad UTF-8. */
int req_parse_query(Req *r);
/* Cookie value by name or NULL. */
const char *req_cookie(const Req *r, const char *name);

/* Reply helpers. Each returns 0 so a handler can end with `return reply_json(...)`. */
int reply_json(Req *r, int status, json_t *body); /* steals body */
/* v as json_dumps(v, JSON_COMPACT) writes it, in a's memory (json_out.c); NULL (and *len 0) when
   json_dumps would fail: v not an object or array, a string not UTF-8. */
char *json_out(Arena *a, const json_t *v, size_t *len);
/* Pieces written as json_out writes them, for a reply written without a jansson tree (a list's rows,
   model/entity.c entity_row_write): a string (false when it is not UTF-8), an integer. */
bool json_put_string(Buf *b, const char *s, size_t n);
void json_put_integer(Buf *b, int64_t v);
int reply_raw(Req *r, int status, const char *content_type, const char *data, size_t len);
int reply_empty(Req *r, int status);
int reply_error(Req *r, const Err *e); /* {"error":{code,field,message,request_id}} */
/* The error object of e as reply_error sends it, for replies that add to it (409 + "current"). */
json_t *error_object(Req *r, const Err *e);
void reply_header(Req *r, const char *name, const char *value); /* values copied */

/* ---------------------------------------------------------------- routes */

/* A handler answers through reply_* and returns 0, or fills e and returns -1
   (the dispatcher answers the error and rolls back the transaction). A handler
   or hook whose error needs more than code/field/message (a 409 with the
   conflicting rows) replies itself with a status >= 400 and returns -1: the
   reply is kept and the transaction still rolls back. */
typedef int (*Handler)(Req *r, Err *e);

enum {
    R_PUBLIC = 1 << 0,   /* no sign-in needed */
    R_WRITE = 1 << 1,    /* changes data: runs in a transaction (group commit on SQLite);
                            rolled back unless the reply status is < 400 */
    R_SLOW = 1 << 2,     /* may take milliseconds or more: runs on the worker pool */
    R_OWN_TX = 1 << 3,   /* with R_SLOW: the handler manages its own transaction */
    R_NO_CSRF = 1 << 4,  /* a write that needs no CSRF token (login) */
    R_RAW = 1 << 5,      /* answers non-JSON (metrics, exports) */
    R_BIG_BODY = 1 << 6, /* takes a body up to --max-import-body (default 50 MiB) instead of --max-body */
};

typedef struct Route {
    const char *method;  /* "GET" | "POST" | "PATCH" | "PUT" | "DELETE" */
    const char *pattern; /* "/api/v1/:entity/:id/actions/:action" */
    Handler fn;
    unsigned flags;      /* R_* */
    uint32_t roles;      /* role mask allowed; 0 = any signed-in user */
    const char *summary; /* one line for OpenAPI */
    const char *tag;     /* OpenAPI tag (module) */
} Route;

/* The route table, collected from the core and every module at start. */
void routes_add(const Route *routes, int n);
/*
** Find the route for method + path; fills params. Returns the route, or NULL
** with *status 404 (no path matched) or 405 (path matched, method not).
*/
const Route *routes_match(const char *method, const char *path, const char **params, int *nparams, int *status);
/* All routes, for OpenAPI and metrics. */
const Route *routes_all(int *n);
/* Index of a route in routes_all(), for per-route metrics. */
int route_index(const Route *rt);

/*
** Match r's method and path: sets r->route and copies the path parameters into r's arena.
** NULL with *status 404 or 405 as routes_match. request_run matches when r->route is unset.
*/
const Route *request_route(Req *r, int *status);

/*
** Run one request completely on the calling thread: authentication, CSRF,
** role check, transaction, handler, error reply. Used by every dispatch
** path and by `salesloop test-request`.
*/
void request_run(Req *r);

/*
** Write one audit entry in the current transaction (audit_trail.c). changes is a JSON object
** {"field":[before, after], ...} (stolen; may be NULL). 0 or -1 (database error).
*/
int audit_write(Req *r, const char *entity, int64_t row_id, const char *action, json_t *changes);

/* The counts of a user's waiting work (approvals, tasks, overdue) for GET /auth/me; 0 or -1.
   Registered by the flow layer at start, so that http calls nothing above it. */
typedef int (*AuthWorkCounts)(Req *r, int64_t *approvals, int64_t *tasks, int64_t *overdue);
void auth_set_work_counts(AuthWorkCounts fn);

/* Does the signed-in user hold any role of mask? (admin holds all for reads) */
bool user_has_role(const User *u, uint32_t mask);

/*
** Background work (the job queue, model/jobs.c), registered at start so that http calls
** nothing above it. The server runs it on threads of its own, apart from the request
** workers, each with its own connection (and, on PostgreSQL, a second autocommit one for
** progress): `start` once before the threads with the server's instance name ("host:port"),
** then `run_one` again and again; it returns 1 when it ran something, 0 when there was
** nothing to do (the thread then sleeps until server_background_wake or a few seconds pass),
** -1 on a database error (the thread reconnects). `stop` is called when the server stops,
** before the threads are joined.
*/
typedef struct BackgroundWork {
    void (*start)(Db *db, const char *instance);
    int (*run_one)(Db *db, Db *side);
    void (*stop)(void); /* the server is stopping: running units should end soon */
    int threads;        /* background threads (at least 1; SQLite always runs 1: one writer) */
} BackgroundWork;
void server_set_background(const BackgroundWork *w);
/* Tell the background threads there is work; -1 when no server runs them (test-request, CLI). */
int server_background_wake(void);

/* Load a user by id as sign-in would (roles and unit included), into the arena; 1 found and
   active, 0 absent or disabled, -1 database error. */
int auth_user_by_id(Db *db, Arena *a, int64_t id, User **out);

#endif

/*
** internal.h — functions shared inside the HTTP layer only (server, request
** pipeline, authentication, metrics, static files). Modules use http.h.
*/
#ifndef SALESLOOP_HTTP_INTERNAL_H
#define SALESLOOP_HTTP_INTERNAL_H

#include "http.h"

/* Server settings from the command line / environment / config file. */
typedef struct ServerConfig {
    const char *db_url; /* SQLite path or postgres:// URL */
    const char *bind;   /* "127.0.0.1" or "0.0.0.0" */
    int port;
    const char *web_dir;         /* built front end (web/dist), may be NULL */
    const char *data_dir;        /* attachments, exports */
    int threads;                 /* event loops */
    int workers;                 /* worker threads */
    size_t max_body;             /* request body limit in bytes */
    size_t max_big_body;         /* body limit of R_BIG_BODY routes (file imports); 0 = 50 MiB */
    int request_timeout;         /* seconds a queued request may wait before 503 */
    const char *trusted_proxies; /* comma-separated peer addresses whose X-Forwarded-Proto/-For are
                                    believed; NULL or "" = none */
} ServerConfig;

/* Check and load the comma-separated trusted proxy addresses (server_run does it too);
   -1, logged, when an entry is not an IP address. */
int server_trusted_proxies(const char *list);
/* Run the server until SIGINT/SIGTERM. Returns the process exit code. */
int server_run(const ServerConfig *cfg);

/* Percent-decode [s, s+n) into the arena ('+' means space when plus_space). NULL when malformed. */
char *url_decode(Arena *a, const char *s, size_t n, bool plus_space);

/* Authenticate from the session cookie or bearer token; sets r->user or leaves it NULL. */
int auth_load_user(Req *r);
/* Refresh the API token's last_used_at (throttled); call only where a write cannot block a loop. */
void token_touch(Req *r);
/* Auth routes (login, logout, me, password, tokens). */
void auth_routes_register(void);
/* Hash a password with Argon2id (libsodium); the result is an arena string. NULL on failure. */
char *password_hash(Arena *a, const char *password);
/* 1 when the password matches the stored hash, 0 otherwise. */
int password_verify(const char *hash, const char *password);
/*
** The password policy (password.c), for every place a password is set: at least
** auth.min_password_length characters (db NULL: 8), not containing username (compared
** without case; NULL or names under 3 characters are not searched for), not a common
** password. 0 when acceptable; otherwise -1 with e filled (400 auth.weak_password,
** auth.password_has_username or auth.password_common, naming field).
*/
int password_policy_check(Db *db, const char *username, const char *password, const char *field, Err *e);
/* True when password is on the embedded common-password list (compared without case). */
bool password_is_common(const char *password);
/* Hex SHA-256 of s, an arena string (sessions and tokens are stored hashed). */
char *sha256_hex(Arena *a, const char *s);
/* A new random URL-safe token of nbytes of entropy, an arena string. */
char *random_token(Arena *a, size_t nbytes);

/* Metrics: count one finished request and its latency in microseconds. */
void metrics_observe(int route_idx, int status, int64_t micros);
void metrics_set_gauges(int db_connections);
void metrics_queue_depth_add(int delta);
/* API requests received and not yet answered (or dropped); one left by its client before a worker began it. */
void metrics_in_progress_add(int delta);
void metrics_abandoned(void);

/* Ops routes: /healthz, /metrics. */
void ops_routes_register(void);
#endif

/*
** server.c — h2o event loops, the worker pool and the SQLite writer.
**
** Threads (DESIGN.md "Threads and blocking"):
**   loops    one h2o event loop per thread, all accepting on the one
**            listening socket (bound exclusively, see listen_socket) and,
**            on SQLite, each with its own connection for reads, which are
**            fast enough to answer inline;
**   writer   SQLite only: one thread commits every queued write request as
**            one transaction (group commit), each request in its own
**            savepoint, then answers them all — one fsync for many writes;
**   workers  anything slow (Argon2id, exports) and, on PostgreSQL, every
**            request (libpq blocks), each worker with its own connection;
**   background  the job queue's runners (model/jobs.c, registered at start):
**            imports, large exports — apart from the workers, so that a long
**            job never starves requests; each with its own connection(s).
** A request is copied into a Req (its own arena) on the loop, so it can run
** anywhere; the result comes back to the loop through h2o's multithread
** queue and the loop sends it.
*/
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <h2o.h>
#include <sodium.h>

#include "../core/errcodes.h"
#include "internal.h"
#include "static.h"

/* ---------------------------------------------------------------- types */

typedef struct Loop Loop;

/* A marker living in the h2o request's pool: tells the job when h2o dropped
   the request (client gone), so the result is not sent to freed memory. */
typedef struct Marker {
    struct Job *job; /* NULL once the job has answered */
} Marker;

/* One request travelling to a worker or the writer and back. malloc'd. */
typedef struct Job {
    h2o_multithread_message_t super; /* link for the loop's receiver queue */
    h2o_req_t *req;                  /* NULL when h2o disposed the request meanwhile */
    Marker *marker;                  /* in req->pool */
    Loop *loop;                      /* the loop to answer on */
    Req r;                           /* the request and its reply */
    int64_t t0;                      /* start, monotonic microseconds */
    struct Job *next;                /* queue link */
    atomic_bool gone;                /* set with req = NULL (loop thread): a worker that has not begun it skips it */
    int fd;                          /* the client's socket (a worker's job), -1 when unknown */
} Job;

struct Loop {
    pthread_t tid;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    h2o_multithread_receiver_t done;    /* finished jobs come back here */
    Db *db;                             /* SQLite read connection, NULL on PostgreSQL */
    int fd;                             /* listening socket */
    h2o_multithread_receiver_t handoff; /* connections another loop accepted for this one */
    atomic_int conns;                   /* connections it serves, as last counted (balance_to) */
};

/* A FIFO of jobs with its own thread(s). */
typedef struct Queue {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    Job *head, *tail;
    int depth;
} Queue;

/* ---------------------------------------------------------------- state */

static ServerConfig cfg;
static h2o_globalconf_t h2o_config;
static Loop *loops;
static int nloops;
static Queue workq, writeq;
static pthread_t *workers;
static pthread_t writer_tid;
static atomic_int stopping;
static bool is_pg;
static bool access_log = true;
static atomic_bool server_running; /* server_run has set cfg */
static BackgroundWork background;  /* registered by the job queue; run_one NULL: none */
static pthread_t *bg_threads;
static int nbg;
static pthread_mutex_t bg_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t bg_cv = PTHREAD_COND_INITIALIZER;
static int bg_pending; /* wakes not yet taken by a background thread */

static int64_t mono_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---------------------------------------------------------------- queues */

static void queue_init(Queue *q) {
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
}

static void queue_push(Queue *q, Job *j) {
    pthread_mutex_lock(&q->mu);
    j->next = NULL;
    if (q->tail)
        q->tail->next = j;
    else
        q->head = j;
    q->tail = j;
    q->depth++;
    metrics_queue_depth_add(1);
    pthread_cond_signal(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

/* Take up to max jobs (a chain), waiting for at least one; NULL when stopping. */
static Job *queue_take(Queue *q, int max) {
    pthread_mutex_lock(&q->mu);
    while (!q->head && !atomic_load(&stopping))
        pthread_cond_wait(&q->cv, &q->mu);
    Job *first = q->head, *last = q->head;
    int n = 0;
    if (first) {
        n = 1;
        while (n < max && last->next) {
            last = last->next;
            n++;
        }
        q->head = last->next;
        if (!q->head) q->tail = NULL;
        last->next = NULL;
        q->depth -= n;
    }
    pthread_mutex_unlock(&q->mu);
    if (n) metrics_queue_depth_add(-n);
    return first;
}

/* Take up to max queued jobs without waiting; NULL when none is queued. */
static Job *queue_poll(Queue *q, int max) {
    pthread_mutex_lock(&q->mu);
    bool any = q->head != NULL;
    pthread_mutex_unlock(&q->mu);
    return any ? queue_take(q, max) : NULL; /* only the writer takes from its queue: still there */
}

/* ---------------------------------------------------------------- trusted proxies */

/* A trusted proxy's address in binary form (AF_INET: 4 bytes, AF_INET6: 16). */
typedef struct ProxyAddr {
    int family;
    unsigned char addr[16];
} ProxyAddr;

#define MAX_PROXIES 32
static ProxyAddr proxies[MAX_PROXIES];
static int nproxies;

/* Parse text as an IPv4 or IPv6 address into p (IPv4-mapped IPv6 becomes IPv4); false when it is none. */
static bool proxy_addr_parse(const char *text, ProxyAddr *p) {
    memset(p, 0, sizeof *p);
    if (inet_pton(AF_INET, text, p->addr) == 1) {
        p->family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, text, p->addr) != 1) return false;
    p->family = AF_INET6;
    if (IN6_IS_ADDR_V4MAPPED((struct in6_addr *)p->addr)) {
        memmove(p->addr, p->addr + 12, 4);
        memset(p->addr + 4, 0, 12);
        p->family = AF_INET;
    }
    return true;
}

/* Is the address one of the trusted proxies? */
static bool proxy_trusted(const ProxyAddr *a) {
    for (int i = 0; i < nproxies; i++)
        if (proxies[i].family == a->family && memcmp(proxies[i].addr, a->addr, 16) == 0) return true;
    return false;
}

/* Read the trusted proxies ("10.0.0.1, ::1"); -1 (logged) on an entry that is not an address. */
int server_trusted_proxies(const char *list) {
    nproxies = 0;
    for (const char *p = list ? list : ""; *p;) {
        size_t n = strcspn(p, ",");
        char item[INET6_ADDRSTRLEN + 1];
        const char *s = p, *end = p + n;
        while (s < end && (*s == ' ' || *s == '\t'))
            s++;
        while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        p += n + (p[n] == ',');
        if (end == s) continue;
        if ((size_t)(end - s) >= sizeof item || nproxies == MAX_PROXIES) {
            log_error("trusted proxies: too many or too long: %.*s", (int)(end - s), s);
            return -1;
        }
        memcpy(item, s, (size_t)(end - s));
        item[end - s] = 0;
        if (!proxy_addr_parse(item, &proxies[nproxies])) {
            log_error("trusted proxies: %s is not an IP address", item);
            return -1;
        }
        nproxies++;
    }
    return 0;
}

/*
** The last comma-separated item of a header value that does not name a trusted proxy, trimmed,
** copied into out; false when there is none or it does not fit. For X-Forwarded-For the
** rightmost address a trusted proxy did not add is the client; for X-Forwarded-Proto the last
** item is what our own proxy saw.
*/
static bool header_last_item(const char *v, char *out, size_t outlen, bool skip_proxies) {
    if (!v) return false;
    const char *end = v + strlen(v);
    while (end > v) {
        const char *start = end;
        while (start > v && start[-1] != ',')
            start--;
        const char *s = start, *e = end;
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if ((size_t)(e - s) >= outlen) return false;
        memcpy(out, s, (size_t)(e - s));
        out[e - s] = 0;
        ProxyAddr pa;
        if (!skip_proxies || !proxy_addr_parse(out, &pa) || !proxy_trusted(&pa)) return e > s;
        end = start > v ? start - 1 : v;
    }
    return false;
}

/* ---------------------------------------------------------------- building a Req */

/* A header value by token, several occurrences joined with sep; NULL when absent. */
static const char *header_get(Arena *a, h2o_req_t *req, const h2o_token_t *tok, const char *name, const char *sep) {
    Buf b;
    buf_init(&b, a);
    ssize_t i = -1;
    int found = 0;
    for (;;) {
        i = tok ? h2o_find_header(&req->headers, tok, i) : h2o_find_header_by_str(&req->headers, name, strlen(name), i);
        if (i < 0) break;
        if (found++) buf_puts(&b, sep);
        buf_add(&b, req->headers.entries[i].value.base, req->headers.entries[i].value.len);
    }
    return found ? b.p : NULL;
}

/*
** A request's id (X-Request-Id, the log's rid=): 16 hex digits to correlate logs, unique, without a
** getrandom system call per request (2 % of a get): a per-thread counter from a random start through
** a bijective mix (splitmix64's finaliser), so that ids do not show a count. Not a secret: the mix
** can be undone, and nothing may rely on an id being unguessable.
*/
static const char *request_id_next(Arena *a) {
    static _Thread_local uint64_t next;
    if (!next) randombytes_buf(&next, sizeof next);
    uint64_t z = next++;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    char *hex = arena_alloc(a, 17);
    sodium_bin2hex(hex, 17, (const unsigned char *)&z, sizeof z);
    return hex;
}

/* Copy what a handler needs out of the h2o request; -1 with e when the path is malformed. */
static int req_build(Req *r, h2o_req_t *req, Err *e) {
    Arena *a = r->a;
    r->now = now_epoch();
    r->request_id = request_id_next(a);
    r->method = arena_strndup(a, req->method.base, req->method.len);
    size_t plen = req->path.len, qat = req->query_at;
    const char *raw = req->path.base;
    size_t pathlen = qat != SIZE_MAX ? qat : plen;
    r->query = qat != SIZE_MAX ? arena_strndup(a, raw + qat + 1, plen - qat - 1) : "";
    r->cookie = header_get(a, req, H2O_TOKEN_COOKIE, NULL, "; ");
    r->authorization = header_get(a, req, H2O_TOKEN_AUTHORIZATION, NULL, ",");
    r->csrf_header = header_get(a, req, NULL, "x-csrf-token", ",");
    r->accept_language = header_get(a, req, H2O_TOKEN_ACCEPT_LANGUAGE, NULL, ",");
    r->content_type = header_get(a, req, H2O_TOKEN_CONTENT_TYPE, NULL, ",");
    r->locale = i18n_locale(r->accept_language);
    struct sockaddr_storage ss;
    socklen_t sl = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss);
    char addr[INET6_ADDRSTRLEN] = "";
    if (sl && ss.ss_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, addr, sizeof addr);
    else if (sl && ss.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, addr, sizeof addr);
    r->client_addr = arena_strdup(a, addr);
    ProxyAddr peer;
    if (nproxies && proxy_addr_parse(addr, &peer) && proxy_trusted(&peer)) {
        /* only a trusted proxy is believed about the client's address and scheme */
        char item[INET6_ADDRSTRLEN + 8];
        ProxyAddr client;
        const char *xff = header_get(a, req, H2O_TOKEN_X_FORWARDED_FOR, NULL, ",");
        if (header_last_item(xff, item, sizeof item, true) && proxy_addr_parse(item, &client)) {
            inet_ntop(client.family, client.addr, addr, sizeof addr);
            r->client_addr = arena_strdup(a, addr);
        }
        const char *proto = header_get(a, req, NULL, "x-forwarded-proto", ",");
        r->secure = header_last_item(proto, item, sizeof item, false) && strcasecmp(item, "https") == 0;
    }
    r->path = url_decode(a, raw, pathlen, false);
    if (!r->path || !utf8_valid(r->path, strlen(r->path)))
        return err_set(e, 400, EC_BAD_QUERY, "path", "malformed path");
    if (req->entity.base) {
        size_t limit = cfg.max_body;
        if (req->entity.len > limit) { /* file uploads (R_BIG_BODY) have their own, larger limit */
            const char *params[4];
            int np, status;
            const Route *rt = routes_match(r->method, r->path, params, &np, &status);
            if (rt && (rt->flags & R_BIG_BODY)) limit = cfg.max_big_body;
        }
        if (req->entity.len > limit) return err_set(e, 413, EC_TOO_LARGE, NULL, "%zu", limit);
        /* memcpy, not arena_strndup: a body may hold NUL bytes (an XLSX upload, or a
           hostile JSON body), and body_len must match what was copied */
        char *body = arena_alloc(a, req->entity.len + 1);
        memcpy(body, req->entity.base, req->entity.len);
        r->body = body;
        r->body_len = req->entity.len;
    }
    return 0;
}

/* ---------------------------------------------------------------- sending */

static const char *reason_of(int status) {
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Content";
    case 423:
        return "Locked";
    case 429:
        return "Too Many Requests";
    case 503:
        return "Service Unavailable";
    default:
        return status >= 500 ? "Internal Server Error" : "OK";
    }
}

/* Headers every answer carries. */
static void add_common_headers(h2o_req_t *req, const char *request_id) {
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-request-id"), 0, NULL, request_id,
                          strlen(request_id));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-content-type-options"), 0, NULL,
                          H2O_STRLIT("nosniff"));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-frame-options"), 0, NULL, H2O_STRLIT("DENY"));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("referrer-policy"), 0, NULL,
                          H2O_STRLIT("same-origin"));
}

/* Send the reply held in r on req (loop thread). */
static void send_reply(h2o_req_t *req, Req *r, int64_t t0) {
    int status = r->status ? r->status : 500;
    req->res.status = status;
    req->res.reason = reason_of(status);
    add_common_headers(req, r->request_id);
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL, H2O_STRLIT("no-store"));
    if (r->content_type_out) {
        h2o_iovec_t ct = h2o_strdup(&req->pool, r->content_type_out, SIZE_MAX);
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, ct.base, ct.len);
    }
    for (int i = 0; i < r->nhdrs; i++) {
        h2o_iovec_t n = h2o_strdup(&req->pool, r->hdrs[i].name, SIZE_MAX);
        h2o_iovec_t v = h2o_strdup(&req->pool, r->hdrs[i].value, SIZE_MAX);
        h2o_strtolower(n.base, n.len);
        h2o_add_header_by_str(&req->pool, &req->res.headers, n.base, n.len, 1, NULL, v.base, v.len);
    }
    int64_t us = mono_us() - t0;
    metrics_observe(route_index(r->route), status, us);
    if (access_log)
        log_msg(LOG_INFO, "access %s %s %d %lldus rid=%s addr=%s", r->method, r->path ? r->path : "-", status,
                (long long)us, r->request_id, r->client_addr ? r->client_addr : "-");
    req->res.content_length = r->out_len;
    h2o_send_inline(req, r->out ? r->out : "", r->out_len);
}

/* ---------------------------------------------------------------- jobs */

static void marker_dispose(void *p) {
    Marker *m = p;
    if (m->job) { /* client gone: the job will just be freed */
        m->job->req = NULL;
        atomic_store(&m->job->gone, true);
    }
}

static Job *job_new(int64_t t0, Loop *lp) {
    Job *j = xcalloc(1, sizeof *j);
    j->fd = -1;
    j->t0 = t0;
    j->loop = lp;
    j->r.a = arena_new();
    metrics_in_progress_add(1);
    return j;
}

static void job_free(Job *j) {
    arena_free(j->r.a);
    free(j);
    metrics_in_progress_add(-1);
}

/* Loop thread: jobs finished by workers or the writer. */
static void on_jobs_done(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages) {
    /* a write is answered only once the loop's snapshot, perhaps older than its commit, is ended:
       what its client reads next sees it */
    Loop *lp = H2O_STRUCT_FROM_MEMBER(Loop, done, receiver);
    if (lp->db) db_read_end(lp->db);
    while (!h2o_linklist_is_empty(messages)) {
        Job *j = H2O_STRUCT_FROM_MEMBER(Job, super.link, messages->next);
        h2o_linklist_unlink(&j->super.link);
        if (j->req) {
            j->marker->job = NULL;
            send_reply(j->req, &j->r, j->t0);
        }
        job_free(j);
    }
}

/* Worker/writer side: hand a finished job back to its loop. */
static void job_finish(Job *j) { h2o_multithread_send_message(&j->loop->done, &j->super); }

/* Did the job wait in the queue longer than the request timeout? Answer 503 then. */
static bool job_expired(Job *j) {
    if (cfg.request_timeout <= 0 || mono_us() - j->t0 < (int64_t)cfg.request_timeout * 1000000) return false;
    Err e = {0};
    err_set(&e, 503, EC_TIMEOUT, NULL, NULL);
    reply_error(&j->r, &e);
    return true;
}

/*
** A worker's connection after a server error: if it no longer answers (a
** PostgreSQL restart, a network cut), replace it, so one failure does not
** turn every later request on this worker into a 503.
*/
static Db *db_recover(Db *db) {
    if (db) {
        Stmt *st = db_prepare(db, "SELECT 1");
        bool ok = st && db_step(st) == DB_ROW;
        db_done(st);
        if (ok) return db;
        db_close(db);
    }
    char err[256];
    db = db_open(cfg.db_url, err, sizeof err);
    if (!db) log_error("worker: cannot open database: %s", err);
    return db;
}

/*
** Has the client of a queued job left? h2o stops reading a connection while its request is answered,
** so it learns of a closed connection only when it writes the answer: the socket is asked directly
** (an end of stream or a reset, without taking any byte). The socket stays open while the request
** is in flight; if h2o dropped the request, gone says so first.
*/
static bool client_left(Job *j) {
    if (atomic_load(&j->gone)) return true;
    if (j->fd < 0) return false;
    char c;
    ssize_t n = recv(j->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && (errno == ECONNRESET || errno == ENOTCONN));
}

/* Run a job's request on db, or answer 503 when there is no usable connection (none opened, or the
   writer's transaction could not begin). */
static void run_on(Job *j, Db *db) {
    j->r.db = db;
    if (db) {
        request_run(&j->r);
        return;
    }
    Err e = {0};
    err_set(&e, 503, EC_UNAVAILABLE, NULL, NULL);
    reply_error(&j->r, &e);
}

static void *worker_main(void *arg) {
    Db *db = db_recover(NULL);
    while (!atomic_load(&stopping)) {
        Job *j = queue_take(&workq, 1);
        if (!j) break;
        if (!db) db = db_recover(db);
        /* a request whose client left while it waited is not run: a report opened again and again,
           its earlier tries abandoned, would hold every worker */
        if (client_left(j)) {
            metrics_abandoned();
            Err e = {0};
            err_set(&e, 503, EC_UNAVAILABLE, NULL, NULL);
            reply_error(&j->r, &e);
        } else if (!job_expired(j)) {
            run_on(j, db);
        }
        bool failed = j->r.status >= 500;
        job_finish(j); /* j belongs to the loop from here on */
        if (failed) db = db_recover(db);
    }
    db_close(db);
    return NULL;
}

/*
** The SQLite writer: take every queued write, run them in one transaction,
** each in its own savepoint (request_run's nested db_begin), commit once,
** then answer. Writes that arrive while a batch runs join it before the
** commit (up to WRITER_BATCH writes or WRITER_BATCH_US): the commit — the
** WAL frames of every page the batch touched, many of them shared by its
** writes, and one fsync — is most of a write's cost, so a fuller batch makes
** each write cheaper (bench/FINDINGS.md 72). If the commit fails every
** request of the batch gets a 500.
*/
enum { WRITER_BATCH = 64, WRITER_BATCH_US = 5000 };

/* Run a chain of queued writes in the open transaction (or answer 503 when none could be opened);
   returns the chain's last job and adds the chain's length to *n. */
static Job *writer_run(Job *chain, Db *db, bool open, int *n) {
    Job *last = chain;
    for (Job *j = chain; j; j = j->next) {
        last = j;
        (*n)++;
        if (!job_expired(j)) run_on(j, open ? db : NULL);
    }
    return last;
}

static void *writer_main(void *arg) {
    char err[256];
    Db *db = db_open(cfg.db_url, err, sizeof err);
    if (!db) log_error("writer: cannot open database: %s", err);
    if (db && db_cache_large(db, DB_CACHE_WRITER_KIB) != DB_OK) log_error("writer: page cache: %s", db_errmsg(db));
    while (!atomic_load(&stopping)) {
        Job *batch = queue_take(&writeq, WRITER_BATCH);
        if (!batch) break;
        int64_t t0 = mono_us();
        bool open = db && db_begin(db) == DB_OK;
        int n = 0;
        Job *last = writer_run(batch, db, open, &n);
        while (open && n < WRITER_BATCH && mono_us() - t0 < WRITER_BATCH_US) {
            Job *more = queue_poll(&writeq, WRITER_BATCH - n);
            if (!more) break;
            last->next = more;
            last = writer_run(more, db, open, &n);
        }
        if (open && db_commit(db) != DB_OK) {
            log_error("group commit failed: %s", db_errmsg(db));
            db_rollback(db);
            for (Job *j = batch; j; j = j->next) {
                if (j->r.status < 400) {
                    Err e = {0};
                    err_set(&e, 500, EC_INTERNAL, NULL, NULL);
                    reply_error(&j->r, &e);
                }
            }
        }
        for (Job *j = batch, *next; j; j = next) {
            next = j->next;
            job_finish(j);
        }
    }
    db_close(db);
    return NULL;
}

/* ---------------------------------------------------------------- background work */

void server_set_background(const BackgroundWork *w) { background = *w; }

int server_background_wake(void) {
    if (!atomic_load(&server_running) || !nbg) return -1;
    pthread_mutex_lock(&bg_mu);
    bg_pending++;
    pthread_cond_signal(&bg_cv);
    pthread_mutex_unlock(&bg_mu);
    return 0;
}

/*
** A background thread: run units of work while there are any, else sleep
** until woken or 3 s pass (jobs queued by another app server, retries due).
** A failed connection is reopened on the next round.
*/
static void *background_main(void *arg) {
    Db *db = NULL, *side = NULL;
    while (!atomic_load(&stopping)) {
        if (!db) db = db_recover(NULL);
        if (db && is_pg && !side) side = db_recover(NULL);
        int ran = db ? background.run_one(db, side) : 0;
        if (ran < 0) { /* the unit hit a database error: start from fresh connections */
            db_close(db);
            db_close(side);
            db = side = NULL;
        }
        if (ran > 0) continue;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 3;
        pthread_mutex_lock(&bg_mu);
        while (!bg_pending && !atomic_load(&stopping))
            if (pthread_cond_timedwait(&bg_cv, &bg_mu, &until) != 0) break;
        if (bg_pending) bg_pending--;
        pthread_mutex_unlock(&bg_mu);
    }
    db_close(db);
    db_close(side);
    return NULL;
}

/* Recover what a previous run left (jobs it was running), then start the background threads. */
static void background_start(void) {
    if (!background.run_one) return;
    char instance[320], host[256] = "";
    gethostname(host, sizeof host - 1);
    snprintf(instance, sizeof instance, "%s:%d", host, cfg.port);
    char err[256];
    Db *db = db_open(cfg.db_url, err, sizeof err);
    if (!db) {
        log_error("background: cannot open database: %s", err);
        return;
    }
    background.start(db, instance);
    db_close(db);
    nbg = is_pg ? (background.threads > 0 ? background.threads : 1) : 1;
    bg_threads = xcalloc((size_t)nbg, sizeof *bg_threads);
    for (int i = 0; i < nbg; i++)
        pthread_create(&bg_threads[i], NULL, background_main, NULL);
}

static void background_stop(void) {
    if (nbg && background.stop) background.stop();
    pthread_mutex_lock(&bg_mu);
    pthread_cond_broadcast(&bg_cv);
    pthread_mutex_unlock(&bg_mu);
    for (int i = 0; i < nbg; i++)
        pthread_join(bg_threads[i], NULL);
    free(bg_threads);
    bg_threads = NULL;
    nbg = 0;
}

/* ---------------------------------------------------------------- the handler */

static Loop *loop_of(h2o_context_t *ctx) {
    for (int i = 0; i < nloops; i++)
        if (&loops[i].ctx == ctx) return &loops[i];
    return NULL;
}

/* Is this path answered by the API (as opposed to the web UI's files)? */
static bool is_api_path(const char *p, size_t n) {
    return (n >= 5 && memcmp(p, "/api/", 5) == 0) || (n == 4 && memcmp(p, "/api", 4) == 0) ||
           (n >= 8 && memcmp(p, "/healthz", 8) == 0) || (n >= 8 && memcmp(p, "/metrics", 8) == 0);
}

static int on_req(h2o_handler_t *self, h2o_req_t *req) {
    int64_t t0 = mono_us();
    size_t pathlen = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    if (!is_api_path(req->path.base, pathlen)) {
        add_common_headers(req, "-");
        return static_serve(req, cfg.web_dir, &h2o_config);
    }
    Job *j = job_new(t0, loop_of(req->conn->ctx));
    Loop *lp = j->loop;
    Err e = {0};
    if (req_build(&j->r, req, &e) < 0) {
        reply_error(&j->r, &e);
        send_reply(req, &j->r, t0);
        job_free(j);
        return 0;
    }
    /* Where the request runs: its route's flags decide (request_run answers 404 / 405 without one). */
    int status;
    const Route *rt = request_route(&j->r, &status);
    unsigned flags = rt ? rt->flags : 0;
    Queue *q = NULL;
    if (is_pg || (flags & R_SLOW))
        q = &workq;
    else if (flags & R_WRITE)
        q = &writeq;
    if (!q) { /* SQLite read: answer inline on the loop, in the turn's snapshot (loop_main) */
        j->r.db = lp->db;
        j->r.turn_snapshot = true;
        request_run(&j->r);
        send_reply(req, &j->r, t0);
        job_free(j);
        return 0;
    }
    j->req = req;
    if (q == &workq && req->conn->callbacks->get_socket) {
        h2o_socket_t *sock = req->conn->callbacks->get_socket(req->conn);
        if (sock) j->fd = h2o_socket_get_fd(sock);
    }
    j->marker = h2o_mem_alloc_shared(&req->pool, sizeof(Marker), marker_dispose);
    j->marker->job = j;
    queue_push(q, j);
    return 0;
}

/* ---------------------------------------------------------------- loops */

/*
** The server's one listening socket, or -1 with errno. It is bound without
** SO_REUSEPORT, so while it is open no other process can bind the address:
** a second `salesloop serve` on the port fails with EADDRINUSE instead of
** silently getting half of the connections. (SO_REUSEADDR only lets a restart
** bind while old connections are in TIME_WAIT; Linux still refuses a port
** with a live listener.) Every loop accepts on its own dup of it.
*/
static int listen_socket(void) {
    /* non-blocking: when several loops wake for one connection, the losers' accept must not wait */
    int fd = socket(strchr(cfg.bind, ':') ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return -1;
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    int rc;
    if (strchr(cfg.bind, ':')) {
        struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)cfg.port)};
        if (inet_pton(AF_INET6, cfg.bind, &sa.sin6_addr) != 1) goto fail;
        rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
    } else {
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)cfg.port)};
        if (inet_pton(AF_INET, cfg.bind, &sa.sin_addr) != 1) goto fail;
        rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
    }
    if (rc != 0 || listen(fd, 1024) != 0) goto fail;
    return fd;
fail:;
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

/*
** Connections are spread over the loops. Every loop accepts on the one listening socket and the first
** awake takes the connection: a client that opens its connections at once (a browser's six, wrk's
** eight) often found them all on one loop while the other idled — the bench's read figures halved
** from one run to the next (bench/FINDINGS.md 73). A loop that accepts a connection while another
** loop serves fewer hands it over (h2o_socket_export / import, through the receiver's queue).
*/
typedef struct Handoff {
    h2o_multithread_message_t super;
    h2o_socket_export_t info;
} Handoff;

/* The connections a loop serves (its own thread only: h2o's lists of them). */
static int count_conns(Loop *lp) {
    int n = 0;
    for (h2o_linklist_t *l = lp->ctx.http1._conns.next; l != &lp->ctx.http1._conns; l = l->next)
        n++;
    for (h2o_linklist_t *l = lp->ctx.http2._conns.next; l != &lp->ctx.http2._conns; l = l->next)
        n++;
    return n;
}

/* The loop that should serve a new connection: this one unless another serves fewer. Each loop
   publishes its own count when it accepts or takes one over; a count read from another loop may be
   high by the connections it closed since (so a handoff is never made on a count too low). */
static Loop *balance_to(Loop *lp) {
    int least = count_conns(lp);
    atomic_store(&lp->conns, least);
    Loop *to = lp;
    for (int i = 0; i < nloops; i++) {
        int c = atomic_load(&loops[i].conns);
        if (&loops[i] != lp && c < least) {
            least = c;
            to = &loops[i];
        }
    }
    return to;
}

static void on_handoff(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages) {
    Loop *lp = H2O_STRUCT_FROM_MEMBER(Loop, handoff, receiver);
    while (!h2o_linklist_is_empty(messages)) {
        Handoff *h = H2O_STRUCT_FROM_MEMBER(Handoff, super.link, messages->next);
        h2o_linklist_unlink(&h->super.link);
        if (atomic_load(&stopping)) {
            h2o_socket_dispose_export(&h->info); /* closes it */
        } else {
            h2o_socket_t *sock = h2o_socket_import(lp->ctx.loop, &h->info);
            h2o_accept(&lp->accept_ctx, sock);
            atomic_store(&lp->conns, count_conns(lp));
        }
        free(h);
    }
}

/* A connection is waiting on the shared socket: take it, unless another loop already did, and serve
   it here or hand it to a loop that serves fewer. */
static void on_accept(h2o_socket_t *listener, const char *err) {
    if (err) return;
    Loop *lp = listener->data;
    h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
    if (!sock) return;
    Loop *to = nloops > 1 ? balance_to(lp) : lp;
    if (to != lp) {
        Handoff *h = malloc(sizeof *h);
        if (h && h2o_socket_export(sock, &h->info) == 0) {
            atomic_fetch_add(&to->conns, 1);
            memset(&h->super, 0, sizeof h->super);
            h2o_multithread_send_message(&to->handoff, &h->super);
            return;
        }
        free(h); /* export cannot fail on this event loop; malloc can: serve it here */
    }
    h2o_accept(&lp->accept_ctx, sock);
    atomic_fetch_add(&lp->conns, 1);
}

/* All loops have set up their h2o context: the server is ready. */
static pthread_barrier_t loops_ready;
/* All loops have stopped accepting and serving: the server may stop the rest. */
static pthread_barrier_t loops_done;

/*
** One event loop. Its h2o context is created here, on the loop's own thread:
** h2o keeps per-thread allocators (socket buffers, memory pools), and a
** context created on another thread would make its sockets share that
** thread's allocator with every other loop — a data race that corrupted the
** heap under load (found with ThreadSanitizer, see bench/FINDINGS.md).
*/
static void *loop_main(void *arg) {
    Loop *lp = arg;
    h2o_context_init(&lp->ctx, h2o_evloop_create(), &h2o_config);
    lp->accept_ctx.ctx = &lp->ctx;
    lp->accept_ctx.hosts = h2o_config.hosts;
    h2o_multithread_register_receiver(lp->ctx.queue, &lp->done, on_jobs_done);
    h2o_multithread_register_receiver(lp->ctx.queue, &lp->handoff, on_handoff);
    pthread_barrier_wait(&loops_ready);
    h2o_socket_t *sock = h2o_evloop_socket_create(lp->ctx.loop, lp->fd, H2O_SOCKET_FLAG_DONT_READ);
    sock->data = lp;
    h2o_socket_read_start(sock, on_accept);
    /* The quick reads answered in one turn (one poll and what it found ready) share one read snapshot:
       taking and dropping SQLite's WAL read lock, a mutex its connections share and two fcntl calls,
       was 7 % of a signed-in get (bench/FINDINGS.md 87). Each read of the turn was sent before the poll
       returned, so after every write acknowledged before it; the snapshot ends with the turn, and
       before the loop acknowledges a write (on_jobs_done). */
    while (!atomic_load(&stopping)) {
        h2o_evloop_run(lp->ctx.loop, 200);
        if (lp->db) db_read_end(lp->db);
    }
    h2o_socket_read_stop(sock);
    h2o_socket_close(sock);
    pthread_barrier_wait(&loops_done);
    h2o_evloop_run(lp->ctx.loop, 0); /* close what another loop handed over as it stopped */
    /* The thread stays, idle, until the process exits. h2o 2.2 keeps freed memory-pool chunks and
       socket buffers in per-thread lists that only the thread's own storage points to, with no call
       to empty them: a thread that ended would leave them unreachable, and LeakSanitizer would
       symbolise and suppress them at every exit of the test build (a second of each server stop). */
    for (;;)
        pause();
    return NULL; /* not reached */
}

static void on_signal(int sig) { atomic_store(&stopping, 1); }

int server_run(const ServerConfig *c) {
    cfg = *c;
    is_pg = strncmp(cfg.db_url, "postgres", 8) == 0;
    if (server_trusted_proxies(cfg.trusted_proxies) < 0) return 2;
    atomic_store(&server_running, true);
    const char *al = getenv("SALESLOOP_ACCESS_LOG");
    if (al && strcmp(al, "0") == 0) access_log = false;
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    /* The threads started here inherit a mask that blocks SIGINT and SIGTERM: the main thread takes
       them, waiting in sigsuspend below. (Waiting in a barrier instead, it was sent SIGTERM under
       ThreadSanitizer, whose runtime queues a signal until the thread enters a call it knows blocks:
       the handler never ran and the server never stopped.) */
    sigset_t stop_sigs, wait_mask;
    sigemptyset(&stop_sigs);
    sigaddset(&stop_sigs, SIGINT);
    sigaddset(&stop_sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_sigs, &wait_mask);
    sigdelset(&wait_mask, SIGINT);
    sigdelset(&wait_mask, SIGTERM);

    h2o_config_init(&h2o_config);
    if (!cfg.max_big_body) cfg.max_big_body = 50u << 20;
    if (cfg.max_big_body < cfg.max_body) cfg.max_big_body = cfg.max_body;
    /* h2o's limit is global: the larger one; req_build applies each route's own */
    h2o_config.max_request_entity_size = cfg.max_big_body + 64 * 1024;
    h2o_config.server_name = h2o_iovec_init(H2O_STRLIT("salesloop"));
    h2o_hostconf_t *host = h2o_config_register_host(&h2o_config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *path = h2o_config_register_path(host, "/", 0);
    h2o_handler_t *handler = h2o_create_handler(path, sizeof *handler);
    handler->on_req = on_req;
    h2o_compress_args_t ca = {.min_size = 1024, .gzip = {.quality = 1}, .brotli = {.quality = -1}};
    h2o_compress_register(path, &ca);

    nloops = cfg.threads > 0 ? cfg.threads : 2;
    loops = xcalloc((size_t)nloops, sizeof *loops);
    int lfd = listen_socket();
    if (lfd < 0) {
        int err = errno;
        const char *why = err == EADDRINUSE ? "the address is already in use (another salesloop or another server is "
                                              "listening on this port; stop it or choose another --port)"
                                            : strerror(err);
        const char *fmt = strchr(cfg.bind, ':') ? "[%s]:%d" : "%s:%d";
        char addr[128];
        snprintf(addr, sizeof addr, fmt, cfg.bind, cfg.port);
        fprintf(stderr, "salesloop: cannot listen on %s: %s\n", addr, why);
        log_error("cannot listen on %s: %s", addr, strerror(err));
        return 1;
    }
    for (int i = 0; i < nloops; i++) {
        Loop *lp = &loops[i];
        /* the loops share the one socket (h2o accepts on it from each loop's own
           event loop); each holds its own descriptor so that each may close it */
        lp->fd = i == 0 ? lfd : fcntl(lfd, F_DUPFD_CLOEXEC, 0);
        if (lp->fd < 0) {
            log_error("cannot share the listening socket: %s", strerror(errno));
            return 1;
        }
        if (!is_pg) {
            char err[256];
            lp->db = db_open(cfg.db_url, err, sizeof err);
            if (!lp->db) {
                log_error("cannot open database: %s", err);
                return 1;
            }
            /* a loop only reads (writes go to the writer's group commit): a read route that wrote
               would fail here at once, not take the write lock from a read snapshot */
            if (db_exec(lp->db, "PRAGMA query_only=1") != DB_OK ||
                db_cache_large(lp->db, DB_CACHE_READER_KIB) != DB_OK) {
                log_error("cannot make the loop's connection read-only: %s", db_errmsg(lp->db));
                return 1;
            }
        }
    }
    queue_init(&workq);
    queue_init(&writeq);
    int nworkers = cfg.workers > 0 ? cfg.workers : 4;
    workers = xcalloc((size_t)nworkers, sizeof *workers);
    for (int i = 0; i < nworkers; i++)
        pthread_create(&workers[i], NULL, worker_main, NULL);
    if (!is_pg) pthread_create(&writer_tid, NULL, writer_main, NULL);
    background_start();
    metrics_set_gauges(nloops * !is_pg + nworkers + !is_pg + nbg * (1 + is_pg));
    pthread_barrier_init(&loops_ready, NULL, (unsigned)nloops + 1);
    pthread_barrier_init(&loops_done, NULL, (unsigned)nloops + 1);
    for (int i = 0; i < nloops; i++)
        pthread_create(&loops[i].tid, NULL, loop_main, &loops[i]);
    pthread_barrier_wait(&loops_ready); /* every loop can receive finished jobs from here on */
    log_info("salesloop serving on http://%s:%d (%s, %d loops, %d workers)", cfg.bind, cfg.port,
             is_pg ? "postgres" : "sqlite", nloops, nworkers);

    while (!atomic_load(&stopping))
        sigsuspend(&wait_mask);
    pthread_barrier_wait(&loops_done); /* the loops stay parked (loop_main) */
    pthread_mutex_lock(&workq.mu);
    pthread_cond_broadcast(&workq.cv);
    pthread_mutex_unlock(&workq.mu);
    pthread_mutex_lock(&writeq.mu);
    pthread_cond_broadcast(&writeq.cv);
    pthread_mutex_unlock(&writeq.mu);
    for (int i = 0; i < nworkers; i++)
        pthread_join(workers[i], NULL);
    if (!is_pg) pthread_join(writer_tid, NULL);
    background_stop();
    for (int i = 0; i < nloops; i++)
        db_close(loops[i].db);
    log_info("salesloop stopped");
    return 0;
}

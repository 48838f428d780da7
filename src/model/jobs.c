/*
** jobs.c — the background-job queue (jobs.h): declared kinds, the `jobs` table, the runner
** the server's background threads call, and the generic API (/api/v1/jobs).
**
** Progress and the one-writer rule: an import writes all its rows in ONE transaction, which
** on SQLite holds the database's only write lock until it ends, so progress cannot reach the
** row meanwhile. Progress and the cancel flag are therefore kept in memory by the process
** running the job (SQLite means one process) and answered from there; on PostgreSQL the
** runner also writes progress to the row at most once a second through a second
** (autocommit) connection, and reads the cancel flag back, so any app server answers a poll.
*/
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "../core/errcodes.h"
#include "attach.h"
#include "jobs.h"
#include "model.h"
#include "settings.h"

#define MAX_KINDS 32
#define MAX_SLOTS 8 /* jobs running at once in this process (background threads) */

static const JobKind *kinds[MAX_KINDS];
static int nkinds;
static char *zDataDir;      /* --data */
static char zInstance[320]; /* this server, "host:port"; "" outside a server */

void job_kind_declare(const JobKind *k) {
    assert(nkinds < MAX_KINDS && !job_kind_find(k->name));
    kinds[nkinds++] = k;
}

const JobKind *job_kind_find(const char *name) {
    for (int i = 0; name && i < nkinds; i++)
        if (!strcmp(kinds[i]->name, name)) return kinds[i];
    return NULL;
}

void jobs_init(const char *data_dir) {
    free(zDataDir);
    zDataDir = xstrdup(data_dir && *data_dir ? data_dir : "./data");
}

static const char *data_dir(void) {
    if (!zDataDir) jobs_init(NULL);
    return zDataDir;
}

/* ---------------------------------------------------------------- running jobs of this process */

/* A job running here: what other threads may ask about it. */
typedef struct JobSlot {
    int64_t id;             /* 0: free (under slots_mu) */
    atomic_llong processed; /* units done */
    atomic_llong total;     /* units expected */
    atomic_int cancel;      /* the owner asked to stop */
} JobSlot;

static pthread_mutex_t slots_mu = PTHREAD_MUTEX_INITIALIZER;
static JobSlot slots[MAX_SLOTS];
static atomic_int stopping; /* the server is stopping: running jobs end as interrupted */

static JobSlot *slot_take(int64_t id) {
    JobSlot *s = NULL;
    pthread_mutex_lock(&slots_mu);
    for (int i = 0; i < MAX_SLOTS && !s; i++)
        if (!slots[i].id) {
            s = &slots[i];
            s->id = id;
            atomic_store(&s->processed, 0);
            atomic_store(&s->total, 0);
            atomic_store(&s->cancel, 0);
        }
    pthread_mutex_unlock(&slots_mu);
    return s;
}

static void slot_free(JobSlot *s) {
    if (!s) return;
    pthread_mutex_lock(&slots_mu);
    s->id = 0;
    pthread_mutex_unlock(&slots_mu);
}

/* Live progress of a job running here: 1 found, 0 not here. cancel: also ask it to stop. */
static int slot_peek(int64_t id, int64_t *processed, int64_t *total, bool cancel) {
    int found = 0;
    pthread_mutex_lock(&slots_mu);
    for (int i = 0; i < MAX_SLOTS && !found; i++)
        if (slots[i].id == id) {
            if (cancel) atomic_store(&slots[i].cancel, 1);
            *processed = atomic_load(&slots[i].processed);
            *total = atomic_load(&slots[i].total);
            found = 1;
        }
    pthread_mutex_unlock(&slots_mu);
    return found;
}

/* ---------------------------------------------------------------- for the kinds */

int job_progress(JobRun *jr, int64_t processed, int64_t total) {
    if (!jr->slot) return 0;
    atomic_store(&jr->slot->processed, processed);
    if (total) atomic_store(&jr->slot->total, total);
    int64_t now = now_epoch();
    if (jr->side && now > jr->progress_at) { /* PostgreSQL: the row, for the other app servers */
        static const char zSql[] = "UPDATE jobs SET processed = ?1, total = ?2, updated_at = ?3 WHERE id = ?4\n"
                                   " RETURNING cancel_requested";
        jr->progress_at = now;
        Stmt *st = db_prepare(jr->side, zSql);
        if (st) {
            db_bind_int64(st, 1, processed);
            db_bind_int64(st, 2, atomic_load(&jr->slot->total));
            db_bind_int64(st, 3, now);
            db_bind_int64(st, 4, jr->id);
            if (db_step(st) == DB_ROW && db_col_int64(st, 0)) atomic_store(&jr->slot->cancel, 1);
            db_done(st);
        }
    }
    return atomic_load(&jr->slot->cancel) || atomic_load(&stopping) ? -1 : 0;
}

/* mkdir -p of the folder holding path. */
static int mkdirs_for(char *path) {
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        int rc = mkdir(path, 0750);
        *p = '/';
        if (rc != 0 && errno != EEXIST) return -1;
    }
    return 0;
}

/* "jobs/<prefix>-<16 hex>.<ext>": a name nobody guesses, under the data folder. */
static const char *job_rel_name(Arena *a, const char *prefix, const char *ext) {
    unsigned char rnd[8];
    randombytes_buf(rnd, sizeof rnd);
    return arena_printf(a, "jobs/%s-%02x%02x%02x%02x%02x%02x%02x%02x.%s", prefix, rnd[0], rnd[1], rnd[2], rnd[3],
                        rnd[4], rnd[5], rnd[6], rnd[7], ext);
}

const char *job_file(JobRun *jr, const char *ext, const char *name, const char *type) {
    jr->file_rel = job_rel_name(jr->a, arena_printf(jr->a, "%lld", (long long)jr->id), ext);
    jr->file_name = arena_strdup(jr->a, name);
    jr->file_type = type;
    char *abs = arena_printf(jr->a, "%s/%s", data_dir(), jr->file_rel);
    mkdirs_for(abs);
    return abs;
}

const char *job_upload_store(Arena *a, const void *data, size_t n) {
    const char *rel = job_rel_name(a, "upload", "in");
    char *abs = arena_printf(a, "%s/%s", data_dir(), rel);
    if (mkdirs_for(abs) < 0) return NULL;
    FILE *f = fopen(abs, "wb");
    if (!f) return NULL;
    bool ok = fwrite(data, 1, n, f) == n;
    if (fclose(f) != 0) ok = false;
    if (!ok) unlink(abs);
    return ok ? rel : NULL;
}

char *job_upload_read(Arena *a, const char *rel, size_t *n) {
    FILE *f = fopen(arena_printf(a, "%s/%s", data_dir(), rel), "rb");
    struct stat sb;
    if (!f || fstat(fileno(f), &sb) != 0) {
        if (f) fclose(f);
        return NULL;
    }
    char *data = arena_alloc(a, (size_t)sb.st_size + 1);
    *n = fread(data, 1, (size_t)sb.st_size, f);
    fclose(f);
    return data;
}

void job_upload_remove(const char *rel) {
    if (!rel) return;
    Arena *a = arena_new();
    unlink(arena_printf(a, "%s/%s", data_dir(), rel));
    arena_free(a);
}

void job_req(JobRun *jr, Req *r) {
    memset(r, 0, sizeof *r);
    r->a = arena_new();
    r->db = jr->db;
    r->now = now_epoch();
    r->user = jr->user;
    r->locale = jr->locale;
    r->request_id = arena_printf(r->a, "job-%lld", (long long)jr->id);
    r->client_addr = "";
    r->method = "GET";
    r->path = "";
    r->query = "";
}

/* ---------------------------------------------------------------- queueing and recording */

bool jobs_background(void) { return zInstance[0] != 0; }

static int64_t job_insert(Req *r, const char *kind, const char *entity, int64_t record_id, const char *title,
                          json_t *params, const char *state, int64_t total, Err *e) {
    static const char zSql[] =
        "INSERT INTO jobs(kind, user_id, entity, record_id, title, state, params, total, run_at, runner,\n"
        "                 created_at, started_at, updated_at)\n"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?9, ?11, ?9) RETURNING id";
    char *text = json_dumps(params, JSON_COMPACT);
    Stmt *st = db_prepare(r->db, zSql);
    int64_t id = -1;
    if (st) {
        bool running = !strcmp(state, "running");
        db_bind_text(st, 1, kind, -1);
        db_bind_int64(st, 2, r->user->id);
        entity ? db_bind_text(st, 3, entity, -1) : db_bind_null(st, 3);
        record_id ? db_bind_int64(st, 4, record_id) : db_bind_null(st, 4);
        title ? db_bind_text(st, 5, title, -1) : db_bind_null(st, 5);
        db_bind_text(st, 6, state, -1);
        db_bind_text(st, 7, text, -1);
        db_bind_int64(st, 8, total);
        db_bind_int64(st, 9, r->now);
        running ? db_bind_text(st, 10, zInstance, -1) : db_bind_null(st, 10);
        running ? db_bind_int64(st, 11, r->now) : db_bind_null(st, 11);
        if (db_step(st) == DB_ROW) id = db_col_int64(st, 0);
        db_done(st);
    }
    free(text);
    json_decref(params);
    if (id < 0) err_set(e, 500, EC_INTERNAL, NULL, NULL);
    return id;
}

int64_t job_enqueue(Req *r, const char *kind, const char *entity, int64_t record_id, const char *title, json_t *params,
                    Err *e) {
    const JobKind *k = job_kind_find(kind);
    if (!k) {
        json_decref(params);
        err_set(e, 400, EC_JOB_KIND, NULL, "%s", kind);
        return -1;
    }
    if (k->roles && !user_has_role(r->user, k->roles)) {
        json_decref(params);
        err_set(e, 403, EC_FORBIDDEN, NULL, NULL);
        return -1;
    }
    int64_t id = job_insert(r, kind, entity, record_id, title, params, "queued", 0, e);
    if (id > 0) server_background_wake(); /* a request in a transaction: the thread finds it once committed */
    return id;
}

int job_reply_queued(Req *r, int64_t id, Err *e) {
    json_t *o = id > 0 ? job_read(r, id, e) : NULL;
    if (!o) return -1;
    json_object_del(o, "params");
    return reply_json(r, 202, o);
}

int64_t job_record_start(Req *r, const char *kind, const char *entity, const char *title, json_t *params, int64_t total,
                         Err *e) {
    return job_insert(r, kind, entity, 0, title, params, "running", total, e);
}

/* Store a finished (or re-queued) run. SQLite: retried while an import elsewhere holds the lock. */
static void job_store_end(Db *db, int64_t id, const char *state, int64_t processed, int64_t total, json_t *result,
                          const char *error, const JobRun *jr, int64_t run_at) {
    static const char zSql[] =
        "UPDATE jobs SET state = ?1, processed = ?2, total = CASE WHEN ?3 > 0 THEN ?3 ELSE total END, result = ?4,\n"
        " error = ?5, file_path = ?6, file_name = ?7, file_type = ?8, file_expires_at = ?9, updated_at = ?10,\n"
        " finished_at = ?11, run_at = ?12 WHERE id = ?13";
    char *text = result ? json_dumps(result, JSON_COMPACT) : NULL;
    int64_t now = now_epoch();
    bool has_file = jr && jr->file_rel && !strcmp(state, "done");
    int64_t expires = has_file ? now + setting_int(db, "jobs.file_retention_days") * 86400 : 0;
    bool queued = !strcmp(state, "queued");
    for (int attempt = 0; attempt < 12; attempt++) { /* busy_timeout is 5 s: a minute in all */
        Stmt *st = db_prepare(db, zSql);
        int rc = -1;
        if (st) {
            db_bind_text(st, 1, state, -1);
            db_bind_int64(st, 2, processed);
            db_bind_int64(st, 3, total);
            text ? db_bind_text(st, 4, text, -1) : db_bind_null(st, 4);
            error ? db_bind_text(st, 5, error, -1) : db_bind_null(st, 5);
            has_file ? db_bind_text(st, 6, jr->file_rel, -1) : db_bind_null(st, 6);
            has_file ? db_bind_text(st, 7, jr->file_name, -1) : db_bind_null(st, 7);
            has_file ? db_bind_text(st, 8, jr->file_type, -1) : db_bind_null(st, 8);
            has_file ? db_bind_int64(st, 9, expires) : db_bind_null(st, 9);
            db_bind_int64(st, 10, now);
            queued ? db_bind_null(st, 11) : db_bind_int64(st, 11, now);
            db_bind_int64(st, 12, run_at ? run_at : now);
            db_bind_int64(st, 13, id);
            rc = db_step(st);
            db_done(st);
        }
        if (rc >= 0) break;
        log_error("job %lld: cannot store its end (%s), retrying", (long long)id, db_errmsg(db));
        if (db_kind(db) == DB_PG) break;
    }
    free(text);
}

void job_record_finish(Db *db, int64_t id, const char *state, int64_t processed, json_t *result) {
    job_store_end(db, id, state, processed, 0, result, NULL, NULL, 0);
}

/* ---------------------------------------------------------------- the runner */

/* Start-up: jobs this server was running when it stopped cannot finish (their thread is gone). */
static void jobs_start(Db *db, const char *instance) {
    static const char zSql[] = "UPDATE jobs SET state = 'failed', error = ?1, finished_at = ?2, updated_at = ?2\n"
                               " WHERE state = 'running' AND (runner = ?3 OR ?4 = 1)";
    snprintf(zInstance, sizeof zInstance, "%s", instance);
    Arena *a = arena_new();
    Stmt *st = db_prepare(db, zSql);
    if (st) {
        db_bind_text(st, 1, msg_make(a, "job.interrupted", NULL), -1);
        db_bind_int64(st, 2, now_epoch());
        db_bind_text(st, 3, instance, -1);
        db_bind_int64(st, 4, db_kind(db) == DB_SQLITE); /* one process: every running job was ours */
        if (db_step(st) < 0) log_error("jobs: cannot mark interrupted jobs: %s", db_errmsg(db));
        int n = db_changes(db);
        if (n > 0) log_warn("jobs: %d job(s) interrupted by the restart marked failed", n);
        db_done(st);
    }
    arena_free(a);
}

/* The server is stopping: running jobs stop at their next progress report. */
static void jobs_stop(void) { atomic_store(&stopping, 1); }

/*
** Take the oldest due queued job, run it, store how it ended. 1 ran one, 0 none due,
** -1 the database failed (the thread reconnects).
*/
static int jobs_run_one(Db *db, Db *side) {
    static const char zClaim[] =
        "UPDATE jobs SET state = 'running', runner = ?1, started_at = ?2, updated_at = ?2, attempts = attempts + 1\n"
        " WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND run_at <= ?2 ORDER BY run_at, id LIMIT 1)\n"
        "   AND state = 'queued'\n"
        " RETURNING id, kind, user_id, entity, record_id, params, attempts";
    Stmt *st = db_prepare(db, zClaim);
    if (!st) return -1;
    int64_t now = now_epoch();
    db_bind_text(st, 1, zInstance, -1);
    db_bind_int64(st, 2, now);
    int rc = db_step(st);
    if (rc != DB_ROW) {
        db_done(st);
        return rc < 0 ? -1 : 0;
    }
    JobRun jr = {0};
    jr.a = arena_new();
    jr.db = db;
    jr.side = side;
    jr.id = db_col_int64(st, 0);
    const char *kname = arena_strdup(jr.a, db_col_text(st, 1));
    int64_t uid = db_col_int64(st, 2);
    jr.entity = db_col_text(st, 3) ? arena_strdup(jr.a, db_col_text(st, 3)) : NULL;
    jr.record_id = db_col_null(st, 4) ? 0 : db_col_int64(st, 4);
    jr.params = json_loads(db_col_text(st, 5) ? db_col_text(st, 5) : "{}", 0, NULL);
    jr.attempt = (int)db_col_int64(st, 6);
    db_done(st);
    jr.kind = job_kind_find(kname);
    jr.slot = slot_take(jr.id);
    jr.progress_at = now;
    int run = -1;
    if (!jr.kind) {
        jr.error = msg_make(jr.a, "job.failed", "detail", kname, NULL);
    } else if (auth_user_by_id(db, jr.a, uid, &jr.user) <= 0) {
        jr.error = msg_make(jr.a, "job.failed", "detail", "user", NULL);
    } else {
        jr.locale = jr.user->locale;
        if (!jr.params) jr.params = json_object();
        log_info("job %lld (%s) started", (long long)jr.id, kname);
        db_fault_take(db);
        run = jr.kind->run(&jr);
        if (db_fault_take(db) && run == 0) { /* it went on from a read that failed (db_fault_mark) */
            run = -1;
            jr.error = msg_make(jr.a, "job.failed", "detail", "database", NULL);
        }
        while (db_tx_depth(db) > 0) /* a kind that forgot its transaction: nothing half-done is kept */
            db_rollback(db);
    }
    bool cancelled = run < 0 && jr.slot && atomic_load(&jr.slot->cancel);
    if (run < 0 && !cancelled && atomic_load(&stopping)) /* cut short by the shutdown */
        jr.error = msg_make(jr.a, "job.interrupted", NULL);
    const char *state = run == 0 ? "done" : cancelled ? "cancelled" : "failed";
    int64_t run_at = 0;
    if (!strcmp(state, "failed") && jr.kind && jr.kind->max_attempts > jr.attempt) {
        state = "queued"; /* retried later (deliveries) */
        run_at = now_epoch() + (int64_t)jr.kind->retry_seconds * jr.attempt;
    }
    if (run < 0 && !jr.error)
        jr.error = msg_make(jr.a, cancelled ? "job.cancelled" : "job.failed", "detail", kname, NULL);
    if (run < 0 && jr.file_rel) unlink(arena_printf(jr.a, "%s/%s", data_dir(), jr.file_rel));
    int64_t processed = jr.slot ? atomic_load(&jr.slot->processed) : 0;
    int64_t total = jr.slot ? atomic_load(&jr.slot->total) : 0;
    /* the end reaches the row before the slot is freed, so a poll sees "running" from memory or the end */
    job_store_end(db, jr.id, state, processed, total, jr.result, run == 0 ? NULL : jr.error, &jr, run_at);
    log_info("job %lld (%s) %s: %lld of %lld", (long long)jr.id, kname, state, (long long)processed, (long long)total);
    slot_free(jr.slot);
    json_decref(jr.result);
    json_decref(jr.params);
    arena_free(jr.a);
    return 1;
}

/* ---------------------------------------------------------------- reading */

static const char zSqlJob[] =
    "SELECT id, kind, user_id, entity, record_id, title, state, params, processed, total, result, error,\n"
    " file_path, file_name, file_expires_at, cancel_requested, created_at, started_at, finished_at, updated_at\n"
    " FROM jobs";

/* The row at st (zSqlJob's columns) as the API shows it, in the reader's language. */
static json_t *job_json(Req *r, Stmt *st, bool with_params) {
    int64_t id = db_col_int64(st, 0);
    const char *kname = db_col_text(st, 1);
    const JobKind *k = job_kind_find(kname);
    json_t *o = json_pack("{s:I, s:s, s:s, s:I, s:s, s:I, s:I, s:b, s:I}", "id", (json_int_t)id, "kind", kname,
                          "kind_label", k ? label_for(r->locale, k->zh, k->tw, k->en) : kname, "user_id",
                          (json_int_t)db_col_int64(st, 2), "state", db_col_text(st, 6), "processed",
                          (json_int_t)db_col_int64(st, 8), "total", (json_int_t)db_col_int64(st, 9), "cancel_requested",
                          (int)db_col_int64(st, 15), "created_at", (json_int_t)db_col_int64(st, 16));
    if (db_col_text(st, 3)) json_object_set_new(o, "entity", json_string(db_col_text(st, 3)));
    if (!db_col_null(st, 4)) json_object_set_new(o, "record_id", json_integer(db_col_int64(st, 4)));
    if (db_col_text(st, 5)) json_object_set_new(o, "title", json_string(db_col_text(st, 5)));
    if (with_params)
        json_object_set_new(o, "params", json_loads(db_col_text(st, 7) ? db_col_text(st, 7) : "{}", 0, NULL));
    if (db_col_text(st, 10)) json_object_set_new(o, "result", json_loads(db_col_text(st, 10), 0, NULL));
    if (db_col_text(st, 11)) {
        const char *stored = db_col_text(st, 11);
        json_t *m = json_loads(stored, 0, NULL);
        json_object_set_new(
            o, "error",
            json_pack("{s:O?, s:s}", "code", json_object_get(m, "m"), "message", msg_render(r->a, r->locale, stored)));
        json_decref(m);
    }
    bool file = db_col_text(st, 12) && db_col_int64(st, 14) > r->now;
    if (file && db_col_int64(st, 2) == r->user->id)
        json_object_set_new(o, "file",
                            json_pack("{s:s, s:s, s:I}", "name", db_col_text(st, 13), "url",
                                      arena_printf(r->a, "/api/v1/jobs/%lld/file", (long long)id), "expires_at",
                                      (json_int_t)db_col_int64(st, 14)));
    if (!db_col_null(st, 17)) json_object_set_new(o, "started_at", json_integer(db_col_int64(st, 17)));
    if (!db_col_null(st, 18)) json_object_set_new(o, "finished_at", json_integer(db_col_int64(st, 18)));
    json_object_set_new(o, "updated_at", json_integer(db_col_int64(st, 19)));
    if (!strcmp(db_col_text(st, 6), "running")) { /* live progress from the thread running it here */
        int64_t p, t;
        if (slot_peek(id, &p, &t, false)) {
            json_object_set_new(o, "processed", json_integer(p));
            if (t) json_object_set_new(o, "total", json_integer(t));
        }
    }
    return o;
}

json_t *job_read(Req *r, int64_t id, Err *e) {
    Stmt *st = db_prepare(r->db, arena_printf(r->a, "%s WHERE id = ?1", zSqlJob));
    if (!st) {
        err_set(e, 500, EC_INTERNAL, NULL, NULL);
        return NULL;
    }
    db_bind_int64(st, 1, id);
    json_t *o = NULL;
    int rc = db_step(st);
    if (rc == DB_ROW && (db_col_int64(st, 2) == r->user->id || (r->user->roles & RB(ADMIN)))) o = job_json(r, st, true);
    db_done(st);
    if (!o) err_set(e, rc < 0 ? 500 : 404, rc < 0 ? EC_INTERNAL : EC_REC_NOT_FOUND, NULL, NULL);
    return o;
}

/* ---------------------------------------------------------------- API */

json_t *jobs_list_items(Req *r, const char *kind, bool all, bool with_params, Err *e) {
    Stmt *st = db_prepare(r->db, arena_printf(r->a,
                                              "%s WHERE (user_id = ?1 OR ?2 = 1) AND (?3 = '' OR kind = ?3)\n"
                                              " ORDER BY id DESC LIMIT 50",
                                              zSqlJob));
    if (!st) {
        err_set(e, 500, EC_INTERNAL, NULL, NULL);
        return NULL;
    }
    db_bind_int64(st, 1, r->user->id);
    db_bind_int64(st, 2, all && (r->user->roles & RB(ADMIN)));
    db_bind_text(st, 3, kind ? kind : "", -1);
    json_t *items = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        json_t *o = job_json(r, st, with_params);
        json_object_del(o, "result"); /* reports can be large: GET /jobs/:id has them */
        json_array_append_new(items, o);
    }
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        err_set(e, 500, EC_INTERNAL, NULL, NULL);
        return NULL;
    }
    return items;
}

/*
** GET /api/v1/jobs                                 roles: any signed-in user
** Query: mine=1 (admin: only own jobs), kind=<kind>
** 200 {"items":[job…]} — the 50 latest jobs of the user (admin: everyone's unless mine=1)
*/
static int jobs_list(Req *r, Err *e) {
    const char *mine = req_query(r, "mine");
    json_t *items = jobs_list_items(r, req_query(r, "kind"), !(mine && !strcmp(mine, "1")), false, e);
    return items ? reply_json(r, 200, json_pack("{s:o}", "items", items)) : -1;
}

/*
** GET /api/v1/jobs/:id                             roles: the job's owner, or admin
** 200 {"id","kind","kind_label","state":"queued|running|done|failed|cancelled","processed","total",
**      "entity"?,"title"?,"result"?,"error"?:{"code","message"},"file"?:{"name","url","expires_at"},
**      "created_at","started_at"?,"finished_at"?} | 404
*/
static int jobs_get(Req *r, Err *e) {
    int64_t id;
    if (req_param_id(r, 0, &id, e) < 0) return -1;
    json_t *o = job_read(r, id, e);
    if (!o) return -1;
    json_object_del(o, "params");
    return reply_json(r, 200, o);
}

/*
** POST /api/v1/jobs/:id/cancel                     roles: the job's owner, or admin
** A queued job ends at once (cancelled); a running one is asked to stop (its runner checks
** between rows) and ends cancelled shortly after, undoing what it wrote.
** 200 the job | 404 | 409 job.finished
*/
static int jobs_cancel(Req *r, Err *e) {
    static const char zQueued[] = "UPDATE jobs SET state = 'cancelled', cancel_requested = 1, error = ?1,\n"
                                  " finished_at = ?2, updated_at = ?2 WHERE id = ?3 AND state = 'queued'";
    static const char zRunning[] = "UPDATE jobs SET cancel_requested = 1 WHERE id = ?1 AND state = 'running'";
    int64_t id;
    if (req_param_id(r, 0, &id, e) < 0) return -1;
    json_t *o = job_read(r, id, e);
    if (!o) return -1;
    const char *state = arena_strdup(r->a, json_string_value(json_object_get(o, "state")));
    json_decref(o);
    int64_t p, t;
    if (!strcmp(state, "running") && slot_peek(id, &p, &t, true)) {
        /* running here: the flag in memory is enough. No transaction (R_OWN_TX): on SQLite a running
           import holds the write lock, and a write request would wait for it */
    } else if (!strcmp(state, "queued") || !strcmp(state, "running")) {
        bool queued = !strcmp(state, "queued");
        Stmt *st = db_prepare(r->db, queued ? zQueued : zRunning);
        if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        if (queued) {
            db_bind_text(st, 1, msg_make(r->a, "job.cancelled", NULL), -1);
            db_bind_int64(st, 2, r->now);
            db_bind_int64(st, 3, id);
        } else {
            db_bind_int64(st, 1, id);
        }
        int rc = db_step(st);
        db_done(st);
        if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    } else {
        return err_set(e, 409, EC_JOB_FINISHED, NULL, NULL);
    }
    if (!(o = job_read(r, id, e))) return -1;
    json_object_del(o, "params");
    json_object_set_new(o, "cancel_requested", json_true());
    return reply_json(r, 200, o);
}

/*
** GET /api/v1/jobs/:id/file                        roles: the job's owner only
** 200 the file (Content-Disposition attachment) | 404 not the owner's | 404 job.no_file
** (not finished, no file, or expired)
*/
static int jobs_file(Req *r, Err *e) {
    static const char zSql[] = "SELECT user_id, state, file_path, file_name, file_type, file_expires_at\n"
                               " FROM jobs WHERE id = ?1";
    int64_t id;
    if (req_param_id(r, 0, &id, e) < 0) return -1;
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    if (rc != DB_ROW || db_col_int64(st, 0) != r->user->id) { /* another user's job is not there */
        db_done(st);
        return err_set(e, rc < 0 ? 500 : 404, rc < 0 ? EC_INTERNAL : EC_REC_NOT_FOUND, NULL, NULL);
    }
    bool ok = !strcmp(db_col_text(st, 1), "done") && db_col_text(st, 2) && db_col_int64(st, 5) > r->now;
    const char *path = ok ? arena_printf(r->a, "%s/%s", data_dir(), db_col_text(st, 2)) : NULL;
    const char *name = ok ? arena_strdup(r->a, db_col_text(st, 3)) : NULL;
    const char *type = ok ? arena_strdup(r->a, db_col_text(st, 4)) : NULL;
    db_done(st);
    if (!ok) return err_set(e, 404, EC_JOB_NO_FILE, NULL, NULL);
    FILE *f = fopen(path, "rb");
    struct stat sb;
    if (!f || fstat(fileno(f), &sb) != 0) {
        if (f) fclose(f);
        return err_set(e, 404, EC_JOB_NO_FILE, NULL, NULL);
    }
    char *data = arena_alloc(r->a, (size_t)sb.st_size + 1);
    size_t n = fread(data, 1, (size_t)sb.st_size, f);
    fclose(f);
    reply_header(r, "Content-Disposition", attach_disposition(r->a, name));
    return reply_raw(r, 200, type, data, n);
}

/* ---------------------------------------------------------------- housekeeping and start */

int jobs_cleanup(Db *db, int64_t now) {
    static const char zSel[] = "SELECT id, file_path FROM jobs WHERE file_path IS NOT NULL AND file_expires_at <= ?1";
    static const char zClear[] = "UPDATE jobs SET file_path = NULL WHERE id = ?1";
    Arena *a = arena_new();
    Stmt *st = db_prepare(db, zSel);
    if (!st) {
        arena_free(a);
        return -1;
    }
    db_bind_int64(st, 1, now);
    json_t *ids = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        unlink(arena_printf(a, "%s/%s", data_dir(), db_col_text(st, 1)));
        json_array_append_new(ids, json_integer(db_col_int64(st, 0)));
    }
    db_done(st);
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v) {
        Stmt *u = db_prepare(db, zClear);
        if (!u) {
            rc = -1;
            break;
        }
        db_bind_int64(u, 1, json_integer_value(v));
        if (db_step(u) < 0) rc = -1;
        db_done(u);
    }
    json_decref(ids);
    arena_free(a);
    return rc < 0 ? -1 : 0;
}

void jobs_register(void) {
    static const Route routes[] = {
        {"GET", "/api/v1/jobs", jobs_list, 0, 0, "My background jobs (admin: everyone's)", "jobs"},
        {"GET", "/api/v1/jobs/:id", jobs_get, 0, 0, "State, progress, result or error of a job", "jobs"},
        {"POST", "/api/v1/jobs/:id/cancel", jobs_cancel, R_SLOW | R_OWN_TX, 0, "Cancel a queued or running job",
         "jobs"},
        {"GET", "/api/v1/jobs/:id/file", jobs_file, R_SLOW | R_RAW, 0, "Download a finished job's file (owner only)",
         "jobs"},
    };
    static const Setting settings[] = {
        {"jobs.file_retention_days", ST_INT, "7", 1, 365, "后台任务文件保留天数", "背景任務檔案保留天數",
         "Days a background job's file is kept"},
        {"jobs.export_async_rows", ST_INT, "5000", 0, 100000, "超过此行数的列表在后台导出",
         "超過此列數的清單在背景匯出", "Lists with more rows than this export in the background"},
    };
    static const BackgroundWork work = {jobs_start, jobs_run_one, jobs_stop, 2};
    routes_add(routes, (int)(sizeof routes / sizeof routes[0]));
    settings_declare(settings, 2);
    server_set_background(&work);
}

/*
** tasks.c — reminders and to-dos of one user (the `tasks` table), raised by
** scheduler jobs and module code, shown in "my work". Raising is idempotent
** through a dedupe key, so a job may run again after a crash safely.
*/
#include <stdlib.h>
#include <string.h>

#include "../core/errcodes.h"
#include "flow.h"

/* See flow.h. The title may be a stored message (msg_make): "my work" renders it per reader. */
int task_remind(Db *db, int64_t user_id, const char *kind, const char *entity, int64_t row_id, const char *title,
                int64_t due_at, const char *dedupe_key, int64_t now) {
    static const char zSql[] =
        "INSERT INTO tasks(user_id, kind, entity, row_id, title, due_at, status, dedupe_key, created_at)\n"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'open', ?7, ?8) ON CONFLICT (dedupe_key) DO NOTHING";
    Stmt *st = db_prepare(db, zSql);
    if (!st) return -1;
    db_bind_int64(st, 1, user_id);
    db_bind_text(st, 2, kind, -1);
    if (entity)
        db_bind_text(st, 3, entity, -1);
    else
        db_bind_null(st, 3);
    if (row_id)
        db_bind_int64(st, 4, row_id);
    else
        db_bind_null(st, 4);
    db_bind_text(st, 5, title, -1);
    if (due_at)
        db_bind_int64(st, 6, due_at);
    else
        db_bind_null(st, 6);
    db_bind_text(st, 7, dedupe_key, -1);
    db_bind_int64(st, 8, now);
    int rc = db_step(st);
    db_done(st);
    if (rc < 0) return -1;
    return db_changes(db) > 0 ? 1 : 0;
}

/* On SQLite the keys that begin with the prefix are also a range of the unique index on dedupe_key
   (BINARY: byte order), from the prefix up to the prefix with its last byte one more; LIKE alone
   read every open reminder on every follow-up create (39,000 after the deadlines job's first pass on
   bench data: 126 ms a create; bench/FINDINGS.md 32). PostgreSQL keeps LIKE alone: in a locale's
   collation the range need not hold every key with the prefix; its partial text_pattern_ops index
   on the open keys (migration 0040) answers the LIKE as a range whatever the collation. */
int task_close(Db *db, const char *dedupe_prefix, int64_t now) {
    size_t n = strlen(dedupe_prefix);
    bool ranged = db_kind(db) == DB_SQLITE && n > 0 && (unsigned char)dedupe_prefix[n - 1] < 0x7f;
    Stmt *st = db_prepare(db, ranged ? "UPDATE tasks SET status = 'done', done_at = ?1 WHERE status = 'open'"
                                       " AND dedupe_key >= ?3 AND dedupe_key < ?4 AND dedupe_key LIKE ?2 ESCAPE '\\'"
                                     : "UPDATE tasks SET status = 'done', done_at = ?1 WHERE status = 'open'"
                                       " AND dedupe_key LIKE ?2 ESCAPE '\\'");
    if (!st) return -1;
    char *pat = xmalloc(n * 2 + 2), *p = pat;
    for (size_t i = 0; i < n; i++) { /* the prefix is literal: escape LIKE wildcards */
        if (dedupe_prefix[i] == '%' || dedupe_prefix[i] == '_' || dedupe_prefix[i] == '\\') *p++ = '\\';
        *p++ = dedupe_prefix[i];
    }
    *p++ = '%';
    *p = 0;
    char *upto = xstrdup(dedupe_prefix);
    upto[n > 0 ? n - 1 : 0]++;
    db_bind_int64(st, 1, now);
    db_bind_text(st, 2, pat, -1);
    if (ranged) {
        db_bind_text(st, 3, dedupe_prefix, -1);
        db_bind_text(st, 4, upto, -1);
    }
    int rc = db_step(st);
    db_done(st);
    free(pat);
    free(upto);
    return rc < 0 ? -1 : (int)db_changes(db);
}

/*
** POST /api/v1/my/tasks/:id/done                       the task's user
** 204 | 404 not yours, unknown or already closed
*/
static int task_done(Req *r, Err *e) {
    int64_t id;
    if (req_param_id(r, 0, &id, e) < 0) return -1;
    Stmt *st = db_prepare(
        r->db, "UPDATE tasks SET status = 'done', done_at = ?1 WHERE id = ?2 AND user_id = ?3 AND status = 'open'");
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_int64(st, 1, r->now);
    db_bind_int64(st, 2, id);
    db_bind_int64(st, 3, r->user->id);
    int rc = db_step(st);
    db_done(st);
    if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (db_changes(r->db) != 1) return err_set(e, 404, EC_REC_NOT_FOUND, NULL, NULL);
    return reply_empty(r, 204);
}

void tasks_routes_register(void) {
    static const Route routes[] = {
        {"POST", "/api/v1/my/tasks/:id/done", task_done, R_WRITE, 0, "Mark one of my tasks done", "work"},
    };
    routes_add(routes, 1);
}

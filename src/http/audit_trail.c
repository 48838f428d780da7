/*
** audit_trail.c — the writer of the append-only audit trail (R-ORG-3): one entry per change, in the
** changing transaction, with who, when, the client address and the request id. It lives in the
** http layer because it needs only the request and its connection, so every layer above (sign-in,
** the model, workflows, modules) writes through it without calling upwards.
*/
#include <stdlib.h>

#include "http.h"

int audit_write(Req *r, const char *entity, int64_t row_id, const char *action, json_t *changes) {
    static const char zSql[] =
        "INSERT INTO audit(at, user_id, entity, row_id, action, changes, client_addr, request_id)\n"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
    char *text = changes ? json_dumps(changes, JSON_COMPACT) : NULL;
    json_decref(changes);
    Stmt *st = db_prepare(r->db, zSql);
    int rc = -1;
    if (st) {
        db_bind_int64(st, 1, r->now);
        if (r->user)
            db_bind_int64(st, 2, r->user->id);
        else
            db_bind_null(st, 2);
        db_bind_text(st, 3, entity, -1);
        db_bind_int64(st, 4, row_id);
        db_bind_text(st, 5, action, -1);
        if (text)
            db_bind_text(st, 6, text, -1);
        else
            db_bind_null(st, 6);
        db_bind_text(st, 7, r->client_addr ? r->client_addr : "", -1);
        db_bind_text(st, 8, r->request_id ? r->request_id : "", -1);
        rc = db_step(st) < 0 ? -1 : 0;
        db_done(st);
    }
    free(text);
    return rc;
}

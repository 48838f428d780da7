/*
** workflow.c — the action endpoint of declared workflows: run a transition
** (state, role/owner, comment, guard, conditional state change, audit, approval
** round, effect) or the built-in approve/reject, and list the actions a user
** may run on a row. Approval rounds themselves live in approval.c.
*/
#include <string.h>

#include "../core/errcodes.h"
#include "../model/model.h"
#include "flow.h"

/* Longest comment accepted on an action, in characters. */
#define FLOW_COMMENT_MAX 2000

/* What an action request carries, parsed from the optional JSON body. */
typedef struct FlowInput {
    bool has_version;    /* "version" was sent */
    int64_t version;     /* the version the client read */
    const char *comment; /* non-blank comment (arena) or NULL */
    const char *to;      /* target state for multi-target transitions (arena) or NULL */
} FlowInput;

/* ---------------------------------------------------------------- helpers */

/* Integer member of a row object; 0 when absent or not an integer. */
int64_t flow_rec_int(const json_t *rec, const char *key) {
    json_t *v = json_object_get(rec, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

/* String member of a row object; NULL when absent or not a string (borrowed). */
const char *flow_rec_str(const json_t *rec, const char *key) {
    json_t *v = json_object_get(rec, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Log a database failure with the driver's message and fill e with a 500. */
int flow_db_error(Req *r, Err *e, const char *what) {
    const char *rid = r->request_id ? r->request_id : "";
    log_error("flow: %s failed: %s (request %s)", what, db_errmsg(r->db), rid);
    return err_set(e, 500, EC_INTERNAL, NULL, "%s", rid);
}

/* jansson release usable with arena_defer. */
static void flow_decref(void *p) { json_decref((json_t *)p); }

/* Does the approval of some transition open when the row enters state? */
const Approval *flow_approval_for_state(const Workflow *wf, const char *state) {
    if (!wf || !state) return NULL;
    for (const Transition *t = wf->transitions; t && t->action; t++)
        if (t->approval && t->to && strcmp(t->to, state) == 0) return t->approval;
    return NULL;
}

/* True when any transition of wf opens an approval chain. */
bool flow_has_approval(const Workflow *wf) {
    if (!wf) return false;
    for (const Transition *t = wf->transitions; t && t->action; t++)
        if (t->approval) return true;
    return false;
}

/* Label of the approval step called name, searched in every approval of wf. */
const char *flow_step_label(const Workflow *wf, const char *locale, const char *name) {
    if (!wf || !name) return name;
    for (const Transition *t = wf->transitions; t && t->action; t++) {
        if (!t->approval) continue;
        for (const ApprovalStep *s = t->approval->steps; s && s->name; s++)
            if (strcmp(s->name, name) == 0) return label_for(locale, s->zh, s->tw, s->en);
    }
    return name;
}

/* The declared transition called action, or NULL. */
static const Transition *flow_transition(const Workflow *wf, const char *action) {
    for (const Transition *t = wf->transitions; t && t->action; t++)
        if (strcmp(t->action, action) == 0) return t;
    return NULL;
}

/* May t run from state? "*" in from means any state that is not final. */
static bool flow_from_ok(const Workflow *wf, const Transition *t, const char *state) {
    if (!t->from || !state) return false;
    if (str_word_in(t->from, state)) return true;
    return str_word_in(t->from, "*") && !(wf->final_states && str_word_in(wf->final_states, state));
}

/* May the user run t on rec? The access rule of entity.h (ACCESS_ACT) with the
   transition's grant: its roles, and its owner when T_OWNER. */
static bool flow_may_run(Req *r, const Entity *en, const Transition *t, json_t *rec) {
    AccessGrant g = {.roles = t->roles, .owner = (t->flags & T_OWNER) != 0};
    return entity_row_may(r, en, rec, ACCESS_ACT, &g);
}

/* The row's current state (the workflow's initial state when unset). */
static const char *flow_state_of(const Entity *en, const json_t *rec) {
    const char *s = flow_rec_str(rec, "state");
    return s ? s : en->flow->initial;
}

/* True when s holds something other than white space. */
static bool flow_nonblank(const char *s) {
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') return true;
    return false;
}

/* Parse {"version"?: int, "comment"?: string} when a body was sent. */
static int flow_input(Req *r, FlowInput *in, Err *e) {
    memset(in, 0, sizeof *in);
    if (!r->body || r->body_len == 0) return 0;
    json_t *body = req_json(r, e);
    if (!body) return -1;
    json_t *v = json_object_get(body, "version");
    if (v && !json_is_null(v)) {
        if (!json_is_integer(v)) return err_set(e, 400, EC_TYPE, "version", "integer");
        in->has_version = true;
        in->version = (int64_t)json_integer_value(v);
    }
    json_t *c = json_object_get(body, "comment");
    if (c && !json_is_null(c)) {
        if (!json_is_string(c)) return err_set(e, 400, EC_TYPE, "comment", "string");
        const char *s = json_string_value(c);
        if (utf8_len(s, json_string_length(c)) > FLOW_COMMENT_MAX)
            return err_set(e, 400, EC_TOO_LONG, "comment", "%d", FLOW_COMMENT_MAX);
        if (flow_nonblank(s)) in->comment = arena_strdup(r->a, s);
    }
    json_t *to = json_object_get(body, "to");
    if (to && !json_is_null(to)) {
        if (!json_is_string(to)) return err_set(e, 400, EC_TYPE, "to", "string");
        in->to = arena_strdup(r->a, json_string_value(to));
    }
    return 0;
}

/* A live row of the entity whatever its visibility, for signers and replies:
   entity_load through a copy of the user that also holds admin (entity.h:
   admin sees every row). New reference or NULL (e filled: 404 / 500). */
static json_t *flow_load_raw(Req *r, const Entity *en, int64_t id, Err *e) {
    if (!r->user) {
        err_set(e, 404, EC_REC_NOT_FOUND, NULL, NULL);
        return NULL;
    }
    User *self = r->user;
    User view = *self;
    view.roles |= RB(ADMIN);
    r->user = &view;
    json_t *rec = entity_load(r, en, id, e);
    r->user = self;
    return rec;
}

/* See flow.h: visible rows through entity_load; signers (of a pending task, or
   who signed one) reach the row even outside their visibility: a reviewer in
   another department must read what they are asked to sign. */
json_t *flow_load(Req *r, const Entity *en, int64_t id, Err *e) {
    bool can_read = entity_can_read(en, r->user);
    if (can_read) {
        json_t *rec = entity_load(r, en, id, e);
        if (rec || e->status != 404) return rec;
    }
    Err e2 = {0};
    int found = flow_task_access(r, en, id, &e2);
    if (found < 0) {
        *e = e2;
        return NULL;
    }
    if (found == 0) {
        if (!can_read) err_set(e, 403, EC_FORBIDDEN, NULL, NULL);
        return NULL;
    }
    return flow_load_raw(r, en, id, e);
}

/* Answer 409 record.conflict with "current": the stored row (null when gone). */
static int flow_reply_conflict(Req *r, const Entity *en, int64_t id) {
    Err ec = {0}, e2 = {0};
    err_set(&ec, 409, EC_CONFLICT, NULL, NULL);
    json_t *cur = flow_load_raw(r, en, id, &e2);
    json_t *body = json_object();
    json_object_set_new(body, "error", error_object(r, &ec));
    json_object_set_new(body, "current", cur ? cur : json_null());
    return reply_json(r, 409, body);
}

/* Update rec in memory after the state UPDATE succeeded. */
static void flow_rec_moved(Req *r, json_t *rec, const char *to, int64_t version) {
    json_object_set_new(rec, "state", json_string(to));
    json_object_set_new(rec, "version", json_integer(version + 1));
    json_object_set_new(rec, "updated_at", json_integer(r->now));
    json_object_set_new(rec, "updated_by", json_integer(r->user ? r->user->id : 0));
}

/* See flow.h. The UPDATE re-checks the old state and version in the same
   statement, so two users acting at once cannot both move the row. */
int flow_set_state(Req *r, const Entity *en, json_t *rec, const char *to, Err *e) {
    int ret = -1;
    int64_t id = flow_rec_int(rec, "id");
    int64_t version = flow_rec_int(rec, "version");
    const char *from = arena_strdup(r->a, flow_state_of(en, rec));
    int64_t since = flow_rec_int(rec, "state_since");
    bool track = en->flow->track_state_since;
    const char *sql = arena_printf(r->a,
                                   "UPDATE %s SET state = ?1, version = version + 1,"
                                   " updated_at = ?2, updated_by = ?3%s"
                                   " WHERE id = ?4 AND state = ?5 AND version = ?6"
                                   " AND deleted_at IS NULL",
                                   en->table, track ? ", state_since = ?2" : "");
    Stmt *st = db_prepare(r->db, sql);
    if (!st) {
        flow_db_error(r, e, "state update");
        goto out;
    }
    db_bind_text(st, 1, to, -1);
    db_bind_int64(st, 2, r->now);
    if (r->user)
        db_bind_int64(st, 3, r->user->id);
    else
        db_bind_null(st, 3);
    db_bind_int64(st, 4, id);
    db_bind_text(st, 5, from, -1);
    db_bind_int64(st, 6, version);
    if (db_step(st) != DB_DONE) {
        flow_db_error(r, e, "state update");
        goto out;
    }
    if (db_changes(r->db) == 0) {
        err_set(e, 409, EC_CONFLICT, NULL, NULL);
        goto out;
    }
    flow_rec_moved(r, rec, to, version);
    if (track) json_object_set_new(rec, "state_since", json_integer(r->now));
    db_done(st);
    st = NULL;
    if (deadline_on_state(r, en, id, from, to, e) < 0) goto out;
    /* a summary counting rows by their state (payments not voided) follows the move */
    if (rollups_refresh(r, en, rec, NULL, e) < 0) goto out;
    if (en->flow->on_move && en->flow->on_move(r, en, rec, from, since, e) < 0) {
        if (e->status == 0) flow_db_error(r, e, "on_move");
        goto out;
    }
    ret = 0;
out:
    db_done(st);
    return ret;
}

/* ---------------------------------------------------------------- transitions */

/* The i-th word (0-based) of a space-separated list into buf; false past the end. */
static bool flow_word(const char *list, int i, char *buf, size_t n) {
    const char *p = list;
    for (;;) {
        while (p && *p == ' ')
            p++;
        if (!p || !*p) return false;
        size_t len = strcspn(p, " ");
        if (i-- == 0) {
            if (len >= n) len = n - 1;
            memcpy(buf, p, len);
            buf[len] = 0;
            return true;
        }
        p += len;
    }
}

/* Position of word w in the space-separated list, -1 when absent. */
static int flow_word_pos(const char *list, const char *w) {
    char buf[64];
    for (int i = 0; flow_word(list, i, buf, sizeof buf); i++)
        if (!strcmp(buf, w)) return i;
    return -1;
}

/* Is the value of a required input empty (absent, null or blank text)? */
static bool flow_empty(const json_t *v) {
    return !v || json_is_null(v) || (json_is_string(v) && !flow_nonblank(json_string_value(v)));
}

/* The transition's declared inputs from the body, validated into *vals (new
   object), and its required fields checked against rec with them applied. */
static int flow_inputs(Req *r, const Entity *en, const Transition *t, json_t *rec, json_t **vals, Err *e) {
    json_t *body = r->json_body, *v;
    const char *k;
    *vals = json_object();
    json_object_foreach(body, k, v) {
        if (!t->inputs || !strcmp(k, "version") || !strcmp(k, "comment") || !strcmp(k, "to")) continue;
        const Field *f = str_word_in(t->inputs, k) ? entity_field(en, k) : NULL;
        if (!f) return err_set(e, 400, EC_UNKNOWN_FIELD, arena_strdup(r->a, k), NULL);
        json_t *nv;
        if (field_validate(r, f, v, &nv, e) < 0) return -1;
        json_object_set_new(*vals, f->name, nv);
    }
    char name[64];
    for (int i = 0; t->requires && flow_word(t->requires, i, name, sizeof name); i++) {
        json_t *nv = json_object_get(*vals, name);
        if (!flow_empty(nv ? nv : json_object_get(rec, name))) continue;
        const Field *f = entity_field(en, name);
        err_set(e, 400, EC_REQUIRED, f ? f->name : arena_strdup(r->a, name), NULL);
        if (f) e->label = field_label(r, f);
        return -1;
    }
    return 0;
}

/* The target state of t: its `to`, or for a multi-target transition the
   body's "to" (one of them, not the current state). NULL with e filled. */
static const char *flow_target(Req *r, const Entity *en, const Transition *t, const char *from, const char *to,
                               Err *e) {
    if (!strchr(t->to, ' ')) return t->to;
    if (!to) {
        err_set(e, 400, EC_REQUIRED, "to", NULL);
        return NULL;
    }
    if (!str_word_in(t->to, to)) {
        err_set(e, 400, EC_ENUM, "to", "%s", t->to);
        return NULL;
    }
    if (!strcmp(to, from)) {
        err_set(e, 409, EC_BAD_STATE, NULL, "%s", entity_state_label(r->locale, en, from));
        return NULL;
    }
    int at = (t->flags & T_STEPWISE) ? flow_word_pos(t->to, from) : -1;
    if (at >= 0 && flow_word_pos(t->to, to) > at + 1) {
        char next[64];
        flow_word(t->to, at + 1, next, sizeof next);
        err_set(e, 409, EC_GUARD, "to", "%s%s",
                label_for(r->locale, "不能跳过阶段，须先进入：", "不能跳過階段，須先進入：",
                          "no stage may be skipped; next: "),
                entity_state_label(r->locale, en, next));
        return NULL;
    }
    return to;
}

/* Run declared transition t on rec: checks, inputs, state change, audit,
   approval round, effect. rec is updated to the new state. */
static int flow_run_transition(Req *r, const Entity *en, const Transition *t, json_t *rec, const FlowInput *in,
                               Err *e) {
    const Workflow *wf = en->flow;
    int64_t id = flow_rec_int(rec, "id");
    const char *from = arena_strdup(r->a, flow_state_of(en, rec));
    const char *comment = in->comment;

    if (!flow_from_ok(wf, t, from))
        return err_set(e, 409, EC_BAD_STATE, NULL, "%s", entity_state_label(r->locale, en, from));
    if (!flow_may_run(r, en, t, rec)) return err_set(e, 403, EC_FORBIDDEN, NULL, NULL);
    if ((t->flags & T_COMMENT) && !comment) return err_set(e, 400, EC_COMMENT, "comment", NULL);
    const char *to = flow_target(r, en, t, from, in->to, e);
    if (!to) return -1;
    json_t *vals = NULL, *before = NULL;
    int vrc = flow_inputs(r, en, t, rec, &vals, e);
    arena_defer(r->a, flow_decref, vals);
    if (vrc < 0) return -1;
    if (json_object_size(vals)) { /* the guard judges the row with its inputs applied */
        before = json_copy(rec);
        arena_defer(r->a, flow_decref, before);
        json_object_update(rec, vals);
    }
    json_object_set_new(rec, "_action", json_string(t->action));
    json_object_set_new(rec, "_to", json_string(to));
    if (comment) json_object_set_new(rec, "_comment", json_string(comment));
    if (t->guard && t->guard(r, en, rec, e) < 0) {
        if (e->status == 0) err_set(e, 409, EC_GUARD, NULL, "%s", t->action);
        return -1;
    }
    /* A new version of a signed document: keep the signed one whole before anything moves. */
    if ((t->flags & T_REVISE) && version_keep(r, en, before ? before : rec, from, comment, e) < 0) return -1;
    /* Leaving the state ends whatever approval round was open in it. */
    if (flow_cancel_open(r, en, id, e) < 0) return -1;
    if (flow_set_state(r, en, rec, to, e) < 0) return -1;
    if (before) { /* write the inputs: own UPDATE and audit entry, under the action's name */
        json_object_set(before, "version", json_object_get(rec, "version"));
        if (entity_update_fields(r, en, before, vals, t->action, e) < 0) return -1;
        json_object_set(rec, "version", json_object_get(before, "version"));
    }
    json_t *changes = json_object();
    json_object_set_new(changes, "state", json_pack("[s,s]", from, to));
    if (comment) json_object_set_new(changes, "comment", json_pack("[n,s]", comment));
    if (audit_write(r, en->name, id, t->action, changes) < 0) return flow_db_error(r, e, "audit");
    if (t->approval && flow_open_round(r, en, rec, t->approval, e) < 0) return -1;
    if (t->effect && t->effect(r, en, rec, e) < 0) {
        if (e->status == 0 && !(r->out && r->status >= 400)) /* else the effect answered itself */
            flow_db_error(r, e, "effect");
        return -1;
    }
    return 0;
}

/* Add {"action","label"} to the array a. */
static void flow_push_action(json_t *a, const char *action, const char *label) {
    json_array_append_new(a, json_pack("{s:s, s:s}", "action", action, "label", label));
}

/* See flow.h. Guards are not run: they may be costly and the action endpoint
   answers their verdict anyway. */
json_t *flow_available_actions(Req *r, const Entity *en, json_t *rec) {
    json_t *a = json_array();
    const Workflow *wf = en ? en->flow : NULL;
    if (!wf || !r->user || !rec) return a;
    const char *state = flow_state_of(en, rec);
    bool has_approve = false, has_reject = false;
    for (const Transition *t = wf->transitions; t && t->action; t++) {
        if (!flow_from_ok(wf, t, state) || !flow_may_run(r, en, t, rec)) continue;
        flow_push_action(a, t->action, label_for(r->locale, t->zh, t->tw, t->en));
        has_approve |= strcmp(t->action, "approve") == 0;
        has_reject |= strcmp(t->action, "reject") == 0;
    }
    if (!flow_approval_for_state(wf, state)) return a;
    FlowTask task;
    Err e = {0};
    if (flow_signable_task(r, en, flow_rec_int(rec, "id"), &task, &e) == 1) {
        if (!has_approve && !flow_transition(wf, "approve"))
            flow_push_action(a, "approve", label_for(r->locale, "同意", "同意", "Approve"));
        if (!has_reject && !flow_transition(wf, "reject"))
            flow_push_action(a, "reject", label_for(r->locale, "驳回", "駁回", "Reject"));
    }
    return a;
}

/* ---------------------------------------------------------------- handlers */

/*
** POST /api/v1/{entity}/{id}/actions/{action}     roles: per transition / approval step
** Body (optional): {"version"?: int, "comment"?: string ≤ 2000 chars}
** 200 {row, "_actions"} | 400 flow.unknown_action, flow.comment_required, field.* |
** 403 auth.forbidden, flow.not_signer | 404 unknown entity, row missing or not visible |
** 409 record.conflict (with "current"), flow.bad_state
*/
static int flow_h_action(Req *r, Err *e) {
    const Entity *en = entity_find(r->params[0]);
    if (!en || !en->flow) return err_set(e, 404, EC_NOT_FOUND, NULL, NULL);
    int64_t id;
    if (req_param_id(r, 1, &id, e) < 0) return -1;
    const char *action = r->params[2];
    FlowInput in;
    if (flow_input(r, &in, e) < 0) return -1;
    json_t *rec = flow_load(r, en, id, e);
    if (!rec) return -1;
    arena_defer(r->a, flow_decref, rec);
    if (in.has_version && in.version != flow_rec_int(rec, "version")) return flow_reply_conflict(r, en, id);

    int rc;
    const Transition *t = flow_transition(en->flow, action);
    bool builtin = strcmp(action, "approve") == 0 || strcmp(action, "reject") == 0;
    if (t)
        rc = flow_run_transition(r, en, t, rec, &in, e);
    else if (builtin && flow_has_approval(en->flow))
        rc = flow_sign(r, en, rec, strcmp(action, "approve") == 0, in.comment, e);
    else
        return err_set(e, 400, EC_NO_ACTION, NULL, "%s", action);
    if (rc < 0) {
        if (e->code && strcmp(e->code, EC_CONFLICT) == 0) return flow_reply_conflict(r, en, id);
        return -1;
    }

    /* The row as it is now; a signer may no longer see it through entity_load. */
    json_t *out = entity_can_read(en, r->user) ? entity_load(r, en, id, e) : NULL;
    if (!out) {
        memset(e, 0, sizeof *e);
        out = flow_load_raw(r, en, id, e);
        if (!out) return -1;
    }
    if (en->decorate) /* the same computed values as GET */
        en->decorate(r, en, out);
    json_object_set_new(out, "_actions", flow_available_actions(r, en, out));
    if (en->flow->deadlines) {
        json_t *clocks = deadline_row_clocks(r, en, id);
        if (!clocks) {
            json_decref(out);
            return flow_db_error(r, e, "clocks");
        }
        json_object_set_new(out, "_clocks", clocks);
    }
    return reply_json(r, 200, out);
}

/* The flow layer's routes. */
static const Route flow_routes[] = {
    {"POST", "/api/v1/:entity/:id/actions/:action", flow_h_action, R_WRITE, 0,
     "Run a workflow action (or approve/reject)", "workflow"},
    {"GET", "/api/v1/:entity/:id/approvals", flow_h_approvals, 0, 0, "Approval rounds of a row", "workflow"},
    {"GET", "/api/v1/my/work", flow_h_my_work, 0, 0, "Approvals waiting for me and my open tasks", "workflow"},
};

/* A new row entered the initial state of its workflow (FlowBridge.entered): its deadline clocks start. */
static int flow_entered(Req *r, const Entity *en, int64_t id, const char *state, Err *e) {
    return deadline_on_state(r, en, id, NULL, state, e);
}

/* Register the routes of the flow layer (called once at start). */
void flow_routes_register(void) {
    routes_add(flow_routes, (int)(sizeof flow_routes / sizeof flow_routes[0]));
    auth_set_work_counts(flow_work_counts); /* GET /auth/me's badges, without http calling up */
    static const FlowBridge b = {flow_available_actions, flow_load,           flow_approval_json,
                                 flow_entered,           deadline_row_clocks, deadline_meta};
    model_set_flow_bridge(&b); /* rows' actions, signers' reads, approvals in meta */
}

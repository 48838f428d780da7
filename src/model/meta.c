/*
** meta.c — GET /api/v1/meta: every entity the user may read, described for
** the front end (fields, labels in the user's language, enums, workflow
** states and actions, the user's permissions). The UI renders lists and
** forms from this alone.
*/
#include <string.h>

#include "../flow/flow.h"
#include "model.h"
#include "settings.h"

json_t *user_json(const User *u);

static const char *const type_names[] = {
    [FT_TEXT] = "text",   [FT_LONGTEXT] = "longtext", [FT_INT] = "int",     [FT_MONEY] = "money",
    [FT_DATE] = "date",   [FT_DATETIME] = "datetime", [FT_BOOL] = "bool",   [FT_ENUM] = "enum",
    [FT_REF] = "ref",     [FT_EMAIL] = "email",       [FT_PHONE] = "phone", [FT_PERCENT_BP] = "percent_bp",
    [FT_ROLES] = "roles", [FT_QTY] = "qty",           [FT_CODE] = "code",   [FT_LINE] = "line",
};

const char *field_type_name(FieldType t) { return type_names[t]; }

static json_t *enum_json(Req *r, const EnumVal *ev) {
    json_t *a = json_array();
    for (; ev && ev->value; ev++)
        json_array_append_new(
            a, json_pack("{s:s, s:s}", "value", ev->value, "label", label_for(r->locale, ev->zh, ev->tw, ev->en)));
    return a;
}

json_t *field_json(Req *r, const Field *f) {
    json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:b, s:b, s:b}", "name", f->name, "type",
                          type_names[f->type], "label", field_label(r, f), "required", (f->flags & F_REQUIRED) != 0,
                          "list", (f->flags & F_LIST) != 0, "search", (f->flags & F_SEARCH) != 0, "filter",
                          (f->flags & F_FILTER) != 0, "sort", (f->flags & F_SORT) != 0, "readonly",
                          (f->flags & F_READONLY) != 0, "create_only", (f->flags & F_CREATE_ONLY) != 0);
    json_object_set_new(o, "writeonly", json_boolean(f->flags & F_WRITEONLY));
    json_object_set_new(o, "computed", json_boolean(f->flags & F_COMPUTED));
    json_object_set_new(o, "unique", json_boolean(f->flags & F_UNIQUE));
    json_object_set_new(o, "virtual", json_boolean(f->flags & F_VIRTUAL));
    if (f->type == FT_QTY) json_object_set_new(o, "scale", json_integer(1000));
    json_object_set_new(o, "min", f->min < f->max || f->min ? json_integer(f->min) : json_null());
    json_object_set_new(o, "max", f->max ? json_integer(f->max) : json_null());
    json_object_set_new(o, "ref",
                        f->ref && f->type != FT_CODE && f->type != FT_LINE ? json_string(f->ref) : json_null());
    if (f->type == FT_CODE) { /* its items: GET /api/v1/refdata/<list>; levels: 3 = a cascade of pickers */
        json_object_set_new(o, "list", json_string(f->ref));
        json_object_set_new(o, "levels", json_integer(refdata_levels(f->ref)));
    }
    if (f->type == FT_ENUM) json_object_set_new(o, "enum", enum_json(r, f->enums));
    if (f->type == FT_ROLES) {
        json_t *a = json_array();
        for (int i = 0; i < ROLE_COUNT; i++)
            json_array_append_new(a,
                                  json_pack("{s:s, s:s}", "value", role_info[i].id, "label",
                                            label_for(r->locale, role_info[i].zh, role_info[i].tw, role_info[i].en)));
        json_object_set_new(o, "enum", a);
    }
    if (f->type == FT_LINE) { /* a line of the document named by field "of" (lineref.c) */
        json_object_set_new(o, "child", json_string(f->ref));
        json_object_set_new(o, "of", json_string(f->line_of));
    }
    if (f->def) json_object_set_new(o, "default", json_string(f->def));
    json_object_set_new(o, "group", f->group ? json_string(f->group) : json_null());
    if (f->when) { /* {"field": "state", "values": ["lost"]}; no values = the field is set */
        const char *eq = strchr(f->when, '=');
        json_t *vals = json_array();
        for (const char *p = eq ? eq + 1 : ""; *p;) {
            const char *bar = strchr(p, '|');
            size_t l = bar ? (size_t)(bar - p) : strlen(p);
            json_array_append_new(vals, json_stringn(p, l));
            p += l + (bar ? 1 : 0);
        }
        json_object_set_new(
            o, "when",
            json_pack("{s:s%, s:o}", "field", f->when, eq ? (size_t)(eq - f->when) : strlen(f->when), "values", vals));
    } else {
        json_object_set_new(o, "when", json_null());
    }
    return o;
}

/* field_json of a field of en (own: its child collection, or NULL); an FT_LINE also names its
   document's entity ("ref") and whether the document field is the parent record's ("of_parent") */
static json_t *field_json_in(Req *r, const Entity *en, const Child *own, const Field *f) {
    json_t *o = field_json(r, f);
    if (f->type == FT_LINE) {
        const Entity *doc = NULL;
        bool in_parent = false;
        lineref_doc_field(en, own, f, &in_parent);
        lineref_child(en, own, f, &doc);
        json_object_set_new(o, "ref", doc ? json_string(doc->name) : json_null());
        json_object_set_new(o, "of_parent", json_boolean(own && in_parent));
    }
    return o;
}

/* "a b c" -> ["a","b","c"] */
static json_t *words(const char *s) {
    json_t *a = json_array();
    while (s && *s) {
        while (*s == ' ')
            s++;
        const char *e = strchr(s, ' ');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n) json_array_append_new(a, json_stringn(s, n));
        s += n;
    }
    return a;
}

/* A compute list as data, so a form can show a total before it is saved (the server's is the one stored). */
static json_t *computes_json(const Compute *cs) {
    static const char *const ops[] = {
        [CK_MUL] = "mul", [CK_ADD] = "add", [CK_SUB] = "sub", [CK_SUM] = "sum", [CK_RATIO] = "ratio"};
    json_t *a = json_array();
    for (const Compute *c = cs; c && c->field; c++)
        json_array_append_new(
            a, json_pack("{s:s, s:s, s:s, s:s}", "field", c->field, "op", ops[c->op], "a", c->a, "b", c->b));
    return a;
}

/* The child collections (lines) of an entity: name, label, limits, fields, computes. */
static json_t *children_json(Req *r, const Entity *en) {
    json_t *a = json_array();
    for (const Child *ch = en->children; ch && ch->name; ch++) {
        json_t *fields = json_array();
        for (const Field *f = ch->fields; f->name; f++)
            json_array_append_new(fields, field_json_in(r, en, ch, f));
        json_array_append_new(a, json_pack("{s:s, s:s, s:i, s:i, s:o, s:o}", "name", ch->name, "label",
                                           label_for(r->locale, ch->zh, ch->tw, ch->en), "min_rows", ch->min_rows,
                                           "max_rows", ch->max_rows ? ch->max_rows : 500, "fields", fields, "computes",
                                           computes_json(ch->computes)));
    }
    return a;
}

json_t *entity_meta_json(Req *r, const Entity *en) {
    json_t *fields = json_array();
    for (const Field *f = en->fields; f->name; f++)
        if ((f->flags & (F_READONLY | F_WRITEONLY)) != (F_READONLY | F_WRITEONLY) && /* server-only secrets */
            field_readable(f, r->user))
            json_array_append_new(fields, field_json_in(r, en, NULL, f));
    json_t *o = json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:s, s:o}", "name", en->name, "label",
                          label_for(r->locale, en->zh, en->tw, en->en), "tag", en->tag, "title_field", en->title_field,
                          "default_sort", en->default_sort, "visibility", en->vis == VIS_ALL ? "all" : "owner",
                          "fields", fields);
    json_object_set_new(o, "children", children_json(r, en));
    json_t *groups = json_array();
    for (const FieldGroup *g = en->groups; g && g->key; g++)
        json_array_append_new(
            groups, json_pack("{s:s, s:s}", "key", g->key, "label", label_for(r->locale, g->zh, g->tw, g->en)));
    json_object_set_new(o, "groups", groups);
    json_object_set_new(o, "computes", computes_json(en->computes));
    json_object_set_new(o, "public_purposes", publink_purposes_json(r, en));
    json_object_set_new(o, "print", json_boolean(en->print != NULL)); /* GET /E/:id/print and print.pdf */
    json_object_set_new(o, "permissions",
                        json_pack("{s:b, s:b, s:b, s:b, s:b}", "read", entity_can_read(en, r->user), "create",
                                  entity_can_write(en, r->user), "update", entity_can_write(en, r->user), "delete",
                                  entity_can_delete(en, r->user), "import",
                                  entity_importable(en) && entity_can_write(en, r->user)));
    json_object_set_new(o, "attachments", json_boolean(en->attachments)); /* rows take files (attach.c) */
    json_object_set_new(o, "mergeable", json_boolean(en->mergeable));     /* POST /E/:id/merge (merge.c) */
    if (en->flow) {
        json_object_set_new(o, "states", enum_json(r, en->flow->states));
        json_object_set_new(o, "initial_state", json_string(en->flow->initial));
        json_object_set_new(o, "final_states", words(en->flow->final_states));
        json_object_set_new(o, "editable_states",
                            en->flow->editable_states ? words(en->flow->editable_states) : json_null());
        json_t *acts = json_array();
        for (const Transition *t = en->flow->transitions; t->action; t++)
            json_array_append_new(acts,
                                  json_pack("{s:s, s:s, s:o, s:s, s:b, s:o, s:o, s:b, s:b}", "action", t->action,
                                            "label", label_for(r->locale, t->zh, t->tw, t->en), "from", words(t->from),
                                            "to", t->to, "comment_required", (t->flags & T_COMMENT) != 0, "inputs",
                                            words(t->inputs), "requires", words(t->requires), "owner",
                                            (t->flags & T_OWNER) != 0, "stepwise", (t->flags & T_STEPWISE) != 0));
        bool approvals = false;
        for (const Transition *t = en->flow->transitions; t->action; t++)
            approvals |= t->approval != NULL;
        if (approvals) {
            json_array_append_new(acts, json_pack("{s:s, s:s, s:[], s:n, s:b, s:[], s:[]}", "action", "approve",
                                                  "label", label_for(r->locale, "同意", "同意", "Approve"), "from",
                                                  "to", "comment_required", 0, "inputs", "requires"));
            json_array_append_new(acts, json_pack("{s:s, s:s, s:[], s:n, s:b, s:[], s:[]}", "action", "reject", "label",
                                                  label_for(r->locale, "驳回", "駁回", "Reject"), "from", "to",
                                                  "comment_required", 1, "inputs", "requires"));
        }
        json_object_set_new(o, "actions", acts);
        /* approval chains as data: steps, conditions, reviewers, concerns, scopes (issue 9) */
        json_t *aps = json_array();
        for (const Transition *t = en->flow->transitions; t->action; t++)
            if (t->approval && model_flow_bridge()->approval_json)
                json_array_append_new(aps, model_flow_bridge()->approval_json(t->approval, r->locale, t->to));
        json_object_set_new(o, "approvals", aps);
        json_object_set_new(o, "deadlines",
                            model_flow_bridge()->deadline_meta ? model_flow_bridge()->deadline_meta(r, en)
                                                               : json_array());
    } else {
        json_object_set_new(o, "states", json_array());
        json_object_set_new(o, "actions", json_array());
    }
    return o;
}

/*
** GET /api/v1/meta[?locale=en]                          signed in
** 200 {"locales","roles","user","entities":[...],"export_async_rows"} — entities the user may read
*/
int meta_get(Req *r, Err *e) {
    int n;
    const Entity *const *all = entity_all(&n);
    json_t *ents = json_array();
    for (int i = 0; i < n; i++)
        if (entity_can_read(all[i], r->user)) json_array_append_new(ents, entity_meta_json(r, all[i]));
    json_t *roles = json_array();
    for (int i = 0; i < ROLE_COUNT; i++)
        json_array_append_new(roles,
                              json_pack("{s:s, s:s}", "id", role_info[i].id, "label",
                                        label_for(r->locale, role_info[i].zh, role_info[i].tw, role_info[i].en)));
    /* lists with more rows than this export through the job queue (POST /E/export-jobs) */
    int64_t async_rows = setting_int(r->db, "jobs.export_async_rows");
    return reply_json(r, 200,
                      json_pack("{s:[s,s,s], s:s, s:o, s:o, s:o, s:I}", "locales", "zh-CN", "zh-TW", "en", "locale",
                                r->locale, "roles", roles, "user", user_json(r->user), "entities", ents,
                                "export_async_rows", (json_int_t)async_rows));
}

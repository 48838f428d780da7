/*
** openapi.c — GET /api/v1/openapi.json, generated from the route table and
** the entity declarations: generic routes ("/api/v1/:entity/...") are
** expanded once per entity with that entity's schemas. Nothing is written
** by hand twice, so the document cannot drift from the server.
*/
#include <stdio.h>
#include <string.h>

#include "../flow/flow.h"
#include "model.h"

const char *field_type_name(FieldType t);

/* JSON Schema of a field (OpenAPI 3.0 dialect). */
static json_t *field_schema(const Field *f) {
    json_t *s;
    switch (f->type) {
    case FT_BOOL:
        s = json_pack("{s:s}", "type", "boolean");
        break;
    case FT_DATE:
        s = json_pack("{s:s, s:s}", "type", "string", "format", "date");
        break;
    case FT_EMAIL:
        s = json_pack("{s:s, s:s}", "type", "string", "format", "email");
        break;
    case FT_ROLES:
        s = json_pack("{s:s, s:{s:s}}", "type", "array", "items", "type", "string");
        break;
    default:
        s = field_type_is_integer(f->type) ? json_pack("{s:s, s:s}", "type", "integer", "format", "int64")
                                           : json_pack("{s:s}", "type", "string");
        break;
    }
    if (f->type == FT_ENUM && f->enums) {
        json_t *a = json_array();
        for (const EnumVal *ev = f->enums; ev->value; ev++)
            json_array_append_new(a, json_string(ev->value));
        json_object_set_new(s, "enum", a);
    }
    if ((f->type == FT_TEXT || f->type == FT_LONGTEXT) && f->max)
        json_object_set_new(s, "maxLength", json_integer(f->max));
    if ((f->type == FT_INT || f->type == FT_MONEY) && f->min < f->max) {
        json_object_set_new(s, "minimum", json_integer(f->min));
        json_object_set_new(s, "maximum", json_integer(f->max));
    }
    json_object_set_new(s, "description", json_string(f->en ? f->en : f->name));
    if (!(f->flags & F_REQUIRED)) json_object_set_new(s, "nullable", json_true());
    return s;
}

/* Schemas <Name> (a row) and <Name>Input (what a client sends). */
static void entity_schemas(const Entity *en, json_t *schemas) {
    json_t *props = json_object(), *inprops = json_object();
    static const char *const sys[] = {"id",         "version",    "owner_id",   "org_unit_id",
                                      "created_at", "updated_at", "created_by", "updated_by"};
    for (int i = 0; i < 8; i++)
        json_object_set_new(props, sys[i], json_pack("{s:s, s:s}", "type", "integer", "format", "int64"));
    if (en->flow) {
        json_t *a = json_array();
        for (const EnumVal *ev = en->flow->states; ev->value; ev++)
            json_array_append_new(a, json_string(ev->value));
        json_object_set_new(props, "state", json_pack("{s:s, s:o}", "type", "string", "enum", a));
    }
    json_object_set_new(inprops, "owner_id", json_pack("{s:s, s:s}", "type", "integer", "format", "int64"));
    json_object_set_new(inprops, "org_unit_id", json_pack("{s:s, s:s}", "type", "integer", "format", "int64"));
    json_object_set_new(inprops, "version",
                        json_pack("{s:s, s:s}", "type", "integer", "description", "required on PATCH"));
    for (const Field *f = en->fields; f->name; f++) {
        if (!(f->flags & F_WRITEONLY)) json_object_set_new(props, f->name, field_schema(f));
        if (!(f->flags & F_READONLY)) json_object_set_new(inprops, f->name, field_schema(f));
    }
    /* lines: an array of line objects inside the row (and the input; "id" names a stored line) */
    for (const Child *ch = en->children; ch && ch->name; ch++) {
        json_t *lp = json_object(), *lin = json_object();
        json_object_set_new(lp, "id", json_pack("{s:s, s:s}", "type", "integer", "format", "int64"));
        json_object_set_new(lin, "id",
                            json_pack("{s:s, s:s, s:s}", "type", "integer", "format", "int64", "description",
                                      "a stored line to change; left out for a new line"));
        for (const Field *f = ch->fields; f->name; f++) {
            json_object_set_new(lp, f->name, field_schema(f));
            if (!(f->flags & F_READONLY)) json_object_set_new(lin, f->name, field_schema(f));
        }
        int max = ch->max_rows ? ch->max_rows : 500;
        json_object_set_new(
            props, ch->name,
            json_pack("{s:s, s:{s:s, s:o}}", "type", "array", "items", "type", "object", "properties", lp));
        json_object_set_new(inprops, ch->name,
                            json_pack("{s:s, s:i, s:i, s:{s:s, s:o, s:b}}", "type", "array", "minItems", ch->min_rows,
                                      "maxItems", max, "items", "type", "object", "properties", lin,
                                      "additionalProperties", 0));
    }
    json_t *in = json_pack("{s:s, s:o, s:b}", "type", "object", "properties", inprops, "additionalProperties", 0);
    json_t *row = json_pack("{s:s, s:o}", "type", "object", "properties", props);
    if (en->flow) { /* the approval chains as declared: who reviews when (see /api/v1/meta "approvals") */
        json_t *aps = json_array();
        for (const Transition *t = en->flow->transitions; t->action; t++)
            if (t->approval && model_flow_bridge()->approval_json)
                json_array_append_new(aps, model_flow_bridge()->approval_json(t->approval, "en", t->to));
        if (json_array_size(aps))
            json_object_set_new(row, "x-approvals", aps);
        else
            json_decref(aps);
    }
    json_object_set_new(schemas, en->name, row);
    char key[160];
    snprintf(key, sizeof key, "%s_input", en->name);
    json_object_set_new(schemas, key, in);
}

/* A path parameter object. */
static json_t *path_param(const char *name) {
    bool num = !strcmp(name, "id") || strstr(name, "_id") != NULL;
    return json_pack("{s:s, s:s, s:b, s:o}", "name", name, "in", "path", "required", 1, "schema",
                     num ? json_pack("{s:s, s:s}", "type", "integer", "format", "int64")
                         : json_pack("{s:s}", "type", "string"));
}

static json_t *ref(const char *name) { return json_pack("{s:s}", "$ref", name); }

static json_t *json_response(const char *desc, json_t *schema) {
    return json_pack("{s:s, s:{s:{s:o}}}", "description", desc, "content", "application/json", "schema", schema);
}

/* One operation object for a route, specialised to an entity when the route is generic. */
static json_t *operation(Req *r, const Route *rt, const Entity *en, json_t *params, const char *opid) {
    json_t *op = json_pack("{s:s, s:s, s:[s], s:o}", "summary", rt->summary ? rt->summary : "", "operationId", opid,
                           "tags", en ? en->name : (rt->tag ? rt->tag : "misc"), "parameters", params);
    json_t *resp = json_object();
    const char *row = en ? arena_printf(r->a, "#/components/schemas/%s", en->name) : NULL;
    const char *input = en ? arena_printf(r->a, "#/components/schemas/%s_input", en->name) : NULL;
    bool list = en && !strcmp(rt->method, "GET") && !strcmp(rt->pattern, "/api/v1/:entity");
    bool single = en && !strcmp(rt->pattern, "/api/v1/:entity/:id") && strcmp(rt->method, "DELETE");
    if (list) {
        static const char *const q[] = {"q", "sort", "page", "per_page"};
        for (int i = 0; i < 4; i++)
            json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:{s:s}}", "name", q[i], "in", "query", "required",
                                                    0, "schema", "type", i >= 2 ? "integer" : "string"));
        json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:s, s:{s:s, s:[s, s]}}", "name", "count", "in",
                                                "query", "required", 0, "description",
                                                "capped (default): total counted five pages past this one; exact: all",
                                                "schema", "type", "string", "enum", "capped", "exact"));
        json_object_set_new(
            resp, "200",
            json_response("A page of rows",
                          json_pack("{s:s, s:{s:{s:s, s:o}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}}", "type", "object",
                                    "properties", "items", "type", "array", "items", ref(row), "total", "type",
                                    "integer", "total_capped", "type", "boolean", "page", "type", "integer", "per_page",
                                    "type", "integer")));
    } else if (single || (en && !strcmp(rt->method, "POST") && !strcmp(rt->pattern, "/api/v1/:entity")) ||
               (en && strstr(rt->pattern, "/actions/"))) {
        json_object_set_new(resp, !strcmp(rt->method, "POST") && !strstr(rt->pattern, "/actions/") ? "201" : "200",
                            json_response("The row", ref(row)));
    } else if (strstr(rt->pattern, "export.csv")) {
        json_object_set_new(resp, "200",
                            json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", "CSV file", "content", "text/csv",
                                      "schema", "type", "string"));
    } else if (strstr(rt->pattern, "export.xlsx")) {
        json_object_set_new(resp, "200",
                            json_pack("{s:s, s:{s:{s:{s:s, s:s}}}}", "description", "XLSX file", "content",
                                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "schema",
                                      "type", "string", "format", "binary"));
    } else if (!strcmp(rt->method, "DELETE")) {
        json_object_set_new(resp, "204", json_pack("{s:s}", "description", "Done"));
    } else if (rt->flags & R_RAW) {
        json_object_set_new(resp, "200",
                            json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", "OK", "content", "text/plain", "schema",
                                      "type", "string"));
    } else {
        json_object_set_new(resp, "200", json_response("OK", json_pack("{s:s}", "type", "object")));
    }
    json_object_set_new(resp, "default", json_response("Error", ref("#/components/schemas/Error")));
    json_object_set_new(op, "responses", resp);
    if (rt->flags & R_BIG_BODY) { /* file uploads: the raw bytes are the body */
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b, s:{s:{s:{s:s, s:s}}}}", "required", 1, "content",
                                      "application/octet-stream", "schema", "type", "string", "format", "binary"));
    } else if (!strcmp(rt->method, "POST") || !strcmp(rt->method, "PATCH") || !strcmp(rt->method, "PUT")) {
        json_t *schema =
            input && (!strcmp(rt->pattern, "/api/v1/:entity") || !strcmp(rt->pattern, "/api/v1/:entity/:id"))
                ? ref(input)
                : json_pack("{s:s}", "type", "object");
        json_object_set_new(op, "requestBody",
                            json_pack("{s:b, s:{s:{s:o}}}", "required", !strstr(rt->pattern, "/actions/"), "content",
                                      "application/json", "schema", schema));
    }
    if (rt->flags & R_PUBLIC) json_object_set_new(op, "security", json_array());
    return op;
}

/* "/api/v1/:entity/:id" with entity -> "/api/v1/market_research/{id}"; params filled. */
static char *openapi_path(Req *r, const char *pattern, const Entity *en, json_t *params) {
    Buf b;
    buf_init(&b, r->a);
    const char *p = pattern;
    while (*p) {
        if (*p == ':') {
            const char *e = strchr(p, '/');
            size_t n = e ? (size_t)(e - p - 1) : strlen(p + 1);
            char *name = arena_strndup(r->a, p + 1, n);
            if (en && !strcmp(name, "entity")) {
                buf_puts(&b, en->name);
            } else {
                buf_printf(&b, "{%s}", name);
                json_array_append_new(params, path_param(name));
            }
            p += n + 1;
        } else {
            buf_putc(&b, *p++);
        }
    }
    return b.p;
}

static char *op_id(Req *r, const char *method, const char *path) {
    Buf b;
    buf_init(&b, r->a);
    for (const char *m = method; *m; m++)
        buf_putc(&b, (char)(*m | 0x20));
    for (const char *p = path + 7; *p; p++)
        buf_putc(&b, (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ? *p : '_');
    return b.p;
}

static void add_op(Req *r, json_t *paths, const Route *rt, const Entity *en) {
    json_t *params = json_array();
    char *path = openapi_path(r, rt->pattern, en, params);
    json_t *item = json_object_get(paths, path);
    if (!item) {
        item = json_object();
        json_object_set_new(paths, path, item);
    }
    char method[8];
    size_t i;
    for (i = 0; rt->method[i] && i < 7; i++)
        method[i] = (char)(rt->method[i] | 0x20);
    method[i] = 0;
    json_object_set_new(item, method, operation(r, rt, en, params, op_id(r, rt->method, path)));
}

/*
** GET /api/v1/openapi.json                               public
** 200 OpenAPI 3.0.3 document of every route
*/
int openapi_get(Req *r, Err *e) {
    json_t *paths = json_object(), *schemas = json_object();
    int nr, ne;
    const Route *rts = routes_all(&nr);
    const Entity *const *ents = entity_all(&ne);
    for (int i = 0; i < ne; i++)
        entity_schemas(ents[i], schemas);
    json_object_set_new(schemas, "Error",
                        json_pack("{s:s, s:{s:{s:s, s:{s:{s:s}, s:{s:s, s:b}, s:{s:s}, s:{s:s}}}}}", "type", "object",
                                  "properties", "error", "type", "object", "properties", "code", "type", "string",
                                  "field", "type", "string", "nullable", 1, "message", "type", "string", "request_id",
                                  "type", "string"));
    for (int i = 0; i < nr; i++) {
        const Route *rt = &rts[i];
        if (strstr(rt->pattern, ":entity")) {
            for (int k = 0; k < ne; k++) {
                if (strstr(rt->pattern, "/actions/") && !ents[k]->flow) continue;
                if (strstr(rt->pattern, "/approvals") && !ents[k]->flow) continue;
                if (strstr(rt->pattern, "/attachments") && !ents[k]->attachments) continue;
                if (strstr(rt->pattern, "/merge") && !ents[k]->mergeable) continue;
                add_op(r, paths, rt, ents[k]);
            }
        } else {
            add_op(r, paths, rt, NULL);
        }
    }
    json_t *doc = json_pack(
        "{s:s, s:{s:s, s:s, s:s}, s:[{s:s}], s:o, s:{s:o, s:{s:{s:s, s:s, s:s}, s:{s:s, s:s}}}, s:[{s:[]}, {s:[]}]}",
        "openapi", "3.0.3", "info", "title", "salesloop API", "version", "1", "description",
        "Sales quality closed-loop management. Money in fen, times in UTC epoch seconds.", "servers", "url", "/",
        "paths", paths, "components", "schemas", schemas, "securitySchemes", "cookieAuth", "type", "apiKey", "in",
        "cookie", "name", "sl_session", "bearerAuth", "type", "http", "scheme", "bearer", "security", "cookieAuth",
        "bearerAuth");
    return reply_json(r, 200, doc);
}

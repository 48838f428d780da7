/*
** reviews.c — the pure part of reviews routed by the data: declared conditions
** on a record, the reviewer set a step asks for a record, reviewers' concerns,
** what changed between two rounds, and an approval's declaration as JSON for
** the meta and OpenAPI. No database here (tests/unit/test_reviews.c).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"

/* ---------------------------------------------------------------- conditions */

/* Text value as an integer into *out; false when it is not one. Booleans read
   as 1/0 so that {"flag", COND_EQ, "true"} and {"flag", COND_EQ, "1"} agree. */
static bool reviews_parse_int(const char *s, int64_t *out) {
    if (!s || !*s) return false;
    if (!strcmp(s, "true") || !strcmp(s, "false")) {
        *out = s[0] == 't';
        return true;
    }
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*end) return false;
    *out = (int64_t)v;
    return true;
}

/* Compare the record's value v with the text w: <0, 0, >0; *ok false when they
   are not comparable (different kinds, or w not a number for a number). */
static int reviews_cmp(const json_t *v, const char *w, bool *ok) {
    *ok = true;
    if (json_is_integer(v) || json_is_boolean(v)) {
        int64_t a = json_is_integer(v) ? (int64_t)json_integer_value(v) : json_is_true(v), b;
        if (!reviews_parse_int(w, &b)) {
            *ok = false;
            return 0;
        }
        return a < b ? -1 : a > b;
    }
    if (json_is_string(v)) {
        int c = strcmp(json_string_value(v), w ? w : "");
        return c < 0 ? -1 : c > 0;
    }
    *ok = false;
    return 0;
}

/* Is the value set: true, non-zero, non-empty text, non-empty array/object? */
static bool reviews_is_set(const json_t *v) {
    if (!v || json_is_null(v) || json_is_false(v)) return false;
    if (json_is_integer(v)) return json_integer_value(v) != 0;
    if (json_is_string(v)) return json_string_length(v) > 0;
    if (json_is_array(v)) return json_array_size(v) > 0;
    if (json_is_object(v)) return json_object_size(v) > 0;
    return true;
}

/* Is the record's value v one of the space-separated words of list? */
static bool reviews_in(const json_t *v, const char *list) {
    char w[128];
    for (const char *p = list; p && *p;) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (n == 0) break;
        if (n < sizeof w) {
            memcpy(w, p, n);
            w[n] = 0;
            bool ok;
            if (reviews_cmp(v, w, &ok) == 0 && ok) return true;
        }
        p += n;
    }
    return false;
}

/* See flow.h. A missing or null field satisfies only COND_NE. */
bool flow_cond_holds(const Condition *c, const json_t *rec) {
    if (!c || !c->field) return true;
    const json_t *v = json_object_get(rec, c->field);
    if (c->op == COND_SET) return reviews_is_set(v);
    if (!v || json_is_null(v)) return c->op == COND_NE;
    if (c->op == COND_IN) return reviews_in(v, c->value);
    bool ok;
    int cmp = reviews_cmp(v, c->value, &ok);
    if (!ok) return c->op == COND_NE;
    switch (c->op) {
    case COND_GT:
        return cmp > 0;
    case COND_GTE:
        return cmp >= 0;
    case COND_LT:
        return cmp < 0;
    case COND_LTE:
        return cmp <= 0;
    case COND_EQ:
        return cmp == 0;
    case COND_NE:
        return cmp != 0;
    default:
        return false;
    }
}

/* See flow.h. */
bool flow_conds_hold(const Condition *list, const json_t *rec) {
    for (const Condition *c = list; c && c->field; c++)
        if (!flow_cond_holds(c, rec)) return false;
    return true;
}

/* See flow.h. */
const char *flow_cond_op_name(CondOp op) {
    static const char *const names[] = {[COND_GT] = "gt", [COND_GTE] = "gte", [COND_LT] = "lt", [COND_LTE] = "lte",
                                        [COND_EQ] = "eq", [COND_NE] = "ne",   [COND_IN] = "in", [COND_SET] = "set"};
    return op >= COND_GT && op <= COND_SET ? names[op] : "?";
}

/* ---------------------------------------------------------------- reviewer sets */

/* See flow.h. */
uint32_t flow_step_declared_roles(const ApprovalStep *s) {
    if (!s->reviewers) return s->roles;
    uint32_t m = 0;
    for (const Reviewer *v = s->reviewers; v->role; v++)
        m |= v->role;
    return m;
}

/* See flow.h. */
uint32_t flow_step_roles(const ApprovalStep *s, const json_t *rec) {
    if (!flow_conds_hold(s->when, rec)) return 0;
    if (!s->reviewers) return s->roles;
    uint32_t m = 0;
    for (const Reviewer *v = s->reviewers; v->role; v++)
        if (flow_conds_hold(v->when, rec)) m |= v->role;
    return m;
}

/* See flow.h. */
const char *flow_role_concerns(const ApprovalStep *s, int role) {
    if (!s->reviewers) return s->concerns;
    for (const Reviewer *v = s->reviewers; v->role; v++)
        if (v->role & (1u << role)) return v->concerns;
    return NULL;
}

/* See flow.h. */
bool flow_concern_touched(const char *concerns, const json_t *changed) {
    if (!concerns) return true;
    size_t i;
    const json_t *c;
    json_array_foreach(changed, i, c) {
        if (json_is_string(c) && str_word_in(concerns, json_string_value(c))) return true;
    }
    return false;
}

/* See flow.h. */
bool flow_approval_rereviews(const Approval *ap) {
    for (const ApprovalStep *s = ap->steps; s && s->name; s++) {
        if (s->concerns) return true;
        for (const Reviewer *v = s->reviewers; v && v->role; v++)
            if (v->concerns) return true;
    }
    return false;
}

/* ---------------------------------------------------------------- changes between rounds */

/* A copy of a child collection's lines without their "id" and "idx" (a line
   stored again under a new id is the same line). New reference. */
static json_t *reviews_lines(const json_t *lines) {
    json_t *out = json_array();
    size_t i;
    const json_t *l;
    json_array_foreach(lines, i, l) {
        json_t *c = json_is_object(l) ? json_deep_copy(l) : json_null();
        if (json_is_object(c)) {
            json_object_del(c, "id");
            json_object_del(c, "idx");
        }
        json_array_append_new(out, c);
    }
    return out;
}

/* See flow.h. */
json_t *flow_snapshot(const Entity *en, const json_t *rec) {
    json_t *o = json_object();
    for (const Field *f = en->fields; f && f->name; f++) {
        if (f->flags & (F_WRITEONLY | F_VIRTUAL)) continue;
        json_t *v = json_object_get(rec, f->name);
        json_object_set_new(o, f->name, v ? json_deep_copy(v) : json_null());
    }
    for (const Child *ch = en->children; ch && ch->name; ch++)
        json_object_set_new(o, ch->name, reviews_lines(json_object_get(rec, ch->name)));
    return o;
}

/* See flow.h. A key missing on either side reads as null. */
json_t *flow_changed(const Entity *en, const json_t *before, const json_t *after) {
    json_t *a = json_array();
    for (const Field *f = en->fields; f && f->name; f++) {
        const json_t *x = json_object_get(before, f->name), *y = json_object_get(after, f->name);
        bool xn = !x || json_is_null(x), yn = !y || json_is_null(y);
        if (xn != yn || (!xn && !json_equal((json_t *)x, (json_t *)y))) json_array_append_new(a, json_string(f->name));
    }
    for (const Child *ch = en->children; ch && ch->name; ch++) {
        json_t *x = reviews_lines(json_object_get(before, ch->name));
        json_t *y = reviews_lines(json_object_get(after, ch->name));
        if (!json_equal(x, y)) json_array_append_new(a, json_string(ch->name));
        json_decref(x);
        json_decref(y);
    }
    return a;
}

/* See flow.h. Lines are compared by position: a line added or removed touches every field. */
json_t *flow_touched(const Entity *en, const json_t *before, const json_t *after) {
    json_t *a = flow_changed(en, before, after);
    for (const Child *ch = en->children; ch && ch->name; ch++) {
        const json_t *x = json_object_get(before, ch->name), *y = json_object_get(after, ch->name);
        size_t nx = json_array_size(x), ny = json_array_size(y), n = nx > ny ? nx : ny;
        for (const Field *f = ch->fields; f && f->name; f++) {
            for (size_t i = 0; i < n; i++) {
                const json_t *u = json_object_get(json_array_get(x, i), f->name);
                const json_t *v = json_object_get(json_array_get(y, i), f->name);
                bool un = !u || json_is_null(u), vn = !v || json_is_null(v);
                if (i >= nx || i >= ny || un != vn || (!un && !json_equal((json_t *)u, (json_t *)v))) {
                    char name[128];
                    snprintf(name, sizeof name, "%s.%s", ch->name, f->name);
                    json_array_append_new(a, json_string(name));
                    break;
                }
            }
        }
    }
    return a;
}

/* ---------------------------------------------------------------- declaration as JSON */

/* A condition list as [{"field","op","value"}]. */
static json_t *reviews_conds_json(const Condition *list) {
    json_t *a = json_array();
    for (const Condition *c = list; c && c->field; c++)
        json_array_append_new(
            a, json_pack("{s:s, s:s, s:s?}", "field", c->field, "op", flow_cond_op_name(c->op), "value", c->value));
    return a;
}

/* Space-separated words as a JSON array, or null for NULL. */
static json_t *reviews_words(const char *s) {
    if (!s) return json_null();
    json_t *a = json_array();
    while (*s) {
        while (*s == ' ')
            s++;
        size_t n = strcspn(s, " ");
        if (n) json_array_append_new(a, json_stringn(s, n));
        s += n;
    }
    return a;
}

/* Role ids of a mask as a JSON array. */
static json_t *reviews_roles(uint32_t m) {
    json_t *a = json_array();
    for (int i = 0; i < ROLE_COUNT; i++)
        if (m & (1u << i)) json_array_append_new(a, json_string(role_info[i].id));
    return a;
}

/* See flow.h. */
json_t *flow_approval_json(const Approval *ap, const char *locale, const char *state) {
    static const char *const scopes[] = {"any", "unit", "owner_manager"};
    json_t *steps = json_array();
    for (const ApprovalStep *s = ap->steps; s && s->name; s++) {
        json_t *o =
            json_pack("{s:s, s:s, s:o, s:s, s:i, s:b, s:o, s:o}", "name", s->name, "label",
                      label_for(locale, s->zh, s->tw, s->en), "roles", reviews_roles(flow_step_declared_roles(s)),
                      "scope", s->scope >= 0 && s->scope <= 2 ? scopes[s->scope] : "any", "due_hours", s->due_hours,
                      "collect_all", (s->flags & STEP_COLLECT_ALL) != 0, "when", reviews_conds_json(s->when),
                      "concerns", reviews_words(s->concerns));
        json_t *rv = json_null();
        if (s->reviewers) {
            rv = json_array();
            for (const Reviewer *v = s->reviewers; v->role; v++) {
                int bit = 0;
                while (bit < ROLE_COUNT && !(v->role & (1u << bit)))
                    bit++;
                json_array_append_new(
                    rv, json_pack("{s:s, s:o, s:o}", "role", bit < ROLE_COUNT ? role_info[bit].id : "", "when",
                                  reviews_conds_json(v->when), "concerns", reviews_words(v->concerns)));
            }
        }
        json_object_set_new(o, "reviewers", rv);
        json_array_append_new(steps, o);
    }
    return json_pack("{s:s?, s:s, s:s, s:o}", "state", state, "approved_to", ap->approved_to, "rejected_to",
                     ap->rejected_to, "steps", steps);
}

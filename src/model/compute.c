/*
** compute.c — stored computed fields (entity.h, Compute): amounts, totals and
** margins declared as steps of integer arithmetic over a record's fields and
** its lines, run by the server on every write. No floating point: money stays
** fen, quantities thousandths, rates basis points, and a product is rounded
** once, half away from zero (四舍五入), into the target's unit.
*/
#include <assert.h>
#include <string.h>

#include "../core/errcodes.h"
#include "model.h"

int64_t field_unit_scale(FieldType t) {
    switch (t) {
    case FT_QTY:
        return 1000;
    case FT_PERCENT_BP:
        return 10000;
    default:
        return 1;
    }
}

int compute_mul(int64_t a, FieldType ta, int64_t b, FieldType tb, FieldType target, int64_t *out) {
    return money_muldiv(a, b, field_unit_scale(target), field_unit_scale(ta) * field_unit_scale(tb), out);
}

/* Field named name among fields, or NULL. */
static const Field *field_in(const Field *fields, const char *name) {
    for (const Field *f = fields; f && f->name; f++)
        if (strcmp(f->name, name) == 0) return f;
    return NULL;
}

/* Integer value of key in rec; null or missing counts as 0 (an optional discount left out). */
static int64_t num_of(json_t *rec, const char *key) {
    json_t *v = json_object_get(rec, key);
    return json_is_integer(v) ? json_integer_value(v) : 0;
}

/* The computed field's own error: 400 field.range naming it. */
static int compute_fail(Req *r, const Field *f, const char *prefix, Err *e) {
    err_set(e, 400, EC_RANGE, prefix ? arena_printf(r->a, "%s.%s", prefix, f->name) : f->name, "%s", "int64");
    e->label = field_label(r, f);
    return -1;
}

int compute_run(Req *r, const Compute *cs, const Field *fields, const Child *children, json_t *rec, const char *prefix,
                Err *e) {
    for (const Compute *c = cs; c && c->field; c++) {
        const Field *tf = field_in(fields, c->field);
        assert(tf && (tf->flags & F_COMPUTED)); /* declarations are checked at registration */
        int64_t v = 0;
        if (c->op == CK_SUM) {
            const Child *ch = NULL;
            for (const Child *k = children; k && k->name; k++)
                if (strcmp(k->name, c->a) == 0) ch = k;
            const Field *lf = ch ? field_in(ch->fields, c->b) : NULL;
            assert(lf);
            json_t *lines = json_object_get(rec, c->a), *line;
            size_t i;
            __int128 sum = 0;
            json_array_foreach(lines, i, line) sum += num_of(line, c->b);
            if (sum > INT64_MAX || sum < INT64_MIN) return compute_fail(r, tf, prefix, e);
            /* a line's unit may differ from the total's: rescale (and round) into the target's */
            if (compute_mul((int64_t)sum, lf->type, 1, FT_INT, tf->type, &v) < 0) return compute_fail(r, tf, prefix, e);
        } else {
            const Field *fa = field_in(fields, c->a), *fb = field_in(fields, c->b);
            assert(fa && fb);
            int64_t a = num_of(rec, c->a), b = num_of(rec, c->b);
            if (c->op == CK_MUL) {
                if (compute_mul(a, fa->type, b, fb->type, tf->type, &v) < 0) return compute_fail(r, tf, prefix, e);
            } else if (c->op == CK_RATIO) {
                if (b < 0) a = -a, b = -b;
                if (b && money_muldiv(a, field_unit_scale(tf->type) * field_unit_scale(fb->type), 1,
                                      b * field_unit_scale(fa->type), &v) < 0)
                    return compute_fail(r, tf, prefix, e);
                /* a ratio is stored in a 32-bit column (a margin in basis points): one beyond it,
                   a price of 0.01 against a cost of 8,000.00, is shown at the column's end */
                if (v > INT32_MAX) v = INT32_MAX;
                if (v < -INT32_MAX) v = -INT32_MAX;
            } else if (c->op == CK_ADD ? __builtin_add_overflow(a, b, &v) : __builtin_sub_overflow(a, b, &v)) {
                return compute_fail(r, tf, prefix, e);
            }
        }
        if (tf->min < tf->max && (v < tf->min || v > tf->max)) {
            err_set(e, 400, EC_RANGE, prefix ? arena_printf(r->a, "%s.%s", prefix, tf->name) : tf->name, "%lld..%lld",
                    (long long)tf->min, (long long)tf->max);
            e->label = field_label(r, tf);
            return -1;
        }
        json_object_set_new(rec, c->field, json_integer(v));
    }
    return 0;
}

/* One compute list checked against the fields it reads and writes; logs and returns -1. */
static int compute_check_list(const char *where, const Compute *cs, const Field *fields, const Child *children) {
    for (const Compute *c = cs; c && c->field; c++) {
        const Field *tf = field_in(fields, c->field);
        bool ok = tf && (tf->flags & F_COMPUTED) && (tf->flags & F_READONLY);
        if (ok && c->op == CK_SUM) {
            const Child *ch = NULL;
            for (const Child *k = children; k && k->name; k++)
                if (strcmp(k->name, c->a) == 0) ch = k;
            ok = ch && field_in(ch->fields, c->b);
        } else if (ok) {
            ok = field_in(fields, c->a) && field_in(fields, c->b);
        }
        if (!ok) {
            log_error("%s: compute of %s names a field that is not declared (or a target not F_COMPUTED)", where,
                      c->field);
            return -1;
        }
    }
    return 0;
}

int compute_check(const Entity *en) {
    int bad = compute_check_list(en->name, en->computes, en->fields, en->children);
    for (const Child *ch = en->children; ch && ch->name; ch++)
        bad |= compute_check_list(ch->name, ch->computes, ch->fields, NULL);
    return bad ? -1 : 0;
}

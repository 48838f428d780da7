/*
** messages.c — texts the server writes, stored as a key with parameters
** ({"m":"pool.released","p":{"by":"刘洋","reason":"…"}}) and rendered in each
** reader's language from the catalogue in core/messages.h (R-NF-2). Stored
** text that is not such an object (what users typed, rows written before
** this existed) is shown as it is.
*/
#include <assert.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../core/messages.h"
#include "model.h"

typedef struct Msg {
    const char *key;
    const char *tpl[3]; /* zh-CN, zh-TW, en */
} Msg;

#define MSG_ROW(key, zh, tw, en) {key, {zh, tw, en}},
static const Msg aMsg[] = {MESSAGES(MSG_ROW)};
#undef MSG_ROW

/* The catalogue entry of key, or NULL. */
static const Msg *msg_find(const char *key) {
    for (size_t i = 0; key && i < sizeof aMsg / sizeof aMsg[0]; i++)
        if (strcmp(aMsg[i].key, key) == 0) return &aMsg[i];
    return NULL;
}

/* A value passed to msg_make: a stored message (nested) or a label reference (msg_entity_label,
   msg_field_labels) becomes its object, else a string. */
static json_t *param_value(const char *v) {
    if (v && (!strncmp(v, "{\"m\":", 5) || !strncmp(v, "{\"entity_label\":", 16) ||
              !strncmp(v, "{\"field_labels\":", 16) || !strncmp(v, "{\"t3\":", 6))) {
        json_t *o = json_loads(v, 0, NULL);
        if (json_is_object(o)) return o;
        json_decref(o);
    }
    return json_string(v ? v : "");
}

/* JSON text of an object, in the arena. */
static char *dump_arena(Arena *a, json_t *o) {
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    char *out = arena_strdup(a, s ? s : "");
    free(s);
    return out;
}

char *msg_entity_label(Arena *a, const char *entity) {
    return dump_arena(a, json_pack("{s:s}", "entity_label", entity));
}

char *msg_text3(Arena *a, const char *zh, const char *tw, const char *en) {
    return dump_arena(a,
                      json_pack("{s:[s,s,s]}", "t3", zh ? zh : "", tw ? tw : (zh ? zh : ""), en ? en : (zh ? zh : "")));
}

char *msg_field_labels(Arena *a, const char *entity, json_t *names) {
    return dump_arena(a, json_pack("{s:{s:s, s:O}}", "field_labels", "entity", entity, "names", names));
}

/* The label of a field or line collection of entity e in locale li's language, or the name. */
static const char *label_of_name(const Entity *e, const char *locale, const char *name) {
    const Field *f = e && name ? entity_field(e, name) : NULL;
    if (f) return label_for(locale, f->zh, f->tw, f->en);
    for (const Child *ch = e ? e->children : NULL; ch && ch->name && name; ch++)
        if (!strcmp(ch->name, name)) return label_for(locale, ch->zh, ch->tw, ch->en);
    return name ? name : "";
}

char *msg_make(Arena *a, const char *key, ...) {
    assert(msg_find(key)); /* every key is in core/messages.h */
    json_t *p = json_object();
    va_list ap;
    va_start(ap, key);
    for (const char *name; (name = va_arg(ap, const char *));)
        json_object_set_new(p, name, param_value(va_arg(ap, const char *)));
    va_end(ap);
    json_t *o = json_pack("{s:s, s:o}", "m", key, "p", p);
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    char *out = arena_strdup(a, s ? s : "");
    free(s);
    return out;
}

/* Append the rendering of message object o (depth-bounded) to b. */
static void render_into(Buf *b, const char *locale, json_t *o, int depth) {
    const Msg *m = msg_find(json_string_value(json_object_get(o, "m")));
    json_t *p = json_object_get(o, "p");
    if (!m || depth > 4) {
        buf_puts(b, json_string_value(json_object_get(o, "m")) ? json_string_value(json_object_get(o, "m")) : "");
        return;
    }
    int li = locale && !strcmp(locale, "en") ? 2 : locale && !strcmp(locale, "zh-TW") ? 1 : 0;
    for (const char *t = m->tpl[li]; *t;) {
        const char *open = strchr(t, '{');
        const char *close = open ? strchr(open, '}') : NULL;
        if (!open || !close) {
            buf_puts(b, t);
            break;
        }
        buf_printf(b, "%.*s", (int)(open - t), t);
        char name[48];
        size_t n = (size_t)(close - open - 1);
        if (n < sizeof name) {
            memcpy(name, open + 1, n);
            name[n] = 0;
            json_t *v = json_object_get(p, name);
            json_t *el = json_object_get(v, "entity_label"), *fl = json_object_get(v, "field_labels");
            json_t *t3 = json_object_get(v, "t3");
            if (json_is_array(t3)) { /* a declared label given in the three languages */
                buf_puts(b, json_string_value(json_array_get(t3, (size_t)li))
                                ? json_string_value(json_array_get(t3, (size_t)li))
                                : "");
            } else if (json_is_string(el)) { /* an entity's label, in the reader's language */
                const Entity *e = entity_find(json_string_value(el));
                buf_puts(b, e ? label_for(locale, e->zh, e->tw, e->en) : json_string_value(el));
            } else if (json_is_object(fl)) { /* field labels, joined */
                const Entity *e = entity_find(json_string_value(json_object_get(fl, "entity")));
                json_t *n;
                size_t k;
                json_t *names = json_object_get(fl, "names");
                json_array_foreach(names, k, n) {
                    const char *sep = k ? (li == 2 ? ", " : "、") : "";
                    buf_printf(b, "%s%s", sep, label_of_name(e, locale, json_string_value(n)));
                }
            } else if (json_is_object(v)) {
                render_into(b, locale, v, depth + 1);
            } else if (json_is_string(v)) {
                buf_puts(b, json_string_value(v));
            }
        }
        t = close + 1;
    }
}

const char *msg_render(Arena *a, const char *locale, const char *stored) {
    if (!stored || strncmp(stored, "{\"m\":", 5)) return stored;
    json_t *o = json_loads(stored, 0, NULL);
    if (!json_is_object(o)) {
        json_decref(o);
        return stored;
    }
    Buf b;
    buf_init(&b, a);
    buf_puts(&b, "");
    render_into(&b, locale, o, 0);
    json_decref(o);
    return b.p;
}

void row_render_messages(Req *r, const Entity *en, json_t *row) {
    for (const Field *f = en->fields; f->name; f++) {
        if (!(f->flags & F_MESSAGE)) continue;
        json_t *v = json_object_get(row, f->name);
        if (!json_is_string(v)) continue;
        const char *s = json_string_value(v);
        const char *t = msg_render(r->a, r->locale, s);
        if (t != s) json_object_set_new(row, f->name, json_string(t));
    }
}

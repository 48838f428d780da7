/*
** admin.c — users and org units as declared entities (admin writes, every
** signed-in user reads, for reference pickers), with the few rules that
** are special: password hashing, roles kept in user_roles, org unit paths
** kept consistent when a unit moves.
*/
#include <stdio.h>
#include <string.h>

#include "../core/errcodes.h"
#include "../http/internal.h"
#include "../model/model.h"
#include "modules.h"

/* ---------------------------------------------------------------- org units */

static const Field org_unit_fields[] = {
    {"name", FT_TEXT, F_REQUIRED | F_LIST | F_SEARCH | F_SORT, 1, 100, NULL, NULL, NULL, "名称", "名稱", "Name"},
    {"code", FT_TEXT, F_LIST | F_SEARCH | F_SORT | F_UNIQUE, 0, 32, NULL, NULL, NULL, "编码", "編碼", "Code"},
    {"parent_id", FT_REF, F_LIST | F_FILTER, 0, 0, NULL, "org_units", NULL, "上级单位", "上級單位", "Parent unit"},
    {"path", FT_TEXT, F_READONLY, 0, 0, NULL, NULL, "/", "路径", "路徑", "Path"},
    {NULL},
};

/* The path of a unit, or NULL. */
static const char *unit_path(Req *r, int64_t id) {
    Stmt *st = db_prepare(r->db, "SELECT path FROM org_units WHERE id = ?1 AND deleted_at IS NULL");
    if (!st) return NULL;
    db_bind_int64(st, 1, id);
    const char *p = db_step(st) == DB_ROW ? arena_strdup(r->a, db_col_text(st, 0)) : NULL;
    db_done(st);
    return p;
}

/* A unit may not become its own descendant. */
static int org_unit_check(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    json_t *parent = json_object_get(rec, "parent_id");
    if (old && json_is_integer(parent)) {
        const char *pp = unit_path(r, json_integer_value(parent));
        const char *own = json_string_value(json_object_get(old, "path"));
        if (pp && own && strncmp(pp, own, strlen(own)) == 0)
            return err_set(e, 400, EC_RANGE, "parent_id", "a unit cannot move below itself");
    }
    return 0;
}

/* Keep path = parent's path + id + "/" for the unit and, on a move, its subtree. */
static int org_unit_paths(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    int64_t id = json_integer_value(json_object_get(rec, "id"));
    json_t *parent = json_object_get(rec, "parent_id");
    const char *pp = json_is_integer(parent) ? unit_path(r, json_integer_value(parent)) : "/";
    if (!pp) return err_set(e, 400, EC_REF, "parent_id", NULL);
    const char *path = arena_printf(r->a, "%s%lld/", pp, (long long)id);
    const char *oldpath = old ? json_string_value(json_object_get(old, "path")) : NULL;
    if (oldpath && strcmp(oldpath, path) == 0) return 0;
    Stmt *st;
    if (oldpath) {
        st = db_prepare(r->db, "UPDATE org_units SET path = ?1 || substr(path, ?2) WHERE path LIKE ?3");
        if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        db_bind_text(st, 1, path, -1);
        db_bind_int64(st, 2, (int64_t)strlen(oldpath) + 1);
        db_bind_text(st, 3, arena_printf(r->a, "%s%%", oldpath), -1);
    } else {
        st = db_prepare(r->db, "UPDATE org_units SET path = ?1, org_unit_id = ?2 WHERE id = ?2");
        if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        db_bind_text(st, 1, path, -1);
        db_bind_int64(st, 2, id);
    }
    int rc = db_step(st);
    db_done(st);
    return rc < 0 ? err_set(e, 500, EC_INTERNAL, NULL, NULL) : 0;
}

static const Entity org_units_entity = {
    .name = "org_units",
    .table = "org_units",
    .few_rows = true,
    .zh = "组织单位",
    .tw = "組織單位",
    .en = "Org units",
    .fields = org_unit_fields,
    .vis = VIS_ALL,
    .read_roles = 0,
    .write_roles = RB(ADMIN),
    .default_sort = "name",
    .title_field = "name",
    .before_save = org_unit_check,
    .after_save = org_unit_paths,
    .tag = "admin",
};

/* ---------------------------------------------------------------- users */

static const EnumVal locales[] = {
    {"zh-CN", "简体中文", "簡體中文", "Simplified Chinese"},
    {"zh-TW", "繁體中文", "繁體中文", "Traditional Chinese"},
    {"en", "English", "English", "English"},
    {NULL},
};

static const Field user_fields[] = {
    {"username", FT_TEXT, F_REQUIRED | F_LIST | F_SEARCH | F_SORT | F_UNIQUE | F_CREATE_ONLY, 2, 64, NULL, NULL, NULL,
     "用户名", "使用者名稱", "User name"},
    {"display_name", FT_TEXT, F_REQUIRED | F_LIST | F_SEARCH | F_SORT, 1, 100, NULL, NULL, NULL, "姓名", "姓名",
     "Name"},
    {"email", FT_EMAIL, F_LIST | F_SEARCH, 0, 254, NULL, NULL, NULL, "邮箱", "電子郵件", "Email"},
    {"phone", FT_PHONE, F_SEARCH, 0, 32, NULL, NULL, NULL, "电话", "電話", "Phone"},
    /* what only administration needs: colleagues see names, units, contacts and roles */
    {"locale", FT_ENUM, F_FILTER, 0, 0, locales, NULL, "zh-CN", "界面语言", "介面語言", "Language",
     .read_roles = RB(ADMIN)},
    {"disabled", FT_BOOL, F_LIST | F_FILTER, 0, 0, NULL, NULL, "0", "已停用", "已停用", "Disabled",
     .read_roles = RB(ADMIN)},
    {"roles", FT_ROLES, F_VIRTUAL | F_LIST, 0, 0, NULL, NULL, NULL, "角色", "角色", "Roles"},
    {"password", FT_TEXT, F_VIRTUAL | F_WRITEONLY, 8, 1024, NULL, NULL, NULL, "密码", "密碼", "Password"},
    {"password_hash", FT_TEXT, F_READONLY | F_WRITEONLY, 0, 0, NULL, NULL, NULL, "密码摘要", "密碼摘要",
     "Password hash"},
    {NULL},
};

/* Roles of a user as a JSON array of ids. */
static json_t *roles_of(Db *db, int64_t uid) {
    json_t *a = json_array();
    Stmt *st = db_prepare(db, "SELECT role FROM user_roles WHERE user_id = ?1 ORDER BY role");
    if (!st) return a;
    db_bind_int64(st, 1, uid);
    while (db_step(st) == DB_ROW)
        json_array_append_new(a, json_string(db_col_text(st, 0)));
    db_done(st);
    return a;
}

static void user_decorate(Req *r, const Entity *en, json_t *row) {
    json_object_set_new(row, "roles", roles_of(r->db, json_integer_value(json_object_get(row, "id"))));
}

/*
** Password required on create, checked against the password policy and hashed (Argon2id)
** whenever given; usernames are lower-case.
*/
static int user_before_save(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    /* user names are case-insensitive: stored in lower case, sign-in lower-cases too */
    const char *u = json_string_value(json_object_get(rec, "username"));
    if (u) {
        char *low = str_ascii_lower(arena_strdup(r->a, u));
        for (const char *p = low; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-' ||
                  *p == '@'))
                return err_set(e, 400, EC_FORMAT, "username", "a-z 0-9 . _ - @");
        json_object_set_new(rec, "username", json_string(low));
        u = json_string_value(json_object_get(rec, "username"));
    } else if (old) {
        u = json_string_value(json_object_get(old, "username"));
    }
    json_t *pw = json_object_get(rec, "password");
    if (!old && !json_is_string(pw)) return err_set(e, 400, EC_REQUIRED, "password", NULL);
    if (json_is_string(pw)) {
        if (password_policy_check(r->db, u, json_string_value(pw), "password", e) < 0) return -1;
        char *h = password_hash(r->a, json_string_value(pw));
        if (!h) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        json_object_set_new(rec, "password_hash", json_string(h));
        json_object_del(rec, "password");
    }
    if (old && json_integer_value(json_object_get(old, "id")) == r->user->id) {
        if (json_is_true(json_object_get(rec, "disabled")))
            return err_set(e, 400, EC_FORBIDDEN, "disabled", "cannot disable yourself");
    }
    if (!json_object_get(rec, "roles")) json_object_set_new(rec, "roles", json_array());
    return 0;
}

int user_roles_store(Db *db, int64_t uid, json_t *roles) {
    Stmt *st = db_prepare(db, "DELETE FROM user_roles WHERE user_id = ?1");
    if (!st) return -1;
    db_bind_int64(st, 1, uid);
    int rc = db_step(st);
    db_done(st);
    size_t i;
    json_t *v;
    json_array_foreach(roles, i, v) {
        st = db_prepare(db, "INSERT INTO user_roles(user_id, role) VALUES (?1, ?2) ON CONFLICT DO NOTHING");
        if (!st) return -1;
        db_bind_int64(st, 1, uid);
        db_bind_text(st, 2, json_string_value(v), -1);
        if (db_step(st) < 0) rc = -1;
        db_done(st);
    }
    return rc < 0 ? -1 : 0;
}

/* Roles are stored when given; a password change ends the user's sessions. */
static int user_after_save(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    int64_t uid = json_integer_value(json_object_get(rec, "id"));
    json_t *roles = json_object_get(rec, "roles");
    if (json_is_array(roles) && (!old || !json_equal(roles, json_object_get(old, "roles"))))
        if (user_roles_store(r->db, uid, roles) < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    bool pw_changed = old && json_object_get(rec, "password_hash") != NULL; /* old rows never carry the hash */
    bool disabled = json_is_true(json_object_get(rec, "disabled"));
    if (pw_changed || disabled) {
        Stmt *st = db_prepare(r->db, "DELETE FROM sessions WHERE user_id = ?1");
        if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        db_bind_int64(st, 1, uid);
        int rc = db_step(st);
        db_done(st);
        if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    if (pw_changed) { /* a password set by an administrator also ends a sign-in lockout */
        const char *u = json_string_value(json_object_get(old, "username"));
        Stmt *st = db_prepare(r->db, "DELETE FROM login_guards WHERE name = ?1");
        if (!st || !u) {
            db_done(st);
            return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        }
        db_bind_text(st, 1, arena_printf(r->a, "u:%s", u), -1);
        int rc = db_step(st);
        db_done(st);
        if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    return 0;
}

static const Entity users_entity = {
    .name = "users",
    .table = "users",
    .few_rows = true,
    .zh = "成员",
    .tw = "成員",
    .en = "People",
    .fields = user_fields,
    .vis = VIS_ALL,
    .read_roles = 0,
    .write_roles = RB(ADMIN),
    .default_sort = "username",
    .title_field = "display_name",
    .before_save = user_before_save,
    .after_save = user_after_save,
    .decorate = user_decorate,
    .tag = "team", /* the colleague directory of everyone; administration is the admin's alone */
};

void admin_register(void) {
    entity_register(&org_units_entity);
    entity_register(&users_entity);
}

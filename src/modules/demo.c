/*
** demo.c — a realistic demo company for `make run` and `salesloop demo`:
** an org tree with sales regions and teams, people in every role, a product
** catalogue, market research and budgets in several states. Deterministic
** (fixed seed), so screenshots and manual checks are repeatable.
*/
#include <stdio.h>
#include <string.h>

#include "../core/roles.h"
#include "../http/internal.h"
#include "../model/calendar.h"
#include "demo.h"
#include "modules.h"

/* Small deterministic generator (LCG), so the demo is the same every time. */
static uint32_t seed = 20261122u;
static uint32_t rnd(uint32_t n) {
    seed = seed * 1664525u + 1013904223u;
    return (seed >> 8) % n;
}

int64_t demo_vsql(Demo *d, const char *sql, const char *types, va_list ap) {
    if (d->fail) return 0;
    Stmt *st = db_prepare(d->db, sql);
    if (!st) {
        snprintf(d->err, d->errlen, "demo: %s", db_errmsg(d->db));
        d->fail = 1;
        return 0;
    }
    for (int i = 0; types[i]; i++) {
        if (types[i] == 's') {
            const char *v = va_arg(ap, const char *);
            if (v)
                db_bind_text(st, i + 1, v, -1);
            else
                db_bind_null(st, i + 1);
        } else if (types[i] == 'n') {
            db_bind_null(st, i + 1);
        } else {
            int64_t v = va_arg(ap, int64_t);
            if (types[i] == 'z' && v == 0)
                db_bind_null(st, i + 1);
            else
                db_bind_int64(st, i + 1, v);
        }
    }
    int rc = db_step(st);
    int64_t v = rc == DB_ROW && !db_col_null(st, 0) ? db_col_int64(st, 0) : 0;
    if (rc < 0) {
        snprintf(d->err, d->errlen, "demo: %s", db_errmsg(d->db));
        d->fail = 1;
    }
    db_done(st);
    return v;
}

int64_t demo_sql(Demo *d, const char *sql, const char *types, ...) {
    va_list ap;
    va_start(ap, types);
    int64_t v = demo_vsql(d, sql, types, ap);
    va_end(ap);
    return v;
}

const char *demo_number(Demo *d, const char *prefix) {
    char day[11];
    date_of_epoch(d->now, company_tz_db(d->db), day);
    int64_t year = (day[0] - '0') * 1000 + (day[1] - '0') * 100 + (day[2] - '0') * 10 + (day[3] - '0');
    int64_t n = demo_sql(d,
                         "INSERT INTO doc_numbers(prefix, year, last) VALUES (?1, ?2, 1)"
                         " ON CONFLICT (prefix, year) DO UPDATE SET last = doc_numbers.last + 1 RETURNING last",
                         "si", prefix, year);
    return arena_printf(d->a, "%s-%lld-%06lld", prefix, (long long)year, (long long)n);
}

/* See demo.h. */
int demo_as_user(Req *r, User *u, int64_t id) {
    Stmt *st = db_prepare(r->db, "SELECT u.display_name, u.org_unit_id, o.path FROM users u"
                                 " LEFT JOIN org_units o ON o.id = u.org_unit_id WHERE u.id = ?1");
    if (!st) return -1;
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    memset(u, 0, sizeof *u);
    if (rc == DB_ROW) {
        u->id = id;
        u->username = u->display_name = arena_strdup(r->a, db_col_text(st, 0));
        u->locale = "zh-CN";
        u->org_unit_id = db_col_int64(st, 1);
        u->org_path = db_col_null(st, 2) ? NULL : arena_strdup(r->a, db_col_text(st, 2));
    }
    db_done(st);
    if (rc != DB_ROW) return -1;
    st = db_prepare(r->db, "SELECT role FROM user_roles WHERE user_id = ?1");
    if (!st) return -1;
    db_bind_int64(st, 1, id);
    while ((rc = db_step(st)) == DB_ROW) {
        int role = role_by_name(db_col_text(st, 0));
        if (role >= 0) u->roles |= 1u << role;
    }
    db_done(st);
    r->user = u;
    return rc == DB_DONE ? 0 : -1;
}

/* See demo.h. */
int64_t demo_user_named(Db *db, const char *username) {
    Stmt *st = db_prepare(db, "SELECT id FROM users WHERE username = ?1");
    if (!st) return -1;
    db_bind_text(st, 1, username, -1);
    int rc = db_step(st);
    int64_t id = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_done(st);
    return rc < 0 ? -1 : id;
}

/* See demo.h. */
int64_t demo_role_holder(Db *db, const char *role, const char *path) {
    Stmt *st = db_prepare(db, "SELECT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id AND ur.role = ?1"
                              " LEFT JOIN org_units o ON o.id = u.org_unit_id WHERE u.disabled = 0"
                              " AND u.deleted_at IS NULL AND (CAST(?2 AS TEXT) IS NULL OR ?2 LIKE o.path || '%')"
                              " ORDER BY LENGTH(o.path) DESC, u.id LIMIT 1");
    if (!st) return -1;
    db_bind_text(st, 1, role, -1);
    if (path)
        db_bind_text(st, 2, path, -1);
    else
        db_bind_null(st, 2);
    int rc = db_step(st);
    int64_t id = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_done(st);
    return rc < 0 ? -1 : id;
}

static int64_t unit(Demo *c, const char *name, const char *code, int64_t parent) {
    const char *pp = "/";
    Stmt *st = db_prepare(c->db, "SELECT path FROM org_units WHERE id = ?1");
    db_bind_int64(st, 1, parent);
    if (db_step(st) == DB_ROW) pp = arena_strdup(c->a, db_col_text(st, 0));
    db_done(st);
    int64_t id = demo_sql(c,
                          "INSERT INTO org_units(name, code, parent_id, path, created_at, updated_at) VALUES (?1, ?2, "
                          "?3, '/', ?4, ?4) RETURNING id",
                          "ssii", name, code, parent, c->now);
    demo_sql(c, "UPDATE org_units SET path = ?1, org_unit_id = ?2 WHERE id = ?2", "si",
             arena_printf(c->a, "%s%lld/", pp, (long long)id), id);
    return id;
}

static int64_t person(Demo *c, const char *username, const char *name, const char *hash, int64_t unit_id,
                      const char *roles) {
    int64_t id =
        demo_sql(c,
                 "INSERT INTO users(username, display_name, email, password_hash, org_unit_id, created_at, updated_at)"
                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) RETURNING id",
                 "ssssii", username, name, arena_printf(c->a, "%s@demo.salesloop.cn", username), hash, unit_id, c->now);
    demo_sql(c, "UPDATE users SET owner_id = id WHERE id = ?1", "i", id);
    char *copy = arena_strdup(c->a, roles);
    for (char *p = copy, *tok; (tok = strsep(&p, " "));)
        if (*tok) demo_sql(c, "INSERT INTO user_roles(user_id, role) VALUES (?1, ?2)", "is", id, tok);
    return id;
}

int demo_load(Db *db, const char *password, char *err, size_t errlen) {
    Demo c = {db, arena_new(), now_epoch(), 0, err, errlen};
    const char *hash = password_hash(c.a, password);
    if (!hash || db_begin(db) != DB_OK) {
        snprintf(err, errlen, "cannot start");
        arena_free(c.a);
        return -1;
    }
    int64_t root = demo_sql(&c, "SELECT min(id) FROM org_units", "");
    if (!root) root = unit(&c, "总公司", "HQ", 0);
    int64_t sales = unit(&c, "销售部", "SALES", root);
    int64_t east = unit(&c, "华东大区", "EAST", sales);
    int64_t sh = unit(&c, "上海组", "EAST-SH", east);
    int64_t hz = unit(&c, "杭州组", "EAST-HZ", east);
    int64_t south = unit(&c, "华南大区", "SOUTH", sales);
    int64_t gz = unit(&c, "广州组", "SOUTH-GZ", south);
    int64_t fin = unit(&c, "财务部", "FIN", root);
    int64_t cs = unit(&c, "客户服务部", "CS", root);

    person(&c, "zhou.jianguo", "周建国", hash, root, "gm");
    int64_t dir = person(&c, "wang.fang", "王芳", hash, sales, "sales_director");
    person(&c, "sun.li", "孙丽", hash, sales, "deputy_director");
    int64_t mgr_e = person(&c, "li.qiang", "李强", hash, east, "sales_manager");
    int64_t mgr_s = person(&c, "zhao.min", "赵敏", hash, south, "sales_manager");
    person(&c, "chen.jie", "陈杰", hash, sh, "supervisor");
    int64_t reps[] = {
        person(&c, "liu.yang", "刘洋", hash, sh, "sales_rep"),  person(&c, "zhang.wei", "张伟", hash, sh, "sales_rep"),
        person(&c, "huang.lei", "黄磊", hash, hz, "sales_rep"), person(&c, "xu.jing", "徐静", hash, gz, "sales_rep"),
        person(&c, "guo.peng", "郭鹏", hash, gz, "sales_rep"),
    };
    int64_t rep_units[] = {sh, sh, hz, gz, gz};
    person(&c, "lin.hui", "林慧", hash, fin, "finance");
    person(&c, "he.ping", "何平", hash, cs, "cs_specialist");
    /* the departments that review contracts (R-CON-3; contracts_demo) */
    person(&c, "wu.min", "吴敏", hash, root, "legal");
    person(&c, "ma.chao", "马超", hash, root, "tech");
    person(&c, "ding.lei", "丁磊", hash, root, "production");
    person(&c, "song.jia", "宋佳", hash, root, "qc");
    person(&c, "han.xue", "韩雪", hash, root, "purchasing");
    person(&c, "deng.gang", "邓刚", hash, root, "warehouse");
    person(&c, "ma.lan", "马兰", hash, cs, "sales_manager cs_specialist"); /* the service department's manager */

    static const struct {
        const char *code, *name, *model, *unit, *line;
        int64_t price, cost;
    } products[] = {
        {"VFD-0750", "通用变频器 7.5kW", "SL-V750", "台", "变频器", 428000, 301000},
        {"VFD-1500", "通用变频器 15kW", "SL-V1500", "台", "变频器", 685000, 472000},
        {"VFD-3700", "高性能矢量变频器 37kW", "SL-VX3700", "台", "变频器", 1598000, 1105000},
        {"SRV-0400", "交流伺服电机 400W", "SL-S04", "台", "伺服系统", 198000, 121000},
        {"SRV-1000", "交流伺服电机 1kW", "SL-S10", "台", "伺服系统", 356000, 229000},
        {"SRV-DRV1", "伺服驱动器 1kW", "SL-SD10", "台", "伺服系统", 289000, 176000},
        {"PLC-C32", "小型PLC控制器 32点", "SL-P32", "套", "控制器", 245000, 139000},
        {"PLC-M64", "中型PLC控制器 64点", "SL-P64", "套", "控制器", 612000, 388000},
        {"HMI-07", "7寸触摸屏", "SL-H07", "台", "人机界面", 168000, 97000},
        {"HMI-10", "10寸触摸屏", "SL-H10", "台", "人机界面", 259000, 151000},
        {"GRB-R60", "精密行星减速机 1:10", "SL-G60", "台", "传动", 132000, 78000},
        {"GRB-R90", "精密行星减速机 1:20", "SL-G90", "台", "传动", 218000, 134000},
        {"SEN-P01", "压力变送器 0-1.6MPa", "SL-PT16", "支", "传感器", 46000, 21000},
        {"SEN-T01", "温度变送器 PT100", "SL-TT100", "支", "传感器", 32000, 14500},
        {"SEN-F01", "电磁流量计 DN50", "SL-FM50", "台", "传感器", 568000, 342000},
        {"CAB-01", "低压配电柜 GGD", "SL-GGD", "面", "成套设备", 2380000, 1710000},
        {"CAB-02", "变频控制柜 55kW", "SL-VC55", "面", "成套设备", 4560000, 3290000},
        {"SVC-INST", "现场安装调试服务", "—", "人天", "服务", 180000, 90000},
        {"SVC-TRN", "操作培训服务", "—", "人天", "服务", 150000, 70000},
        {"SPR-FAN", "变频器散热风扇（备件）", "SL-FAN", "个", "备件", 28000, 11000},
    };
    for (size_t i = 0; i < sizeof products / sizeof products[0]; i++)
        demo_sql(&c,
                 "INSERT INTO products(code, name, model, unit, list_price, standard_cost, product_line, active, "
                 "owner_id, org_unit_id, created_at, updated_at, created_by)"
                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, ?9, ?10, ?10, ?8)",
                 "ssssiisiii", products[i].code, products[i].name, products[i].model, products[i].unit,
                 products[i].price, products[i].cost, products[i].line, dir, sales, c.now);

    static const char *const kinds[] = {"questionnaire", "interview", "trade_show", "seminar", "desk"};
    static const char *const topics[] = {
        "长三角注塑机行业变频改造需求", "食品包装线伺服替代进口调研", "水处理行业流量计选型习惯",
        "汽车零部件厂自动化升级预算",   "纺织机械客户对交期的要求",   "工业展会竞品价格收集",
        "暖通空调项目变频器品牌偏好",   "电梯改造市场容量估算",       "客户对售后响应时间的期望",
        "光伏组件厂控制柜采购流程",
    };
    static const char *const regions[] = {"上海", "杭州", "苏州", "广州", "深圳", "佛山"};
    static const char *const competitors[] = {"汇川、英威腾", "西门子、ABB", "台达、信捷", "安川、松下",
                                              "施耐德、正泰"};
    for (int i = 0; i < 60; i++) {
        int k = (int)rnd(5);
        int64_t day = c.now / 86400 - (int64_t)rnd(400);
        int y, m, d;
        civil_from_days(day, &y, &m, &d);
        demo_sql(&c,
                 "INSERT INTO market_research(research_date, topic, kind, region, findings, competitors, respondents, "
                 "cost, owner_id, org_unit_id, created_at, updated_at, created_by)"
                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?9)",
                 "ssssssiiiii", arena_printf(c.a, "%04d-%02d-%02d", y, m, d), topics[rnd(10)], kinds[k],
                 regions[rnd(6)], "客户普遍关注交期与售后响应速度；价格敏感度中等，愿为稳定性支付约 5% 溢价。",
                 competitors[rnd(5)], (int64_t)(5 + rnd(60)), (int64_t)(rnd(50) * 10000), reps[k], rep_units[k],
                 c.now - (int64_t)rnd(86400 * 30));
    }
    static const char *const cats[] = {"marketing", "travel", "entertainment", "training", "other"};
    int y, m, d;
    civil_from_days(c.now / 86400, &y, &m, &d);
    int64_t owners[] = {mgr_e, mgr_s, dir};
    int64_t owner_units[] = {east, south, sales};
    for (int i = 0; i < 9; i++) {
        int qm = ((m - 1) / 3) * 3 + 1;
        demo_sql(&c,
                 "INSERT INTO budgets(state, number, budget_unit_id, period_kind, period_start, category, amount, "
                 "note, owner_id, org_unit_id, created_at, updated_at, created_by)"
                 " VALUES ('draft', ?1, ?2, 'quarter', ?3, ?4, ?5, ?6, ?7, ?2, ?8, ?8, ?7)",
                 "sissisii", demo_number(&c, "BG"), owner_units[i % 3], arena_printf(c.a, "%04d-%02d-01", y, qm),
                 cats[i % 5], (int64_t)(50000000 + rnd(200) * 1000000), "本季度区域市场推广与客户拜访费用预算",
                 owners[i % 3], c.now);
    }
    if (!c.fail && customers_demo(db, c.a, c.now, err, errlen) < 0) c.fail = 1;
    /* the pipeline works on the demo customers: keep it after customers_demo */
    if (!c.fail && pipeline_demo(db, c.a, c.now, err, errlen) < 0) c.fail = 1;
    if (!c.fail && quotes_demo(db, c.now, err, errlen) < 0) c.fail = 1;
    if (!c.fail && contracts_demo(db, c.now, err, errlen) < 0) c.fail = 1; /* after quotes_demo: one from a quote */
    if (!c.fail && receivables_demo(db, c.now, err, errlen) < 0) c.fail = 1;
    if (!c.fail && orders_demo(db, c.now, err, errlen) < 0) c.fail = 1; /* on a signed demo contract */
    if (!c.fail && complaints_demo(db, c.now, err, errlen) < 0) c.fail = 1;
    if (!c.fail && service_demo(db, c.now, err, errlen) < 0) c.fail = 1;
    if (!c.fail && visits_demo(db, c.now, err, errlen) < 0) c.fail = 1;
    if (!c.fail && surveys_demo(db, c.now, err, errlen) < 0) c.fail = 1;
    /* the demo wrote leads and opportunities without the workflow: let the deadline job give
       them their stage clocks on its next run (flow/deadline.c, dl_sweep) */
    if (!c.fail) demo_sql(&c, "DELETE FROM deadline_sweeps", "");
    if (c.fail || db_commit(db) != DB_OK) {
        if (!c.fail) snprintf(err, errlen, "%s", db_errmsg(db));
        db_rollback(db);
        arena_free(c.a);
        return -1;
    }
    arena_free(c.a);
    return 0;
}

/*
** pipeline_demo.c — the demo company's pipeline (called by demo_load after
** the customers demo, in its transaction): leads in every state, follow-ups
** and follow-up plans, opportunities across the stages with their stage log,
** and the year's sales plans allocated to regions and reps. Deterministic.
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../http/internal.h"
#include "../model/calendar.h"
#include "demo.h"
#include "modules.h"

/* "YYYY-MM-DD" of the local day of now plus days. */
static const char *pd_day(Demo *c, int64_t days) {
    char out[11];
    date_of_epoch(c->now + days * 86400, company_tz_db(c->db), out);
    return arena_strdup(c->a, out);
}

/* The demo's reps and their units (up to 8), by id. */
static int pd_reps(Demo *c, int64_t *ids, int64_t *units, int max) {
    Stmt *st = db_prepare(c->db, "SELECT u.id, u.org_unit_id FROM users u JOIN user_roles r ON r.user_id = u.id"
                                 " WHERE r.role = 'sales_rep' AND u.deleted_at IS NULL AND u.org_unit_id IS NOT NULL"
                                 " ORDER BY u.id");
    int n = 0;
    while (st && db_step(st) == DB_ROW && n < max) {
        ids[n] = db_col_int64(st, 0);
        units[n++] = db_col_int64(st, 1);
    }
    db_done(st);
    return n;
}

int pipeline_demo(Db *db, Arena *a, int64_t now, char *err, size_t errlen) {
    Demo c = {db, a, now, 0, err, errlen};
    int64_t reps[8], units[8];
    int nrep = pd_reps(&c, reps, units, 8);
    if (nrep == 0) return 0;

    /* customers: the customers demo's, else a few of our own */
    int64_t cust[12], cowner[12], cunit[12];
    const char *cname[12];
    int ncust = 0;
    Stmt *st = db_prepare(db, "SELECT id, owner_id, org_unit_id, name FROM customers"
                              " WHERE deleted_at IS NULL AND owner_id IS NOT NULL ORDER BY id");
    while (st && db_step(st) == DB_ROW && ncust < 12) {
        cust[ncust] = db_col_int64(st, 0);
        cowner[ncust] = db_col_int64(st, 1);
        cunit[ncust] = db_col_null(st, 2) ? 0 : db_col_int64(st, 2);
        cname[ncust++] = arena_strdup(a, db_col_text(st, 3));
    }
    db_done(st);
    static const char *const own_customers[] = {"上海浦江包装机械有限公司",     "杭州钱塘水务设备有限公司",
                                                "苏州工业园区恒信电子有限公司", "广州番禺华南注塑有限公司",
                                                "佛山顺德美达暖通设备有限公司", "深圳宝安精密五金有限公司"};
    for (int i = 0; ncust == 0 && i < 6; i++) {
        int k = i % nrep;
        cust[i] = demo_sql(
            &c,
            "INSERT INTO customers(number, name, source, tier, owner_id, org_unit_id, owned_since,"
            " created_at, updated_at, created_by) VALUES (?1, ?2, 'trade_show', 'normal', ?3, ?4, ?5, ?5, ?5, ?3)"
            " RETURNING id",
            "ssiii", demo_number(&c, "CU"), own_customers[i], reps[k], units[k], now - 86400 * (120 + i));
        cowner[i] = reps[k];
        cunit[i] = units[k];
        cname[i] = own_customers[i];
        if (i == 5) ncust = 6;
    }

    /* leads in every state; some sit past their standard time */
    static const struct {
        const char *company, *contact, *phone, *source, *state;
        int64_t value, score, days;
    } leads[] = {
        {"无锡太湖智能装备有限公司", "周明", "13901510001", "trade_show", "new", 850000000, 72, 1},
        {"南京江宁轨道交通配件厂", "吴倩", "13901510002", "online", "new", 320000000, 55, 5},
        {"宁波北仑港机设备有限公司", "郑涛", "13901510003", "telemarketing", "contacted", 1200000000, 80, 4},
        {"合肥高新光伏材料有限公司", "王静", "13901510004", "referral", "contacted", 560000000, 64, 9},
        {"东莞长安模具制造有限公司", "冯军", "13901510005", "walk_in", "qualified", 2300000000, 88, 6},
        {"中山小榄灯饰电器有限公司", "陈芳", "13901510006", "online", "qualified", 410000000, 60, 16},
        {"厦门海沧食品机械有限公司", "林峰", "13901510007", "trade_show", "disqualified", 150000000, 20, 12},
        {"温州瓯海阀门有限公司", "黄蕾", "13901510008", "other", "new", 90000000, 35, 0},
    };
    for (size_t i = 0; i < sizeof leads / sizeof leads[0]; i++) {
        int k = (int)(i % (size_t)nrep);
        int64_t since = now - leads[i].days * 86400;
        demo_sql(&c,
                 "INSERT INTO leads(number, company, contact_name, phone, source, state, state_since, estimated_value, "
                 "score,"
                 " disqualify_reason, owner_id, org_unit_id, created_at, updated_at, created_by)"
                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?7, ?7, ?11) RETURNING id",
                 "ssssssiii"
                 "sii"
                 "",
                 demo_number(&c, "LD"), leads[i].company, leads[i].contact, leads[i].phone, leads[i].source,
                 leads[i].state, since, leads[i].value, leads[i].score,
                 !strcmp(leads[i].state, "disqualified") ? "客户已与竞争对手签订三年框架协议" : "", reps[k], units[k]);
    }
    /* the leads' region (GB/T 2260) and industry (GB/T 4754) as codes of the reference lists */
    static const char *const lead_codes[][3] = {
        {"无锡太湖智能装备有限公司", "3202", "35"},   {"南京江宁轨道交通配件厂", "320115", "37"},
        {"宁波北仑港机设备有限公司", "330206", "35"}, {"合肥高新光伏材料有限公司", "3401", "38"},
        {"东莞长安模具制造有限公司", "4419", "35"},   {"中山小榄灯饰电器有限公司", "4420", "38"},
        {"厦门海沧食品机械有限公司", "350205", "35"}, {"温州瓯海阀门有限公司", "330304", "34"},
    };
    for (size_t i = 0; i < sizeof lead_codes / sizeof lead_codes[0]; i++)
        demo_sql(&c, "UPDATE leads SET region = ?1, industry = ?2 WHERE company = ?3", "sss", lead_codes[i][1],
                 lead_codes[i][2], lead_codes[i][0]);

    /* opportunities across the stages, with their stage log */
    static const char *const stages[] = {"prospecting", "needs_analysis", "proposal", "negotiation", "won", "lost"};
    static const char *const names[] = {"注塑车间变频节能改造", "包装线伺服替换", "水厂泵站控制柜", "新厂房配电工程",
                                        "老线 PLC 升级",        "空压站群控系统", "喷涂线温控改造", "仓储输送线驱动"};
    for (int i = 0; i < ncust && i < 12; i++) {
        for (int j = 0; j < 2; j++) {
            int s = (i * 2 + j) % 6;
            int64_t created = now - 86400 * (int64_t)(10 + 7 * s + i);
            int64_t since = now - 86400 * (int64_t)(3 + (i + j) % 20);
            int64_t amount = 10000000 * (int64_t)(3 + (i * 7 + j * 5) % 40);
            const char *name = arena_printf(a, "%s（%s）", names[(i + j * 3) % 8], cname[i]);
            int64_t id = demo_sql(
                &c,
                "INSERT INTO opportunities(number, name, customer_id, amount, state, state_since, expected_close,"
                " needs_analysis, quote_sent_on, loss_reason, closed_at, owner_id, org_unit_id, created_at,"
                " updated_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?6, ?12)"
                " RETURNING id",
                "ssiisis"
                "sssiiii",
                demo_number(&c, "OP"), name, cust[i], amount, stages[s], since, pd_day(&c, 30 + 15 * s),
                s >= 2 ? "客户关注能耗与交期，预算已批" : "", s >= 3 ? pd_day(&c, -10) : "", s == 5 ? "competitor" : "",
                s >= 4 ? since : 0, cowner[i], cunit[i], created);
            demo_sql(&c,
                     "INSERT INTO opportunity_stages(opportunity_id, from_stage, to_stage, at, user_id) VALUES (?1, "
                     "NULL, 'prospecting', ?2, ?3)",
                     "iii", id, created, cowner[i]);
            int last = s == 5 ? 1 : s; /* lost from needs_analysis */
            int64_t at = created;
            for (int k = 1; k <= last; k++) {
                int64_t next = k == last && s != 5 ? since : at + (since - created) / (last + 1);
                demo_sql(
                    &c,
                    "INSERT INTO opportunity_stages(opportunity_id, from_stage, to_stage, at, user_id, seconds_in_from)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    "issiii", id, stages[k - 1], stages[k], next, cowner[i], next - at);
                at = next;
            }
            if (s == 5)
                demo_sql(
                    &c,
                    "INSERT INTO opportunity_stages(opportunity_id, from_stage, to_stage, at, user_id, seconds_in_from)"
                    " VALUES (?1, 'needs_analysis', 'lost', ?2, ?3, ?4)",
                    "iiii", id, since, cowner[i], since - at);
        }
    }

    /* a converted lead: it became the first customer and that customer's first opportunity above */
    int64_t first_opp = demo_sql(&c,
                                 "SELECT min(id) FROM opportunities WHERE customer_id = ?1 AND number IS NOT NULL"
                                 " AND created_by = ?2",
                                 "ii", cust[0], cowner[0]);
    demo_sql(
        &c,
        "INSERT INTO leads(number, company, source, state, state_since, estimated_value, score, converted_customer_id,"
        " converted_opportunity_id, converted_at, owner_id, org_unit_id, created_at, updated_at, created_by)"
        " VALUES (?1, ?2, 'referral', 'converted', ?3, 300000000, 90, ?4, ?5, ?3, ?6, ?7, ?8, ?3, ?6) RETURNING id",
        "ssiiiiii", demo_number(&c, "LD"), cname[0], now - 86400 * 30, cust[0], first_opp, cowner[0], cunit[0],
        now - 86400 * 45);

    /* the statements above bind "" / 0 for "none" */
    demo_sql(&c,
             "UPDATE opportunities SET needs_analysis = NULLIF(needs_analysis, ''), quote_sent_on = "
             "NULLIF(quote_sent_on, ''),"
             " loss_reason = NULLIF(loss_reason, ''), closed_at = NULLIF(closed_at, 0)",
             "");
    demo_sql(&c, "UPDATE leads SET disqualify_reason = NULLIF(disqualify_reason, '')", "");

    /* follow-ups (some next dates already past) and plans */
    static const char *const channels[] = {"phone", "visit", "wechat", "email", "meeting"};
    static const char *const contents[] = {"电话沟通项目进度，客户确认下月启动招标",
                                           "上门拜访技术部，演示变频器节能方案", "微信发送产品资料与案例",
                                           "邮件发送报价单及技术协议草稿", "参加客户供应商大会"};
    for (int i = 0; i < ncust; i++) {
        for (int j = 0; j < 2; j++) {
            int64_t at = now - 86400 * (int64_t)(2 + 9 * j + i);
            demo_sql(&c,
                     "INSERT INTO follow_ups(customer_id, followed_at, channel, kind, content, feedback, next_step, "
                     "next_date,"
                     " owner_id, org_unit_id, created_at, updated_at, created_by) VALUES (?1, ?2, ?3, 'normal', ?4, "
                     "?5, ?6, ?7,"
                     " ?8, ?9, ?2, ?2, ?8) RETURNING id",
                     "iissss"
                     "sii",
                     cust[i], at, channels[(i + j) % 5], contents[(i + j) % 5], "客户反馈积极，关注售后响应",
                     "发送详细方案", pd_day(&c, j == 0 ? (i % 3) - 1 : -5), cowner[i], cunit[i]);
        }
        demo_sql(&c, "UPDATE customers SET last_followup_at = ?1 WHERE id = ?2", "ii", now - 86400 * (int64_t)(2 + i),
                 cust[i]);
        if (i < 4)
            demo_sql(
                &c,
                "INSERT INTO follow_up_plans(customer_id, content, channel, frequency_days, next_date, active, "
                "owner_id,"
                " org_unit_id, created_at, updated_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?8, ?8, ?6)"
                " RETURNING id",
                "issisiii", cust[i], i % 2 ? "季度回访：设备运行与备件需求" : "月度回访：项目进展",
                i % 2 ? "visit" : "phone", (int64_t)(i % 2 ? 90 : 30), pd_day(&c, i - 1), cowner[i], cunit[i],
                now - 86400 * 40);
    }

    /* the year's plan of the company root, allocated to the reps' units and the reps */
    char day[11];
    date_of_epoch(now, company_tz_db(c.db), day);
    const char *year = arena_printf(a, "%.4s-01-01", day);
    int64_t root = demo_sql(&c, "SELECT min(id) FROM org_units", "");
    int64_t top =
        demo_sql(&c,
                 "INSERT INTO sales_plans(period_kind, period_start, plan_unit_id, target_amount, target_volume,"
                 " target_new_customers, note, owner_id, org_unit_id, created_at, updated_at)"
                 " VALUES ('year', ?1, ?2, 5000000000, 4000, 60, '年度销售目标', NULL, ?2, ?3, ?3) RETURNING id",
                 "sii", year, root, now);
    for (int k = 0; k < nrep; k++)
        demo_sql(
            &c,
            "INSERT INTO sales_plans(period_kind, period_start, plan_unit_id, rep_id, parent_plan_id, target_amount,"
            " target_volume, target_new_customers, note, owner_id, org_unit_id, created_at, updated_at)"
            " VALUES ('year', ?1, ?2, ?3, ?4, ?5, 500, 8, '个人年度定额', ?3, ?2, ?6, ?6) RETURNING id",
            "siiiii", year, units[k], reps[k], top, (int64_t)(600000000 + 100000000 * k), now);
    return c.fail ? -1 : 0;
}
